"""A diffusers `scheduler_config.json` (pasted text, an upload or a dict) -> a schedule family + options.

Supported classes: FlowMatchEulerDiscreteScheduler (every option) and EulerDiscreteScheduler (the
beta schedules the project reproduces). Unknown keys, a wrong class name, and options the project does
not model set to a non-default value are one-line errors that say what to change.
"""

from __future__ import annotations

import json
from typing import Any

from ..validation import InputError
from .flow import SCHEDULER_DEFAULTS as FLOW_KEYS

META = ("_class_name", "_diffusers_version", "_name_or_path", "_use_default_values", "_set_timesteps")
EULER_MODELLED = (
    "num_train_timesteps",
    "beta_start",
    "beta_end",
    "beta_schedule",
    "timestep_spacing",
    "steps_offset",
    "rescale_betas_zero_snr",
    "final_sigmas_type",
    "use_karras_sigmas",
)
EULER_NEUTRAL: dict[str, Any] = {
    "trained_betas": None,
    "prediction_type": None,
    "interpolation_type": "linear",
    "use_exponential_sigmas": False,
    "use_beta_sigmas": False,
    "sigma_min": None,
    "sigma_max": None,
    "timestep_type": "discrete",
    "clip_sample": None,
}
BETA_FAMILY = {"linear": "ddpm-linear", "scaled_linear": "scaled-linear", "squaredcos_cap_v2": "cosine"}
CLASSES = ("FlowMatchEulerDiscreteScheduler", "EulerDiscreteScheduler")
MAX_TEXT = 100_000


def load_config_text(text: str) -> dict[str, Any]:
    """JSON text -> dict (one-line errors for empty, huge, invalid or non-object input)."""
    if not text or not text.strip():
        raise InputError("the scheduler config is empty: paste a diffusers scheduler_config.json")
    if len(text) > MAX_TEXT:
        raise InputError(f"the scheduler config is {len(text)} characters; a scheduler_config.json is < {MAX_TEXT}")
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            f"the scheduler config is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})"
        ) from None
    if not isinstance(cfg, dict):
        raise InputError("the scheduler config must be a JSON object {...}, as in scheduler_config.json")
    return cfg


def from_diffusers_config(cfg: dict[str, Any] | str) -> tuple[str, dict[str, Any]]:
    """(family name, overrides) that reproduce `cfg`; set_timesteps arguments come from `_set_timesteps`."""
    cfg = load_config_text(cfg) if isinstance(cfg, str) else dict(cfg)
    cls = cfg.get("_class_name")
    if cls not in CLASSES:
        raise InputError(f"_class_name {cls!r} is not supported; use {' or '.join(CLASSES)}")
    keys = {k: v for k, v in cfg.items() if k not in META}
    call = cfg.get("_set_timesteps") or {}
    if not isinstance(call, dict):
        raise InputError('_set_timesteps must be an object like {"mu": 0.8}')
    if cls == "FlowMatchEulerDiscreteScheduler":
        unknown = sorted(set(keys) - set(FLOW_KEYS))
        if unknown:
            raise InputError(f"unknown key(s) {', '.join(unknown)} for {cls}; valid: {', '.join(FLOW_KEYS)}")
        extra = {k: v for k, v in call.items() if k in ("mu", "sigmas", "image_seq_len")}
        bad = sorted(set(call) - {"mu", "sigmas", "image_seq_len", "num_inference_steps"})
        if bad:
            raise InputError(f"unknown _set_timesteps argument(s) {', '.join(bad)}; use mu, sigmas or image_seq_len")
        return "flow-match", {**keys, **extra}
    return _euler(keys)


def _euler(keys: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    unknown = sorted(set(keys) - set(EULER_MODELLED) - set(EULER_NEUTRAL))
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(unknown)} for EulerDiscreteScheduler; valid: "
            f"{', '.join(EULER_MODELLED + tuple(EULER_NEUTRAL))}"
        )
    for k, neutral in EULER_NEUTRAL.items():
        if k in keys and keys[k] != neutral and not (k == "prediction_type"):
            raise InputError(f"{k} = {keys[k]!r} is not modelled here; remove it or set it to {json.dumps(neutral)}")
    beta = keys.get("beta_schedule", "linear")
    if beta not in BETA_FAMILY:
        raise InputError(f"beta_schedule {beta!r} is not supported; use {', '.join(BETA_FAMILY)}")
    name = BETA_FAMILY[beta]
    over = {k: v for k, v in keys.items() if k in EULER_MODELLED and k != "beta_schedule"}
    if name == "cosine":
        over.pop("beta_start", None)
        over.pop("beta_end", None)
    return name, over
