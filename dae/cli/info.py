"""``dae info``: what a model or checkpoint file holds (after checking its checksum)."""
import json
import os

from ..io import CorruptFileError
from ..model_files import CHECKPOINT_KIND, load_model, read_file, read_model_meta
from ..registry import get_model_kind
from .common import UserError, model_path


def add_parser(sub):
    p = sub.add_parser("info", help="what a model or checkpoint file holds",
                       description="Check a model or checkpoint file (checksum) and describe what it holds.")
    p.add_argument("model", metavar="MODEL", help="a model or checkpoint file, or a run folder")
    p.set_defaults(func=cmd_info)


def cmd_info(args):
    path = model_path(args.model) if os.path.isdir(args.model) else args.model
    if not os.path.exists(path):
        raise UserError(f"model file {path} not found")
    try:
        arrays, meta = read_file(path)
        if meta.get("kind") == CHECKPOINT_KIND and "model" not in meta:
            return _bare_checkpoint(path, arrays, meta)
        arrays, meta = read_model_meta(path)
        model = load_model(path)
    except CorruptFileError as exc:
        raise UserError(str(exc)) from exc
    checkpoint = meta["kind"] == CHECKPOINT_KIND
    print(f"file:     {path} ({os.path.getsize(path)} bytes, checksum OK)")
    print(f"kind:     {'training checkpoint' if checkpoint else 'model'}")
    print(f"model:    {meta['model']} {json.dumps(meta['model_config'], sort_keys=True)}")
    print(f"class:    {type(model).__name__} ({get_model_kind(meta['model']).description})")
    print(f"dtype:    {meta.get('dtype')}")
    names = get_model_kind(meta["model"]).arrays(model)
    total = 0
    for name, p in names.items():
        total += int(p.size)
        print(f"  {name:<18s} {str(tuple(p.shape)):<14s} {p.dtype}")
    print(f"parameters: {total}")
    if meta.get("image_shape"):
        print(f"image shape: {tuple(meta['image_shape'])}")
    if meta.get("phase"):
        print(f"phase: {meta['phase']}")
    if not checkpoint and "epochs_trained" in meta:
        print(f"epochs trained: {meta['epochs_trained']}")
    if checkpoint:
        _position(meta)
    return 0


def _position(meta):
    opt = meta.get("optimizer") if isinstance(meta.get("optimizer"), dict) else {}
    print(f"position: epoch {meta.get('epoch')}, minibatch {meta.get('batch')}; optimiser {opt.get('name')} "
          f"after {opt.get('t')} steps")


def _bare_checkpoint(path, arrays, meta):
    """A checkpoint of a part that is no model kind of its own (e.g. the deep autoencoder's
    linear code layer while it is pretrained): what it holds, without rebuilding a model."""
    print(f"file:     {path} ({os.path.getsize(path)} bytes, checksum OK)")
    print("kind:     training checkpoint (of a model part; dae.load_model reads the run's model.npz)")
    total = 0
    for name, a in arrays.items():
        if name.startswith("param/"):
            total += int(a.size)
            print(f"  {name[len('param/'):]:<18s} {str(tuple(a.shape)):<14s} {a.dtype}")
    print(f"parameters: {total}")
    if meta.get("phase"):
        print(f"phase: {meta['phase']}")
    _position(meta)
    return 0
