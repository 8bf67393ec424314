"""``Sequential``: layers run one after the other, the one way every network of dae is stacked.

    out, cache = net.forward(x)          x -> layer_1 -> ... -> layer_n -> out
    dx, grads = net.backward(dout, cache)    back through layer_n ... layer_1

``cache`` holds one cache per layer (in the layers' order); ``grads`` is aligned with
``net.params``, the layers' params in order. A Sequential is itself a layer, so networks nest.
"""


class Sequential:
    """A list of layers, each with ``forward(x) -> (out, cache)`` and ``backward(dout, cache)
    -> (dx, grads)``. ``params`` (and ``param_names``, ``layer{i}_{name}``) are the layers'."""

    def __init__(self, layers):
        self.layers = list(layers)
        self.params = [p for layer in self.layers for p in layer.params]
        self.param_names = [f"layer{i}_{name}" for i, layer in enumerate(self.layers) for name in layer.param_names]

    def forward(self, x):
        caches = []
        for layer in self.layers:
            x, cache = layer.forward(x)
            caches.append(cache)
        return x, tuple(caches)

    def backward(self, dout, cache):
        grads = []
        for layer, layer_cache in zip(reversed(self.layers), reversed(cache)):
            dout, layer_grads = layer.backward(dout, layer_cache)
            grads[:0] = layer_grads
        return dout, grads

    def run(self, x):
        """The output alone (nothing kept for a backward pass)."""
        for layer in self.layers:
            x, _ = layer.forward(x)
        return x

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return Sequential(self.layers[index]) if isinstance(index, slice) else self.layers[index]

    def __repr__(self):
        return "Sequential([" + ", ".join(repr(layer) for layer in self.layers) + "])"
