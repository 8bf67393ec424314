"""dae: denoising autoencoders from scratch, the deeplearning.net tutorial in NumPy (and CuPy)."""
import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = ["jupytext>=1.14", "nbclient>=0.7", "nbformat>=5.7", "ipykernel>=6", "papermill>=2.4"]


class build_py_with_data(build_py):
    """Also copy the repository's data/ (MNIST, the photographs, their SOURCES.md) into the built
    package as dae/_data, so that ``pip install .`` gives a dae whose ``load_data()`` works from
    any folder. An editable install reads data/ in place instead (see dae/paths.py)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = os.path.join(self.build_lib, "dae", "_data")
        for sub in ("mnist", "images"):
            shutil.copytree(os.path.join(HERE, "data", sub), os.path.join(target, sub), dirs_exist_ok=True)
        shutil.copy2(os.path.join(HERE, "data", "SOURCES.md"), os.path.join(target, "SOURCES.md"))


setup(
    name="dae",
    version="0.1.0",
    description="Denoising autoencoders from scratch: the classic Theano tutorial in plain NumPy/CuPy",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["dae", "dae.*"]),
    package_data={
        # the exercises' workbook templates (copied by `dae exercises start`)
        "dae.exercises": ["templates/*.py", "templates/*.md", "templates/*.ini",
                          "solutions/*.py"],   # and the readable solutions (`dae exercises solution`)
        # the original Theano graph's run (dae.reference): costs and filter mosaic
        "dae.reference": ["*.json", "*.png"],
    },
    install_requires=[
        "numpy>=1.22",
        "pillow>=9.0",
        "matplotlib>=3.5",
        "tqdm>=4.60",
        "threadpoolctl>=3.1",  # dae.threads: BLAS threads chosen per workload and load
    ],
    extras_require={
        # what the test suite needs (it runs every tutorial as a notebook in a real kernel too)
        "test": ["pytest>=7", "hypothesis>=6", "scipy>=1.8", "scikit-learn>=1.2"] + NOTEBOOKS,
        # compiled, multi-core kernels for the conv autoencoder (dae/kernels.py; DAE_KERNELS=numpy turns
        # them off); 0.60 is numba's first release for NumPy 2, 0.68.1 the one tested with NumPy 2.4
        "fast": ["numba>=0.60"],
        # NVIDIA GPU backend (CUDA 12 wheel of CuPy)
        "gpu": ["cupy-cuda12x>=13"],
        # side-by-side benchmarks (optional contenders)
        "bench": ["torch>=2.0"],
        # dae.sklearn.DenoisingAutoencoder
        "sklearn": ["scikit-learn>=1.2"],
        # tutorials as notebooks: python tools/build_notebooks.py, tests/test_notebooks.py
        "notebooks": NOTEBOOKS,
        # the course as a website: python tools/build_site.py (tests/test_site.py)
        "docs": ["sphinx>=7.2", "myst-nb>=1.1", "furo>=2024.1"],
    },
    entry_points={"console_scripts": ["dae=dae.cli:main"]},
    cmdclass={"build_py": build_py_with_data},
)
