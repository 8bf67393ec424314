"""dae.validation: a 1-D array where a minibatch is expected is refused everywhere with the
reshape that fixes it (property test over shapes and over every model's x-taking methods)."""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dae
from dae.validation import check_data, check_matrix


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50), columns=st.one_of(st.none(), st.integers(1, 50)))
def test_a_1d_array_is_refused_with_the_reshape_that_fixes_it(n, columns):
    x = numpy.zeros(n, dtype="float32")
    for check in (lambda: check_matrix(x, "x", columns), lambda: check_data(x, "x", columns)):
        with pytest.raises(ValueError) as info:
            check()
        message = str(info.value)
        assert f"got a 1-D array of shape ({n},)" in message
        assert "x.reshape(1, -1) if it is a single example" in message and "x.reshape(-1, 1)" in message


@pytest.mark.parametrize("bad, exc, words", [
    (numpy.ones((4, 3), numpy.float32), ValueError, "x must have 5 columns, got shape (4, 3)"),
    (numpy.ones((0, 5), numpy.float32), ValueError, "at least one example"),
    (numpy.ones((4, 5), numpy.int32), TypeError, "x.astype('float32') / 255"),
    (numpy.full((4, 5), numpy.inf, numpy.float32), ValueError, "NaN or inf (first in rows 0..3)"),
    (numpy.full((4, 5), 2.0, numpy.float32), ValueError, "[0, 1] for the cross-entropy, got values in [2, 2]"),
    (numpy.ones((4, 5, 1), numpy.float32), ValueError, "2-D array of shape (n_examples, 5)"),
    ("not an array", TypeError, "x must be an array, got str"),
])
def test_check_matrix_and_check_data_refuse_the_same_inputs_with_the_same_words(bad, exc, words):
    for check in (check_matrix, check_data):
        with pytest.raises(exc) as info:
            check(bad, "x", 5, unit_interval=True)
        assert words in str(info.value), (check.__name__, str(info.value))
    good = numpy.full((4, 5), 0.5, numpy.float32)
    assert check_matrix(good, "x", 5, unit_interval=True) is good and check_data(good, "x", 5) is good
    # beyond [0, 1] is fine unless asked for; a memmap is read in chunks of rows
    assert check_data(numpy.full((9, 5), 3.0), "x", 5, chunk=2) is not None


def models():
    rs = numpy.random.RandomState
    return {
        "dA": (dae.dA(rs(0), n_visible=12, n_hidden=5), ["get_hidden_values", "reconstruct", "cost_and_grads",
                                                          "get_corrupted_input"]),
        "cA": (dae.cA(rs(0), n_visible=12, n_hidden=5), ["get_hidden_values", "reconstruct", "cost_and_grads"]),
        "deep": (dae.DeepAutoencoder(rs(0), (12, 6, 3)), ["encode", "reconstruct", "cost_and_grads"]),
        "vae": (dae.VAE(rs(0), n_visible=12, n_hidden=(6,), n_latent=2), ["encode", "reconstruct", "cost_and_grads"]),
        "HiddenLayer": (dae.HiddenLayer(rs(0), n_in=12, n_out=5), ["output"]),
    }


@pytest.mark.parametrize("name", ["dA", "cA", "deep", "vae", "HiddenLayer"])
def test_every_model_refuses_a_single_unbatched_example(name):
    model, methods = models()[name]
    x = numpy.full(12, 0.5, dtype="float32")
    for method in methods:
        fn = getattr(model, method)
        args = (x, 0.3) if method == "get_corrupted_input" else (x,)
        kwargs = {"rng": numpy.random.RandomState(0)} if method == "cost_and_grads" else {}
        with pytest.raises(ValueError, match=r"1-D array of shape \(12,\); reshape it with .*reshape\(1, -1\)"):
            fn(*args, **kwargs)
        fn(x[None], *args[1:], **kwargs)        # the same example as a minibatch of one is fine
