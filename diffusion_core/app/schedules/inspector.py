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
from ...noise.scheduler_config import MAX_TEXT, read_config
from ...plotting import inspector as plots
from ...presets import from_query_lenient, to_query
from ...validation import InputError, check_int, check_range

MAX_ROWS = 120  # table rows shown (the JSON export has all)
STEPS_MAX = 1000  # the one bound on N: the view checks it, the slider stops there
LINK_PREFIX = "inspector."  # link keys, apart from the Schedules tab's own (both have `steps`)


@dataclass(frozen=True)
class InspectorView:
    """The inspector's settings (config texts are validated when resolved)."""

    config_a: str = "sd3"
    config_b: str = "flux"
    steps: int = 28
    crossing_sigma: float = 1.0
    strength: float = 0.6

    def __post_init__(self) -> None:
        check_int("steps", self.steps, 1, STEPS_MAX)
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
    la, lb = I.load(view.config_a, view.steps), I.load(view.config_b, view.steps)
    a, b = la.result, lb.result
    tb = I.table(a)
    cross = I.crossing_step(a, view.crossing_sigma)
    strength = I.img2img_steps(a, view.strength, la.pipeline)
    d = diff(a, b)
    d = {**d, "findings": d["findings"] + [f"B = {lb.label}"] + [f"B: {n}" for n in lb.notes]}
    summary = (
        f"**A** = {la.label}: {len(tb.step) - 1} steps, σ from {tb.sigma[0]:.5g} to "
        f"{tb.sigma[-2]:.5g} then {tb.sigma[-1]:.5g}. σ first drops to ≤ {view.crossing_sigma:g} at **step "
        f"{cross['step']}** (σ = {cross['sigma_at_step']:.5g}). img2img strength {view.strength:g} skips "
        f"**{len(strength['skipped'])}** steps and runs {strength['run']}, starting at σ = "
        f"{strength['start_sigma']:.5g} (t = {strength['start_t']:.4g}; diffusers' "
        f"{I.IMG2IMG_RULES[strength['rule']]})."
    )
    if a.flow is not None:
        summary += " Flow schedule: t = 1 is shown as σ = 2²⁴ − 1 (its VE σ is infinite)." + (
            f" μ = {a.flow.mu:.4g}." if a.flow.mu is not None else ""
        )
    if la.notes:
        summary += "\n\n**What diffusers does here that you might not expect:**\n" + "\n".join(
            f"- {n}" for n in la.notes
        )
    fig = plots.diff_figure(
        tb.lam, I.table(b).lam, [r["step"] for r in d["rows"] if r["differs"]], d["first_divergence"]
    )
    numbers = {
        "a": a.to_json(),
        "b": b.to_json(),
        "label_a": la.label,
        "label_b": lb.label,
        "notes_a": list(la.notes),
        "notes_b": list(lb.notes),
        "crossing": cross,
        "img2img": strength,
        "diff": {k: v for k, v in d.items() if k != "rows"},
    }
    return InspectorResult(
        table_markdown(tb, cross["step"], strength["skipped"]), summary, diff_markdown(d), fig, numbers
    )


def inspector_query(view: InspectorView) -> str:
    """The link's query: the Schedules tab, the inspector's settings under `inspector.`."""
    return "tab=schedules&" + "&".join(f"{LINK_PREFIX}{part}" for part in to_query(view).split("&") if part)


def view_from_link(params: dict[str, str]) -> tuple[InspectorView, list[str]]:
    """A link's query (a dict) -> (the inspector view, problems): keys under `inspector.` only; a value that
    does not validate stays at its default with one problem each (the Schedules tab's own keys are not ours)."""
    if params.get("tab") != "schedules":
        return InspectorView(), []
    mine = {k[len(LINK_PREFIX) :]: v for k, v in params.items() if k.startswith(LINK_PREFIX)}
    return from_query_lenient(mine, InspectorView)


def read_config_upload(path: str | None) -> str:
    """An uploaded scheduler_config.json -> its text (validated: class name, keys); one-line errors."""
    if not path:
        raise InputError("no file: upload a diffusers scheduler_config.json")
    if os.path.getsize(path) > MAX_TEXT:
        raise InputError(f"the uploaded file is larger than {MAX_TEXT} bytes; a scheduler_config.json is small")
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    read_config(text)  # validate now, so the error names the upload
    return text
