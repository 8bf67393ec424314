"""Input corruption: the three noises of Vincent et al. (2010), drawn from the caller's rng.

``rng`` may be a :class:`dae.random.RandomStreams` (the tutorial's ``theano_rng``), a
``numpy.random.RandomState`` / ``Generator``, or a ``cupy.random.RandomState``; the result
is always an array of the backend in force, in ``x``'s dtype.

- masking:          x~ = x * m,  m_k ~ Bernoulli(1 - level)    (the tutorial's noise)
- gaussian:         x~ = x + level * e,  e_k ~ N(0, 1)           (level is the std. deviation)
- salt_and_pepper:  a fraction ``level`` of the inputs, chosen at random, set to 0 or 1
                    with equal probability (the rest unchanged)
"""
import math

import numpy

from . import backend
from .random import RandomStreams, check_stream
from .validation import check_float

NOISES = ("masking", "gaussian", "salt_and_pepper")


def _on_backend(a, like):
    """Draws made by a host generator for a GPU model are moved once to the device."""
    xp = backend.array_module(like)
    if backend.array_module(a) is not xp:
        a = xp.asarray(a)
    return a.astype(like.dtype, copy=False)


def masking_threshold(corruption_level):
    """(threshold, keep_when_below): mask_k = (U_k <= t) if keep_when_below else (U_k > t),
    with U_k uniform in [0, 1), matching ``RandomState.binomial(1, 1 - corruption_level)``.

    NumPy's legacy binomial for n = 1 draws one uniform U per entry and returns 1 when
    U <= p (for p > 1/2; when U > 1 - p for p <= 1/2), so comparing ``random_sample()`` with
    this threshold reproduces it draw for draw, and leaves the generator in the same state, at
    a third of the cost (``tests/test_corruption.py`` proves both)."""
    p = 1.0 - corruption_level
    if p > 0.5:
        return math.exp(math.log(p)), True  # legacy inversion on 1 - p, result flipped
    return math.exp(math.log(1.0 - p)), False


def _legacy_state(rng, site):
    """The numpy.random.RandomState behind ``rng`` (a RandomStreams stream or the rng itself),
    or None for any other generator (numpy Generator, CuPy)."""
    state = rng.state(site) if isinstance(rng, RandomStreams) else rng
    return state if type(state) is numpy.random.RandomState else None


def binomial(rng, p, shape, like, site="corruption"):
    """0/1 draws with P(1) = p, shaped ``shape``, in ``like``'s module and dtype."""
    check_stream(rng)
    state = _legacy_state(rng, site)
    if state is not None and 0.0 <= p <= 1.0:
        # the same draws as state.binomial(1, p, shape), from one uniform per entry
        threshold, keep_below = masking_threshold(1.0 - p)
        u = state.random_sample(shape)
        draws = u <= threshold if keep_below else u > threshold
    elif isinstance(rng, RandomStreams):
        draws = rng.binomial(size=shape, n=1, p=p, site=site)
    else:
        draws = rng.binomial(1, p, shape)
    return _on_backend(draws, like)


def uniform(rng, shape, like, site="corruption"):
    check_stream(rng)
    if isinstance(rng, RandomStreams):
        draws = rng.uniform(0.0, 1.0, shape, site=site)
    elif hasattr(rng, "random") and not hasattr(rng, "random_sample"):  # numpy Generator
        draws = rng.random(shape)
    else:
        draws = rng.uniform(0.0, 1.0, shape)
    return _on_backend(draws, like)


def normal(rng, shape, like, site="corruption"):
    check_stream(rng)
    if isinstance(rng, RandomStreams):
        draws = rng.normal(0.0, 1.0, shape, site=site)
    elif hasattr(rng, "standard_normal"):
        draws = rng.standard_normal(shape)
    else:
        draws = rng.normal(0.0, 1.0, shape)
    return _on_backend(draws, like)


def corrupt(x, level, noise, rng, site="corruption"):
    """x~ for the given noise; level 0 returns x itself (no draw is wasted... except masking,
    which draws anyway as Theano's graph did, so the stream stays aligned with the tutorial)."""
    if noise == "masking":
        return binomial(rng, 1.0 - level, x.shape, x, site) * x
    if level == 0:
        return x
    if noise == "gaussian":
        return x + level * normal(rng, x.shape, x, site)
    if noise == "salt_and_pepper":
        u = uniform(rng, x.shape, x, site)
        hit = u < level                     # which inputs are corrupted
        salt = (u < 0.5 * level).astype(x.dtype)  # half of them to 1, the other half to 0
        return x * (~hit) + salt
    raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")


def check_corruption_level(level, noise="masking"):
    """A fraction in [0, 1) for masking / salt-and-pepper, a standard deviation >= 0 for gaussian."""
    if noise == "gaussian":
        return check_float(level, "corruption_level (the gaussian noise's standard deviation)", 0.0, None)
    return check_float(level, "corruption_level", 0.0, 1.0, high_inclusive=False)


def corruption_stream(theano_rng, numpy_rng):
    """The tutorial's ``theano_rng``: ``RandomStreams(numpy_rng.randint(2 ** 30))`` when None (a
    numpy Generator draws the same range with ``integers``), a RandomStreams for an int seed, or
    a given stream or generator with a ``binomial`` method, kept as it is."""
    if theano_rng is None:
        draw = numpy_rng.randint if hasattr(numpy_rng, "randint") else numpy_rng.integers
        return RandomStreams(int(draw(2 ** 30)))
    if isinstance(theano_rng, (int, numpy.integer)) and not isinstance(theano_rng, bool):
        return RandomStreams(int(theano_rng))
    if isinstance(theano_rng, RandomStreams) or hasattr(theano_rng, "binomial"):
        return theano_rng
    raise TypeError(
        "theano_rng must be a dae.RandomStreams, an int seed or a random generator with a "
        f"binomial method, got {type(theano_rng).__name__}"
    )
