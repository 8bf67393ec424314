# Root conftest: puts the repository root on sys.path, so `import dae` finds this checkout's
# package (also from a git worktree) and tests can import the tutorials as modules.
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
for path in (ROOT, os.path.join(ROOT, "tutorials")):
    if path not in sys.path:
        sys.path.insert(0, path)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run the tests marked slow (minutes: full-size reference runs)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a full-size run (minutes); runs with --slow or DAE_SLOW=1")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow") or os.environ.get("DAE_SLOW") == "1":
        return
    import pytest

    skip = pytest.mark.skip(reason="slow (a full-size run): pass --slow or set DAE_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
