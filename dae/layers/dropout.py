"""Inverted dropout as a layer, built for one call from that call's level and generator.

    out = x * m / (1 - p),   m_k ~ Bernoulli(1 - p)        dx = dout * m / (1 - p)

``Dropout(p, rng, site)``: ``p`` the fraction dropped, ``rng`` where the uniforms come from (a
RandomState or a dae.RandomStreams, whose stream ``site`` is used), so E[out] = x. A model's
``cost_and_grads(..., dropout=p, rng=rng)`` makes these layers for that call: the level is the
call's, as the protocol says. The cache is the scaled mask.
"""
from ..corruption import uniform


class Dropout:
    def __init__(self, p, rng, site="dropout"):
        self.p, self.rng, self.site = float(p), rng, site
        self.params, self.param_names = [], []

    def forward(self, x):
        keep = 1.0 - self.p
        mask = uniform(self.rng, x.shape, x, self.site) < keep
        mask = mask.astype(x.dtype) * x.dtype.type(1.0 / keep)
        return x * mask, mask

    def backward(self, dout, mask):
        """dout * mask; None for None (the layer above skipped the gradient: nothing below needs it)."""
        return (None if dout is None else dout * mask), []

    def __repr__(self):
        return f"Dropout({self.p}, site={self.site!r})"
