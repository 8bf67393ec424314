"""Exercise 5: the contractive penalty of the tutorial's cA (tutorial: tutorials/cA_tutorial.py).

A contractive autoencoder (Rifai et al., 2011) penalises the encoder's Jacobian J = dh/dx,
so that the code changes little when the input moves a little.

A question to answer for yourself (the answer is printed by `dae exercises solution
contractive_penalty`): the Theano tutorial wrote

    L_jacob = T.sum(J ** 2) // n_batchsize

Training "worked" and printed a penalty, yet the penalty did nothing to the weights. Why does
``//`` silently give no gradient?

Check it with:  dae exercises check contractive_penalty
"""
import numpy


def contractive_penalty_and_grads(W, b, x):
    """The mean squared Frobenius norm of the encoder's Jacobian, and its gradients.

    Maths, with the tied cA's encoder h = s(x W + b) (s the sigmoid):

        J_n[j, i] = dh_nj / dx_ni = h_nj (1 - h_nj) W_ij
        penalty   = (1/N) sum_n ||J_n||_F^2 = (1/N) sum_n sum_j sum_i (h_nj (1 - h_nj))^2 W_ij^2

    Shapes: W (n_visible, n_hidden), b (n_hidden,), x (N, n_visible) in [0, 1].
    Return ``(penalty, gW, gb)``: a float and arrays shaped like W and b.

    Hints:
    - Do not build J (N x n_visible x n_hidden numbers): the double sum factorises into
      a per-unit factor that depends on the data and one that depends on W's column alone.
    - W enters the penalty along two paths. Follow each one and add what they give.
    - Write the derivative of (h (1 - h))^2 with respect to h, then go through the sigmoid.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
