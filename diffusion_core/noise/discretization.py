"""Cutting a schedule into N sampling steps: k-diffusion sigma lists and diffusers' spacings.

Output convention: N steps -> N + 1 VE sigmas, descending, last 0 (k-diffusion order); with
final_sigmas_type = "sigma_min" the last entry is the smallest training sigma instead (diffusers).
The diffusers parts reproduce diffusers' arithmetic (float32 betas and cumprod, numpy spacings)
so that `alphas_cumprod`, `timesteps` and `sigmas` match bit for bit (see tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..validation import InputError, check_choice, check_int
from . import schedules as S
from .flow import SCHEDULER_DEFAULTS
from .flow_schedule import flow_set_timesteps

Tensor = torch.Tensor
MAX_STEPS = 10_000

# ---------------------------------------------------------------------------------------------
# diffusers training grid: betas, zero-terminal-SNR rescale, alphas_cumprod


def betas_for_alpha_bar(T: int, max_beta: float = 0.999) -> Tensor:
    """beta_i = min(1 - abar((i+1)/T) / abar(i/T), 0.999), abar(t) = cos((t + 0.008) / 1.008 pi/2)^2."""

    def abar(t: float) -> float:
        return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2

    return torch.tensor([min(1 - abar((i + 1) / T) / abar(i / T), max_beta) for i in range(T)], dtype=torch.float32)


def betas_for_alpha_bar_f64(T: int, max_beta: float = 0.999) -> Tensor:
    """The same betas in float64 (for exact logSNR curves; diffusers itself rounds to float32)."""
    t = torch.arange(T + 1, dtype=torch.float64) / T
    abar = torch.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
    return (1 - abar[1:] / abar[:-1]).clamp(max=max_beta)


def diffusers_betas(
    beta_schedule: str, T: int, beta_start: float = 1e-4, beta_end: float = 0.02, dtype: torch.dtype = torch.float32
) -> Tensor:
    """betas as diffusers builds them (float32): 'linear', 'scaled_linear' (sqrt-linear squared), 'squaredcos_cap_v2'."""
    if beta_schedule == "linear":
        return torch.linspace(beta_start, beta_end, T, dtype=dtype)
    if beta_schedule == "scaled_linear":
        return torch.linspace(beta_start**0.5, beta_end**0.5, T, dtype=dtype) ** 2
    if beta_schedule == "squaredcos_cap_v2":
        return betas_for_alpha_bar(T).to(dtype) if dtype == torch.float32 else betas_for_alpha_bar_f64(T)
    raise InputError(f"unknown beta_schedule {beta_schedule!r}; choose linear, scaled_linear or squaredcos_cap_v2")


def rescale_zero_terminal_snr(betas: Tensor) -> Tensor:
    """sqrt(abar) shifted to 0 at T and rescaled to keep abar_0 (Lin et al. 2024, Algorithm 1)."""
    ab_sqrt = torch.cumprod(1.0 - betas, dim=0).sqrt()
    a0, aT = ab_sqrt[0].clone(), ab_sqrt[-1].clone()
    ab_sqrt = (ab_sqrt - aT) * (a0 / (a0 - aT))
    ab = ab_sqrt**2
    alphas = torch.cat([ab[0:1], ab[1:] / ab[:-1]])
    return 1 - alphas


def alphas_cumprod(
    beta_schedule: str,
    T: int = 1000,
    beta_start: float = 1e-4,
    beta_end: float = 0.02,
    rescale_betas_zero_snr: bool = False,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """abar_t = prod_{s <= t} (1 - beta_s); float32 reproduces diffusers bit for bit. [T]"""
    betas = diffusers_betas(beta_schedule, T, beta_start, beta_end, dtype)
    if rescale_betas_zero_snr:
        betas = rescale_zero_terminal_snr(betas)
    return torch.cumprod(1.0 - betas, dim=0)


def family_alphas_cumprod(name: str, p: dict[str, Any], dtype: torch.dtype = torch.float32) -> Tensor:
    """alphas_cumprod of a discrete family with validated parameters p. [T]"""
    return alphas_cumprod(
        S.DIFFUSERS_BETA_SCHEDULE[name],
        p["num_train_timesteps"],
        p.get("beta_start", 1e-4),
        p.get("beta_end", 0.02),
        p["rescale_betas_zero_snr"],
        dtype,
    )


def discrete_lam_fn(name: str, p: dict[str, Any]) -> S.LamFn:
    """lam(t) of a discrete family from float64 alphas_cumprod (lam = +inf/-inf where abar = 1/0 is clipped)."""
    ac = family_alphas_cumprod(name, p, torch.float64).clamp(1e-30, 1 - 1e-16)
    return S.lam_discrete(ac)


# ---------------------------------------------------------------------------------------------
# diffusers timestep spacings (Lin et al. 2024, Table 2)


def diffusers_timesteps(
    n: int, T: int = 1000, spacing: str = "linspace", steps_offset: int = 0, integer: bool = True
) -> np.ndarray:
    """Inference timesteps, descending. integer=True: DDIM/DDPM (rounded int64); False: Euler (float32)."""
    check_choice("timestep_spacing", spacing, ("linspace", "leading", "trailing"))
    if spacing == "linspace":
        ts = np.linspace(0, T - 1, n, dtype=None if integer else np.float32)
        ts = ts.round()[::-1].copy().astype(np.int64) if integer else ts[::-1].copy()
    elif spacing == "leading":
        ratio = T // n
        ts = (np.arange(0, n) * ratio).round()[::-1].copy().astype(np.int64 if integer else np.float32)
        ts += steps_offset
    else:
        ratio = T / n
        ts = np.round(np.arange(T, 0, -ratio)).astype(np.int64 if integer else np.float32)
        ts -= 1
    return ts


def sigma_to_t(sigma: np.ndarray, log_sigmas: np.ndarray) -> np.ndarray:
    """Fractional training index of each sigma by linear interpolation in log sigma (diffusers)."""
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    dists = log_sigma - log_sigmas[:, np.newaxis]
    low = np.cumsum(dists >= 0, axis=0).argmax(axis=0).clip(max=log_sigmas.shape[0] - 2)
    w = np.clip((log_sigmas[low] - log_sigma) / (log_sigmas[low] - log_sigmas[low + 1]), 0, 1)
    return ((1 - w) * low + w * (low + 1)).reshape(sigma.shape)


def euler_discrete_sigmas(
    ac: Tensor,
    n: int,
    spacing: str = "linspace",
    steps_offset: int = 0,
    use_karras_sigmas: bool = False,
    final_sigmas_type: str = "zero",
    rescale_betas_zero_snr: bool = False,
) -> tuple[Tensor, np.ndarray]:
    """(sigmas [n + 1], timesteps [n]) exactly as diffusers' EulerDiscreteScheduler.set_timesteps."""
    ac = ac.clone()
    if rescale_betas_zero_snr:
        ac[-1] = 2**-24  # diffusers: near 0 so the first sigma is finite
    T = len(ac)
    ts = diffusers_timesteps(n, T, spacing, steps_offset, integer=False)
    train = (((1 - ac) / ac) ** 0.5).numpy()
    sig = np.interp(ts, np.arange(0, T), train)
    if use_karras_sigmas:
        ramp = np.linspace(0, 1, n)
        lo, hi = sig[-1].item() ** (1 / 7.0), sig[0].item() ** (1 / 7.0)
        sig = (hi + ramp * (lo - hi)) ** 7.0
        ts = np.array([sigma_to_t(s, np.log(train)) for s in sig])
    last = float(((1 - ac[0]) / ac[0]) ** 0.5) if final_sigmas_type == "sigma_min" else 0.0
    sig = np.concatenate([sig, [last]]).astype(np.float32)
    return torch.from_numpy(sig).to(torch.float64), ts.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Continuous schedules: t_i = 1 - i / (N - 1), i = 0..N-1, then sigma = 0


