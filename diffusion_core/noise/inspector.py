"""Schedule inspector: exactly what a config yields, step by step, and where two configs diverge.

A config is a spec string ("sd3", "flow-match:shift=3,use_karras_sigmas=true", "sigmas:80,10,1,0.1,0"),
a diffusers scheduler_config (dict or JSON text), or a ScheduleResult. The table has one row per
sigma point: step i, diffusers timestep, time t, VE sigma, logSNR lam, VP alpha = sqrt(sigmoid(lam)),
and Delta sigma = sigma_{i+1} - sigma_i. Time t is the family's own: flow time for flow families,
timestep / T for diffusers' discrete grids, 1 - i / (N - 1) for continuous families, and the flow
time sigma / (1 + sigma) of a bare sigma list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..validation import InputError, check_range
from . import schedules as S
from .discretization import ScheduleResult, build_schedule
from .flow import t_from_ve_sigma
from .scheduler_config import read_config

Tensor = torch.Tensor

# ---------------------------------------------------------------------------------------------
# Configs


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """'name' or 'name:key=value,key=value' -> (name, overrides); values typed by the family."""
    name, _, rest = spec.strip().partition(":")
    over: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected key=value in {spec!r}, got {item!r} (e.g. sd3:shift=2,shift_terminal=0.1)")
        over[key.strip()] = value.strip()
    return name.strip(), over


def sigma_list(values: Any) -> Tensor:
    """A VE sigma list (text 'a,b,c' or numbers): finite, >= 0, strictly descending; a final 0 is added if absent."""
    items = values.replace("[", "").replace("]", "").split(",") if isinstance(values, str) else list(values)
    try:
        sig = torch.tensor([float(v) for v in items if str(v).strip() != ""], dtype=torch.float64)
    except (TypeError, ValueError):
        raise InputError("a sigma list is comma-separated numbers, e.g. 80,10,1,0.1,0") from None
    if len(sig) < 1 or not torch.isfinite(sig).all() or (sig < 0).any():
        raise InputError("a sigma list needs finite values >= 0, e.g. 80,10,1,0.1,0")
    if float(sig[-1]) != 0.0:
        sig = torch.cat([sig, torch.zeros(1, dtype=torch.float64)])
    if len(sig) < 2 or (sig[1:] >= sig[:-1]).any():
        raise InputError("a sigma list must be strictly descending, e.g. 80,10,1,0.1,0")
    return sig


@dataclass(frozen=True)
class Loaded:
    """A resolved config with its name, notes (e.g. keys diffusers ignores) and img2img rule ("sd" or "flow")."""

    result: ScheduleResult
    label: str
    notes: tuple[str, ...]
    pipeline: str


def pipeline_of(r: ScheduleResult) -> str:
    """The img2img rule of a schedule's pipeline family: "flow" (SD3/Flux) for flow schedules, else "sd"."""
    return "flow" if r.flow is not None else "sd"


def load(config: Any, steps: int) -> Loaded:
    """Any accepted config form -> Loaded for `steps` steps (a sigma list keeps its own length)."""
    if isinstance(config, dict) or (isinstance(config, str) and config.lstrip().startswith("{")):
        c = read_config(config)
        r = build_schedule(c.family, steps, c.overrides)
        return Loaded(r, c.label, c.notes + tuple(r.flow.notes if r.flow is not None else ()), c.pipeline)
    r = resolve(config, steps)
    name = config.strip()[:80] if isinstance(config, str) else r.name
    return Loaded(r, name, tuple(r.flow.notes if r.flow is not None else ()), pipeline_of(r))


def resolve(config: Any, steps: int) -> ScheduleResult:
    """Any accepted config form -> ScheduleResult for `steps` steps (a sigma list keeps its own length)."""
    if isinstance(config, ScheduleResult):
        return config
    if isinstance(config, dict) or (isinstance(config, str) and config.lstrip().startswith("{")):
        c = read_config(config)
        return build_schedule(c.family, steps, c.overrides)
    if isinstance(config, str) and config.strip().startswith("sigmas:"):
        sig = sigma_list(config.strip()[len("sigmas:") :])
        return ScheduleResult("sigmas", {}, sig, None, None)
    if not isinstance(config, str):
        raise InputError("a schedule config is a name like sd3:shift=2, sigmas:80,10,1,0 or a diffusers config")
    name, over = parse_spec(config)
    if S.FAMILIES.get(name) is not None and S.FAMILIES[name].kind == "tight":
        raise InputError(f"{name} needs an image; inspect it from the Schedules tab or `difflab schedule --image`")
    return build_schedule(name, steps, over)


