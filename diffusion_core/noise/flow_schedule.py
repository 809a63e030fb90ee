"""`FlowMatchEulerDiscreteScheduler.set_timesteps`, written out: options, validation, the N + 1 flow
times (diffusers' `sigmas`), the timesteps, and notes that name diffusers' surprising behaviour.

Options are the scheduler's config names plus set_timesteps' `mu`, `sigmas` (custom t values; "flux"
= FluxPipeline's default np.linspace(1, 1/N, N)) and `image_seq_len` (mu from FluxPipeline's
`calculate_shift`). Arithmetic follows diffusers step by step, in float32 where diffusers is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..validation import InputError, check_bool, check_choice, check_int, check_range
from . import flow as F

Tensor = torch.Tensor

# ---------------------------------------------------------------------------------------------
# Options: parse (strings from --set or JSON values) and validate


def _parse_sigmas(value: Any) -> list[float] | str | None:
    """None, "flux", or a list of floats (JSON list or comma-separated text)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        return None
    if isinstance(value, str) and value.strip().lower() == "flux":
        return "flux"
    items = value if isinstance(value, (list, tuple)) else str(value).strip().strip("[]").replace(";", ",").split(",")
    try:
        out = [float(v) for v in items]
    except (TypeError, ValueError):
        raise InputError(f"sigmas must be 'flux' or a list of t values separated by , or ;, got {value!r}") from None
    if not all(0 < v <= 1 for v in out) or any(b >= a for a, b in zip(out, out[1:])):
        raise InputError("custom sigmas must be flow times in (0, 1], strictly descending, e.g. 1,0.75,0.5,0.25")
    return out


def parse_option(key: str, value: Any) -> Any:
    """One option from text or JSON to its type; None-able options accept 'none'."""
    if key == "sigmas":
        return _parse_sigmas(value)
    if key == "time_shift_type":
        return check_choice("time_shift_type", str(value), ("exponential", "linear"))
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")):
        if key in ("shift_terminal", "mu", "image_seq_len"):
            return None
        raise InputError(f"{key} needs a value")
    if key in F.BOOL_KEYS:
        return check_bool(key, value)
    if key in F.INT_KEYS:
        return check_int(key, value)
    return check_range(key, value)


