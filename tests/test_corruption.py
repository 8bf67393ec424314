"""dae/corruption.py and dae/random.py: the three noises, and Theano-style seeded streams."""
import numpy
import pytest

import dae
from dae.corruption import corrupt


def test_random_streams_seed_each_site_like_theano():
    streams = dae.RandomStreams(42)
    seedgen = numpy.random.RandomState(42)
    first, second = seedgen.randint(2 ** 30), seedgen.randint(2 ** 30)
    a = streams.binomial((3, 4), p=0.5, site="layer0")
    b = streams.binomial((3, 4), p=0.5, site="layer1")
    numpy.testing.assert_array_equal(a, numpy.random.RandomState(first).binomial(1, 0.5, (3, 4)))
    numpy.testing.assert_array_equal(b, numpy.random.RandomState(second).binomial(1, 0.5, (3, 4)))
    assert streams.state("layer0") is streams.state("layer0")


def test_masking_keeps_about_one_minus_level():
    x = numpy.ones((200, 100), numpy.float32)
    tilde = corrupt(x, 0.3, "masking", numpy.random.RandomState(0))
    assert tilde.dtype == numpy.float32 and set(numpy.unique(tilde)) == {0.0, 1.0}
    assert tilde.mean() == pytest.approx(0.7, abs=0.01)


def test_gaussian_adds_noise_of_the_given_std():
    x = numpy.zeros((300, 100))
    tilde = corrupt(x, 0.5, "gaussian", numpy.random.RandomState(0))
    assert tilde.std() == pytest.approx(0.5, rel=0.02) and abs(tilde.mean()) < 0.01


def test_salt_and_pepper_sets_a_fraction_to_zero_or_one():
    x = numpy.full((300, 100), 0.5)
    tilde = corrupt(x, 0.4, "salt_and_pepper", numpy.random.RandomState(0))
    changed = tilde != 0.5
    assert changed.mean() == pytest.approx(0.4, abs=0.01)
    assert set(numpy.unique(tilde[changed])) == {0.0, 1.0}
    assert (tilde[changed] == 1.0).mean() == pytest.approx(0.5, abs=0.02)


def test_zero_level_changes_nothing_and_generators_work():
    x = numpy.random.RandomState(0).rand(5, 6)
    for noise in ("masking", "gaussian", "salt_and_pepper"):
        numpy.testing.assert_array_equal(corrupt(x, 0.0, noise, numpy.random.default_rng(0)), x)
    same = [corrupt(x, 0.2, "salt_and_pepper", numpy.random.default_rng(3)) for _ in range(2)]
    numpy.testing.assert_array_equal(*same)


def test_unknown_noise():
    with pytest.raises(ValueError, match="noise"):
        corrupt(numpy.ones((2, 2)), 0.1, "pink", numpy.random.RandomState(0))


@pytest.mark.parametrize("p", [1.0, 0.9, 0.7, 0.5, 0.3, 0.1, 0.0])
def test_binomial_draws_and_state_are_numpys_legacy_binomial(p):
    """dae.corruption.binomial compares one uniform per entry with a threshold: the same 0/1
    draws as RandomState.binomial(1, p), and the generator left in the same state."""
    from dae.corruption import binomial

    ours, theirs = numpy.random.RandomState(42), numpy.random.RandomState(42)
    like = numpy.zeros((30, 50), dtype="float32")
    draws = binomial(ours, p, like.shape, like)
    numpy.testing.assert_array_equal(draws, theirs.binomial(1, p, like.shape))
    assert draws.dtype == numpy.float32
    assert ours.random_sample() == theirs.random_sample()
    streams_a, streams_b = dae.RandomStreams(7), dae.RandomStreams(7)
    numpy.testing.assert_array_equal(binomial(streams_a, p, like.shape, like, site="s"),
                                     streams_b.binomial(size=like.shape, n=1, p=p, site="s"))
