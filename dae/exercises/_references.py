"""The reference solutions: the package's own functions, imported in this one place.

Nothing here is a second copy of a model: each exercise is graded against the code the models
themselves run (``dA.cost_and_grads`` calls ``tied_cost_and_grads``, the VAE calls
``reparameterize`` and ``gaussian_kl``, and so on).
"""
from ..functions import cross_entropy_from_logits, cross_entropy_from_logits_grad, sigmoid, softplus  # noqa: F401
from ..gradcheck import numerical_gradient  # noqa: F401
from ..layers import HiddenLayer, LogisticRegression  # noqa: F401
from ..models.ca import cA  # noqa: F401
from ..models.conv_ae import Conv2D, MaxPool2D, col2im, im2col  # noqa: F401  (the conv layers' home)
from ..models.da import kl_sparsity_penalty, tied_cost_and_grads  # noqa: F401
from ..models.vae import gaussian_kl, reparameterize  # noqa: F401
