"""Schedule inspector handlers (Schedules tab): exactly what a config yields, and where two configs diverge.

Plain functions, no gradio. A config is typed text: a family with options (`sd3:shift=2`), a sigma list
(`sigmas:80,10,1,0.1,0`) or a pasted diffusers scheduler_config.json; an uploaded config file is read
here (<= 100 kB) and returned as text for the box.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from ...noise import inspector as I
from ...noise.schedule_diff import diff
from ...noise.scheduler_config import MAX_TEXT, from_diffusers_config
from ...plotting import inspector as plots
from ...validation import InputError, check_int, check_range

MAX_ROWS = 120  # table rows shown (the JSON export has all)


@dataclass(frozen=True)
class InspectorView:
    """The inspector's settings (config texts are validated when resolved)."""

    config_a: str = "sd3"
    config_b: str = "flux"
    steps: int = 28
    crossing_sigma: float = 1.0
    strength: float = 0.6

    def __post_init__(self) -> None:
        check_int("steps", self.steps, 1, 1000)
        check_range("crossing sigma", self.crossing_sigma, 0, 1e9, lo_open=True)
        check_range("strength", self.strength, 0, 1)
        for name, text in (("config A", self.config_a), ("config B", self.config_b)):
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"{name} is empty: type a schedule like sd3:shift=3 or paste a scheduler_config.json")
            if len(text) > MAX_TEXT:
                raise InputError(f"{name} is longer than {MAX_TEXT} characters")


@dataclass
class InspectorResult:
    table: str  # markdown: A's exact table with crossing / strength marks
    summary: str  # markdown: crossing step, img2img, notes
    diff: str  # markdown: findings + the diverging rows
    figure: object  # plotly: lam per step of A and B, divergence marked
    numbers: dict[str, Any]


def _v(x: float | None, fmt: str = ".6g") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def table_markdown(tb: I.Table, cross: int, skipped: list[int]) -> str:
    """Rows step | timestep | t | σ | λ | α | Δσ; ▶ marks the crossing step, ✂ the img2img-skipped steps."""
    head = [
        "**A, exact** (▶ first σ ≤ σ*, ✂ skipped by img2img strength)",
        "",
        "| step | timestep | t | σ (VE) | λ | α (VP) | Δσ | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = tb.rows()
    keep = rows if len(rows) <= MAX_ROWS else rows[: MAX_ROWS // 2] + rows[-MAX_ROWS // 2 :]
    for r in keep:
        mark = ("▶ σ*" if r["step"] == cross else "") + (" ✂ skipped" if r["step"] in skipped else "")
        head.append(
            f"| {r['step']} | {_v(r['timestep'], '.2f')} | {_v(r['t'], '.5g')} | {_v(r['sigma'], '.5g')} | "
            f"{_v(r['lam'], '.4g')} | {_v(r['alpha'], '.4g')} | {_v(r['dsigma'], '.4g')} | {mark} |"
        )
    return "\n".join(head)


def diff_markdown(d: dict[str, Any]) -> str:
    """Findings, then only the rows that differ (bold), at most 40."""
    lines = ["**A vs B.** " + " · ".join(d["findings"])]
    bad = [r for r in d["rows"] if r["differs"]]
    if bad:
        lines += ["", "| step | σ_A | σ_B | λ_A | λ_B | Δλ | ts A | ts B |", "|---|---|---|---|---|---|---|---|"]
        for r in bad[:40]:
            lines.append(
                f"| **{r['step']}** | {_v(r['sigma_a'], '.5g')} | {_v(r['sigma_b'], '.5g')} | "
                f"{_v(r['lam_a'], '.4g')} | {_v(r['lam_b'], '.4g')} | **{_v(r['dlam'], '+.3g')}** | "
                f"{_v(r['timestep_a'], '.2f')} | {_v(r['timestep_b'], '.2f')} |"
            )
        if len(bad) > 40:
            lines.append(f"\n… {len(bad) - 40} more differing rows in the JSON export.")
    return "\n".join(lines)


def inspect_view(view: InspectorView) -> InspectorResult:
    """The inspector's main computation (api_name `schedule_inspect`)."""
    a, b = I.resolve(view.config_a, view.steps), I.resolve(view.config_b, view.steps)
    tb = I.table(a)
    cross = I.crossing_step(a, view.crossing_sigma)
    strength = I.img2img_steps(a, view.strength)
    d = diff(a, b)
    notes = a.flow.notes if a.flow is not None else []
    if b.flow is not None and b.flow.notes:
        d = {**d, "findings": d["findings"] + [f"B: {n}" for n in b.flow.notes]}
    summary = (
        f"**A** = `{view.config_a.strip()[:80]}`: {len(tb.step) - 1} steps, σ from {tb.sigma[0]:.5g} to "
        f"{tb.sigma[-2]:.5g} then {tb.sigma[-1]:.5g}. σ first drops to ≤ {view.crossing_sigma:g} at **step "
        f"{cross['step']}** (σ = {cross['sigma_at_step']:.5g}). img2img strength {view.strength:g} skips "
        f"**{len(strength['skipped'])}** steps and runs {strength['run']}, starting at σ = "
        f"{strength['start_sigma']:.5g} (t = {strength['start_t']:.4g}; diffusers' get_timesteps: "
        f"t_start = int(N − N·strength))."
    )
    if a.flow is not None:
        summary += " Flow schedule: t = 1 is shown as σ = 2²⁴ − 1 (its VE σ is infinite)." + (
            f" μ = {a.flow.mu:.4g}." if a.flow.mu is not None else ""
        )
    if notes:
        summary += "\n\n**What diffusers does here that you might not expect:**\n" + "\n".join(f"- {n}" for n in notes)
    fig = plots.diff_figure(
        tb.lam, I.table(b).lam, [r["step"] for r in d["rows"] if r["differs"]], d["first_divergence"]
    )
    numbers = {
        "a": a.to_json(),
        "b": b.to_json(),
        "crossing": cross,
        "img2img": strength,
        "diff": {k: v for k, v in d.items() if k != "rows"},
    }
    return InspectorResult(
        table_markdown(tb, cross["step"], strength["skipped"]), summary, diff_markdown(d), fig, numbers
    )


def read_config_upload(path: str | None) -> str:
    """An uploaded scheduler_config.json -> its text (validated: class name, keys); one-line errors."""
    if not path:
        raise InputError("no file: upload a diffusers scheduler_config.json")
    if os.path.getsize(path) > MAX_TEXT:
        raise InputError(f"the uploaded file is larger than {MAX_TEXT} bytes; a scheduler_config.json is small")
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    from_diffusers_config(text)  # validate now, so the error names the upload
    return text
