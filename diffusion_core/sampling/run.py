"""Sampling a registered model: sigmas for the model, seeded initial noise, the one run function, image grids.

Randomness: one CPU `torch.Generator` seeded with `seed` draws the initial noise z [n, C, H, W] first
and then every stochastic injection, so the same seed gives the same pixels (on every device: the
draws are copied to the model's device), and samplers compared side by side start from the same z
(each run gets a fresh generator with the same seed). The initial state is always Gaussian,
sigma_0 z; the sampling-noise controls (nonnormal/controls.py: the injections' law, white, coloured or
Brownian step noise, DDIM eta, EDM churn; white Gaussian by default) change only the injections.
Precision: sampling runs in float32 on the model's device (`models.registry.Model.device`); z is
drawn in float64 and rounded, so float32 and float64 runs start from the same numbers. The exact
quality numbers (evaluation/exact.py) run the samplers in float64 on their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from ..models.registry import Model
from ..noise.samplers import SAMPLERS, get_sampler, nfe
from ..noise.schedules import FAMILIES
from ..nonnormal.controls import SamplingNoise
from ..nonnormal.laws import LAWS
from ..protocols import Callback
from ..spectral.schedule import build_schedule
from ..spectral.tight import TightParams, split_name, tight_lam_fn
from ..validation import InputError, check_choice, check_int

Tensor = torch.Tensor
MAX_N = 4096
DTYPE = torch.float32  # sampling precision (networks compute in float32 anyway)
MAX_STEPS = 1000
OUT_SUFFIXES = (".png", ".npy")
RANGE_KEYS = ("sigma_min", "sigma_max")


SCHEDULER = "scheduler"  # the schedule of a diffusers folder's own scheduler (models/schedulers.py)


def check_run(sampler: str, schedule: str, steps: int, n: int, seed: int, law: str) -> tuple[int, int, int]:
    """Validate the names and numbers of a run; returns (steps, n, seed) as ints."""
    check_choice("sampler", sampler, SAMPLERS)
    if schedule != SCHEDULER:
        check_choice("schedule", schedule, FAMILIES)
    check_choice("noise law", law, LAWS)
    return (check_int("steps", steps, 1, MAX_STEPS), check_int("n", n, 1, MAX_N), check_int("seed", seed, 0, 2**63 - 1))


def model_sigmas(model: Model, schedule: str, steps: int) -> Tensor:
    """N + 1 VE sigmas of `schedule` for `model`: karras/edm/exponential use the model's sigma range,
    tight-* schedules use the model's data-set tight parameters when it was trained on them (spec.tight), else
    are fitted to one true sample of the model's data; "scheduler" is a diffusers folder's own
    `set_timesteps(steps)`. [steps + 1] float64"""
    if schedule == SCHEDULER:
        if model.scheduler is None:
            raise InputError(f"schedule {SCHEDULER} is a diffusers folder's own; model {model.spec.name} has none")
        return model.scheduler.sigmas(steps).to(torch.float64)
    check_choice("schedule", schedule, FAMILIES)
    fam = FAMILIES[schedule]
    overrides = {k: getattr(model.spec, k) for k in RANGE_KEYS if k in fam.defaults}
    if fam.kind == "tight" and model.spec.tight is not None:  # a network trained on its data set's tight schedule
        tp = TightParams(**{k: model.spec.tight[k] for k in ("beta", "logsnr_min", "logsnr_max", "n", "log_amplitude")})
        kind, form = split_name(schedule)
        lam_fn = tight_lam_fn(kind, tp, form)
        return build_schedule(schedule, steps, overrides, lam_fn=lam_fn).sigmas.to(torch.float64)
    image = None
    if fam.kind == "tight":
        if model.draw_data is None:
            raise InputError(f"schedule {schedule} needs data samples, model {model.spec.name} has none")
        image = model.draw_data(1, torch.Generator().manual_seed(0))  # [1, C, H, W]
    return build_schedule(schedule, steps, overrides, image=image).sigmas.to(torch.float64)


def initial_noise(model: Model, n: int, seed: int) -> tuple[Tensor, torch.Generator]:
    """z ~ N(0, I) [n, C, H, W] (float64, CPU) and the CPU generator, positioned after z, for the injections."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn((n, *model.spec.shape), generator=g, dtype=torch.float64), g


