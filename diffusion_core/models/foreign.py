"""Foreign models as the project's denoiser D(x, lam): diffusers pipeline folders (unet/ + scheduler/).

The folder's `scheduler/scheduler_config.json` decides how the UNet is read (models/schedulers.py): its
`_class_name` (DDPM, DDIM, Euler, Euler ancestral, DPM-Solver multistep, Heun, EDM Euler or FlowMatch Euler;
anything else is a one-line error naming these), its training grid, prediction type, clipping or thresholding
and the sigmas and initial state of its `set_timesteps`; the UNet is wrapped accordingly (models/wrapped.py), so
every sampler, schedule and increment law of the project runs on it, and the folder's own scheduler is its
default (`Model.scheduler`). Loading is strict: only `diffusion_pytorch_model[.VARIANT].safetensors` is read
(a variant such as fp16 is cast to float32; pickle checkpoints are refused, never unpickled), the weights must
fit the config tensor by tensor, and every failure is one line (`InputError`) that says what to fix.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import torch

from ..evaluation.truth import DigitTruth, NoTruth
from ..networks.weights import load_state_strict
from ..noise.flow import SIGMA_T1
from ..validation import InputError
from .registry import Model, ModelSpec
from .schedulers import FolderScheduler, read_scheduler
from .wrapped import DiscreteDDPMDenoiser, EDMDenoiser, FlowDenoiser, WrappedUNet, ddpm_sigmas  # noqa: F401

Tensor = torch.Tensor
WEIGHTS = "diffusion_pytorch_model.safetensors"
PICKLES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
DIGIT_SHAPE = (1, 28, 28)


# ---------------------------------------------------------------------------------------------
# Loading a DDPMPipeline folder


def is_diffusers_folder(path: Path) -> bool:
    return (path / "unet").is_dir() and (path / "scheduler").is_dir()


def is_bare_unet(path: Path) -> bool:
    """config.json of a UNet2DModel at the top of the folder (a `UNet2DModel.save_pretrained` folder)."""
    try:
        return json.loads((path / "config.json").read_text()).get("_class_name") == "UNet2DModel"
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return False


def bare_unet_fix(path: Path) -> str:
    """The one-line refusal of a bare UNet2DModel folder, with the two commands that make it a pipeline folder."""
    return (
        f"{path.name} holds a bare UNet2DModel (config.json + weights) and no scheduler, so how to sample it is "
        f"unknown: move config.json and the weights into {path.name}/unet/ and save the scheduler it was trained "
        f"with, e.g. DDPMScheduler().save_pretrained('{path.name}/scheduler') (python, diffusers)"
    )


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path.parent.name}/{path.name} is missing: not a diffusers DDPMPipeline folder")
    try:
        d = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{path.parent.name}/{path.name} is not valid JSON") from None
    if not isinstance(d, dict):
        raise InputError(f"{path.parent.name}/{path.name} must hold a JSON object")
    return d


def weights_file(folder: Path, name: str, variants: bool = False) -> Path:
    """`folder/name` (safetensors), or with `variants` the one `name` with a variant (fp16, ...) before the suffix;
    a pickle checkpoint next to it is refused, never opened."""
    path = folder / name
    if path.is_file():
        return path
    stem, _, suffix = name.rpartition(".")
    found = sorted(folder.glob(f"{stem}.*.{suffix}")) if variants else []
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InputError(
            f"{folder.name} holds {len(found)} weight variants ({', '.join(q.name for q in found)}): "
            f"keep one, or copy the one you want to {name}"
        )
    pickles = sorted(p.name for p in folder.glob("*") if p.suffix in PICKLES)
    if pickles:
        raise InputError(
            f"{folder.name}/{pickles[0]} is a pickle checkpoint: refused (never unpickled); "
            f"convert it to {name} with safetensors"
        )
    raise InputError(f"{folder.name}/{name} is missing (weights must be safetensors)")


def wrap(unet: torch.nn.Module, sched: FolderScheduler) -> WrappedUNet:
    """The UNet as D(x, lam) under `sched` (models/wrapped.py)."""
    if sched.kind == "flow":
        return FlowDenoiser(unet, sched.T)
    if sched.kind == "edm":
        return EDMDenoiser(unet, float(sched.config["sigma_data"]), sched.prediction)
    return DiscreteDDPMDenoiser(unet, sched.alphas_cumprod(), sched.prediction, sched.clip(), sched.threshold())


def sigma_range(sched: FolderScheduler) -> tuple[float, float]:
    """(sigma_min, sigma_max) the network was trained over: the grid's ends, EDM's config, a flow's T-step grid
    below t = 1 (the project's karras / exponential schedules use them)."""
    if sched.kind == "discrete":
        train = sched.train_sigmas()
        return float(train[0]), float(train[-1])
    if sched.kind == "edm":
        return float(sched.config["sigma_min"]), float(sched.config["sigma_max"])
    sig = sched.sigmas(sched.T)
    inner = sig[(sig > 0) & (sig < SIGMA_T1)]
    return float(inner.min()), float(inner.max())


def _describe(unet: torch.nn.Module, sched: FolderScheduler, params: int) -> str:
    clip = sched.clip() if sched.kind == "discrete" else None
    return (
        f"diffusers UNet2DModel ({params:,} parameters) under its folder's {sched.describe()}"
        f"{f', x̂₀ clipped to ±{clip:g}' if clip else ''}{', dynamic thresholding' if sched.threshold() else ''}; "
        "wrapped as D(x, λ), so every sampler, schedule and noise law runs on it."
    )


def load_diffusers(folder: Path, name: str | None = None) -> Model:
    """A pipeline folder (unet/ UNet2DModel + scheduler/ of a supported class) as a `Model` on the CPU."""
    try:
        from diffusers import UNet2DModel
    except ImportError:
        raise InputError(
            "reading a diffusers folder needs the diffusers package: pip install 'diffusion-lab[diffusers]'"
        ) from None

    ucfg, scfg = _json(folder / "unet" / "config.json"), _json(folder / "scheduler" / "scheduler_config.json")
    if ucfg.get("_class_name", "UNet2DModel") != "UNet2DModel":
        raise InputError(f"unet/config.json describes a {ucfg.get('_class_name')}; only UNet2DModel is supported")
    sched = read_scheduler(scfg)
    weights = weights_file(folder / "unet", WEIGHTS, variants=True)
    try:
        unet = UNet2DModel.from_config(ucfg)
    except (TypeError, ValueError, KeyError, NotImplementedError) as e:
        raise InputError(f"unet/config.json in {folder.name} does not build a UNet2DModel: {str(e)[:100]}") from None
    load_state_strict(unet, weights)  # a float16 variant is cast to the float32 parameters
    den = wrap(unet, sched)
    size = ucfg.get("sample_size") or 32
    h, w = (size, size) if isinstance(size, int) else tuple(size)
    shape = (int(ucfg.get("in_channels", 3)), int(h), int(w))
    params = sum(p.numel() for p in unet.parameters())
    lo, hi = sigma_range(sched)
    spec = ModelSpec(
        name or folder.name,
        "diffusers",
        "unknown (a diffusers pipeline folder)",
        shape,  # type: ignore[arg-type]
        _describe(unet, sched, params),
        sigma_min=lo,
        sigma_max=hi,
        weights=str(weights),
        params=params,
    )
    # a diffusers folder names no data set: a one-channel 28x28 one is taken for MNIST digits (the classifier scores it)
    truth = DigitTruth() if shape == DIGIT_SHAPE else NoTruth()
    return Model(spec, den, None, truth, net=unet, scheduler=sched)


def rescheduled(model: Model, overrides: dict[str, Any]) -> Model:
    """A folder model with its scheduler's options overridden (`--set key=value`), the UNet shared."""
    if model.scheduler is None:
        raise InputError(
            f"--set changes a diffusers folder's scheduler options; model {model.spec.name} has no scheduler "
            "(use --schedule and the schedule's own options with difflab schedule)"
        )
    sched = read_scheduler({**model.scheduler.config, "_class_name": model.scheduler.class_name}, overrides)
    den = wrap(model.net, sched)  # type: ignore[arg-type]
    spec = dataclasses.replace(model.spec, description=_describe(model.net, sched, model.spec.params or 0))  # type: ignore[arg-type]
    return dataclasses.replace(model, spec=spec, denoiser=den, scheduler=sched)


def fetch_hub(repo_id: str) -> Path:
    """A hub id (owner/name) downloaded when the machine is online: JSON, safetensors and the card only."""
    if not HUB_ID.match(repo_id):
        raise InputError(f"{repo_id!r} is neither a folder nor a hub id (owner/name)")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, allow_patterns=["*.json", "*.safetensors", "*.md"]))
    except Exception as e:  # noqa: BLE001 - offline, unknown repo, auth: all one line
        raise InputError(
            f"could not fetch hub id {repo_id} ({type(e).__name__}); offline? pass a local folder"
        ) from None
