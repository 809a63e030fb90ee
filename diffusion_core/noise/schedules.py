"""Noise schedules as pure functions t -> logSNR, and the conversions between noise variables.

Time runs t = 0 (data) -> t = 1 (noise). One noise variable, lam = logSNR:
  VP: alpha_bar = alpha^2 = sigmoid(lam), 1 - alpha_bar = sigmoid(-lam);  VE: sigma = exp(-lam / 2).
How a schedule is cut into N sampling steps lives in `discretization.py`, so every schedule
works with every sampler. Families are registered in FAMILIES with the parameter names people
know from diffusers and k-diffusion, and those libraries' defaults.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from ..validation import InputError, check_bool, check_choice, check_int, check_range
from .conventions import (  # noqa: F401 (re-exported)
    alpha_bar_from_lam,
    integrated_beta,
    lam_from_alpha_bar,
    lam_from_integrated_beta,
    lam_from_sigma,
    sigma_from_alpha_bar,
    sigma_from_lam,
)
from .custom import lam_custom
from .flow import CALL_DEFAULTS as FLOW_CALL_DEFAULTS
from .flow import SCHEDULER_DEFAULTS as FLOW_SCHEDULER_DEFAULTS
from .flow_schedule import flow_params

Tensor = torch.Tensor
LamFn = Callable[[Tensor], Tensor]

# ---------------------------------------------------------------------------------------------
# Conversions (logSNR <-> VE sigma <-> VP alpha_bar) live in conventions.py; inverting a schedule


def t_from_lam(lam_fn: LamFn, lam: Tensor, iters: int = 64) -> Tensor:
    """Invert a decreasing schedule lam(t) by bisection on [0, 1] (values outside clip to 0 / 1)."""
    lam = torch.as_tensor(lam, dtype=torch.float64)
    lo, hi = torch.zeros_like(lam), torch.ones_like(lam)
    for _ in range(iters):
        mid = (lo + hi) / 2
        above = lam_fn(mid) > lam  # still cleaner than target: move right
        lo, hi = torch.where(above, mid, lo), torch.where(above, hi, mid)
    return (lo + hi) / 2


# ---------------------------------------------------------------------------------------------
# Discrete (training-grid) families, diffusers conventions; alphas_cumprod is computed exactly as
# diffusers does (float32), so parity is bitwise. See discretization.py for betas / rescaling.


def lam_discrete(alphas_cumprod: Tensor) -> LamFn:
    """lam(t) = piecewise-linear interpolation of log(ac / (1 - ac)) at index t (T - 1)."""
    lam_grid = lam_from_alpha_bar(alphas_cumprod.to(torch.float64))  # [T]
    T = len(lam_grid)

    def fn(t: Tensor) -> Tensor:
        pos = torch.as_tensor(t, dtype=torch.float64).clamp(0, 1) * (T - 1)
        i0 = pos.floor().long().clamp(max=T - 2)
        w = pos - i0
        return (1 - w) * lam_grid[i0] + w * lam_grid[i0 + 1]

    return fn


# ---------------------------------------------------------------------------------------------
# Continuous families


def lam_cosine(t: Tensor, logsnr_min: float = -15.0, logsnr_max: float = 15.0) -> Tensor:
    """lam = -2 log tan(a + t (b - a)), endpoints clipped (Nichol & Dhariwal 2021; Hoogeboom et al. 2023)."""
    a, b = math.atan(math.exp(-0.5 * logsnr_max)), math.atan(math.exp(-0.5 * logsnr_min))
    return -2 * torch.log(torch.tan(a + torch.as_tensor(t, dtype=torch.float64) * (b - a)))


def lam_shifted_cosine(
    t: Tensor, image_d: float = 256, noise_d: float = 64, logsnr_min: float = -15.0, logsnr_max: float = 15.0
) -> Tensor:
    """lam = lam_cosine(t) + 2 log(noise_d / image_d) (simple diffusion, Hoogeboom et al. 2023, eq. 6)."""
    return lam_cosine(t, logsnr_min, logsnr_max) + 2 * math.log(noise_d / image_d)


def lam_karras(t: Tensor, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0) -> Tensor:
    """sigma = (sigma_min^(1/rho) + t (sigma_max^(1/rho) - sigma_min^(1/rho)))^rho (EDM eq. 5)."""
    a, b = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return -2 * rho * torch.log(a + torch.as_tensor(t, dtype=torch.float64) * (b - a))


def lam_exponential(t: Tensor, sigma_min: float = 0.002, sigma_max: float = 80.0) -> Tensor:
    """log sigma linear in t (k-diffusion get_sigmas_exponential)."""
    t = torch.as_tensor(t, dtype=torch.float64)
    return -2 * (math.log(sigma_min) + t * (math.log(sigma_max) - math.log(sigma_min)))


def lam_logsnr_linear(t: Tensor, logsnr_min: float = -10.0, logsnr_max: float = 10.0) -> Tensor:
    """lam = logsnr_max + t (logsnr_min - logsnr_max) (the exponential family, in lam units)."""
    return logsnr_max + torch.as_tensor(t, dtype=torch.float64) * (logsnr_min - logsnr_max)


def lam_vp(t: Tensor, beta_d: float = 19.9, beta_min: float = 0.1, eps_s: float = 1e-3) -> Tensor:
    """sigma^2 = exp(beta_d s^2 / 2 + beta_min s) - 1, s = eps_s + t (1 - eps_s) (Song et al. 2021; EDM eq. 217)."""
    s = eps_s + torch.as_tensor(t, dtype=torch.float64) * (1 - eps_s)
    return lam_from_integrated_beta(integrated_beta(s, beta_min, beta_d))


# ---------------------------------------------------------------------------------------------
# Registry: name -> family, parameters and defaults

DIFFUSERS_DEFAULTS: dict[str, Any] = {
    "num_train_timesteps": 1000,
    "timestep_spacing": "linspace",
    "steps_offset": 0,
    "rescale_betas_zero_snr": False,
    "final_sigmas_type": "zero",
    "use_karras_sigmas": False,
}
FLOW_DEFAULTS: dict[str, Any] = {**FLOW_SCHEDULER_DEFAULTS, **FLOW_CALL_DEFAULTS}
TIGHT_DEFAULTS: dict[str, Any] = {"tau_lo": 0.1, "tau_hi": 10.0, "dc": "include"}


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # "discrete" (diffusers training grid), "continuous", "flow" or "tight"
    defaults: dict[str, Any] = field(default_factory=dict)
    doc: str = ""


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in [
        Family(
            "ddpm-linear",
            "discrete",
            {"beta_start": 1e-4, "beta_end": 0.02, **DIFFUSERS_DEFAULTS},
            "DDPM linear betas (Ho et al. 2020); diffusers beta_schedule='linear'",
        ),
        Family(
            "scaled-linear",
            "discrete",
            {"beta_start": 0.00085, "beta_end": 0.012, **DIFFUSERS_DEFAULTS},
            "sqrt-beta linear (Stable Diffusion); diffusers beta_schedule='scaled_linear'",
        ),
        Family(
            "cosine",
            "discrete",
            dict(DIFFUSERS_DEFAULTS),
            "cosine alpha_bar (Nichol & Dhariwal 2021); diffusers beta_schedule='squaredcos_cap_v2'",
        ),
        Family(
            "cosine-continuous",
            "continuous",
            {"logsnr_min": -15.0, "logsnr_max": 15.0},
            "continuous cosine lam = -2 log tan(pi t / 2), clipped",
        ),
        Family(
            "shifted-cosine",
            "continuous",
            {"image_d": 256, "noise_d": 64, "logsnr_min": -15.0, "logsnr_max": 15.0},
            "cosine shifted by 2 log(noise_d / image_d) (simple diffusion)",
        ),
        Family(
            "karras",
            "continuous",
            {"sigma_min": 0.002, "sigma_max": 80.0, "rho": 7.0},
            "Karras et al. 2022 rho-schedule (k-diffusion get_sigmas_karras)",
        ),
        Family(
            "edm",
            "continuous",
            {"sigma_min": 0.002, "sigma_max": 80.0, "rho": 7.0},
            "EDM defaults: karras with 0.002 / 80 / rho 7",
        ),
        Family(
            "exponential",
            "continuous",
            {"sigma_min": 0.002, "sigma_max": 80.0},
            "log-linear sigmas (k-diffusion get_sigmas_exponential)",
        ),
        Family("logsnr-linear", "continuous", {"logsnr_min": -10.0, "logsnr_max": 10.0}, "lam linear in t"),
        Family(
            "vp",
            "continuous",
            {"beta_d": 19.9, "beta_min": 0.1, "eps_s": 1e-3},
            "VP-SDE (Song et al. 2021; k-diffusion get_sigmas_vp)",
        ),
        Family(
            "custom",
            "continuous",
            {"points": "1:-5, 0.5:0, 0:6"},
            "your own monotone lam(t) through control points t:lam (PCHIP), e.g. 1:-5, 0.5:0, 0:6",
        ),
        Family(
            "flow-match",
            "flow",
            dict(FLOW_DEFAULTS),
            "rectified flow x_t = (1 - t) x0 + t eps, diffusers FlowMatchEulerDiscreteScheduler defaults",
        ),
        Family("sd3", "flow", {**FLOW_DEFAULTS, "shift": 3.0}, "Stable Diffusion 3: flow matching with shift = 3"),
        Family(
            "flux",
            "flow",
            {**FLOW_DEFAULTS, "shift": 3.0, "use_dynamic_shifting": True, "image_seq_len": 4096, "sigmas": "flux"},
            "FLUX.1-dev: dynamic shift mu(image_seq_len = 4096, a 1024^2 image), FluxPipeline's sigmas",
        ),
        Family(
            "tight-frequency",
            "tight",
            dict(TIGHT_DEFAULTS),
            "tight, uniform in radial frequency, log f mapped affinely onto [lam_lo, lam_hi] (Esteves & Makadia 2026)",
        ),
        Family(
            "tight-power",
            "tight",
            dict(TIGHT_DEFAULTS),
            "tight, uniform in cumulative spectral energy, log f mapped affinely onto the bounds",
        ),
        Family("tight-mixed", "tight", dict(TIGHT_DEFAULTS), "tight, average of frequency and power (affine form)"),
        Family(
            "tight-frequency-crossing",
            "tight",
            dict(TIGHT_DEFAULTS),
            "tight, uniform in radial frequency, crossing form lam = -log P(f) clipped to the bounds (ref. sec. 6)",
        ),
        Family(
            "tight-power-crossing",
            "tight",
            dict(TIGHT_DEFAULTS),
            "tight, uniform in cumulative spectral energy, crossing form lam = -log P(f) clipped to the bounds",
        ),
        Family(
            "tight-mixed-crossing",
            "tight",
            dict(TIGHT_DEFAULTS),
            "tight, average of frequency and power (crossing form)",
        ),
    ]
}

DIFFUSERS_BETA_SCHEDULE = {"ddpm-linear": "linear", "scaled-linear": "scaled_linear", "cosine": "squaredcos_cap_v2"}


def _coerce(key: str, value: Any, default: Any) -> Any:
    """Parse `value` (possibly a string from --set) to the type of `default`."""
    if isinstance(default, bool):
        return check_bool(key, value)
    if isinstance(default, int):
        return check_int(key, value)
    if isinstance(default, float):
        return check_range(key, value)
    return str(value)


def family_params(name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults of family `name` updated by `overrides` (validated; unknown keys rejected)."""
    check_choice("schedule", name, FAMILIES)
    if FAMILIES[name].kind == "flow":
        return flow_params(FAMILIES[name].defaults, overrides)
    params = dict(FAMILIES[name].defaults)
    for key, value in (overrides or {}).items():
        if key not in params:
            raise InputError(f"unknown parameter {key!r} for schedule {name}; valid: {', '.join(params)}")
        params[key] = _coerce(key, value, params[key])
    validate_params(params)
    return params


