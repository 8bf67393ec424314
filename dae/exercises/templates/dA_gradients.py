"""Exercise 2: the denoising autoencoder's cost and gradients (tutorial: tutorials/dA_tutorial.py).

The deeplearning.net tutorial's dA (Vincent et al., 2008) with tied weights. Theano's
``T.grad`` produced its gradients; here you derive them.

Check it with:  dae exercises check dA_gradients   (or `pytest -k dA_gradients`)
"""
import numpy


def dA_cost_and_grads(W, b, b_prime, x, x_tilde):
    """The dA's minibatch cost and its gradients with respect to W, b and b_prime.

    Maths, for a minibatch of N rows, s the logistic sigmoid s(a) = 1 / (1 + exp(-a)):

        y    = s(x_tilde W + b)                  the code of the CORRUPTED input
        z    = s(y W^T + b_prime)                 the reconstruction (tied weights: W' = W^T)
        L_n  = - sum_k [ x_nk log z_nk + (1 - x_nk) log(1 - z_nk) ]   against the CLEAN x
        cost = (1/N) sum_n L_n

    Shapes: W (n_visible, n_hidden), b (n_hidden,), b_prime (n_visible,), x and x_tilde
    (N, n_visible), values in [0, 1]. Return ``(cost, gW, gb, gb_prime)``: a float and
    three arrays shaped like W, b and b_prime (float64).

    Hints:
    - Work backwards one step at a time, naming each intermediate gradient (dcost/d of the
      decoder's pre-activation, dcost/dy, dcost/d of the encoder's pre-activation). With the
      cross-entropy on a sigmoid, the first of them is much simpler than it looks.
    - W appears in two places in the forward pass. Its gradient collects a term from each.
    - The cost is a mean over the N rows; every gradient inherits that.
    - Check the shapes: a gradient has the shape of its parameter.
    - The numerically stable cross-entropy of the next exercise (from the logits) is welcome
      here, but not required: the graders' inputs do not saturate the sigmoid.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