def flow_params(defaults: dict[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """defaults updated by overrides (unknown keys rejected with the valid names), then validated."""
    p, overrides = dict(defaults), dict(overrides or {})
    if "mu" in overrides and "image_seq_len" not in overrides:
        p["image_seq_len"] = None  # a family's default token count yields to mu
    if not check_bool("use_dynamic_shifting", overrides.get("use_dynamic_shifting", True)):
        p["mu"] = p["image_seq_len"] = None  # and both yield to dynamic shifting off
    for key, value in overrides.items():
        if key not in p:
            raise InputError(f"unknown flow-match option {key!r}; valid: {', '.join(p)}")
        p[key] = parse_option(key, value)
    validate_flow(p)
    return p


def validate_flow(p: dict[str, Any]) -> None:
    """The checks diffusers makes (some only at run time, some never) as one-line messages."""
    check_int("num_train_timesteps", p["num_train_timesteps"], 2, 100_000)
    check_range("shift", p["shift"], 0, 1e6, lo_open=True)
    check_int("base_image_seq_len", p["base_image_seq_len"], 1, 10**9)
    check_int("max_image_seq_len", p["max_image_seq_len"], p["base_image_seq_len"] + 1, 10**9)
    check_range("base_shift", p["base_shift"], -50, 50)
    check_range("max_shift", p["max_shift"], -50, 50)
    if p["shift_terminal"] is not None and p["shift_terminal"] != 0:
        check_range("shift_terminal", p["shift_terminal"], 0, 1, lo_open=True, hi_open=True)
    if sum(bool(p[k]) for k in ("use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas")) > 1:
        raise InputError("use only one of use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas")
    dyn = p["use_dynamic_shifting"]
    if not dyn and (p["mu"] is not None or p["image_seq_len"] is not None):
        raise InputError(
            "mu / image_seq_len only act with use_dynamic_shifting=true (diffusers ignores them "
            "otherwise): set use_dynamic_shifting=true or drop them"
        )
    if dyn and p["mu"] is not None and p["image_seq_len"] is not None:
        raise InputError("give mu or image_seq_len, not both (image_seq_len sets mu by calculate_shift)")
    if dyn and p["mu"] is None and p["image_seq_len"] is None:
        raise InputError("use_dynamic_shifting=true needs mu (e.g. mu=0.8) or image_seq_len (e.g. 4096)")
    if p["image_seq_len"] is not None:
        check_int("image_seq_len", p["image_seq_len"], 1, 10**9)
    if dyn and p["time_shift_type"] == "linear" and resolve_mu(p) <= 0:
        raise InputError(f"linear time shift needs mu > 0 (t' = mu / (mu + 1/t - 1)), got mu = {resolve_mu(p):.4g}")
    if dyn and p["time_shift_type"] == "exponential" and abs(resolve_mu(p)) > 50:
        raise InputError(f"mu = {resolve_mu(p):.4g} is out of range: |mu| <= 50 (e^mu is the shift)")


def resolve_mu(p: dict[str, Any]) -> float | None:
    """mu as given, or from image_seq_len by FluxPipeline's calculate_shift; None without dynamic shifting."""
    if not p["use_dynamic_shifting"]:
        return None
    if p["mu"] is not None:
        return float(p["mu"])
    return F.calculate_shift(
        p["image_seq_len"], p["base_image_seq_len"], p["max_image_seq_len"], p["base_shift"], p["max_shift"]
    )


def effective_shift(p: dict[str, Any]) -> float:
    """The SD3-equivalent shift s of the config: shift, e^mu (exponential) or mu (linear)."""
    mu = resolve_mu(p)
    if mu is None:
        return float(p["shift"])
    return float(np.exp(mu)) if p["time_shift_type"] == "exponential" else mu


# ---------------------------------------------------------------------------------------------
# set_timesteps


@dataclass(frozen=True)
class FlowSchedule:
    flow_sigmas: np.ndarray  # [N + 1] float32, diffusers' scheduler.sigmas (last 0, or 1 if inverted)
    timesteps: np.ndarray  # [N] float32, diffusers' scheduler.timesteps
    t: Tensor  # [N + 1] float64 noise time (1 - flow_sigmas when inverted)
    mu: float | None
    notes: list[str] = field(default_factory=list)

    @property
    def ve_sigmas(self) -> Tensor:
        """[N + 1] VE sigma = t / (1 - t), t = 1 -> SIGMA_T1, last 0."""
        return F.ve_sigma_from_t(self.t)


def _init_grid(p: dict[str, Any]) -> tuple[float, float]:
    """(sigma_max, sigma_min) of the scheduler's __init__ grid: (shifted unless dynamic) i/T, float32."""
    T = p["num_train_timesteps"]
    s = torch.from_numpy(np.linspace(1, T, T, dtype=np.float32)[::-1].copy()).to(torch.float32) / T
    if not p["use_dynamic_shifting"]:
        s = F.shift_sd3(s, p["shift"])
    return s[0].item(), s[-1].item()


def _spaced(s: np.ndarray, p: dict[str, Any], n: int) -> np.ndarray:
    if p["use_karras_sigmas"]:
        return F.karras_ramp(s[0].item(), s[-1].item(), n)
    if p["use_exponential_sigmas"]:
        return F.exponential_ramp(s[0].item(), s[-1].item(), n)
    if p["use_beta_sigmas"]:
        return F.beta_ramp(s[0].item(), s[-1].item(), n)
    return s


def flow_set_timesteps(n: int, p: dict[str, Any]) -> FlowSchedule:
    """diffusers: FlowMatchEulerDiscreteScheduler(**config).set_timesteps(n, mu=mu, sigmas=sigmas)."""
    n = check_int("steps", n, 1, 10_000)
    if p["shift_terminal"] and n == 1:
        raise InputError(
            "shift_terminal needs N >= 2 steps: with N = 1 the only t is 1 and the stretch "
            "divides by 1 - 1 = 0 (diffusers returns NaN, diffusers #14411)"
        )
    T, mu = p["num_train_timesteps"], resolve_mu(p)
    t_max, t_min = _init_grid(p)
    custom = p["sigmas"]
    if custom == "flux":
        custom = list(np.linspace(1.0, 1 / n, n))
    if custom is None:
        s = np.linspace(t_max * T, t_min * T, n) / T
    else:
        if len(custom) != n:
            raise InputError(f"custom sigmas has {len(custom)} values but steps = {n}: give one t per step")
        s = np.array(custom).astype(np.float32)
    s0 = s.copy()
    if mu is not None:
        shift_fn = F.time_shift_exponential if p["time_shift_type"] == "exponential" else F.time_shift_linear
        s = shift_fn(mu, 1.0, s)
    else:
        s = F.shift_sd3(s, p["shift"])
    if p["shift_terminal"]:
        s = F.stretch_shift_to_terminal(s, p["shift_terminal"])
    s = torch.from_numpy(_spaced(s, p, n)).to(torch.float32)
    timesteps = s * T
    if p["invert_sigmas"]:
        s = 1.0 - s
        timesteps = s * T
        s = torch.cat([s, torch.ones(1)])
    else:
        s = torch.cat([s, torch.zeros(1)])
    flow = s.numpy()
    t = 1 - s.to(torch.float64) if p["invert_sigmas"] else s.to(torch.float64)
    return FlowSchedule(flow, timesteps.numpy(), t, mu, flow_notes(p, n, (t_max, t_min), s0, flow, mu))


# ---------------------------------------------------------------------------------------------
# What diffusers does that a reader would not expect, with this config's numbers


def flow_notes(
    p: dict[str, Any], n: int, grid: tuple[float, float], s0: np.ndarray, flow: np.ndarray, mu: float | None
) -> list[str]:
    """One sentence per surprising behaviour that applies to this config (empty when none does)."""
    notes, T, shift = [], p["num_train_timesteps"], p["shift"]
    custom = p["sigmas"] not in (None, "flux")  # FluxPipeline's linspace is meant to be shifted
    spaced = next((k for k in ("use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas") if p[k]), None)
    if mu is None and shift != 1 and not custom and spaced is None and n > 1:
        once = F.shift_sd3(1 / T, shift)
        notes.append(
            f"double shift: the default grid runs from 1 to shift(1/T) = {grid[1]:.5g} (already shifted "
            f"in `__init__`) and set_timesteps shifts it again, so the last nonzero t is "
            f"{float(flow[n - 1]):.5g}, not {once:.5g} (diffusers #13243)"
        )
    if custom and (mu is not None or shift != 1):
        how = f"time_shift(mu = {mu:.4g})" if mu is not None else f"shift = {shift:g}"
        notes.append(
            f"custom sigmas are shifted too ({how}): t[0..2] = {_fmt(s0[:3])} become "
            f"{_fmt(flow[:3])}; pass pre-shifted values with shift = 1 to run them as given "
            "(diffusers #14013, #14461)"
        )
    if mu is not None and shift != 1:
        notes.append(
            f"shift = {shift:g} is ignored: with use_dynamic_shifting the shift is "
            f"{'e^mu' if p['time_shift_type'] == 'exponential' else 'mu'} = {effective_shift(p):.4g}"
        )
    if p["use_dynamic_shifting"] and p["image_seq_len"] is not None and p["image_seq_len"] > p["max_image_seq_len"]:
        notes.append(
            f"image_seq_len = {p['image_seq_len']} > max_image_seq_len = {p['max_image_seq_len']}: "
            f"calculate_shift extrapolates linearly, mu = {mu:.4g} (shift e^mu = {np.exp(mu):.4g}), "
            "unbounded as resolution grows (LTX-2 #291)"
        )
    if spaced is not None:
        notes.append(
            f"{spaced} spaces the flow time t itself (rho = 7 for Karras), between the already shifted "
            f"endpoints {float(flow[0]):.5g} and {float(flow[n - 1]):.5g}, not VE sigma; timesteps follow t * T"
        )
    if p["invert_sigmas"]:
        notes.append(
            "invert_sigmas: diffusers returns 1 - t and appends 1 (data at 1); the VE sigmas here use "
            "the noise level t = 1 - flow_sigmas"
        )
    return notes


def _fmt(a: np.ndarray) -> str:
    return "[" + ", ".join(f"{float(v):.4g}" for v in a) + "]"
