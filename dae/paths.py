"""Where the data lives: MNIST and the photographs, for every loader in the package.

Looked up at each call, in this order:

1. ``$DAE_DATA_DIR``, when set: a folder like the repository's ``data/`` (``mnist/`` and
   ``images/`` inside), or a folder holding the four MNIST IDX files themselves;
2. the copy installed with the package (``dae/_data``, made by ``pip install .``);
3. the repository's ``data/`` beside the package (a clone, or ``pip install -e .``).
"""
import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
INSTALLED_DATA = os.path.join(PACKAGE_DIR, "_data")
REPOSITORY_DATA = os.path.join(os.path.dirname(PACKAGE_DIR), "data")
MNIST_STEM = "train-images-idx3-ubyte"


def shipped_data_dir():
    """The data that came with dae (installed copy first, then the repository's)."""
    for folder in (INSTALLED_DATA, REPOSITORY_DATA):
        if os.path.isdir(os.path.join(folder, "mnist")):
            return folder
    raise FileNotFoundError(f"dae's data is missing: neither {INSTALLED_DATA} nor {REPOSITORY_DATA} holds mnist/ "
                            f"(reinstall dae, or set DAE_DATA_DIR to a folder with mnist/ and images/)")


def data_dir():
    """``$DAE_DATA_DIR`` if set, else the shipped data folder."""
    env = os.environ.get("DAE_DATA_DIR")
    if env:
        if not os.path.isdir(env):
            raise FileNotFoundError(f"DAE_DATA_DIR={env!r} is not a folder")
        return env
    return shipped_data_dir()


def mnist_dir():
    """The folder of the four MNIST IDX files."""
    folder = data_dir()
    if os.path.isdir(os.path.join(folder, "mnist")):
        return os.path.join(folder, "mnist")
    if any(os.path.exists(os.path.join(folder, MNIST_STEM + ext)) for ext in ("", ".gz")):
        return folder
    raise FileNotFoundError(f"{folder} (DAE_DATA_DIR) holds neither mnist/ nor the MNIST IDX files")


def images_dir():
    """The folder of the colour photographs."""
    return os.path.join(data_dir(), "images")


def is_shipped(folder):
    """True for the data that came with dae (whose checksums are known)."""
    try:
        shipped = shipped_data_dir()
    except FileNotFoundError:
        return False
    return os.path.realpath(folder).startswith(os.path.realpath(shipped) + os.sep)
