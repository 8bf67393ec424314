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


@pytest.mark.parametrize("n, shape", [(500, (10, 10)), (100, (10, 10)), (50, (5, 10)), (55, (6, 10)), (7, (1, 7)),
                                      (1, (1, 1))])
def test_mosaic_tile_shape_fits_the_filters_there_are(n, shape):
    assert dae.plotting.mosaic_tile_shape(n) == shape
    rows, columns = shape
    assert rows * columns >= min(n, 100) > (rows - 1) * columns     # no empty row
    with pytest.raises(ValueError, match="n_images"):
        dae.plotting.mosaic_tile_shape(0)


def test_zoom_repeats_each_pixel():
    image = numpy.array([[0, 255], [10, 20]], dtype=numpy.uint8)
    big = dae.plotting.zoom(image, 3)
    assert big.shape == (6, 6) and big.dtype == numpy.uint8
    numpy.testing.assert_array_equal(big[::3, ::3], image)
    assert (big[:3, :3] == 0).all() and (big[3:, 3:] == 20).all()
    assert dae.plotting.zoom(numpy.zeros((2, 3, 4)), 2).shape == (4, 6, 4)
    with pytest.raises(ValueError, match="factor"):
        dae.plotting.zoom(image, 0)
    with pytest.raises(ValueError, match="2-D"):
        dae.plotting.zoom(numpy.zeros(4), 2)


def test_save_gif_writes_every_frame_that_differs(tmp_path):
    from PIL import Image

    rng = numpy.random.RandomState(0)
    frames = [(rng.rand(12, 15) * 255).astype(numpy.uint8) for _ in range(4)]
    assert dae.plotting.save_gif(frames, tmp_path / "a.gif", duration=250) == 4
    gif = Image.open(tmp_path / "a.gif")
    assert (gif.n_frames, gif.size, gif.info["duration"], gif.info["loop"]) == (4, (15, 12), 250, 0)
    for i, frame in enumerate(frames):
        gif.seek(i)
        numpy.testing.assert_array_equal(numpy.asarray(gif.convert("L")), frame)   # grey levels kept exactly
    # a repeated frame is merged by Pillow (the count says so); labels keep every frame apart
    assert dae.plotting.save_gif(frames + frames[-1:], tmp_path / "b.gif") == 4 == Image.open(tmp_path / "b.gif").n_frames
    labels = [str(i) for i in range(5)]   # (a narrow frame: a short label)
    assert dae.plotting.save_gif(frames + frames[-1:], tmp_path / "c.gif", labels=labels) == 5
    labelled = Image.open(tmp_path / "c.gif")
    assert labelled.n_frames == 5 and labelled.size[0] == 15 and labelled.size[1] > 12


@pytest.mark.parametrize("frames, kwargs, words", [
    ([], {}, "at least one"),
    ([numpy.zeros((3, 3), numpy.uint8), numpy.zeros((4, 3), numpy.uint8)], {}, r"frames\[1\]"),
    ([numpy.zeros((3, 3))], {}, "uint8"),
    ([numpy.zeros((3, 3), numpy.uint8)], {"labels": ["a", "b"]}, "labels"),
    ([numpy.zeros((3, 3), numpy.uint8)], {"duration": 0}, "duration"),
])
def test_save_gif_refuses_bad_frames(tmp_path, frames, kwargs, words):
    with pytest.raises(ValueError, match=words):
        dae.plotting.save_gif(frames, tmp_path / "x.gif", **kwargs)
    assert not (tmp_path / "x.gif").exists()


def test_image_rows_draws_one_labelled_row_per_entry():
    rng = numpy.random.RandomState(2)
    rows = [rng.rand(5, 16), rng.rand(5, 16), rng.rand(5, 16)]
    fig = dae.plotting.image_rows(rows, ["clean", "noisy", "rebuilt"], img_shape=(4, 4), title="t")
    assert len(fig.axes) == 15
    assert [fig.axes[5 * r].get_ylabel() for r in range(3)] == ["clean", "noisy", "rebuilt"]
    numpy.testing.assert_allclose(fig.axes[7].images[0].get_array(), rows[1][2].reshape(4, 4))
    with pytest.raises(ValueError, match="of one length"):
        dae.plotting.image_rows(rows, ["a"], img_shape=(4, 4))
    with pytest.raises(ValueError, match=r"rows\[0\]"):
        dae.plotting.image_rows([rng.rand(5, 9)], ["a"], img_shape=(4, 4))
    with pytest.raises(ValueError, match="same number of images"):
        dae.plotting.image_rows([rng.rand(5, 16), rng.rand(4, 16)], ["a", "b"], img_shape=(4, 4))