def validate_params(p: dict[str, Any]) -> None:
    """Range checks shared by all families; messages name the parameter and the valid range."""
    for key in (
        "sigma_min",
        "sigma_max",
        "beta_start",
        "beta_end",
        "beta_min",
        "eps_s",
        "tau_lo",
        "tau_hi",
        "image_d",
        "noise_d",
    ):
        if key in p:
            check_range(key, p[key], 0, None, lo_open=True)
    if "rho" in p:
        check_range("rho", p["rho"], 0, None, lo_open=True)
    if "beta_d" in p:
        check_range("beta_d", p["beta_d"], 0, None)
    if "sigma_min" in p and p["sigma_min"] >= p["sigma_max"]:
        raise InputError(
            f"sigma_min must be < sigma_max, got sigma_min={p['sigma_min']:g}, sigma_max={p['sigma_max']:g}"
        )
    if "logsnr_min" in p and p["logsnr_min"] >= p["logsnr_max"]:
        raise InputError(f"logsnr_min must be < logsnr_max, got {p['logsnr_min']:g} >= {p['logsnr_max']:g}")
    if "beta_end" in p:
        check_range("beta_end", p["beta_end"], p["beta_start"], 1, lo_open=True, hi_open=True)
    if "eps_s" in p:
        check_range("eps_s", p["eps_s"], 0, 1, lo_open=True, hi_open=True)
    if "tau_lo" in p and p["tau_lo"] >= p["tau_hi"]:
        raise InputError(f"tau_lo must be < tau_hi, got tau_lo={p['tau_lo']:g}, tau_hi={p['tau_hi']:g}")
    if "dc" in p:
        check_choice("dc", p["dc"], ("include", "exclude"))
    if "num_train_timesteps" in p:
        check_int("num_train_timesteps", p["num_train_timesteps"], 2, 100_000)
        check_choice("timestep_spacing", p["timestep_spacing"], ("linspace", "leading", "trailing"))
        check_int("steps_offset", p["steps_offset"], 0, p["num_train_timesteps"] - 1)
        check_choice("final_sigmas_type", p["final_sigmas_type"], ("zero", "sigma_min"))


def continuous_lam_fn(name: str, p: dict[str, Any]) -> LamFn:
    """lam(t) for a continuous family with validated parameters p."""
    table: dict[str, LamFn] = {
        "cosine-continuous": lambda t: lam_cosine(t, p.get("logsnr_min", -15.0), p.get("logsnr_max", 15.0)),
        "shifted-cosine": lambda t: lam_shifted_cosine(t, p["image_d"], p["noise_d"], p["logsnr_min"], p["logsnr_max"]),
        "karras": lambda t: lam_karras(t, p["sigma_min"], p["sigma_max"], p["rho"]),
        "edm": lambda t: lam_karras(t, p["sigma_min"], p["sigma_max"], p["rho"]),
        "exponential": lambda t: lam_exponential(t, p["sigma_min"], p["sigma_max"]),
        "logsnr-linear": lambda t: lam_logsnr_linear(t, p["logsnr_min"], p["logsnr_max"]),
        "vp": lambda t: lam_vp(t, p["beta_d"], p["beta_min"], p["eps_s"]),
    }
    if name == "custom":
        return lam_custom(p["points"])
    if name not in table:
        raise InputError(f"schedule {name} is not a continuous family; continuous: {', '.join(table)}")
    return table[name]
