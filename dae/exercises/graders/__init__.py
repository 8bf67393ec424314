"""One module per exercise, each defining ``EXERCISE``; ``ORDER`` is the workbook's order (the tutorials')."""
import importlib

ORDER = ["gradient_checker", "dA_gradients", "sigmoid_cross_entropy", "softmax_mlp", "contractive_penalty",
         "sparse_kl", "conv_backward", "maxpool_backward", "vae_gradients"]


def load():
    """The exercises, in the workbook's order."""
    return [importlib.import_module(f"{__name__}.{name}").EXERCISE for name in ORDER]
