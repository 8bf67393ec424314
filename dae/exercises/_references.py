"""The reference solutions: the package's own functions, imported in this one place.

Nothing here is a second copy of a model: each exercise is graded against the code the models
themselves run (``dA.cost_and_grads`` calls ``tied_cost_and_grads``, the VAE calls
``reparameterize`` and ``gaussian_kl``, and so on).
"""
from ..functions import cross_entropy_from_logits, cross_entropy_from_logits_grad, sigmoid, softplus
from ..gradcheck import numerical_gradient
from ..layers import Conv2D, HiddenLayer, LogisticRegression, MaxPool2D, col2im, im2col
from ..models.ca import cA
from ..models.autoencoder import kl_sparsity_penalty
from ..models.da import tied_cost_and_grads
from ..models.vae import gaussian_kl, reparameterize

__all__ = ["cross_entropy_from_logits", "cross_entropy_from_logits_grad", "sigmoid", "softplus", "numerical_gradient",
           "HiddenLayer", "LogisticRegression", "cA", "Conv2D", "MaxPool2D", "col2im", "im2col",
           "kl_sparsity_penalty", "tied_cost_and_grads", "gaussian_kl", "reparameterize"]
