"""Exercise 7: a convolution layer, forward and backward, through im2col / col2im
(tutorial: tutorials/conv_autoencoder_tutorial.py).

CS231n's ``conv_forward`` / ``conv_backward``: a 2-D cross-correlation (what every deep-learning
library calls a convolution) with stride and zero padding, made one matrix product by unfolding
the input's patches into columns (im2col); the backward pass folds column gradients back (col2im).

Arrays are NCHW: (examples, channels, height, width).

Check it with:  dae exercises check conv_backward
"""
import numpy


def im2col(x, kh, kw, stride, padding):
    """Helper (not graded on its own): unfold x's kh x kw patches into the columns of a matrix.

    Shapes: x (N, C, H, W) -> cols (C kh kw, N Ho Wo), with Ho = (H + 2 padding - kh) // stride + 1
    (Wo likewise): column (n, p, q) holds the patch of the zero-padded x whose top-left corner
    is at (p stride, q stride), every channel, flattened. Any consistent order of rows and
    columns works, as long as conv_forward and col2im agree with it.

    Hint: pad with ``numpy.pad`` (only the two spatial axes); loops over the kh x kw kernel
    offsets (each taking a strided slice of every patch at once) are fast enough.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def col2im(cols, x_shape, kh, kw, stride, padding):
    """Helper (not graded on its own): the adjoint of im2col, an array of shape x_shape.

    Every entry of cols is ADDED back to the position of the padded input it was read from
    (overlapping patches add up); then the padding is cut off.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def conv_forward(x, W, b, stride=1, padding=0):
    """The layer's output.

    Maths:  out[n, f, p, q] = b[f] + sum_{c, i, j} W[f, c, i, j] xpad[n, c, p stride + i, q stride + j]

    Shapes: x (N, C, H, W), W (F, C, kh, kw), b (F,) -> out (N, F, Ho, Wo).

    Hint: with X = im2col(x) and W reshaped to (F, C kh kw), the sums are one matrix product;
    then reshape and move the axes back to NCHW.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def conv_backward(dout, x, W, b, stride=1, padding=0):
    """The gradients of a scalar cost C given dout = dC/dout.

    Shapes: dout (N, F, Ho, Wo), x, W, b as in conv_forward. Return ``(dx, dW, db)`` shaped
    like x, W and b.

    Hints: the forward pass is Y = W_r X + b (matrices), so the gradients of a matrix product
    give dW_r and dX; col2im turns dX into dx. Mind the order of the axes when you reshape
    dout into the layout of Y, and every output position's contribution to db.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
