"""A diffusers `scheduler_config.json` (pasted text, an upload or a dict) -> a schedule family + options.

Supported classes: FlowMatchEulerDiscreteScheduler (every option), EulerDiscreteScheduler (the beta
schedules the project reproduces) and PNDMScheduler with skip_prk_steps (Stable Diffusion 1.x: its
model sees Euler's leading/trailing timesteps and steps on to sigma_min when set_alpha_to_one is false).
As diffusers' `from_config` does, keys that are not options of the class are ignored (and listed in the
notes, a likely typo named); options the project does not model, set to a non-default value, and a
wrong class name are one-line errors that say what to change.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
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
}
PNDM_MODELLED = ("num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "timestep_spacing", "steps_offset")
PNDM_OTHER = ("trained_betas", "skip_prk_steps", "set_alpha_to_one", "prediction_type")
# Each class's __init__ parameters (diffusers 0.42.1; tests compare them with the installed diffusers).
INIT_KEYS: dict[str, tuple[str, ...]] = {
    "FlowMatchEulerDiscreteScheduler": tuple(FLOW_KEYS),
    "EulerDiscreteScheduler": EULER_MODELLED + tuple(EULER_NEUTRAL),
    "PNDMScheduler": PNDM_MODELLED + PNDM_OTHER,
}
BETA_FAMILY = {"linear": "ddpm-linear", "scaled_linear": "scaled-linear", "squaredcos_cap_v2": "cosine"}
CLASSES = tuple(INIT_KEYS)
MAX_TEXT = 100_000
SEQ_HINT = (
    'add "_set_timesteps": {"image_seq_len": 4096} (the pipeline\'s token count: a 1024² image is 4096) '
    'or "_set_timesteps": {"mu": 1.15} to the JSON; in a spec: flux:image_seq_len=4096 or flow-match:...,mu=1.15'
)


@dataclass(frozen=True)
class DiffusersConfig:
    """What a scheduler_config means here: the family and options that reproduce it, the keys diffusers
    ignores, the img2img rule of its pipeline family ("sd": SD/SDXL, "flow": SD3/Flux), notes and a name."""

    cls: str
    family: str
    overrides: dict[str, Any]
    ignored: tuple[str, ...]
    pipeline: str
    notes: tuple[str, ...]
    label: str


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
    c = read_config(cfg)
    return c.family, c.overrides


def _ignored_note(cls: str, ignored: list[str]) -> str:
    guesses = [f"{k} (did you mean {m[0]}?)" for k in ignored if (m := difflib.get_close_matches(k, INIT_KEYS[cls], 1))]
    return f"diffusers' from_config ignores {', '.join(ignored)} for {cls}: not options of that class" + (
        f"; a typo? {', '.join(guesses)}" if guesses else ""
    )


def read_config(cfg: dict[str, Any] | str) -> DiffusersConfig:
    """A scheduler_config (dict or JSON text) -> DiffusersConfig (one-line InputError on what it cannot model)."""
    cfg = load_config_text(cfg) if isinstance(cfg, str) else dict(cfg)
    cls = cfg.get("_class_name")
    if cls not in CLASSES:
        raise InputError(f"_class_name {cls!r} is not supported; use {', '.join(CLASSES)}")
    keys = {k: v for k, v in cfg.items() if k not in META and not str(k).startswith("_")}
    ignored = sorted(set(keys) - set(INIT_KEYS[cls]))
    keys = {k: v for k, v in keys.items() if k not in ignored}
    notes = [_ignored_note(cls, ignored)] if ignored else []
    call = cfg.get("_set_timesteps") or {}
    if not isinstance(call, dict):
        raise InputError('_set_timesteps must be an object like {"mu": 0.8}')
    if cls == "FlowMatchEulerDiscreteScheduler":
        extra = {k: v for k, v in call.items() if k in ("mu", "sigmas", "image_seq_len")}
        bad = sorted(set(call) - {"mu", "sigmas", "image_seq_len", "num_inference_steps"})
        if bad:
            raise InputError(f"unknown _set_timesteps argument(s) {', '.join(bad)}; use mu, sigmas or image_seq_len")
        if keys.get("use_dynamic_shifting") and "mu" not in extra and "image_seq_len" not in extra:
            raise InputError(
                f"{cls} with use_dynamic_shifting=true takes mu when the pipeline calls set_timesteps, "
                f"not from the config file: {SEQ_HINT}"
            )
        family, over, pipeline = "flow-match", {**keys, **extra}, "flow"
    elif cls == "PNDMScheduler":
        family, over = _pndm(keys, notes)
        pipeline = "sd"
    else:
        family, over = _euler(keys)
        pipeline = "sd"
    return DiffusersConfig(cls, family, over, tuple(ignored), pipeline, tuple(notes), label(cls, keys, extra=call))


def _beta_family(keys: dict[str, Any]) -> str:
    beta = keys.get("beta_schedule", "linear")
    if beta not in BETA_FAMILY:
        raise InputError(f"beta_schedule {beta!r} is not supported; use {', '.join(BETA_FAMILY)}")
    return BETA_FAMILY[beta]


def _modelled(name: str, keys: dict[str, Any], modelled: tuple[str, ...]) -> dict[str, Any]:
    over = {k: v for k, v in keys.items() if k in modelled and k != "beta_schedule"}
    if name == "cosine":
        over.pop("beta_start", None)
        over.pop("beta_end", None)
    return over


def _euler(keys: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    for k, neutral in EULER_NEUTRAL.items():
        if k in keys and keys[k] != neutral and k != "prediction_type":
            raise InputError(f"{k} = {keys[k]!r} is not modelled here; remove it or set it to {json.dumps(neutral)}")
    name = _beta_family(keys)
    return name, _modelled(name, keys, EULER_MODELLED)


def _pndm(keys: dict[str, Any], notes: list[str]) -> tuple[str, dict[str, Any]]:
    """PNDM with skip_prk_steps (PLMS): Euler's leading/trailing timesteps, final sigma by set_alpha_to_one."""
    if keys.get("trained_betas") is not None:
        raise InputError("trained_betas is not modelled here; remove it or set it to null")
    if not keys.get("skip_prk_steps", False):
        raise InputError(
            "PNDMScheduler without skip_prk_steps (Runge-Kutta warm-up at half steps) is not modelled; "
            "set skip_prk_steps to true, as Stable Diffusion 1.x's config does"
        )
    spacing = keys.get("timestep_spacing", "leading")
    if spacing not in ("leading", "trailing"):
        raise InputError(
            f"PNDMScheduler timestep_spacing {spacing!r} (it rounds linspace timesteps, Euler does not) is not "
            "modelled; use leading or trailing"
        )
    name = _beta_family(keys)
    over = _modelled(name, keys, PNDM_MODELLED)
    over["timestep_spacing"] = spacing
    over["final_sigmas_type"] = "zero" if keys.get("set_alpha_to_one", False) else "sigma_min"
    notes.append(
        "PNDMScheduler (PLMS, skip_prk_steps) evaluates the model at these N timesteps and at the second one "
        "twice (its warm-up), N + 1 calls in all; its last step ends at "
        + (
            "alpha = 1 (σ = 0)"
            if over["final_sigmas_type"] == "zero"
            else "the first training σ (set_alpha_to_one=false)"
        )
    )
    return name, over


