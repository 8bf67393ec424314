"""dae: denoising autoencoders from scratch, the deeplearning.net tutorial in NumPy (and CuPy)."""
from setuptools import find_packages, setup

setup(
    name="dae",
    version="0.1.0",
    description="Denoising autoencoders from scratch: the classic Theano tutorial in plain NumPy/CuPy",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["dae", "dae.*"]),
    # the exercises' workbook templates (copied by `dae exercises start`)
    package_data={"dae.exercises": ["templates/*.py", "templates/*.md", "templates/*.ini"]},
    install_requires=[
        "numpy>=1.22",
        "pillow>=9.0",
        "matplotlib>=3.5",
        "tqdm>=4.60",
    ],
    extras_require={
        # what the test suite needs
        "test": ["pytest>=7", "hypothesis>=6", "scipy>=1.8", "scikit-learn>=1.2"],
        # NVIDIA GPU backend (CUDA 12 wheel of CuPy)
        "gpu": ["cupy-cuda12x>=13"],
        # side-by-side benchmarks (optional contenders)
        "bench": ["torch>=2.0"],
        # dae.sklearn.DenoisingAutoencoder
        "sklearn": ["scikit-learn>=1.2"],
    },
    entry_points={"console_scripts": ["dae=dae.cli:main"]},
)
