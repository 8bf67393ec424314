"""The package's version (``dae --version``, ``dae.__version__``)."""
__version__ = "0.1.0"
