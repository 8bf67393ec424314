"""An independent run of the original tutorial's Theano graph, to compare ours with.

``original_graph_costs.json`` and ``original_graph_filters_corruption_0.png`` come from the
tutorial's own dA graph (no corruption) run on PyTensor, Theano's successor, in float64, with
the tutorial's seed, data order and hyper-parameters (the JSON's "what" says exactly how):
its 15 epoch costs, and the mosaic of its first 100 filters after the last epoch, drawn with
``tile_raster_images(W.T, (28, 28), (10, 10), (1, 1))``.

``tile_correlations(ours, theirs)`` compares two such mosaics tile by tile.
"""
import json
import os

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    """The shipped file ``name`` of this folder."""
    return os.path.join(HERE, name)


def original_graph_costs():
    """The 15 mean costs per epoch of the original graph, corruption 0 (a list of floats)."""
    with open(path("original_graph_costs.json"), encoding="utf-8") as f:
        return json.load(f)["costs_corruption_0"]


def original_graph_filters():
    """The original graph's filter mosaic after epoch 14, a (289, 289) uint8 array."""
    from PIL import Image

    with Image.open(path("original_graph_filters_corruption_0.png")) as image:
        return numpy.asarray(image.convert("L"))


def tiles(mosaic, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1)):
    """The tiles of a ``tile_raster_images`` mosaic, shape (rows * cols, h, w), in row order."""
    mosaic = numpy.asarray(mosaic)
    h, w = img_shape
    sh, sw = h + tile_spacing[0], w + tile_spacing[1]
    expected = (tile_shape[0] * sh - tile_spacing[0], tile_shape[1] * sw - tile_spacing[1])
    if mosaic.shape != expected:
        raise ValueError(f"mosaic must have shape {expected} for {tile_shape} tiles of {img_shape}, "
                         f"got {mosaic.shape}")
    return numpy.stack([mosaic[r * sh:r * sh + h, c * sw:c * sw + w]
                        for r in range(tile_shape[0]) for c in range(tile_shape[1])])


def tile_correlations(ours, theirs, **layout):
    """Pearson correlation of each pair of tiles of two mosaics (1 = the same filter up to
    brightness and contrast); ``layout`` as for ``tiles``. Returns an array, one per tile."""
    a = tiles(ours, **layout).reshape(-1, numpy.prod(layout.get("img_shape", (28, 28)))).astype("float64")
    b = tiles(theirs, **layout).reshape(a.shape).astype("float64")
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    norms = numpy.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    return numpy.where(norms > 0, (a * b).sum(axis=1) / numpy.where(norms > 0, norms, 1.0), 0.0)
