"""A solution of sparse_kl.py: the KL sparsity penalty on the mean activations, and dP/dy."""
import numpy


def kl_penalty_and_grad(y, rho, weight):
    n = y.shape[0]
    rho_hat = y.mean(axis=0)                     # each unit's mean activation, (H,)
    # KL(rho || rho_hat_j): the target rho first
    kl = rho * numpy.log(rho / rho_hat) + (1 - rho) * numpy.log((1 - rho) / (1 - rho_hat))
    penalty = weight * kl.sum()

    # dKL/drho_hat = -rho / rho_hat + (1 - rho) / (1 - rho_hat); drho_hat_j / dy_nj = 1/N for every row n
    d_rho_hat = weight * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    dy = numpy.ones_like(y) * d_rho_hat / n      # the same row N times: shape (N, H)
    return penalty, dy
