"""Foreign models as the project's denoiser D(x, lam): diffusers `DDPMPipeline` folders (unet/ + scheduler/).

The wrapper follows k-diffusion's `external.DiscreteEpsDDPMDenoiser` / `DiscreteVDDPMDenoiser`:
a discrete DDPM schedule alpha_bar_k (k = 0 .. T-1) becomes the VE noise levels

    sigma_k = sqrt((1 - alpha_bar_k) / alpha_bar_k),     x_VE = x_VP / alpha = x_VP sqrt(1 + sigma^2),

the network sees the VP state c_in x with c_in = 1 / sqrt(sigma^2 + 1) at the fractional timestep t(sigma)
(linear interpolation in log sigma between neighbouring training levels, k-diffusion's quantize=False),
and its output becomes x0_hat:

    epsilon:       D = x - sigma eps
    v_prediction:  D = x / (sigma^2 + 1) - sigma / sqrt(sigma^2 + 1) v      (c_skip, c_out with sigma_data = 1)
    sample:        D = network output

and, when the folder's scheduler sets clip_sample (DDPMScheduler's default), D is clipped to
[-clip_sample_range, clip_sample_range] as diffusers' own step does with its x0 prediction; so every sampler, schedule and increment law of the project runs on it. Loading is strict: only
`diffusion_pytorch_model.safetensors` is read (pickle checkpoints are refused, never unpickled),
the weights must fit the config tensor by tensor, and every failure is one line (`InputError`).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import torch

from ..evaluation.truth import DigitTruth, NoTruth
from ..networks.weights import load_state_strict
from ..validation import InputError
from .registry import Model, ModelSpec

Tensor = torch.Tensor
WEIGHTS = "diffusion_pytorch_model.safetensors"
PICKLES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
PREDICTIONS = ("epsilon", "v_prediction", "sample")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


# ---------------------------------------------------------------------------------------------
# The denoiser


def ddpm_sigmas(alphas_cumprod: Tensor) -> Tensor:
    """sigma_k = sqrt((1 - alpha_bar_k) / alpha_bar_k): the VE level of each training timestep (ascending)."""
    ac = alphas_cumprod.to(torch.float64).clamp(2.0**-24, 1.0)  # zero-terminal-SNR schedules end at 2^-24
    return ((1 - ac) / ac).sqrt()


DIGIT_SHAPE = (1, 28, 28)


class DiscreteDDPMDenoiser:
    """D(x, lam) of a diffusers UNet2DModel trained on the discrete schedule `alphas_cumprod` [T]."""

    def __init__(
        self, unet: torch.nn.Module, alphas_cumprod: Tensor, prediction_type: str = "epsilon", clip: float | None = None
    ):
        if prediction_type not in PREDICTIONS:
            raise InputError(f"prediction_type {prediction_type!r} is not supported; one of: {', '.join(PREDICTIONS)}")
        self.unet = unet.eval()
        self.prediction_type = prediction_type
        self.clip = clip  # |x0_hat| bound (scheduler clip_sample)
        self.sigmas = ddpm_sigmas(alphas_cumprod).to(torch.float32)  # [T] ascending in t
        self.log_sigmas = self.sigmas.log()

    @property
    def device(self) -> torch.device:
        return next(self.unet.parameters()).device

    @property
    def net(self) -> torch.nn.Module:
        return self.unet

    def to(self, device: torch.device) -> DiscreteDDPMDenoiser:
        """A denoiser over a copy of the UNet on `device` (the same schedule and prediction type)."""
        out = copy.copy(self)
        out.unet = copy.deepcopy(self.unet).to(device)
        return out

    def sigma_to_t(self, sigma: Tensor) -> Tensor:
        """Fractional timestep: linear interpolation in log sigma between training levels (clamped). [B]"""
        ls = self.log_sigmas.to(sigma.device)
        low = torch.searchsorted(ls, sigma.log().contiguous()).sub(1).clamp(0, len(ls) - 2)  # [B]
        w = ((sigma.log() - ls[low]) / (ls[low + 1] - ls[low])).clamp(0, 1)
        return low + w

    @torch.no_grad()
    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        dev = self.device
        sigma = torch.exp(-torch.as_tensor(lam).to(dev, torch.float32).reshape(-1) / 2).expand(x.shape[0])  # [B]
        s = sigma.reshape(-1, 1, 1, 1)
        xf = x.to(dev, torch.float32)
        out = self.unet(xf / (s**2 + 1).sqrt(), self.sigma_to_t(sigma)).sample
        if self.prediction_type == "epsilon":
            d = xf - s * out
        elif self.prediction_type == "v_prediction":
            d = xf / (s**2 + 1) - s / (s**2 + 1).sqrt() * out
        else:
            d = out
        if self.clip is not None:
            d = d.clamp(-self.clip, self.clip)
        return d.to(x.dtype)


# ---------------------------------------------------------------------------------------------
# Loading a DDPMPipeline folder


def is_diffusers_folder(path: Path) -> bool:
    return (path / "unet").is_dir() and (path / "scheduler").is_dir()


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


def weights_file(folder: Path, name: str) -> Path:
    """`folder/name` (safetensors); a pickle checkpoint next to it is refused, never opened."""
    path = folder / name
    if not path.is_file():
        pickles = sorted(p.name for p in folder.glob("*") if p.suffix in PICKLES)
        if pickles:
            raise InputError(
                f"{folder.name}/{pickles[0]} is a pickle checkpoint: refused (never unpickled); "
                f"convert it to {name} with safetensors"
            )
        raise InputError(f"{folder.name}/{name} is missing (weights must be safetensors)")
    return path


def load_diffusers(folder: Path, name: str | None = None) -> Model:
    """A `DDPMPipeline.save_pretrained` folder (UNet2DModel + a DDPM-family scheduler) as a `Model` on the CPU."""
    try:
        from diffusers import DDPMScheduler, UNet2DModel
    except ImportError:
        raise InputError(
            "reading a diffusers folder needs the diffusers package: pip install 'diffusion-lab[diffusers]'"
        ) from None

    ucfg, scfg = _json(folder / "unet" / "config.json"), _json(folder / "scheduler" / "scheduler_config.json")
    if ucfg.get("_class_name", "UNet2DModel") != "UNet2DModel":
        raise InputError(f"unet/config.json describes a {ucfg.get('_class_name')}; only UNet2DModel is supported")
    weights = weights_file(folder / "unet", WEIGHTS)
    try:
        unet = UNet2DModel.from_config(ucfg)
        sched = DDPMScheduler.from_config(scfg)
    except (TypeError, ValueError, KeyError, NotImplementedError) as e:
        raise InputError(
            f"the config in {folder.name} does not build a UNet2DModel + DDPM schedule: {str(e)[:100]}"
        ) from None
    load_state_strict(unet, weights)
    pred = scfg.get("prediction_type", "epsilon")
    clip = float(sched.config.clip_sample_range) if sched.config.get("clip_sample", False) else None
    den = DiscreteDDPMDenoiser(unet, sched.alphas_cumprod, pred, clip)
    size = ucfg.get("sample_size") or 32
    h, w = (size, size) if isinstance(size, int) else tuple(size)
    shape = (int(ucfg.get("in_channels", 3)), int(h), int(w))
    params = sum(p.numel() for p in unet.parameters())
    spec = ModelSpec(
        name or folder.name,
        "diffusers",
        "unknown (a diffusers DDPMPipeline folder)",
        shape,  # type: ignore[arg-type]
        f"diffusers UNet2DModel ({params:,} parameters, {pred} prediction, {len(den.sigmas)} training "
        f"steps, {sched.config.beta_schedule} betas{f', x̂₀ clipped to ±{clip:g}' if clip else ''}) wrapped as D(x, λ) the way k-diffusion wraps "
        "DDPM models; every sampler, schedule and noise law runs on it.",
        sigma_min=float(den.sigmas[0]),
        sigma_max=float(den.sigmas[-1]),
        weights=str(weights),
        params=params,
    )
    # a diffusers folder names no data set: a one-channel 28x28 one is taken for MNIST digits (the classifier scores it)
    truth = DigitTruth() if shape == DIGIT_SHAPE else NoTruth()
    return Model(spec, den, None, truth, net=unet)


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