def test_learning_curve_draws_a_reference_run_dashed_on_top():
    fig = dae.plotting.learning_curve([("a", [0, 1, 2], [3.0, 2.0, 1.5]), ("b", [0, 1], [4.0, 3.0])],
                                      reference_curves=[("ref", range(4), [2.5, 2.0, 1.8, 1.7])])
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["ref", "a", "b"] and lines["ref"].get_linestyle() == "--"
    assert lines["ref"].get_zorder() > lines["a"].get_zorder()    # dashes visible over a curve it matches
    assert list(lines["a"].get_xdata()) == [0, 1, 2] and list(lines["b"].get_ydata()) == [4.0, 3.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ref", "a", "b"]
    with pytest.raises(ValueError, match="'ref': 3 epochs for 4 values"):
        dae.plotting.learning_curve([], reference_curves=[("ref", range(3), [1.0, 2.0, 3.0, 4.0])])


# ----- the chapters' figures -------------------------------------------------------------------
def test_rgb_tiles_lays_colour_images_out_in_rows_and_enlarges_them():
    images = numpy.zeros((4, 3, 2, 3))
    images[1, 0] = 1.0                           # the second image pure red
    images[3] = 2.0                              # out of range: clipped to white
    mosaic = dae.plotting.rgb_tiles(images, (2, 2), spacing=1, scale=2)
    assert mosaic.shape == ((2 * 3 - 1) * 2, (2 * 4 - 1) * 2, 4) and mosaic.dtype == numpy.uint8
    red = mosaic[0:4, 8:14]                      # row 0, column 1, enlarged twice
    assert (red[..., 0] == 255).all() and not red[..., 1:3].any() and (red[..., 3] == 255).all()
    assert (mosaic[6:10, 8:14, :3] == 255).all()  # the clipped one
    with pytest.raises(ValueError, match="images must have shape"):
        dae.plotting.rgb_tiles(numpy.zeros((4, 1, 2, 2)), (2, 2))


def test_rgb_filters_image_scales_each_filter_as_a_whole():
    W = numpy.random.RandomState(0).randn(5, 3, 3, 3)
    mosaic = dae.plotting.rgb_filters_image(W, scale=4)
    assert mosaic.shape == ((2 * 4 - 1) * 4, (3 * 4 - 1) * 4, 4)   # 5 filters: 2 rows of 3
    first = mosaic[0:12:4, 0:12:4, :3].astype(float)             # filter 0, one pixel per weight
    expected = (W[0] - W[0].min()) / (W[0].max() - W[0].min()) * 255
    numpy.testing.assert_allclose(first, expected.transpose(1, 2, 0), atol=1.0)
    assert not mosaic[:, 28:44, :3][16:].any()                    # the sixth tile stays black


def test_learning_curve_draws_every_curve_and_reference():
    figure = dae.plotting.learning_curve([("cost", [0, 1, 2], [3.0, 2.0, 1.5]), ("held-out", [0, 2], [4.0, 2.5])],
                                         [("PCA", 2.2), ("paper", 1.0)], ylabel="error", ylim=(0, 5), title="t")
    ax = figure.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["held-out"].get_xdata()) == [0, 2] and list(lines["cost"].get_ydata()) == [3.0, 2.0, 1.5]
    assert list(lines["PCA (2.2)"].get_ydata()) == [2.2, 2.2] and "paper (1)" in lines
    assert ax.get_ylim() == (0, 5) and ax.get_ylabel() == "error"
    with pytest.raises(ValueError, match="2 epochs for 3 values"):
        dae.plotting.learning_curve([("bad", [0, 1], [1.0, 2.0, 3.0])])


def test_image_rows_and_codes_2d():
    rows = [numpy.random.RandomState(0).rand(5, 784), numpy.zeros((5, 784))]
    figure = dae.plotting.image_rows(rows, ["digits", "zeros"], title="two rows")
    assert len(figure.axes) == 10 and figure.axes[5].get_ylabel() == "zeros"
    numpy.testing.assert_array_equal(figure.axes[1].images[0].get_array(), rows[0][1].reshape(28, 28))
    with pytest.raises(ValueError, match="one length"):
        dae.plotting.image_rows(rows, ["one name"])
    labels = numpy.array([0, 1, 1, 2])
    codes = numpy.arange(8.0).reshape(4, 2)
    figure = dae.plotting.codes_2d([(codes, "deep", "unit"), (-codes, "PCA", "component")], labels)
    assert [ax.get_title() for ax in figure.axes] == ["deep", "PCA"]
    assert len(figure.axes[0].collections) == 3       # one scatter per class
    numpy.testing.assert_array_equal(figure.axes[1].collections[1].get_offsets(), -codes[1:3])
    with pytest.raises(ValueError, match=r"must have shape \(4, 2\)"):
        dae.plotting.codes_2d([(codes[:3], "short", "unit")], labels)
