"""``dae encode`` / ``dae reconstruct`` / ``dae sample``: a model applied to data, chunk by chunk."""
import os
import tempfile

import numpy

from .. import backend
from ..registry import get_model_kind
from ..validation import check_data
from ..validation import check_positive_int
from .common import UserError, load_model_file, model_path
from .datasets import load_dataset


def add_parsers(sub):
    for name, helptext in (("encode", "write the codes of DATA to a .npy file"),
                           ("reconstruct", "write the model's reconstructions of DATA to a .npy file")):
        p = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] +
                           ", chunk by chunk (a .npy DATA is memory-mapped, never read whole).")
        p.add_argument("model", metavar="MODEL", help="a model file (RUN/model.npz), a checkpoint or a run folder")
        p.add_argument("data", metavar="DATA", help="mnist[:train|valid|test], a .npy/.npz file or a folder of images")
        p.add_argument("-o", "--output", required=True, help="the .npy file to write")
        p.add_argument("--batch-size", type=int, default=1000, help="rows per chunk (1000)")
        p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
        p.add_argument("--quiet", action="store_true", help="print nothing but errors")
        p.set_defaults(func=cmd_encode if name == "encode" else cmd_reconstruct)
    p = sub.add_parser("sample", help="draw new examples from a generative model (vae)",
                       description="Decode codes drawn from the prior N(0, I) of a VAE: a .npy of pixel "
                                   "probabilities, or a .png mosaic.")
    p.add_argument("model", metavar="MODEL", help="a vae model file or run folder")
    p.add_argument("-n", "--number", type=int, default=100, help="how many examples (100)")
    p.add_argument("-o", "--output", required=True, help="the .npy (the values) or .png (a mosaic) to write")
    p.add_argument("--seed", type=int, default=0, help="seed of the codes drawn (0)")
    p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_sample)


def _model_and_data(args):
    model, meta = load_model_file(model_path(args.model))
    image_shape = meta.get("image_shape")
    data = load_dataset(args.data, None if image_shape is None else tuple(image_shape))
    kind = get_model_kind(meta["model"])
    cfg = dict(kind.defaults(), **meta["model_config"])
    # the model's domain, as training checks it: 0-255 data through a cross-entropy model is refused
    check_data(data.x, f"DATA ({args.data})", meta["model_config"]["n_visible"], kind.needs_unit_interval(cfg))
    _check_fits(data.x, model.params[0].dtype, f"DATA ({args.data})")
    return model, kind, data


def _check_fits(x, dtype, name, chunk=4096):
    """Values that would become inf when cast to the model's dtype (float64 1e300 -> float32) are refused."""
    limit = float(numpy.finfo(dtype).max)
    if float(numpy.finfo(x.dtype).max) <= limit:
        return
    for start in range(0, x.shape[0], chunk):
        big = float(numpy.abs(x[start:start + chunk]).max())
        if big > limit:
            raise UserError(f"{name} holds values up to {big:.3g} in size, beyond the largest {numpy.dtype(dtype).name} "
                            f"({limit:.3g}), the model's dtype; rescale it")


def _check_output(out, overwrite, extensions=(".npy",)):
    if not out.lower().endswith(extensions):
        raise UserError(f"-o {out}: the output must be a {' or '.join(extensions)} file")
    if os.path.exists(out) and not overwrite:
        raise UserError(f"{out} already exists; pass --overwrite to replace it")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UserError(f"-o {out}: folder {folder} does not exist")
    return folder


def write_rows(out, n_rows, compute, x, batch_size, overwrite):
    """Compute ``compute(chunk)`` for every chunk of ``x`` and stream it into the .npy ``out``,
    atomically (a temporary file beside it, renamed when complete)."""
    folder = _check_output(out, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(out)}.", suffix=".tmp", dir=folder)  # never a planted link
    os.close(fd)
    result = None
    try:
        for start in range(0, n_rows, batch_size):
            chunk = backend.to_host(compute(backend.asarray(x[start:start + batch_size])))
            if result is None:
                result = numpy.lib.format.open_memmap(tmp, mode="w+", dtype=chunk.dtype,
                                                      shape=(n_rows,) + chunk.shape[1:])
            result[start:start + chunk.shape[0]] = chunk
        result.flush()
        shape = result.shape
        del result
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp's 0600 -> the usual permissions
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return shape


def cmd_encode(args, what="encode"):
    check_positive_int(args.batch_size, "--batch-size")
    model, kind, data = _model_and_data(args)
    fn = kind.encode if what == "encode" else kind.reconstruct
    dtype = model.params[0].dtype
    shape = write_rows(args.output, data.x.shape[0], lambda chunk: fn(model, chunk.astype(dtype, copy=False)),
                       data.x, args.batch_size, args.overwrite)
    if not args.quiet:
        print(f"Wrote {args.output}: {'codes' if what == 'encode' else 'reconstructions'} of shape {shape}")
    return 0


def cmd_reconstruct(args):
    return cmd_encode(args, "reconstruct")


def cmd_sample(args):
    from ..random import RandomStreams
    from ..validation import check_seed

    check_positive_int(args.number, "--number")
    check_seed(args.seed, "--seed")
    model, meta = load_model_file(model_path(args.model))
    kind = get_model_kind(meta["model"])
    if kind.sample is None:
        raise UserError(f"dae sample needs a generative model (--model vae); {args.model} holds a {kind.name}")
    _check_output(args.output, args.overwrite, (".npy", ".png"))
    samples = backend.to_host(kind.sample(model, args.number, RandomStreams(args.seed)))
    if args.output.lower().endswith(".png"):
        from .figures import mosaic
        from ..plotting import save_image

        shape = meta.get("image_shape")
        if not shape:
            raise UserError(f"{args.model} does not record an image shape: write a .npy instead")
        cols = min(10, args.number)
        save_image(mosaic(samples, tuple(shape), (-(-args.number // cols), cols)), args.output)
    else:
        from ..io import atomic_write

        atomic_write(args.output, lambda f: numpy.save(f, samples))
    if not args.quiet:
        print(f"Wrote {args.output}: {args.number} samples of {samples.shape[1]} values")
    return 0
