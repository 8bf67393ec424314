"""dae.reference: the shipped run of the original Theano graph, and the tile-by-tile comparison."""
import numpy
import pytest

import dae
from dae import reference


def test_shipped_files_load():
    costs = reference.original_graph_costs()
    assert len(costs) == 15 and costs[0] == pytest.approx(63.289169) and costs[-1] == pytest.approx(52.439524)
    assert all(a > b for a, b in zip(costs, costs[1:]))  # SGD on the training cost: it falls every epoch
    mosaic = reference.original_graph_filters()
    assert mosaic.shape == (289, 289) and mosaic.dtype == numpy.uint8
    assert reference.tiles(mosaic).shape == (100, 28, 28)


def _mosaic(seed):
    W = numpy.random.RandomState(seed).normal(size=(784, 100))
    return dae.tile_raster_images(X=W.T, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1))


def test_tiles_are_the_mosaics_images_in_row_order():
    W = numpy.random.RandomState(0).uniform(size=(784, 100))
    mosaic = dae.tile_raster_images(X=W.T, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1))
    tiles = reference.tiles(mosaic)
    expected = dae.tile_raster_images(X=W.T[13:14], img_shape=(28, 28), tile_shape=(1, 1))
    numpy.testing.assert_array_equal(tiles[13], expected)


def test_correlation_is_one_for_the_same_filters_whatever_their_brightness():
    mosaic = _mosaic(1)
    numpy.testing.assert_allclose(reference.tile_correlations(mosaic, mosaic), 1.0)
    brighter = (mosaic.astype(float) * 0.5 + 40).astype(numpy.uint8)
    assert reference.tile_correlations(mosaic, brighter).min() > 0.999


def test_correlation_sees_other_filters():
    a, b = _mosaic(1), _mosaic(2)
    assert abs(reference.tile_correlations(a, b).mean()) < 0.1
    inverted = 255 - a
    numpy.testing.assert_allclose(reference.tile_correlations(a, inverted), -1.0)
    flat = numpy.zeros_like(a)
    assert (reference.tile_correlations(a, flat) == 0).all()  # a constant tile correlates with nothing


def test_a_mosaic_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="mosaic must have shape"):
        reference.tiles(numpy.zeros((280, 280), dtype=numpy.uint8))
