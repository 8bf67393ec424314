"""Exercise 1: the gradient checker (tutorial: tutorials/dA_tutorial.py; used by every exercise after it).

Every gradient you derive by hand in this workbook is checked the way UFLDL's
``computeNumericalGradient`` and CS231n's ``eval_numerical_gradient`` check theirs: against
a finite-difference estimate. Write that estimate here.

Check it with:  dae exercises check gradient_checker   (or `pytest -k gradient_checker`)
"""
import numpy


def numerical_gradient(f, x, eps=1e-5):
    """The central-difference estimate of the gradient of the scalar function ``f`` at ``x``.

    Maths: for each entry i of x, with e_i the array that is 1 at entry i and 0 elsewhere,

        grad_i  ~=  ( f(x + eps e_i) - f(x - eps e_i) ) / (2 eps)

    whose error is O(eps^2) (a one-sided difference (f(x + eps e_i) - f(x)) / eps is only O(eps)).

    Shapes: ``x`` is a float64 array of any shape (a vector, a matrix, a 4-D batch of
    images); ``f(x)`` returns a Python float (or a 0-d array); the result has x's shape.

    Example (UFLDL's): h(x) = x1^2 + 3 x1 x2 at x = (4, 10) has the gradient (38, 12).

    The graders call it with an explicit step (eps = 1e-2, 1e-4 and 1e-6) and compare with the
    central difference at that same step: use the ``eps`` you are given.

    Hint: ``for i in numpy.ndindex(x.shape)`` visits every entry ``x[i]`` of an array of any
    shape. You may change x while you work, but leave it exactly as it was given: the
    graders check that ``x`` is unchanged when you return.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
