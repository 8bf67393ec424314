"""The ``dae`` command (also ``python -m dae``): train, encode, reconstruct, sample, plot, info.

    dae train --model dA --data mnist --epochs 15 --batch-size 20 --learning-rate 0.1 \\
              --optimizer sgd --seed 123 --n-hidden 500 --corruption-level 0.3 --output-dir runs/da
    dae train --model SdA --data mnist --hidden-layers-sizes 1000,1000,1000 --output-dir runs/sda
    dae train --model deep --data x.npy --layer-sizes 256,64,8 --output-dir runs/deep
    dae train --model conv --data photos/ --output-dir runs/conv
    dae train --model vae --data mnist --n-latent 2 --optimizer adam --learning-rate 0.001 --output-dir runs/vae
    dae train --resume runs/da                     # continue an interrupted run
    dae encode runs/da mnist:test -o codes.npy
    dae reconstruct runs/da my_data.npy -o recon.npy
    dae sample runs/vae -n 100 -o samples.png      # vae only
    dae plot runs/da                               # learning curves, filters, reconstructions
    dae info runs/da/model.npz

One module per idea: ``main`` (the parser and the dispatch), ``train``, ``datasets`` (DATA:
mnist, .npy, .npz, folders of images; labels), ``apply`` (encode, reconstruct, sample),
``figures`` (plot), ``info``, ``common`` (errors, JSON, run folder names).
"""
from .common import UserError
from .datasets import load_dataset
from .figures import make_figures
from .main import build_parser, main

__all__ = ["main", "build_parser", "UserError", "load_dataset", "make_figures"]
