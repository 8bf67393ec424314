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
