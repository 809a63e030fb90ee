"""Schedules tab, flow-matching overlay: the user's SD3 and Flux settings as diffusers'
FlowMatchEulerDiscreteScheduler options, and a legend label naming the values each curve used.

Plain functions (no gradio). `sd3` is the fixed shift (use_dynamic_shifting off); `flux` is the dynamic shift
(use_dynamic_shifting on) with μ typed or from image_seq_len by FluxPipeline's calculate_shift between
base_shift and max_shift; shift_terminal (0 = off) applies to both. `flow-match` stays at diffusers' defaults.
"""

from __future__ import annotations

from typing import Any

from ...noise.flow_schedule import resolve_mu

FLOW_FAMILIES = ("sd3", "flux")


def flow_overrides(name: str, view: Any) -> dict[str, Any]:
    """The view's flow settings for family `name` under diffusers' option names ({} for other families)."""
    if name == "sd3":
        out: dict[str, Any] = {"shift": view.flow_shift}
    elif name == "flux":
        out = {"base_shift": view.flux_base_shift, "max_shift": view.flux_max_shift}
        out.update({"mu": view.flux_mu} if view.flux_mu_from == "mu" else {"image_seq_len": view.flux_image_seq_len})
    else:
        return {}
    if view.flow_shift_terminal:
        out["shift_terminal"] = view.flow_shift_terminal
    return out


def flow_label(name: str, params: dict[str, Any]) -> str:
    """'sd3 (shift 3)', 'flux (μ 1.15 from image_seq_len 4096, ...)': the options a flow curve used."""
    mu = resolve_mu(params)
    if mu is None:
        parts = [f"shift {params['shift']:g}"]
    elif params["mu"] is not None:
        parts = [f"μ {mu:.4g}"]
    else:
        parts = [
            f"μ {mu:.4g} from image_seq_len {params['image_seq_len']}, base_shift {params['base_shift']:g}, "
            f"max_shift {params['max_shift']:g}"
        ]
    if params["shift_terminal"]:
        parts.append(f"shift_terminal {params['shift_terminal']:g}")
    return f"{name} ({', '.join(parts)})"
