"""dae.protocol: what a model and a layer must have, checked before anything runs."""
import numpy
import pytest

import dae
from dae.protocol import check_layer, check_model, param_names


class Good:
    def __init__(self):
        self.params = [numpy.zeros(3)]
        self.param_names = ["w"]

    def cost_and_grads(self, x, *, rng, level=0.0):
        return 0.0, [numpy.zeros(3)]


def test_a_model_needs_params_and_a_cost_and_grads_that_takes_rng():
    assert check_model(Good())
    no_rng = Good()
    no_rng.cost_and_grads = lambda x, level=0.0: (0.0, [])
    with pytest.raises(TypeError, match="must take the keyword rng"):
        check_model(no_rng)
    with pytest.raises(TypeError, match="a params list and cost_and_grads"):
        check_model(object())
    bad = Good()
    bad.params = "W"
    with pytest.raises(TypeError, match="params must be a list of arrays"):
        check_model(bad)
    with pytest.raises(TypeError, match="must take the keyword rng"):
        dae.Trainer(no_rng, dae.optim.SGD(0.1))
    with pytest.raises(TypeError, match="must take the keyword rng"):
        dae.gradcheck(no_rng, numpy.zeros((1, 3)))


def test_every_model_of_the_package_follows_it():
    rs = numpy.random.RandomState
    for model in (dae.dA(rs(0), n_visible=6, n_hidden=3), dae.cA(rs(0), n_visible=6, n_hidden=3),
                  dae.SdA(rs(0), n_ins=6, hidden_layers_sizes=(4,), n_outs=2),
                  dae.DeepAutoencoder(rs(0), (6, 4, 2)), dae.VAE(rs(0), n_visible=6, n_hidden=(4,), n_latent=2),
                  dae.HiddenLayer(rs(0), n_in=6, n_out=3), dae.LogisticRegression(n_in=6, n_out=2)):
        check_model(model, type(model).__name__)
        names = param_names(model)
        assert names == list(model.param_names) and len(set(names)) == len(model.params)


def test_param_names_fall_back_to_positions_when_missing_or_repeated():
    model = Good()
    model.param_names = ["w"]
    assert param_names(model) == ["w"]
    model.params = [numpy.zeros(1), numpy.zeros(2)]
    model.param_names = ["w", "w"]
    assert param_names(model) == ["param0", "param1"]
    del model.param_names
    assert param_names(model) == ["param0", "param1"]


def test_a_layer_needs_forward_and_backward():
    class Layer:
        def forward(self, x):
            return x, None

    with pytest.raises(TypeError, match="has no backward"):
        check_layer(Layer())
    Layer.backward = lambda self, dout, cache: (dout, [])
    assert check_layer(Layer())


def test_check_layer_checks_the_signatures():
    class Options:
        def forward(self, x, inplace=False):
            return x, None

        def backward(self, dout, cache):
            return dout, []

    with pytest.raises(TypeError, match="forward must take one positional input x"):
        check_layer(Options())

    class TwoInputs(Options):
        def forward(self, x, y):
            return x, None

    with pytest.raises(TypeError, match="forward must take one positional input x"):
        check_layer(TwoInputs())

    class BackwardOption(Options):
        def forward(self, x, *, target):
            return x, None

        def backward(self, dout, cache, need_dx=True):
            return dout, []

    with pytest.raises(TypeError, match=r"backward must be backward\(dout, cache\)"):
        check_layer(BackwardOption())


def test_every_layer_of_the_package_follows_it():
    from dae import layers
    rs = numpy.random.RandomState
    W, b = numpy.zeros((3, 2)), numpy.zeros(2)
    for layer in ([cls() for cls in layers.ACTIVATIONS.values()] + [cls() for cls in layers.LOSSES.values()]
                  + [layers.Dense(W, b), dae.HiddenLayer(rs(0), n_in=3, n_out=2), dae.LogisticRegression(n_in=3, n_out=2),
                     layers.Conv2D(rs(0), 1, 2, 3), layers.MaxPool2D(2), layers.MaxUnpool2D(2), layers.Upsample2D(2),
                     layers.Dropout(0.5, rs(0)), layers.Sequential([layers.Dense(W, b)])]):
        check_layer(layer, type(layer).__name__)


def test_check_model_checks_cost_and_grads_parameters():
    three_inputs = Good()
    three_inputs.cost_and_grads = lambda x, y, z, *, rng: (0.0, [])
    with pytest.raises(TypeError, match="only required positional inputs"):
        check_model(three_inputs)
    level_without_default = Good()
    level_without_default.cost_and_grads = lambda x, *, rng, level: (0.0, [])
    with pytest.raises(TypeError, match="the keyword level needs a default"):
        check_model(level_without_default)
