"""Exercise 3: the sigmoid and a numerically stable cross-entropy (tutorial: tutorials/dA_tutorial.py).

The tutorial wrote ``- T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1)``. In floating
point that breaks when a unit saturates: z rounds to exactly 1.0 (or 0.0) and a log(0)
appears. Written from the logits a (z = s(a)) the same loss never takes log(0).

Check it with:  dae exercises check sigmoid_cross_entropy
"""
import numpy


def sigmoid(a):
    """s(a) = 1 / (1 + exp(-a)), elementwise, finite and accurate for every a (even a = +-800).

    Shapes: a is an array of any shape; the result has its shape.

    Hint: which of exp(a) and exp(-a) overflows depends on the sign of a. Either avoid the
    one that overflows, or use an identity of s with a function that never overflows.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def cross_entropy_from_logits(x, a):
    """Each row's summed cross-entropy between the targets x and z = s(a), from the logits a.

    Maths:  L_n = - sum_k [ x_nk log z_nk + (1 - x_nk) log(1 - z_nk) ],   z = s(a)

    Shapes: x and a are (N, D) (x in [0, 1]); the result is (N,): one loss per row.

    Hints: write log s(a) and log(1 - s(a)) in terms of a alone, and simplify; the result
    needs only the function log(1 + exp(t)) ("softplus"), which ``numpy.logaddexp(0, t)``
    computes without overflow. The graders include logits of +-800.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def cross_entropy_grad(x, a):
    """dC/da for C = sum_n L_n (the sum of the rows' losses above): an array shaped like a.

    Shapes: x and a (N, D); the result (N, D).

    Hint: differentiate your stable form with respect to a_nk; the answer is short, and it is
    why a sigmoid output goes with the cross-entropy. No mean over rows is taken here.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