def run_sampler(
    model: Model,
    sampler: str,
    sigmas: Tensor,
    n: int,
    seed: int,
    noise: SamplingNoise | str = SamplingNoise(),
    callback: Callback | None = None,
    dtype: torch.dtype = DTYPE,
    init_sigma: float | None = None,
) -> Tensor:
    """x0 samples [n, C, H, W] (not clipped; `dtype`, returned on the CPU) from x = sigma_0 z (z from `seed`) with
    sampler `sampler` under the sampling-noise controls `noise` (a law name means white noise of that law): the
    generator positioned after z for the injections, the sampler's options (churn, eta) and the step noise. The
    state lives on the model's device throughout. `init_sigma` scales z instead of sigmas[0] (a diffusers
    scheduler's initial state, `FolderScheduler.init_sigma`)."""
    controls = SamplingNoise(law=noise) if isinstance(noise, str) else noise
    fn = get_sampler(sampler)
    z, g = initial_noise(model, n, seed)
    x = ((sigmas[0] if init_sigma is None else init_sigma) * z).to(model.device, dtype)
    return fn(
        model.denoiser,
        x,
        sigmas,
        generator=g,
        noise=controls.noise_sampler(sigmas, seed),
        callback=callback,
        **controls.sampler_kwargs(sampler),
    ).cpu()


def sample_score(
    model: Model, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = SamplingNoise()
) -> dict[str, Any]:
    """The score of samples x of `model` drawn by `sampler` over `sigmas` under `noise`, as JSON: the model's truth
    (evaluation/truth.py) decides the metric."""
    return model.truth.score(sampler, sigmas, x, noise).to_json()


def steps_for_nfe(sampler: str, budget: int) -> int:
    """Largest step count within an NFE budget (heun: 2N - 1 evaluations, the others N)."""
    return max(1, (budget + 1) // 2) if sampler == "heun" else budget


def nfe_of(sampler: str, steps: int) -> int:
    return nfe(sampler, steps)


# ---------------------------------------------------------------------------------------------
# Output files


def check_out_path(path: str | Path) -> Path:
    """A .png or .npy path whose folder exists."""
    p = Path(str(path))
    if p.suffix.lower() not in OUT_SUFFIXES:
        raise InputError(f"out must end in .png or .npy, got {str(path)!r}")
    if not p.parent.is_dir():
        raise InputError(f"out folder does not exist: {str(p.parent)!r}; create it or choose another path")
    if p.is_dir():
        raise InputError(f"out is a folder, not a file: {str(path)!r}")
    return p


def to_uint8(x: Tensor) -> np.ndarray:
    """[n, C, H, W] in [-1, 1] (any device) -> uint8 [n, H, W, C] (clipped)."""
    return ((x.detach().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


def tile_grid(x: Tensor, cols: int | None = None, pad: int = 1, min_tile: int = 32) -> np.ndarray:
    """Samples [n, C, H, W] tiled row by row, white gaps, small tiles enlarged (nearest). uint8 [H', W'(, 3)]"""
    imgs = to_uint8(x)  # [n, H, W, C]
    k = max(1, min_tile // max(1, min(imgs.shape[1:3])))
    imgs = imgs.repeat(k, axis=1).repeat(k, axis=2)
    n, h, w, c = imgs.shape
    cols = cols or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), 255, np.uint8)
    for i in range(n):
        r, q = divmod(i, cols)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + q * (w + pad) : pad + q * (w + pad) + w] = imgs[i]
    return grid[..., 0] if c == 1 else grid


def save_samples(x: Tensor, path: Path) -> Path:
    """.npy: float32 [n, C, H, W] clipped to [-1, 1]; .png: a grid image."""
    if path.suffix.lower() == ".npy":
        np.save(path, x.clamp(-1, 1).to(torch.float32).numpy())
    else:
        Image.fromarray(tile_grid(x)).save(path)
    return path
