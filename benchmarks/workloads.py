"""The later models' training steps, in dae and in PyTorch eager, for benchmarks/benchmark.py.

Each ``make_<model>(framework, data, spec)`` returns ``run(steps) -> mean cost`` that does ``steps``
training steps on consecutive minibatches (wrapping around the data). dae goes through its
public API (``model.cost_and_grads`` then ``dae.optim``'s ``step``); PyTorch is written as a
PyTorch user writes it: an ``nn.Module``, autograd, ``torch.optim``, the fused losses
(``binary_cross_entropy_with_logits``, ``mse_loss``). Both start from the same initial weights:
the PyTorch module copies the dae model's. Costs are kept as 0-d arrays and read once per run.
"""
import numpy

import dae
from dae import backend


# ----- work in FLOPs (matrix products only: 2 m k n per product) -------------------------------
def dense_flops(sizes, n, first_dx=False):
    """Forward x W, the weight gradients u^T d and the errors below d W^T (none for layer 1)."""
    products = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2.0 * n * (2 * sum(products) + sum(products[1:]) + (products[0] if first_dx else 0))


def flops_cA(spec, n):
    v, h = spec["n_visible"], spec["n_hidden"]
    return 10.0 * v * h * n                      # x W, h W^T, dz W, x^T da, dz^T h


def flops_deep(spec, n):
    sizes = spec["sizes"]
    return dense_flops(sizes + sizes[-2::-1], n)


def flops_vae(spec, n):
    enc = [spec["n_visible"]] + spec["n_hidden"]
    dec = [spec["n_latent"]] + spec["n_hidden"][::-1] + [spec["n_visible"]]
    heads = 2 * enc[-1] * spec["n_latent"]
    return dense_flops(enc, n) + dense_flops(dec, n, first_dx=True) + 2.0 * n * 3 * heads


