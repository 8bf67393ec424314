"""The compiled kernels (dae/kernels.py) give the NumPy reference's numbers; the setting that chooses them.

Every comparison runs the same public function twice, once under ``dae.config.kernels_as("numpy")``
and once under ``kernels_as("numba")`` (skipped without numba); the kernels' plain-Python loops
(``kernel.python``) are checked against the reference too, so the loops are tested even where
numba is not installed.
"""
import os
import subprocess
import sys

import numpy
import pytest

import dae
from dae import config, kernels
from dae.layers import conv, pool

HAVE_NUMBA = config.numba_installed()
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed (pip install 'dae[fast]')")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(params=["one-thread build", "threaded build"])
def build(request, monkeypatch):
    """Each kernel comparison twice: small outputs run the one-thread build; PARALLEL_MIN = 0 makes
    every call take the threaded (prange) build."""
    if request.param == "threaded build":
        monkeypatch.setattr(kernels, "PARALLEL_MIN", 0)
        monkeypatch.setattr(kernels, "DIRECT_PARALLEL_MIN", 0)
    return request.param


def both(fn, *args):
    """fn(*args) on the NumPy path and on the numba path."""
    with config.kernels_as("numpy"):
        ref = fn(*args)
    with config.kernels_as("numba"):
        fast = fn(*args)
    return ref, fast


def maps(shape, seed=0, dtype="float32"):
    return numpy.random.RandomState(seed).randn(*shape).astype(dtype)


def ties(shape, seed=0):
    """Values from {0, 1, 2}: most 2x2 windows hold a repeated maximum."""
    return numpy.random.RandomState(seed).randint(0, 3, size=shape).astype("float32")


CONV_CASES = [  # (C, N, H, W), kernel, stride, padding
    ((3, 4, 8, 8), (5, 5), 1, 2), ((8, 2, 6, 7), (3, 3), 1, 1), ((2, 3, 9, 8), (3, 2), 2, 1),
    ((4, 1, 7, 7), (3, 3), 3, 0), ((1, 2, 5, 5), (1, 1), 1, 0),
]


