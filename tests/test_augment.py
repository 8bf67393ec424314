"""dae.augment.random_shifts: against a one-image-at-a-time reference, its draws, its errors."""
import numpy
import pytest

import dae
from dae.augment import random_shifts


def _reference(x, shifts, h, w):
    """Shift each image by hand: out[r, c] = image[r - dy, c - dx], 0 where that is outside."""
    out = numpy.zeros_like(x.reshape(-1, h, w))
    for i, (dy, dx) in enumerate(shifts):
        image = x[i].reshape(h, w)
        for r in range(h):
            for c in range(w):
                if 0 <= r - dy < h and 0 <= c - dx < w:
                    out[i, r, c] = image[r - dy, c - dx]
    return out.reshape(x.shape)


@pytest.mark.parametrize("max_shift,img_shape", [(1, (28, 28)), (2, (5, 7)), (0, (4, 4))])
def test_matches_the_reference_and_the_draws(max_shift, img_shape):
    h, w = img_shape
    x = numpy.random.RandomState(0).uniform(size=(40, h * w)).astype("float32")
    out = random_shifts(max_shift, img_shape)(x, numpy.random.RandomState(5))
    shifts = numpy.random.RandomState(5).randint(-max_shift, max_shift + 1, (40, 2))
    assert numpy.array_equal(out, _reference(x, shifts, h, w))
    assert out.shape == x.shape and out.dtype == x.dtype
    if max_shift == 0:
        assert numpy.array_equal(out, x)
    as_numpy_ints = random_shifts(numpy.int64(max_shift), tuple(numpy.int64(s) for s in img_shape))
    assert numpy.array_equal(as_numpy_ints(x, numpy.random.RandomState(5)), out)


def test_probability_leaves_the_rest_unshifted():
    x = numpy.random.RandomState(1).uniform(size=(2000, 9)).astype("float32")
    out = random_shifts(1, (3, 3), probability=0.5)(x, numpy.random.RandomState(2))
    r = numpy.random.RandomState(2)
    shifts = r.randint(-1, 2, (2000, 2))
    shifts[r.uniform(size=2000) >= 0.5] = 0
    assert numpy.array_equal(out, _reference(x, shifts, 3, 3))
    moved = (shifts != 0).any(axis=1)
    assert 0.40 < moved.mean() < 0.50  # half drawn, and 1/9 of those draw (0, 0)
    assert numpy.array_equal(out[~moved], x[~moved])
    assert numpy.array_equal(random_shifts(1, (3, 3), probability=0.0)(x, numpy.random.RandomState(2)), x)


def test_a_centred_digit_keeps_its_ink_and_moves():
    (x, _), _, _ = dae.load_data()
    digit = x[:1]  # MNIST digits have an empty 4-pixel border: a 1-pixel shift loses nothing
    rng = numpy.random.RandomState(3)
    for _ in range(5):
        out = random_shifts(1)(digit, rng)
        assert out.sum() == pytest.approx(digit.sum())
    image = digit.reshape(28, 28)
    down_right = _reference(digit, [(1, 1)], 28, 28).reshape(28, 28)
    assert numpy.array_equal(down_right[1:, 1:], image[:-1, :-1])


def test_random_streams_use_their_own_shifts_stream():
    assert dae.augment.random_shifts is random_shifts  # reachable as dae.augment after import dae
    x = numpy.random.RandomState(0).uniform(size=(30, 16)).astype("float32")
    a = random_shifts(1, (4, 4))(x, dae.RandomStreams(7))
    b = random_shifts(1, (4, 4))(x, dae.RandomStreams(7))
    assert numpy.array_equal(a, b)
    assert not numpy.array_equal(a, x)
    g = random_shifts(1, (4, 4), probability=0.5)(x, numpy.random.default_rng(2))  # a Generator works too
    r = numpy.random.default_rng(2)
    shifts = r.integers(-1, 2, (30, 2))
    shifts[r.uniform(size=30) >= 0.5] = 0
    assert numpy.array_equal(g, _reference(x, shifts, 4, 4))


def test_random_shifts_move_each_image_by_at_most_max_shift():
    augment = random_shifts(2)
    x = numpy.zeros((200, 784), dtype=numpy.float32)
    x[:, 14 * 28 + 10] = 1.0  # one lit pixel, far from the edges
    out = augment(x, dae.RandomStreams(3))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert (out.sum(axis=1) == 1.0).all()  # nothing lost: the pixel moved
    rows, cols = numpy.divmod(out.argmax(axis=1), 28)
    assert set(rows - 14) == set(range(-2, 3)) and set(cols - 10) == set(range(-2, 3))
    edge = numpy.zeros((1, 784), dtype=numpy.float32)
    edge[0, 0] = 1.0  # a corner pixel may leave the image; the vacated border is 0
    assert augment(edge, numpy.random.RandomState(0)).sum() <= 1.0


@pytest.mark.parametrize("kwargs,match", [
    ({"max_shift": -1}, "max_shift"), ({"max_shift": 1.5}, "max_shift"), ({"max_shift": 28}, "max_shift"),
    ({"img_shape": (28,)}, "img_shape"), ({"img_shape": (0, 28)}, "img_shape"),
    ({"probability": 1.5}, "probability"), ({"probability": float("nan")}, "probability"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        random_shifts(**kwargs)


def test_bad_batch_shape_is_named():
    with pytest.raises(ValueError, match="x must be a matrix of flattened 28x28 images"):
        random_shifts(1)(numpy.zeros((3, 28, 28), "float32"), numpy.random.RandomState(0))
