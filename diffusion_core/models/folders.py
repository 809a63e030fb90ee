"""Models as folders: the project's hub layout, and one resolver for "a name, a folder or a hub id".

A shipped network exports to a folder in the Hugging Face layout that `PyTorchModelHubMixin` uses:

    config.json        {"_class_name": "DiffusionLabUNet", "arch": UNetConfig, name, dataset, shape, sigma range,
                        increment law / pair, params, sha256 of model.safetensors, quality}
    model.safetensors  the registry's weights file, byte for byte (so its sha256 is the registry's)
    README.md          a model card (huggingface_hub.ModelCard): YAML metadata, what it is, how it was
                       trained, its quality, how to load it

`load_model_ref` reads such a folder, a diffusers `DDPMPipeline.save_pretrained` folder (foreign.py),
or a hub id when online. The app passes `models_dir` and `allow_paths=False`: then a text box can name
only a registry model or a folder directly inside that directory, never an arbitrary server path.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import torch

from ..devices import resolve_device
from ..evaluation.truth import NoTruth
from ..networks.unet import NetDenoiser, UNet, UNetConfig
from ..networks.weights import check_sha256, load_state_strict, sha256_of
from ..validation import InputError
from . import foreign
from .datasets import DATASETS
from .registry import SCALE_SPACE, SPECS, Model, ModelSpec, get_model

CLASS_NAME = "DiffusionLabUNet"
CONFIG, WEIGHTS, CARD = "config.json", "model.safetensors", "README.md"
MODELS_DIR = Path(os.environ.get("DIFFLAB_MODELS_DIR", "models"))
META_KEYS = (
    "name",
    "dataset",
    "dataset_label",
    "shape",
    "increment_law",
    "pair",
    "chain_steps",
    "loss",
    "params",
    "preset",
    "steps",
    "batch_size",
    "seed",
    "train_time",
    "world_size",
    "device",
    "quality",
)


def is_project_folder(path: Path) -> bool:
    if not (path / CONFIG).is_file():
        return False
    try:
        return json.loads((path / CONFIG).read_text()).get("_class_name") == CLASS_NAME
    except (ValueError, UnicodeDecodeError, AttributeError):
        return False


def load_project_folder(folder: Path) -> Model:
    """A folder written by `export_folder` as a `Model` (CPU); data and reference from models/datasets.py."""
    cfg = json.loads((folder / CONFIG).read_text())
    weights = foreign.weights_file(folder, WEIGHTS)
    try:
        net = UNet(UNetConfig.from_json(cfg["arch"]))
        shape = tuple(int(v) for v in cfg["shape"])
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{folder.name}/config.json does not describe a Diffusion Lab UNet ({e!s:.80})") from None
    load_state_strict(net, weights)
    digest = sha256_of(weights)
    if cfg.get("sha256"):
        check_sha256(weights, cfg["sha256"], f"{folder.name}/{WEIGHTS} has", "its config.json")
    ds = DATASETS.get(cfg.get("dataset", ""))
    spec = ModelSpec(
        cfg.get("name", folder.name),
        "trained",
        cfg.get("dataset_label", cfg.get("dataset", "unknown")),
        shape,
        f"Diffusion Lab UNet loaded from the folder {folder.name}.",  # type: ignore[arg-type]
        sigma_min=float(cfg.get("sigma_min", 0.002)),
        sigma_max=float(cfg.get("sigma_max", 80.0)),
        weights=str(weights),
        sha256=digest,
        params=sum(p.numel() for p in net.parameters()),
        train_time=cfg.get("train_time"),
        increment_law=cfg.get("increment_law"),
    )
    truth = ds.truth() if ds is not None else NoTruth()
    return Model(spec, NetDenoiser(net), ds.draw if ds is not None else None, truth, net=net)


def load_folder(path: Path) -> Model:
    """Either folder layout; anything else is a one-line error."""
    if not path.is_dir():
        raise InputError(f"{str(path)!r} is not a folder")
    if is_project_folder(path):
        return load_project_folder(path)
    if foreign.is_diffusers_folder(path):
        return foreign.load_diffusers(path)
    if foreign.is_bare_unet(path):
        raise InputError(foreign.bare_unet_fix(path))
    raise InputError(
        f"{path.name} is not a model folder: expected config.json + model.safetensors (Diffusion Lab) "
        "or unet/ + scheduler/ (diffusers DDPMPipeline.save_pretrained)"
    )


def _signature(path: Path) -> tuple:
    """(name, size, mtime_ns) of the folder's files, one level of subfolders deep: a changed file reloads."""
    files = [q for q in path.glob("*") if q.is_file()] + [q for q in path.glob("*/*") if q.is_file()]
    return tuple(sorted((str(q.relative_to(path)), q.stat().st_size, q.stat().st_mtime_ns) for q in files))


@lru_cache(maxsize=4)
def _cached_folder(path: str, signature: tuple, device: torch.device) -> Model:
    model = load_folder(Path(path))
    return model if device.type == "cpu" else model.to(device)


def in_models_dir(text: str, models_dir: Path) -> Path:
    """A folder directly inside `models_dir` named by `text` (no separators, no '..'); else InputError."""
    root = models_dir.resolve()
    if not text or "/" in text or "\\" in text or text.startswith(".") or "\x00" in text:
        raise InputError(f"model {text!r}: give a registry name or the name of a folder in {models_dir}")
    path = (root / text).resolve()
    if path.parent != root or not path.is_dir():
        raise InputError(f"unknown model {text!r}: not a registry name, and {models_dir} has no folder of that name")
    return path


def load_model_ref(
    ref: str, device: str | torch.device = "cpu", *, allow_paths: bool = True, models_dir: Path | None = None
) -> Model:
    """A registry name, or (allow_paths) a folder path or hub id, or (models_dir) a folder name in models_dir."""
    dev = resolve_device(device)
    ref = str(ref).strip()
    if ref in SPECS:
        return get_model(ref, dev)
    if allow_paths:
        path = Path(ref).expanduser()
        in_dir = (models_dir or MODELS_DIR) / ref
        if not path.exists() and ref and "/" not in ref and in_dir.is_dir():
            path = in_dir  # a folder name in $DIFFLAB_MODELS_DIR
        elif not path.exists() and foreign.HUB_ID.match(ref) and not ref.startswith("."):
            path = foreign.fetch_hub(ref)
        elif not path.exists():
            raise InputError(
                f"unknown model {ref!r}: not a registry name ({', '.join([*SPECS, *SCALE_SPACE])}) and no such folder "
                f"(here or in $DIFFLAB_MODELS_DIR = {models_dir or MODELS_DIR})"
            )
    elif models_dir is not None:
        path = in_models_dir(ref, models_dir)
    else:
        raise InputError(f"unknown model {ref!r}; choose one of: {', '.join(SPECS)}")
    path = path.resolve()
    return _cached_folder(str(path), _signature(path), dev)


def check_model_ref(ref: str, models_dir: Path = MODELS_DIR) -> str:
    """The app's model field: a registry name or a folder name directly inside `models_dir` (nothing is loaded)."""
    ref = str(ref).strip()
    if ref not in SPECS:
        in_models_dir(ref, models_dir)
    return ref


def folder_models(models_dir: Path = MODELS_DIR) -> list[str]:
    """Names of the model folders directly inside `models_dir` (for the app's list)."""
    if not models_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in models_dir.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (is_project_folder(p) or foreign.is_diffusers_folder(p))
    )
