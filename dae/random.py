"""Random streams, reproducing the tutorial's corruption noise draw for draw.

The tutorial corrupts with ``theano_rng.binomial(size, n=1, p=1 - corruption_level)`` where
``theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))``. Theano's shared RandomStreams kept
one ``numpy.random.RandomState`` per random variable in the graph, seeded from a seed
generator ``RandomState(seed).randint(2 ** 30)``, and drew with that state's ``binomial``.
:class:`RandomStreams` here does the same: each *call site* (a name such as "corruption")
gets its own state the first time it is used, in the order the sites are first used, so a
dA trained here sees exactly the masks the Theano dA saw.

On the CuPy backend the states are ``cupy.random.RandomState`` objects (the masks are drawn
on the GPU); the numbers then differ from NumPy's, but the seeding scheme is the same.
"""
import numpy

from . import backend


class RandomStreams:
    """A seed generator handing out one RandomState per named stream, as Theano's did."""

    def __init__(self, seed=None):
        self.seed = seed
        self.gen_seedgen = numpy.random.RandomState(seed)
        self._states = {}

    def state(self, site="default"):
        """The RandomState of stream ``site``, created (seeded) on first use."""
        if site not in self._states:
            seed = int(self.gen_seedgen.randint(2 ** 30))
            self._states[site] = backend.xp.random.RandomState(seed)
        return self._states[site]

    def binomial(self, size, n=1, p=0.5, dtype=None, site="default"):
        """Draws like ``theano_rng.binomial(size=size, n=n, p=p, dtype=dtype)``."""
        draws = self.state(site).binomial(n, p, size)
        return draws.astype(dtype) if dtype is not None else draws

    # The protocol's rng interface, so a RandomStreams can be passed where an rng is expected.
    def uniform(self, low=0.0, high=1.0, size=None, site="default"):
        return self.state(site).uniform(low, high, size)

    def normal(self, loc=0.0, scale=1.0, size=None, site="default"):
        return self.state(site).normal(loc, scale, size)

    def permutation(self, n, site="shuffle"):
        """A permutation of range(n) (a host array: it orders minibatches) from stream ``site``."""
        return backend.to_host(self.state(site).permutation(n))

    # ----- checkpoints: the whole state, so a resumed run draws what an uninterrupted one would
    def get_state(self):
        """``{"seedgen": state, "sites": {name: state}}`` (states as RandomState.get_state gives
        them; the sites in the order they were first used). CuPy's generators have no state to
        read, so on the GPU a site's state is None and a resumed run draws fresh numbers."""
        return {"seedgen": self.gen_seedgen.get_state(),
                "sites": {name: (s.get_state() if hasattr(s, "get_state") else None)
                          for name, s in self._states.items()}}

    def set_state(self, state):
        self.gen_seedgen.set_state(state["seedgen"])
        self._states = {}
        for name, site_state in state["sites"].items():
            self._states[name] = backend.xp.random.RandomState(0)
            if site_state is not None and hasattr(self._states[name], "set_state"):
                self._states[name].set_state(site_state)


def check_stream(rng, name="rng"):
    """``rng`` must be a generator the models draw from: a :class:`RandomStreams` (the tutorial's
    ``theano_rng``), a ``numpy.random.RandomState`` or ``Generator`` (or CuPy's); else a TypeError
    naming the argument (not ``'NoneType' object has no attribute 'binomial'`` from deep inside)."""
    if isinstance(rng, (RandomStreams, numpy.random.RandomState, numpy.random.Generator)):
        return rng
    if type(rng).__module__.split(".")[0] == "cupy" and hasattr(rng, "uniform"):
        return rng
    raise TypeError(f"{name} must be a random generator (numpy.random.RandomState, numpy.random.Generator or "
                    f"dae.RandomStreams, e.g. rng=numpy.random.RandomState(0)), got {type(rng).__name__}")