def flops_conv(spec, n):
    c, h, w = spec["input_shape"]
    c1, c2, c3 = spec["channels"]
    k1, k2, k3 = spec["kernel_sizes"]
    convs = [(c, c1, k1, h * w), (c1, c2, k2, h * w), (c2, c3, k3, h * w // 4),     # encoder
             (c3, c2, k3, h * w // 4), (c2, c1, k2, h * w), (c1, c, k1, h * w)]     # decoder
    flat = c3 * h * w // 16
    total = sum(2.0 * n * cin * cout * k * k * hw * 3 for cin, cout, k, hw in convs)
    total -= 2.0 * n * c * c1 * k1 * k1 * h * w                                    # no dx for layer 1
    return total + 2.0 * n * 3 * 2 * flat * spec["code_size"]


# ----- helpers -------------------------------------------------------------------------------------
def _batches(x, batch_size):
    n = x.shape[0] // batch_size
    return [x[i * batch_size:(i + 1) * batch_size] for i in range(n)]


def _dae_step(model, opt, rng, **levels):
    """One training step through dae's public API: cost_and_grads, then the optimiser's step."""
    def step(xb):
        cost, grads = model.cost_and_grads(xb, rng=rng, **levels)
        opt.step(model.params, grads)
        return cost
    return step


def _dae_loop(batches, step):
    def run(steps):
        costs = [step(batches[i % len(batches)]) for i in range(steps)]
        return float(backend.to_host(backend.xp.stack(costs)).mean(dtype="float64"))
    return run


def _torch_loop(batches, step):
    import torch
    tb = [torch.from_numpy(numpy.ascontiguousarray(b)) for b in batches]

    def run(steps):
        costs = [step(tb[i % len(tb)]) for i in range(steps)]
        return torch.stack(costs).double().mean().item()
    return run


def _copy_linear(linear, W, b):
    """A torch Linear holding dae's W (n_in, n_out) and b: its weight is W^T."""
    import torch
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(numpy.ascontiguousarray(backend.to_host(W).T)))
        linear.bias.copy_(torch.from_numpy(backend.to_host(b)))
    return linear


def _torch_step(model, optimizer, loss_of):
    def step(xb):
        loss = loss_of(xb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.detach()
    return step


# ----- cA ------------------------------------------------------------------------------------------------
def make_cA(framework, x, spec):
    model = dae.cA(numpy.random.RandomState(123), n_visible=spec["n_visible"], n_hidden=spec["n_hidden"],
                   n_batchsize=spec["batch_size"])
    batches = _batches(x, spec["batch_size"])
    level, lr = spec["contraction_level"], spec["learning_rate"]
    if framework == "dae":
        opt = dae.optim.SGD(lr)
        return _dae_loop(batches, _dae_step(model, opt, numpy.random.RandomState(0), contraction_level=level))
    import torch
    import torch.nn.functional as F

    class ContractiveAE(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.W = torch.nn.Parameter(torch.from_numpy(backend.to_host(model.W).copy()))
            self.b = torch.nn.Parameter(torch.zeros(spec["n_hidden"]))
            self.b_prime = torch.nn.Parameter(torch.zeros(spec["n_visible"]))

        def forward(self, xb):
            h = torch.sigmoid(xb @ self.W + self.b)
            logits = h @ self.W.t() + self.b_prime
            rec = F.binary_cross_entropy_with_logits(logits, xb, reduction="sum") / xb.shape[0]
            slope = h * (1 - h)
            jac = ((slope * slope) @ (self.W * self.W).sum(dim=0)).mean()   # mean ||dh/dx||_F^2
            return rec + level * jac

    net = ContractiveAE()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    return _torch_loop(batches, _torch_step(net, opt, net))


# ----- deep autoencoder fine-tuning ----------------------------------------------------------------------
def make_deep(framework, x, spec):
    model = dae.DeepAutoencoder(numpy.random.RandomState(123), spec["sizes"])
    batches = _batches(x, spec["batch_size"])
    if framework == "dae":
        opt = dae.optim.Adam(spec["learning_rate"])
        return _dae_loop(batches, _dae_step(model, opt, numpy.random.RandomState(0)))
    import torch
    import torch.nn.functional as F
    L = model.n_layers
    modules = []
    for k in range(2 * L):
        W, b = model.params[2 * k], model.params[2 * k + 1]
        modules.append(_copy_linear(torch.nn.Linear(W.shape[0], W.shape[1]), W, b))
        if k not in (L - 1, 2 * L - 1):          # a linear code; the logits go to the loss
            modules.append(torch.nn.Sigmoid())
    net = torch.nn.Sequential(*modules)
    opt = torch.optim.Adam(net.parameters(), lr=spec["learning_rate"])

    def loss_of(xb):
        return F.binary_cross_entropy_with_logits(net(xb), xb, reduction="sum") / xb.shape[0]
    return _torch_loop(batches, _torch_step(net, opt, loss_of))


# ----- VAE -----------------------------------------------------------------------------------------------
def make_vae(framework, x, spec):
    model = dae.VAE(numpy.random.RandomState(123), spec["n_visible"], spec["n_hidden"], spec["n_latent"],
                    activation=spec["activation"])
    batches = _batches(x, spec["batch_size"])
    if framework == "dae":
        opt = dae.optim.Adam(spec["learning_rate"])
        return _dae_loop(batches, _dae_step(model, opt, dae.RandomStreams(1)))
    import torch
    import torch.nn.functional as F
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[spec["activation"]]

    def mlp(pairs):
        layers = []
        for W, b in pairs:
            layers += [_copy_linear(torch.nn.Linear(W.shape[0], W.shape[1]), W, b), act()]
        return torch.nn.Sequential(*layers)

    class VAE(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = mlp(model.enc)
            self.mu = _copy_linear(torch.nn.Linear(*model.W_mu.shape), model.W_mu, model.b_mu)
            self.logvar = _copy_linear(torch.nn.Linear(*model.W_logvar.shape), model.W_logvar, model.b_logvar)
            self.decoder = torch.nn.Sequential(
                mlp(model.dec), _copy_linear(torch.nn.Linear(*model.W_out.shape), model.W_out, model.b_out))

        def forward(self, xb):
            h = self.encoder(xb)
            mu, logvar = self.mu(h), self.logvar(h)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            rec = F.binary_cross_entropy_with_logits(self.decoder(z), xb, reduction="sum")
            kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp())
            return (rec + kl) / xb.shape[0]

    torch.manual_seed(0)
    net = VAE()
    opt = torch.optim.Adam(net.parameters(), lr=spec["learning_rate"])
    return _torch_loop(batches, _torch_step(net, opt, net))


# ----- convolutional autoencoder -----------------------------------------------------------------------
def make_conv(framework, x, spec):
    model = dae.ConvAutoencoder(numpy.random.RandomState(123), input_shape=tuple(spec["input_shape"]),
                                channels=tuple(spec["channels"]), code_size=spec["code_size"],
                                kernel_sizes=tuple(spec["kernel_sizes"]))
    batches = _batches(x, spec["batch_size"])
    if framework == "dae":
        opt = dae.optim.Adam(spec["learning_rate"])
        return _dae_loop(batches, _dae_step(model, opt, numpy.random.RandomState(0)))
    import torch
    import torch.nn.functional as F

    def conv(layer):
        out_c, in_c, k, _ = layer.W.shape
        c = torch.nn.Conv2d(in_c, out_c, k, padding=k // 2)
        with torch.no_grad():
            c.weight.copy_(torch.from_numpy(backend.to_host(layer.W)))
            c.bias.copy_(torch.from_numpy(backend.to_host(layer.b)))
        return c

    class ConvAE(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc1, self.enc2, self.enc3 = conv(model.enc1), conv(model.enc2), conv(model.enc3)
            self.code = _copy_linear(torch.nn.Linear(*model.code.W.shape), model.code.W, model.code.b)
            self.expand = _copy_linear(torch.nn.Linear(*model.expand.W.shape), model.expand.W, model.expand.b)
            self.dec3, self.dec2, self.dec1 = conv(model.dec3), conv(model.dec2), conv(model.dec1)
            self.pool = torch.nn.MaxPool2d(2, return_indices=True)
            self.unpool = torch.nn.MaxUnpool2d(2)

        def forward(self, xb):
            h1 = F.relu(self.enc1(xb))
            h2, s2 = self.pool(F.relu(self.enc2(h1)))
            h3, s3 = self.pool(F.relu(self.enc3(h2)))
            y = self.code(h3.flatten(1))
            g3 = F.relu(self.expand(y)).view_as(h3)
            g2 = F.relu(self.dec3(self.unpool(g3, s3)))
            g1 = F.relu(self.dec2(self.unpool(g2, s2)))
            a = self.dec1(g1)
            return F.mse_loss(a, xb, reduction="sum") / xb.shape[0]

    net = ConvAE()
    opt = torch.optim.Adam(net.parameters(), lr=spec["learning_rate"])
    return _torch_loop(batches, _torch_step(net, opt, net))


MAKERS = {"cA": make_cA, "deep": make_deep, "vae": make_vae, "conv": make_conv}
FLOPS = {"cA": flops_cA, "deep": flops_deep, "vae": flops_vae, "conv": flops_conv}
