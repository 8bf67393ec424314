"""The trainer's random generator in a checkpoint: a ``numpy.random.RandomState`` or a
:class:`dae.RandomStreams` (the dA's ``theano_rng``, one state per named stream) as named arrays
plus JSON, so that :class:`dae.train.Trainer` resumes drawing exactly where it stopped."""
import numpy

from ..random import RandomStreams


def _one_state(state, prefix):
    name, keys, pos, has_gauss, cached = state
    return ({prefix + "keys": numpy.asarray(keys, dtype=numpy.uint32)},
            {"algorithm": name, "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached)})


def _one_tuple(arrays, meta, prefix):
    return (meta["algorithm"], numpy.asarray(arrays[prefix + "keys"], dtype=numpy.uint32), int(meta["pos"]),
            int(meta["has_gauss"]), float(meta["cached_gaussian"]))


def check_trainer_rng(rng):
    if not isinstance(rng, (numpy.random.RandomState, RandomStreams)):
        raise TypeError(f"rng must be a numpy.random.RandomState, a dae.RandomStreams (its state goes into "
                        f"checkpoints) or an int seed, got {type(rng).__name__}")
    return rng


def rng_state(rng):
    """(arrays, meta) of ``rng``'s whole state."""
    if isinstance(rng, numpy.random.RandomState):
        arrays, meta = _one_state(rng.get_state(), "rng/")
        return arrays, {"type": "RandomState", **meta}
    state = rng.get_state()
    arrays, seedgen = _one_state(state["seedgen"], "rng/seedgen/")
    sites = {}
    for name, site_state in state["sites"].items():
        if site_state is None:
            sites[name] = None
            continue
        site_arrays, sites[name] = _one_state(site_state, f"rng/site/{name}/")
        arrays.update(site_arrays)
    return arrays, {"type": "RandomStreams", "seed": rng.seed, "seedgen": seedgen, "sites": sites}


def set_rng_state(rng, arrays, meta):
    """Put the state that :func:`rng_state` wrote back into ``rng`` (of the same type)."""
    kind = meta.get("type", "RandomState")
    if kind != type(rng).__name__:
        raise ValueError(f"the checkpoint's generator is a {kind}, but the trainer's is a {type(rng).__name__}")
    if kind == "RandomState":
        rng.set_state(_one_tuple(arrays, meta, "rng/"))
        return
    sites = {name: (None if m is None else _one_tuple(arrays, m, f"rng/site/{name}/"))
             for name, m in meta["sites"].items()}
    rng.set_state({"seedgen": _one_tuple(arrays, meta["seedgen"], "rng/seedgen/"), "sites": sites})