def sigmas_from_lam(lam_fn: S.LamFn, n: int) -> Tensor:
    """[sigma(lam(t_i)) for t_i = linspace(1, 0, n)] + [0]: k-diffusion's get_sigmas_* layout. [n + 1]"""
    t = torch.linspace(1, 0, n, dtype=torch.float64) if n > 1 else torch.ones(1, dtype=torch.float64)
    return torch.cat([S.sigma_from_lam(lam_fn(t)), torch.zeros(1, dtype=torch.float64)])


# ---------------------------------------------------------------------------------------------
# One entry point: name + steps + parameters -> the `difflab schedule` result


@dataclass(frozen=True)
class ScheduleResult:
    name: str
    params: dict[str, Any]
    sigmas: Tensor  # [N + 1] VE, descending, last 0 (or sigma_min)
    timesteps: np.ndarray | None  # [N] diffusers order (discrete families)
    alphas_cumprod: Tensor | None  # [T] training grid (discrete families)
    flow: Any = None  # flow_schedule.FlowSchedule (flow families)

    @property
    def logsnr(self) -> Tensor:
        """lam of the N sigmas the denoiser sees. [N]"""
        return S.lam_from_sigma(self.sigmas[:-1])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sigmas": self.sigmas.tolist(), "logsnr": self.logsnr.tolist()}
        if self.flow is not None:
            out.update(
                {
                    "flow_sigmas": self.flow.flow_sigmas.tolist(),
                    "timesteps": self.flow.timesteps.tolist(),
                    "mu": self.flow.mu,
                    "notes": self.flow.notes,
                }
            )
        elif self.timesteps is not None:
            out["timesteps"] = self.timesteps.tolist()
            out["alphas_cumprod"] = self.alphas_cumprod.tolist()
        return out


