"""``python -m dae ...`` runs the ``dae`` command (see dae/cli/)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