# ---------------------------------------------------------------------------------------------
# The table


def times(r: ScheduleResult) -> np.ndarray:
    """The family's own time t per sigma point. [N + 1]"""
    n = len(r.sigmas) - 1
    if r.flow is not None:
        return r.flow.t.numpy()
    if r.timesteps is not None:
        T = len(r.alphas_cumprod)
        return np.concatenate([np.asarray(r.timesteps, dtype=np.float64) / T, [0.0]])
    if r.name == "sigmas":
        return t_from_ve_sigma(r.sigmas).numpy()
    return np.concatenate([np.linspace(1, 0, n) if n > 1 else np.ones(1), [0.0]])


@dataclass(frozen=True)
class Table:
    step: np.ndarray  # [N + 1] 0..N
    timestep: np.ndarray  # [N + 1] diffusers timestep (nan where none; last row nan)
    t: np.ndarray  # [N + 1]
    sigma: np.ndarray  # [N + 1] VE
    lam: np.ndarray  # [N + 1] logSNR (+inf at sigma = 0)
    alpha: np.ndarray  # [N + 1] VP alpha = sqrt(sigmoid(lam))
    dsigma: np.ndarray  # [N + 1] sigma_{i+1} - sigma_i (nan on the last row)

    def rows(self) -> list[dict[str, float | None]]:
        keys = ("step", "timestep", "t", "sigma", "lam", "alpha", "dsigma")
        return [{k: _num(getattr(self, k)[i]) for k in keys} for i in range(len(self.step))]


def _num(v: float) -> float | int | None:
    v = float(v)
    return None if math.isnan(v) else (int(v) if v.is_integer() and abs(v) < 1e15 else v)


def table(r: ScheduleResult) -> Table:
    """The exact per-point table of a schedule."""
    sig = r.sigmas.to(torch.float64).numpy()
    n = len(sig) - 1
    ts = np.full(n + 1, np.nan)
    if r.timesteps is not None:
        ts[:n] = np.asarray(r.timesteps, dtype=np.float64)
    with np.errstate(divide="ignore"):
        lam = -2 * np.log(sig)
    alpha = 1 / np.sqrt(1 + sig**2)  # sqrt(sigmoid(lam)) = 1 / sqrt(1 + sigma^2)
    return Table(np.arange(n + 1), ts, times(r), sig, lam, alpha, np.append(np.diff(sig), np.nan))


def crossing_step(r: ScheduleResult, sigma: float) -> dict[str, Any]:
    """First step whose VE sigma is <= `sigma` (the denoiser sees sigma_i at step i)."""
    sigma = check_range("crossing sigma", sigma, 0, None, lo_open=True)
    sig = r.sigmas.numpy()
    idx = np.nonzero(sig <= sigma)[0]
    i = int(idx[0])  # the last point is 0, so there is always one
    return {
        "sigma": sigma,
        "step": i,
        "sigma_at_step": float(sig[i]),
        "sigma_before": float(sig[i - 1]) if i > 0 else None,
        "steps_total": len(sig) - 1,
    }


IMG2IMG_RULES = {
    "sd": "SD/SDXL img2img: t_start = N − int(N·strength)",
    "flow": "SD3/Flux img2img: t_start = int(N − N·strength)",
}


def img2img_steps(r: ScheduleResult, strength: float, rule: str | None = None) -> dict[str, Any]:
    """diffusers img2img get_timesteps, by pipeline family (default: the schedule's own, `pipeline_of`):
    SD/SDXL t_start = N - min(int(N * strength), N); SD3/Flux t_start = int(N - min(N * strength, N)).
    Steps t_start.. run."""
    strength = check_range("strength", strength, 0, 1)
    rule = rule or pipeline_of(r)
    n = len(r.sigmas) - 1
    if rule == "sd":
        t_start = max(n - min(int(n * strength), n), 0)
    elif rule == "flow":
        t_start = int(max(n - min(n * strength, n), 0))
    else:
        raise InputError(f"unknown img2img rule {rule!r}; use sd or flow")
    sig = r.sigmas.numpy()
    return {
        "strength": strength,
        "rule": rule,
        "skipped": list(range(t_start)),
        "run": n - t_start,
        "start_sigma": float(sig[t_start]) if t_start < n else 0.0,
        "start_t": float(times(r)[t_start]),
    }