def label(cls: str, keys: dict[str, Any], extra: dict[str, Any] | None = None) -> str:
    """The config's name: its class and the settings that shape the schedule."""
    parts: list[str] = []
    if cls == "FlowMatchEulerDiscreteScheduler":
        if keys.get("use_dynamic_shifting"):
            call = extra or {}
            how = f"μ = {call['mu']}" if "mu" in call else f"image_seq_len {call.get('image_seq_len', '?')}"
            parts.append(f"dynamic shifting, {how}")
        else:
            parts.append(f"shift {keys.get('shift', 1.0):g}")
        for k in ("shift_terminal", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "invert_sigmas"):
            if keys.get(k):
                parts.append(k if keys[k] is True else f"{k} {keys[k]}")
    else:
        beta = keys.get("beta_schedule", "linear")
        rng = (
            ""
            if beta == "squaredcos_cap_v2"
            else f" β {keys.get('beta_start', 0.0001):g}–{keys.get('beta_end', 0.02):g}"
        )
        spacing = keys.get("timestep_spacing", "leading" if cls == "PNDMScheduler" else "linspace")
        parts += [f"{beta}{rng}", f"{spacing} spacing", f"steps_offset {keys.get('steps_offset', 0)}"]
        for k in ("use_karras_sigmas", "rescale_betas_zero_snr"):
            if keys.get(k):
                parts.append(k)
        if keys.get("final_sigmas_type", "zero") != "zero":
            parts.append(f"final σ {keys['final_sigmas_type']}")
    return f"{cls} ({', '.join(parts)})"
