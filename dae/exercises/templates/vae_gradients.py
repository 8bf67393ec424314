"""Exercise 9: the VAE's reparameterised sample and its KL term (tutorial: tutorials/vae_tutorial.py).

A variational autoencoder (Kingma & Welling, 2013) samples its code z from the encoder's
Gaussian q(z|x) = N(mu, diag(exp(logvar))). Written as z = mu + s * eps with eps ~ N(0, I)
drawn apart from the parameters (the reparameterisation trick), the gradient flows through the
sample to mu and logvar. The cost adds KL(q(z|x) || N(0, I)), whose gradient is exact.

Check it with:  dae exercises check vae_gradients
"""
import numpy


def reparameterize(mu, logvar, eps):
    """The sample z of N(mu, diag(exp(logvar))) made from the standard normal draws eps.

    Shapes: mu, logvar, eps (N, J) -> z (N, J).

    Hint: logvar is the log of the variance; eps must be scaled by the standard deviation.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def reparameterize_backward(dz, mu, logvar, eps):
    """The gradients dC/dmu and dC/dlogvar given dz = dC/dz (eps held fixed).

    Shapes: dz, mu, logvar, eps (N, J). Return ``(dmu, dlogvar)``, each (N, J).

    Hint: z is elementwise in mu and logvar: write dz_nj/dmu_nj and dz_nj/dlogvar_nj.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def kl_and_grads(mu, logvar):
    """The minibatch's mean KL term and its gradients.

    Maths:  KL_n = -1/2 sum_j [ 1 + logvar_nj - mu_nj^2 - exp(logvar_nj) ]
            kl   = (1/N) sum_n KL_n

    Shapes: mu, logvar (N, J). Return ``(kl, dmu, dlogvar)``: a float and two (N, J) arrays.

    Hint: every term is elementwise; keep the -1/2 and the 1/N.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
