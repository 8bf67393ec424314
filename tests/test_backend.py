"""dae/backend.py and dae/config.py: the one switch between NumPy and CuPy, and floatX."""
import os
import subprocess
import sys

import numpy
import pytest

import dae
from dae import backend

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPU = backend.is_gpu_available()


def test_numpy_is_the_default_and_use_returns_the_module():
    assert backend.xp is numpy and backend.name == "numpy"
    assert backend.use("numpy") is numpy


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend must be one of"):
        backend.use("jax")
    assert backend.xp is numpy


@pytest.mark.skipif(GPU, reason="a GPU is visible: the no-GPU error cannot be shown here")
def test_asking_for_cupy_without_a_gpu_says_so():
    with pytest.raises(RuntimeError, match="cupy"):
        backend.use("cupy")
    assert backend.xp is numpy  # the failed switch changed nothing


def test_environment_variable_chooses_the_backend():
    code = "import dae; print(dae.backend.name)"
    env = dict(os.environ, DAE_BACKEND="numpy", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "numpy"
    env["DAE_BACKEND"] = "tpu"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "DAE_BACKEND='tpu'" in bad.stderr and "numpy or cupy" in bad.stderr


def test_to_host_and_asarray():
    a = backend.asarray([[1, 2]])
    assert a.dtype == numpy.float32 and isinstance(a, numpy.ndarray)
    assert backend.asarray(a, dtype="float64").dtype == numpy.float64
    assert backend.to_host(a) is a
    assert backend.array_module(a) is numpy


def test_floatX_is_validated_and_scoped():
    assert dae.config.floatX == "float32"
    with pytest.raises(ValueError, match="floatX"):
        dae.config.floatX = "float16"
    with dae.config.floatX_as("float64"):
        assert dae.dA(numpy.random.RandomState(0), n_visible=3, n_hidden=2).W.dtype == numpy.float64
    assert dae.config.floatX == "float32"
    assert dae.dA(numpy.random.RandomState(0), n_visible=3, n_hidden=2).W.dtype == numpy.float32


def test_a_model_refuses_an_array_of_another_backend():
    import types

    da = dae.dA(numpy.random.RandomState(0), n_visible=3, n_hidden=2)
    da.xp = types.SimpleNamespace(__name__="cupy")  # as if the model had been built on the GPU
    with pytest.raises(TypeError, match=r"x is a numpy array but the model lives on the cupy backend.*asarray"):
        da.cost_and_grads(numpy.zeros((2, 3), numpy.float32), rng=da.theano_rng)


@pytest.mark.skipif(not GPU, reason="no CUDA GPU visible (CuPy tests run only where one is)")
def test_cupy_model_keeps_every_array_on_the_gpu():
    import cupy

    try:
        backend.use("cupy")
        da = dae.dA(numpy.random.RandomState(1), n_visible=20, n_hidden=5)
        x = backend.asarray(numpy.random.RandomState(0).rand(4, 20))
        cost, grads = da.cost_and_grads(x, corruption_level=0.3, rng=da.theano_rng)
        assert all(isinstance(a, cupy.ndarray) for a in [cost, *grads, *da.params])
        with pytest.raises(TypeError, match="cupy backend"):
            da.cost_and_grads(numpy.zeros((4, 20), numpy.float32), rng=da.theano_rng)
    finally:
        backend.use("numpy")
