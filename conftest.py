# Root conftest: puts the repository root on sys.path, so `import dae` finds this checkout's
# package (also from a git worktree) and tests can import the tutorials as modules.
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
for path in (ROOT, os.path.join(ROOT, "tutorials")):
    if path not in sys.path:
        sys.path.insert(0, path)
