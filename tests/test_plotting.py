"""dae/plotting.py: tile_raster_images and scale_to_unit_interval, as the tutorial's."""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dae


def test_tutorial_filter_mosaic_shape_and_dtype():
    W = numpy.random.RandomState(0).randn(784, 500).astype(numpy.float32)
    image = dae.tile_raster_images(W.T, (28, 28), (10, 10), (1, 1))
    assert image.shape == (289, 289) and image.dtype == numpy.uint8
    # each tile is scaled to [0, 1] on its own, then times 255 and truncated
    tile = image[29:57, 58:86]
    expected = dae.scale_to_unit_interval(W.T[12].reshape(28, 28)) * 255
    numpy.testing.assert_array_equal(tile, expected.astype(numpy.uint8))
    assert tile.min() == 0 and tile.max() == 254  # (1 - 1e-8) * 255 truncates to 254, as in the tutorial's images
    assert not image[28, :].any() and not image[:, 28].any()  # the spacing stays black


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 6), w=st.integers(1, 6), rows=st.integers(1, 4), cols=st.integers(1, 4),
       sh=st.integers(0, 3), sw=st.integers(0, 3), n=st.integers(1, 20), pixels=st.booleans())
def test_output_shape_is_img_plus_spacing_times_tiles_minus_spacing(h, w, rows, cols, sh, sw, n, pixels):
    X = numpy.random.RandomState(n).rand(n, h * w)
    out = dae.tile_raster_images(X, (h, w), (rows, cols), (sh, sw), output_pixel_vals=pixels)
    assert out.shape == ((h + sh) * rows - sh, (w + sw) * cols - sw)
    assert out.dtype == (numpy.uint8 if pixels else X.dtype)
    if not pixels:
        assert 0.0 <= out.min() and out.max() <= 1.0


def test_extra_tiles_stay_black_and_unscaled_rows_keep_values():
    X = numpy.full((3, 4), 0.5)
    out = dae.tile_raster_images(X, (2, 2), (2, 2), scale_rows_to_unit_interval=False, output_pixel_vals=False)
    assert (out[:2, :2] == 0.5).all() and (out[2:, 2:] == 0).all()
    out = dae.tile_raster_images(X, (2, 2), (2, 2), scale_rows_to_unit_interval=False)
    assert out[0, 0] == 127


def test_rgba_mode_fills_missing_channels():
    rng = numpy.random.RandomState(1)
    R, G = rng.rand(4, 9), rng.rand(4, 9)
    out = dae.tile_raster_images((R, G, None, None), (3, 3), (2, 2), (1, 1))
    assert out.shape == (7, 7, 4) and out.dtype == numpy.uint8
    assert (out[:, :, 2] == 0).all() and (out[:, :, 3] == 255).all()
    numpy.testing.assert_array_equal(out[:, :, 0], dae.tile_raster_images(R, (3, 3), (2, 2), (1, 1)))
    floats = dae.tile_raster_images((R, None, None, None), (3, 3), (2, 2), output_pixel_vals=False)
    assert floats.dtype == numpy.float64 and (floats[:, :, 3] == 1.0).all()


def test_scale_to_unit_interval_copies_and_spans_zero_one():
    a = numpy.array([[2.0, 4.0], [6.0, 10.0]])
    s = dae.scale_to_unit_interval(a)
    assert s.min() == 0.0 and s.max() == pytest.approx(1.0)
    assert a[0, 0] == 2.0  # the input is untouched


@pytest.mark.parametrize("X, args, exc, words", [
    (numpy.zeros((4, 10)), ((3, 3), (2, 2)), ValueError, "img_shape"),
    (numpy.zeros(9), ((3, 3), (2, 2)), ValueError, "2-D"),
    (numpy.full((4, 9), numpy.nan), ((3, 3), (2, 2)), ValueError, "NaN"),
    (numpy.zeros((4, 9)), ((3, 3), (0, 2)), ValueError, "tile_shape"),
    (numpy.zeros((4, 9)), ((3, 3), (2,)), ValueError, "tile_shape"),
    ((numpy.zeros((4, 9)),) * 3, ((3, 3), (2, 2)), ValueError, "4 channels"),
    ([[0.0] * 9], ((3, 3), (1, 1)), TypeError, "array"),
])
def test_bad_input_is_refused(X, args, exc, words):
    with pytest.raises(exc, match=words):
        dae.tile_raster_images(X, *args)


def test_save_image_writes_a_png(tmp_path):
    image = dae.tile_raster_images(numpy.random.rand(4, 9), (3, 3), (2, 2), (1, 1))
    dae.plotting.save_image(image, tmp_path / "f.png")
    from PIL import Image
    assert Image.open(tmp_path / "f.png").size == (7, 7)


def test_learning_curves_draw_each_run_and_its_reference():
    fig = dae.plotting.learning_curves([("cost", "nats", {"run": [3.0, 2.0, 1.5], "PCA (reference)": 1.0}),
                                        ("norm", "||J||", {"run": [1.0, 0.5], "plain (baseline)": [2.0, 2.5]})],
                                       title="t")
    left, right = fig.axes
    (run,) = [line for line in left.lines if line.get_label() == "run"]
    assert list(run.get_xdata()) == [0, 1, 2] and list(run.get_ydata()) == [3.0, 2.0, 1.5]
    (pca,) = [line for line in left.lines if line.get_label() == "PCA (reference)"]
    assert list(pca.get_ydata()) == [1.0, 1.0] and pca.get_linestyle() == "--" and pca.get_color() == "black"
    assert [line.get_label() for line in right.lines] == ["run", "plain (baseline)"]
    assert right.get_ylabel() == "||J||" and fig._suptitle.get_text() == "t"
    with pytest.raises(ValueError, match="panels"):
        dae.plotting.learning_curves([])


def test_images_side_by_side_keeps_each_image_and_its_caption():
    a = numpy.zeros((10, 20), numpy.uint8)
    b = numpy.full((10, 10), 255, numpy.uint8)
    fig = dae.plotting.images_side_by_side({"wide": a, "square": b}, title="both")
    assert [ax.get_title() for ax in fig.axes] == ["wide", "square"]
    numpy.testing.assert_array_equal(fig.axes[1].images[0].get_array(), b)
    assert fig.axes[0].get_position().width > 1.5 * fig.axes[1].get_position().width   # drawn to scale
    with pytest.raises(ValueError, match="images"):
        dae.plotting.images_side_by_side({})


def test_codes_by_label_draws_one_colour_per_label():
    codes = numpy.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    fig = dae.plotting.codes_by_label(codes, numpy.array([1, 0, 1]), "t")
    (ax,) = fig.axes
    assert [c.get_label() for c in ax.collections] == ["0", "1"]
    numpy.testing.assert_array_equal(ax.collections[1].get_offsets(), codes[[0, 2]])
    with pytest.raises(ValueError, match="codes must be"):
        dae.plotting.codes_by_label(codes[:, :1], numpy.array([1, 0, 1]), "t")
