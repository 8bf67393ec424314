"""NumPy/CuPy parity: the same model, the same initial parameters and the same corruption masks
on both backends must give the same costs and parameters to float32 tolerance.

Runs only where CuPy sees a GPU; elsewhere (CI) every test here is skipped with the reason.
The masks are drawn on the host from one seeded numpy RandomState per backend, so both runs see
identical noise; everything else is computed on each backend's own arrays.
"""
import numpy
import pytest

import dae
from dae import backend

pytestmark = pytest.mark.skipif(not backend.is_gpu_available(), reason="no CUDA GPU visible: parity runs only on a GPU")

STEPS = 300


def _train_dA(name, x, level):
    backend.use(name)
    try:
        da = dae.dA(numpy.random.RandomState(123), n_visible=784, n_hidden=100)
        xs = backend.asarray(x)
        masks_rng = numpy.random.RandomState(7)
        costs = []
        for i in range(STEPS):
            batch = xs[(i % 100) * 20:(i % 100 + 1) * 20]
            cost, grads = da.cost_and_grads(batch, corruption_level=level, rng=masks_rng)
            for p, g in zip(da.params, grads):
                p -= 0.1 * g
            costs.append(cost)
        module = backend.xp
        assert all(type(p).__module__.split(".")[0] == module.__name__ for p in da.params)
        return numpy.array([float(c) for c in costs]), [backend.to_host(p).copy() for p in da.params]
    finally:
        backend.use("numpy")


@pytest.mark.parametrize("level", [0.0, 0.3])
def test_dA_costs_and_parameters_agree_on_both_backends(level):
    x = dae.load_data()[0][0][:2000]
    cpu_costs, cpu_params = _train_dA("numpy", x, level)
    gpu_costs, gpu_params = _train_dA("cupy", x, level)
    numpy.testing.assert_allclose(gpu_costs, cpu_costs, rtol=1e-4)
    for a, b in zip(gpu_params, cpu_params):
        numpy.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def test_fast_step_runs_on_the_gpu_and_matches_the_cpu():
    from dae.fast import TiedSigmoidSGD

    x = dae.load_data()[0][0][:2000]
    results = []
    for name in ("numpy", "cupy"):
        backend.use(name)
        try:
            da = dae.dA(numpy.random.RandomState(123), n_visible=784, n_hidden=100)
            step = TiedSigmoidSGD(da, 20, 0.0, 0.1)
            xs = backend.asarray(x)
            costs = backend.xp.stack([step(xs[i * 20:(i + 1) * 20]) for i in range(100)])
            results.append((backend.to_host(costs), backend.to_host(da.W).copy()))
        finally:
            backend.use("numpy")
    numpy.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-4)
    numpy.testing.assert_allclose(results[1][1], results[0][1], atol=1e-4)
