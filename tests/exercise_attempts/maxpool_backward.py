import numpy


def maxpool_forward(x, size=2):
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // size, size, w // size, size).transpose(0, 1, 2, 4, 3, 5)
    blocks = blocks.reshape(n, c, h // size, w // size, size * size)
    return blocks.max(axis=-1), blocks.argmax(axis=-1)


def maxpool_backward(dout, switches, size=2):
    n, c, ho, wo = dout.shape
    blocks = numpy.zeros((n, c, ho, wo, size * size))
    numpy.put_along_axis(blocks, switches[..., None], dout[..., None], axis=-1)
    return blocks.reshape(n, c, ho, wo, size, size).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, ho * size, wo * size)
