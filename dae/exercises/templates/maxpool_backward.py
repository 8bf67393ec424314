"""Exercise 8: max pooling and its backward pass with switches
(tutorial: tutorials/conv_autoencoder_tutorial.py).

Non-overlapping size x size max pooling remembers where each maximum was (its "switch",
Zeiler & Fergus); the backward pass, and the conv autoencoder's unpooling, use the switches.

Check it with:  dae exercises check maxpool_backward
"""
import numpy


def maxpool_forward(x, size=2):
    """Max over each non-overlapping size x size window, and the switches.

    Maths:  out[n, c, p, q] = max_{0 <= i, j < size} x[n, c, p size + i, q size + j]

    Shapes: x (N, C, H, W) with H and W divisible by size -> out (N, C, H / size, W / size).
    Return ``(out, switches)``: switches is whatever your backward pass needs to know where
    each maximum was (e.g. an integer array of the position 0 .. size^2 - 1 inside each window).

    Ties: when a window's maximum appears more than once (an all-zero window after a ReLU, say),
    the switch is the FIRST of them in row-major order, i.e. along the window's first row, then
    the next: position k = i size + j with the smallest k. This is what dae's MaxPool2D does, and
    what numpy.argmax over the flattened window returns. Exactly one position per window gets dout.

    Hint: reshape x to (N, C, H/size, size, W/size, size) and move the two window axes to the
    end; then max and argmax along one axis do all windows at once.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def maxpool_backward(dout, switches, size=2):
    """dx = dC/dx given dout = dC/dout and the switches of maxpool_forward.

    Shapes: dout (N, C, H / size, W / size) -> dx (N, C, H, W).

    Hint: out[n, c, p, q] is one entry of its window; how much does it move when each of the
    window's size^2 entries moves a little?
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
