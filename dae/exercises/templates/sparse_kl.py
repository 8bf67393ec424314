"""Exercise 6: the sparse autoencoder's KL penalty (tutorial: tutorials/variants_tutorial.py).

Andrew Ng's sparse-autoencoder notes (UFLDL) keep each hidden unit's mean activation near a
small target rho by adding a KL divergence to the cost; ``dae.Autoencoder(..., sparsity="kl")`` does it.

Check it with:  dae exercises check sparse_kl
"""
import numpy


def kl_penalty_and_grad(y, rho, weight):
    """The KL sparsity penalty on a minibatch of codes and its gradient with respect to the codes.

    Maths, for codes y (N rows, sigmoid activations in (0, 1)):

        rho_hat_j = (1/N) sum_n y_nj                                (each unit's mean activation)
        KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))
        P = weight * sum_j KL(rho || rho_hat_j)

    Shapes: y (N, H); rho and weight floats. Return ``(P, dy)`` with dy = dP/dy of shape (N, H).

    Hints: differentiate KL(rho || q) with respect to q first, then chain through
    rho_hat_j = mean over n of y_nj: how does rho_hat_j move when one y_nj moves?
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
