"""dae.patches: loading the photographs and sampling patches."""
import os

import numpy
import pytest
from PIL import Image

from dae import paths, patches


def test_load_image_is_rgb_in_unit_interval():
    image = patches.load_image(os.path.join(paths.images_dir(), "chelsea.png"))
    assert image.shape == (3, 300, 451) and image.dtype == numpy.float32
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.max() > 0.9


def test_load_image_matches_pillow_pixels(tmp_path):
    pixels = numpy.random.RandomState(0).randint(0, 256, size=(5, 7, 3)).astype(numpy.uint8)
    path = tmp_path / "tiny.png"
    Image.fromarray(pixels).save(path)
    image = patches.load_image(str(path))
    numpy.testing.assert_allclose(image, pixels.transpose(2, 0, 1) / 255.0, rtol=1e-6)


def test_grey_images_become_three_channels(tmp_path):
    Image.fromarray(numpy.full((6, 6), 128, dtype=numpy.uint8)).save(tmp_path / "grey.png")
    image = patches.load_images(["grey.png"], folder=tmp_path)["grey.png"]
    assert image.shape == (3, 6, 6)


def test_sample_patches_are_crops_of_the_images():
    rng = numpy.random.RandomState(1)
    image = rng.rand(3, 10, 12).astype(numpy.float32)
    out = patches.sample_patches([image], 20, patch_size=4, rng=numpy.random.RandomState(2))
    assert out.shape == (20, 3, 4, 4) and out.dtype == numpy.float32
    for p in out:  # each patch occurs somewhere in the image
        found = any(numpy.array_equal(image[:, r:r + 4, c:c + 4], p) for r in range(7) for c in range(9))
        assert found


def test_every_image_contributes():
    small = numpy.zeros((3, 4, 4), dtype=numpy.float32)
    large = numpy.ones((3, 200, 200), dtype=numpy.float32)
    out = patches.sample_patches([small, large], 400, patch_size=4, rng=numpy.random.RandomState(0))
    share = (out.reshape(400, -1).max(axis=1) == 0).mean()
    assert 0.4 < share < 0.6  # one image of two, whatever their sizes


def test_load_patches_is_reproducible_and_held_out_comes_from_another_image():
    train1, test1 = patches.load_patches(50, 10, patch_size=8, seed=3)
    train2, test2 = patches.load_patches(50, 10, patch_size=8, seed=3)
    numpy.testing.assert_array_equal(train1, train2)
    numpy.testing.assert_array_equal(test1, test2)
    assert train1.shape == (50, 3, 8, 8) and test1.shape == (10, 3, 8, 8)
    cat = patches.load_image(os.path.join(paths.images_dir(), patches.HELD_OUT_IMAGE))
    p = test1[0]
    assert any(numpy.array_equal(cat[:, r:r + 8, c:c + 8], p)
               for r in range(cat.shape[1] - 7) for c in range(cat.shape[2] - 7))
    assert patches.HELD_OUT_IMAGE not in patches.TRAIN_IMAGES


def test_errors():
    with pytest.raises(ValueError, match="held_out"):
        patches.load_patches(10, 10, train_images=("chelsea.png",), held_out="chelsea.png")
    with pytest.raises(ValueError, match="patch_size 40 is larger"):
        patches.sample_patches([numpy.zeros((3, 30, 30))], 2, patch_size=40)
    with pytest.raises(ValueError, match=r"must be \(3, height, width\)"):
        patches.sample_patches([numpy.zeros((30, 30))], 2, patch_size=4)
    with pytest.raises(FileNotFoundError, match="no such image"):
        patches.load_image("/nonexistent/x.png")
    with pytest.raises(ValueError, match="n must be a positive integer"):
        patches.sample_patches([numpy.zeros((3, 8, 8))], 0)