@needs_numba
@pytest.mark.parametrize("shape,kernel,stride,padding", CONV_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pad_im2col_col2im_equal_on_both_paths(shape, kernel, stride, padding, dtype, build):
    x = maps(shape, dtype=dtype)
    ref, fast = both(conv.pad_cn, x, padding)
    numpy.testing.assert_array_equal(fast, ref)
    ref, fast = both(conv.im2col_cn, ref, kernel, stride)
    numpy.testing.assert_array_equal(fast, ref)
    fused, fused_fast = both(conv.im2col_cn, x, kernel, stride, padding)  # the padding inside im2col
    numpy.testing.assert_array_equal(fused, ref)
    numpy.testing.assert_array_equal(fused_fast, ref)
    cols = maps(ref.shape, seed=1, dtype=dtype)
    ref, fast = both(conv.col2im_cn, cols, shape, kernel, stride, padding)
    assert fast.shape == ref.shape == shape
    numpy.testing.assert_allclose(fast, ref, rtol=1e-6 if dtype == "float32" else 1e-12, atol=1e-6)


@needs_numba
@pytest.mark.parametrize("stride", [1, 2])
def test_correlate_output_side_equal_on_both_paths(stride, build):
    xpad = maps((8, 3, 11, 10))
    W = maps((3, 8, 5, 5), seed=1)   # F < C: multiply first, then the shift-and-add kernel
    (ref, _), (fast, cols) = both(conv.correlate_cn, xpad, W, stride)
    assert cols is None and fast.shape == ref.shape
    numpy.testing.assert_allclose(fast, ref, rtol=1e-5, atol=1e-5)


DIRECT_CASES = [  # (C, N, H, W), (F, kh, kw), padding: F not a multiple of 4, kw not of 3, 1x1, N = 1
    ((3, 4, 8, 8), (8, 5, 5), 2), ((8, 2, 6, 7), (3, 3, 3), 1), ((2, 3, 9, 8), (5, 3, 2), 1),
    ((4, 1, 7, 7), (4, 3, 3), 0), ((1, 2, 5, 5), (2, 1, 1), 0), ((16, 3, 8, 8), (16, 3, 3), 2),
]


@needs_numba
@pytest.mark.parametrize("shape,filters,padding", DIRECT_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_direct_convolution_gives_the_layers_numbers(shape, filters, padding, dtype, build):
    """Conv2D (stride 1) forward and backward: im2col and products on the NumPy path, the compiled
    direct convolution (kernels.correlate, correlate_grads) on the numba path."""
    c, (f, kh, kw) = shape[0], filters
    layer = conv.Conv2D(None, c, f, (kh, kw), padding=padding, W=maps((f, c, kh, kw), 1, dtype),
                        b=maps((f,), 2, dtype), layout="CNHW")
    x = maps(shape, dtype=dtype)

    def forward_backward():
        y, cache = layer.forward(x)
        dx, (dW, db) = layer.backward(maps(y.shape, 3, dtype), cache)
        return y, dx, dW, db, cache.x is not None
    ref, fast = both(forward_backward)
    assert not ref[-1] and fast[-1]            # the numba path really took the direct convolution
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for name, a, b in zip(("y", "dx", "dW", "db"), ref, fast):
        assert b.shape == a.shape and b.dtype == a.dtype, name
        numpy.testing.assert_allclose(b, a, err_msg=name, **tol)
    relu = kernels.correlate(x, layer.W, layer.b, (padding, padding), relu=True)
    numpy.testing.assert_allclose(relu, numpy.maximum(ref[0], 0), **tol)


@needs_numba
def test_a_strided_or_widely_padded_conv_keeps_the_im2col_path():
    for stride, padding in ((2, 1), (1, 3)):
        layer = conv.Conv2D(numpy.random.RandomState(0), 3, 4, 3, stride=stride, padding=padding, layout="CNHW")
        x = maps((3, 2, 8, 8))
        (y0, c0), (y1, c1) = both(layer.forward, x)
        assert c1.x is None
        numpy.testing.assert_allclose(y1, y0, rtol=1e-5, atol=1e-5)


def test_the_plain_python_direct_convolution_loops_compute_the_reference():
    x, W, b = maps((3, 2, 5, 6)), maps((5, 3, 3, 2), 1), maps((5,), 2)
    W4 = numpy.zeros((8, 3, 3, 3), "float32")
    W4[:5, :, :, :2] = W
    with config.kernels_as("numpy"):
        ref, _ = conv.correlate_cn(x, W, 1, 1)
    y = numpy.empty((5, 2, 5, 7), "float32")
    kernels._correlate.python(x, W4, b, 1, 1, False, y)
    numpy.testing.assert_allclose(y, ref + b[:, None, None, None], rtol=1e-5, atol=1e-5)
    dy = maps(y.shape, 3)
    db, dW = numpy.empty((2, 5), "float32"), numpy.empty((2, 8, 3, 3, 3), "float32")
    kernels._correlate_grads.python(x, dy, 1, 1, db, dW)
    cols = conv.im2col_cn(x, (3, 2), 1, 1)
    numpy.testing.assert_allclose(dW.sum(axis=0)[:5, :, :, :2], (dy.reshape(5, -1) @ cols.T).reshape(W.shape),
                                  rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(db.sum(axis=0), dy.sum(axis=(1, 2, 3)), rtol=1e-5, atol=1e-5)


@needs_numba
@pytest.mark.parametrize("size", [2, 3])
@pytest.mark.parametrize("values", [maps, ties])
def test_pooling_kernels_equal_on_both_paths_including_ties(size, values, build):
    x = values((4, 3, 6 * size // 2 * 2, 4 * size))
    layer = pool.MaxPool2D(size)
    (y0, s0), (y1, s1) = both(layer.forward, x)
    numpy.testing.assert_array_equal(y1, y0)
    numpy.testing.assert_array_equal(s1, s0)   # ties: the first maximum on both paths
    assert s1.dtype == s0.dtype
    if values is ties:
        assert (s0 == 0).mean() > 0.2           # the data really did hold ties
    dy = maps(y0.shape, seed=2)
    ref, fast = both(pool.place, dy, s0, size)
    numpy.testing.assert_array_equal(fast, ref)
    dx = maps(x.shape, seed=3)
    ref, fast = both(pool.gather, dx, s0, size)
    numpy.testing.assert_array_equal(fast, ref)


@pytest.mark.parametrize("shape,kernel,stride,padding", CONV_CASES[:3])
def test_the_plain_python_loops_compute_the_reference(shape, kernel, stride, padding):
    """The kernels' own loops, run by Python (no numba needed), against the NumPy reference."""
    x = maps(shape)
    with config.kernels_as("numpy"):
        xpad = conv.pad_cn(x, padding)
        cols = conv.im2col_cn(xpad, kernel, stride)
        dx = conv.col2im_cn(cols, shape, kernel, stride, padding)
    out = numpy.empty_like(xpad)
    kernels._pad.python(x, padding, padding, out)
    numpy.testing.assert_array_equal(out, xpad)
    out = numpy.empty_like(cols)
    kernels._im2col.python(x, kernel[0], kernel[1], stride, padding, padding, out)  # the padding read, not written
    numpy.testing.assert_array_equal(out, cols)
    out = numpy.empty_like(x)
    kernels._col2im.python(cols, kernel[0], kernel[1], stride, padding, out)
    numpy.testing.assert_allclose(out, dx, rtol=1e-6, atol=1e-6)


def test_the_plain_python_pooling_loops_compute_the_reference():
    x = ties((2, 3, 4, 6))
    with config.kernels_as("numpy"):
        y, s = pool.MaxPool2D(2).forward(x)
        placed = pool.place(y, s, 2)
        gathered = pool.gather(x, s, 2)
    x3, y3 = x.reshape(6, 4, 6), numpy.empty((6, 2, 3), "float32")
    s3 = numpy.empty((6, 2, 3), "int8")
    kernels._max_pool.python(x3, 2, y3, s3)
    numpy.testing.assert_array_equal(y3.reshape(y.shape), y)
    numpy.testing.assert_array_equal(s3.reshape(s.shape), s)
    out = numpy.empty((6, 4, 6), "float32")
    kernels._place.python(y.reshape(6, 2, 3), s.reshape(6, 2, 3), 2, out)
    numpy.testing.assert_array_equal(out.reshape(placed.shape), placed)
    out = numpy.empty((6, 2, 3), "float32")
    kernels._gather.python(x3, s3, 2, out)
    numpy.testing.assert_array_equal(out.reshape(gathered.shape), gathered)


def conv_ae(**kw):
    return dae.ConvAutoencoder(numpy.random.RandomState(1), input_shape=(3, 16, 16), channels=(8, 16, 16),
                               code_size=12, kernel_sizes=(5, 3, 3), **kw)


@needs_numba
@pytest.mark.parametrize("kw,level", [({}, 0.0), (dict(noise="masking", output="sigmoid"), 0.3),
                                      (dict(unpooling="nearest"), 0.0)])
def test_a_conv_autoencoder_training_step_is_the_same_on_both_paths(kw, level, build):
    model = conv_ae(**kw)
    x = numpy.random.RandomState(0).rand(9, 3, 16, 16).astype("float32")
    x[:, :, ::2, ::2] = x[:, :, 1::2, 1::2]  # equal neighbours: ties for the max-pooling

    def step():
        params = [p.copy() for p in model.params]
        cost, grads = model.cost_and_grads(x, rng=numpy.random.RandomState(5), corruption_level=level)
        dae.optim.Adam(1e-3).step(params, grads)
        return float(cost), grads, params
    (c0, g0, p0), (c1, g1, p1) = both(step)
    assert abs(c1 - c0) <= 1e-5 * abs(c0)
    for name, a, b in zip(model.param_names, g0, g1):
        numpy.testing.assert_allclose(b, a, rtol=2e-4, atol=1e-5 * float(numpy.abs(a).max()), err_msg=name)
    for a, b in zip(p0, p1):
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


@needs_numba
def test_the_compiled_kernels_take_the_whole_minibatch_at_once():
    model = conv_ae()
    assert model.block_size == 4
    with config.kernels_as("numba"):
        assert model._blocks(9) == [slice(0, 9)]
    with config.kernels_as("numpy"):
        assert model._blocks(9) == [slice(0, 4), slice(4, 8), slice(8, 12)]


@needs_numba
def test_the_numba_path_really_runs_each_kernel(monkeypatch):
    """With kernels="numba" every dispatch line hands its work to the kernel (counted here)."""
    calls = {}
    names = {"pad", "im2col", "col2im", "shift_add", "max_pool", "place", "gather", "correlate", "correlate_grads"}
    for name in names:
        original = getattr(kernels, name)

        def counted(*args, _name=name, _original=original):
            calls[_name] = calls.get(_name, 0) + 1
            return _original(*args)
        monkeypatch.setattr(kernels, name, counted)
    x = numpy.random.RandomState(0).rand(4, 3, 16, 16).astype("float32")
    with config.kernels_as("numba"):
        conv_ae().cost_and_grads(x, rng=numpy.random.RandomState(0))   # the direct convolution, the pooling
        assert set(calls) == {"correlate", "correlate_grads", "max_pool", "place", "gather"}, calls
        conv.col2im_cn(numpy.ones((27, 8), "float32"), (3, 2, 2, 2), (3, 3), 1, 1)
        conv.correlate_cn(maps((3, 2, 6, 6)), maps((4, 3, 3, 3)), 1, 1)      # input side: im2col
        conv.correlate_cn(maps((3, 2, 6, 6)), maps((2, 3, 3, 3)), 1, 1)      # output side: pad, shift_add
    assert set(calls) == names, calls
    calls.clear()
    with config.kernels_as("numpy"):
        conv_ae().cost_and_grads(x, rng=numpy.random.RandomState(0))
    assert calls == {}


def test_the_setting_is_validated_and_kernels_as_restores():
    before = config.kernels
    with pytest.raises(ValueError, match="kernels must be one of"):
        config.kernels = "fortran"
    assert config.kernels == before
    with config.kernels_as("numpy"):
        assert config.kernels == "numpy" and not kernels.active(numpy.zeros(2))
    assert config.kernels == before
    # the default: numba when installed, unless DAE_KERNELS says otherwise
    assert config.kernels == (os.environ.get("DAE_KERNELS") or ("numba" if HAVE_NUMBA else "numpy"))


def run_python(code, **env):
    environ = dict(os.environ, PYTHONPATH=ROOT, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, cwd=ROOT,
                          timeout=300)


def test_a_bad_DAE_KERNELS_is_a_one_line_error_naming_the_variable():
    out = run_python("import dae", DAE_KERNELS="fast")
    assert out.returncode != 0
    assert out.stderr.strip() == ("dae: error: environment variable DAE_KERNELS='fast' is not usable; "
                                  "DAE_KERNELS accepts numpy or numba (or unset it)")


BLOCK_NUMBA = "import sys; sys.modules['numba'] = None\n"  # `import numba` now raises ImportError


def test_without_numba_dae_runs_the_numpy_kernels_and_the_conv_step_works():
    code = BLOCK_NUMBA + (
        "import numpy, dae\n"
        "assert dae.config.kernels == 'numpy', dae.config.kernels\n"
        "m = dae.ConvAutoencoder(numpy.random.RandomState(1), input_shape=(3, 16, 16), channels=(8, 16, 16),"
        " code_size=12, kernel_sizes=(5, 3, 3))\n"
        "x = numpy.random.RandomState(0).rand(9, 3, 16, 16).astype('float32')\n"
        "cost, grads = m.cost_and_grads(x, rng=numpy.random.RandomState(5))\n"
        "dae.optim.Adam(1e-3).step(m.params, grads)\n"
        "print(repr(float(cost)))\n"
        "assert 'numba' not in sys.modules or sys.modules['numba'] is None\n")
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    model = conv_ae()
    x = numpy.random.RandomState(0).rand(9, 3, 16, 16).astype("float32")
    with config.kernels_as("numpy"):
        cost, _ = model.cost_and_grads(x, rng=numpy.random.RandomState(5))
    assert float(out.stdout.strip()) == pytest.approx(float(cost), rel=1e-6)


def test_asking_for_numba_without_it_says_how_to_install_it():
    out = run_python(BLOCK_NUMBA + "import dae", DAE_KERNELS="numba")
    assert out.returncode != 0
    assert out.stderr.strip() == ("dae: error: environment variable DAE_KERNELS='numba' is not usable: numba is "
                                  'not installed: pip install "dae[fast]"; DAE_KERNELS accepts numpy or numba '
                                  "(or unset it)")