def build_schedule(
    name: str, steps: int, overrides: dict[str, Any] | None = None, lam_fn: S.LamFn | None = None
) -> ScheduleResult:
    """Sigmas for `steps` steps of family `name`; tight families need their `lam_fn` (fitted to an image by
    spectral/schedule.py's build_schedule, which takes the image)."""
    steps = check_int("steps", steps, 1, MAX_STEPS)
    p = S.family_params(name, overrides)
    kind = S.FAMILIES[name].kind
    if kind == "discrete":
        ac = family_alphas_cumprod(name, p)
        sig, ts = euler_discrete_sigmas(
            ac,
            steps,
            p["timestep_spacing"],
            p["steps_offset"],
            p["use_karras_sigmas"],
            p["final_sigmas_type"],
            p["rescale_betas_zero_snr"],
        )
        return ScheduleResult(name, p, sig, ts, ac.to(torch.float64))
    if kind == "flow":
        fs = flow_set_timesteps(steps, p)
        return ScheduleResult(name, p, fs.ve_sigmas, fs.timesteps, None, fs)
    if kind == "tight" and lam_fn is None:
        raise InputError(f"schedule {name} needs an image (--image PATH or a photo name) or a data set")
    if kind == "continuous":
        lam_fn = S.continuous_lam_fn(name, p)
    return ScheduleResult(name, p, sigmas_from_lam(lam_fn, steps), None, None)


def diffusers_config(result: ScheduleResult) -> dict[str, Any]:
    """An EulerDiscreteScheduler config reproducing `result` (custom sigmas where diffusers has no family)."""
    p, name = result.params, result.name
    if result.flow is not None:
        cfg = {"_class_name": "FlowMatchEulerDiscreteScheduler", **{k: p[k] for k in SCHEDULER_DEFAULTS}}
        sigmas = p["sigmas"]
        call = {
            "num_inference_steps": len(result.flow.timesteps),
            "mu": result.flow.mu,
            "sigmas": list(np.linspace(1.0, 1 / len(result.flow.timesteps), len(result.flow.timesteps)))
            if sigmas == "flux"
            else sigmas,
        }
        return {**cfg, "_set_timesteps": {k: v for k, v in call.items() if v is not None}}
    cfg: dict[str, Any] = {
        "_class_name": "EulerDiscreteScheduler",
        "num_train_timesteps": 1000,
        "beta_start": 0.00085,
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "prediction_type": "epsilon",
        "timestep_spacing": "linspace",
        "steps_offset": 0,
    }
    if name in S.DIFFUSERS_BETA_SCHEDULE:
        cfg.update({k: p[k] for k in S.DIFFUSERS_DEFAULTS})
        cfg.update(
            {
                "beta_schedule": S.DIFFUSERS_BETA_SCHEDULE[name],
                "beta_start": p.get("beta_start", 1e-4),
                "beta_end": p.get("beta_end", 0.02),
            }
        )
    elif name in ("karras", "edm") and p["rho"] == 7.0:
        cfg.update({"use_karras_sigmas": True, "sigma_min": p["sigma_min"], "sigma_max": p["sigma_max"]})
    elif name == "exponential":
        cfg.update({"use_exponential_sigmas": True, "sigma_min": p["sigma_min"], "sigma_max": p["sigma_max"]})
    else:
        cfg["custom_sigmas"] = result.sigmas.tolist()
        cfg["_note"] = "no diffusers family for this schedule: call scheduler.set_timesteps(sigmas=custom_sigmas)"
    return cfg
