"""dae/functions.py: stable forms agree with the textbook formulas where those are finite."""
import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dae import functions as F

finite = st.floats(-60, 60, allow_nan=False, width=64)


@given(arrays(numpy.float64, (3, 5), elements=finite), arrays(numpy.float64, (3, 5), elements=st.floats(0, 1)))
def test_cross_entropy_from_logits_equals_the_tutorials_formula(a, x):
    z = 1 / (1 + numpy.exp(-a))
    with numpy.errstate(divide="ignore", invalid="ignore"):
        naive = -numpy.sum(x * numpy.log(z) + (1 - x) * numpy.log(1 - z), axis=1)
    ok = numpy.isfinite(naive) & (numpy.abs(a) < 15).all(axis=1)  # where the naive form keeps its precision
    numpy.testing.assert_allclose(F.cross_entropy_from_logits(x, a)[ok], naive[ok], rtol=1e-7, atol=1e-7)


def test_cross_entropy_is_finite_for_saturated_units():
    a = numpy.array([[1000.0, -1000.0, 80.0]], dtype=numpy.float32)
    x = numpy.array([[0.0, 1.0, 0.5]], dtype=numpy.float32)
    ce = F.cross_entropy_from_logits(x, a)
    assert numpy.isfinite(ce).all() and ce[0] == pytest.approx(1000 + 1000 + 40, rel=1e-6)


def test_sigmoid_in_and_out_of_place():
    a = numpy.linspace(-50, 50, 101)
    s = F.sigmoid(a)
    numpy.testing.assert_allclose(s, 1 / (1 + numpy.exp(-a)), atol=1e-15)
    b = a.copy()
    assert F.sigmoid(b, out=b) is b
    numpy.testing.assert_array_equal(b, s)


def test_softmax_rows_sum_to_one_without_overflow():
    a = numpy.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]])
    p = F.softmax(a)
    numpy.testing.assert_allclose(p.sum(axis=1), 1.0)
    numpy.testing.assert_allclose(numpy.log(p), F.log_softmax(a), rtol=1e-12)


def test_squared_error():
    assert F.squared_error(numpy.array([[1.0, 2.0]]), numpy.array([[0.0, 4.0]]))[0] == 5.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softplus_is_logaddexp_and_finite_at_the_extremes(dtype):
    a = numpy.array([-1e4, -100.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 100.0, 1e4], dtype=dtype)
    ours = F.softplus(a)
    assert ours.dtype == numpy.dtype(dtype) and numpy.isfinite(ours).all()
    numpy.testing.assert_allclose(ours, numpy.logaddexp(0.0, a.astype("float64")),
                                  rtol=2e-7 if dtype == "float32" else 1e-15,
                                  atol=1e-40 if dtype == "float32" else 1e-300)  # float32 subnormals
