"""The models, one module each, the equations on top: da (the tutorial's dA and its family),
ca (contractive), sda (stacked dA), deep (deep autoencoder), conv_ae (convolutional), vae."""
