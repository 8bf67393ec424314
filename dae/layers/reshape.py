"""The two layers between channel-major maps (C, N, H, W) and rows of examples (N, C H W).

``MapsToRows``: out[n, (c, h, w)] = x[c, n, h, w]; its backward is ``RowsToMaps``' forward, and
the other way round: a reshape moves no number, so each gradient is the reverse reshape.
"""
from .. import backend


def maps_to_rows(x_cn):
    return x_cn.transpose(1, 0, 2, 3).reshape(x_cn.shape[1], -1)


def rows_to_maps(rows, map_shape):
    """rows (N, C H W) -> contiguous maps (C, N, H, W), ``map_shape`` = (C, H, W)."""
    maps = rows.reshape((rows.shape[0],) + tuple(map_shape)).transpose(1, 0, 2, 3)
    return backend.array_module(rows).ascontiguousarray(maps)


class MapsToRows:
    """(C, N, H, W) maps -> (N, C H W) rows; the cache is the map shape (C, H, W)."""
    params, param_names = [], []

    def forward(self, x_cn):
        c, _, h, w = x_cn.shape
        return maps_to_rows(x_cn), (c, h, w)

    def backward(self, drows, map_shape):
        return rows_to_maps(drows, map_shape), []


class RowsToMaps:
    """(N, C H W) rows -> contiguous (C, N, H, W) maps of ``map_shape`` = (C, H, W)."""
    params, param_names = [], []

    def __init__(self, map_shape):
        self.map_shape = tuple(map_shape)

    def forward(self, rows):
        return rows_to_maps(rows, self.map_shape), None

    def backward(self, dmaps, cache):
        return maps_to_rows(dmaps), []
