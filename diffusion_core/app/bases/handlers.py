"""Bases tab handlers (no gradio): basis, prior, component-wise schedule, forward/reverse process.

Main computations: `component_schedule` (api_name "component_schedule": schedule figures and the
live readouts) and `basis_forward` (api_name "basis_forward": basis images, variance spectrum and
the forward-process frames); `basis_reverse` runs the reverse process with an exact denoiser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ... import data
from ...animate import frames_to_gif, frames_to_mp4
from ...animate import upscale_nearest as upscale
from ...bases import basis_images
from ...exports import export_path, write_csv
from ...gud import active, overlap_fraction, threshold_a
from ...gud.extension import ExtensionView, extend
from ...gud.setup import BasesView, Setup, build
from ...gud.view import compute_table, forward_run, prior_images, reverse_run, schedule_columns
from ...plotting import bases as plots
from ...presets import load_preset
from ...validation import check_choice, check_int, check_range
from .view import make_view  # noqa: F401 (the tab's view, with its handlers)

MAX_LINES = 48


@dataclass
class ScheduleResult:
    gamma: object
    sigma: object
    snr: object
    windows: object
    plane: object
    explanation: str
    numbers: dict


@dataclass
class ProcessResult:
    frames: list  # uint8 [H, W, 3]: data image | component map
    captions: list[str]
    atoms: object | None = None
    variance: object | None = None
    samples: np.ndarray | None = None


def _shown(labels: torch.Tensor) -> np.ndarray:
    """Up to MAX_LINES component indices spread evenly over the label order."""
    order = torch.argsort(labels, stable=True)
    pick = torch.linspace(0, len(order) - 1, min(MAX_LINES, len(order))).round().long()
    return order[pick].numpy()


def _pair(setup: Setup, i: int, j: int) -> tuple[int, int, list[str]]:
    """The SNR plane's components: -1 (or an emptied box) is the first / last generated; an index past the
    last component is shown at the last one, and the returned notes say so."""
    lab = setup.schedule.labels
    d = lab.numel()
    out, notes = [], []
    for name, v, default in (("i", i, int(lab.argmin())), ("j", j, int(lab.argmax()))):
        v = check_int(f"component {name}", -1 if v is None else v, -1, None)
        if v >= d:
            notes.append(f"component {name} = {v} is past the last component: shown at {d - 1}")
            v = d - 1
        out.append(default if v < 0 else v)
    return out[0], out[1], notes


def explain(setup: Setup, view: BasesView, t: float, n_active: int, numbers: dict) -> str:
    s = setup.schedule
    thr = numbers["threshold_a"]
    regime = (
        "**a = 0: no hierarchy** — every component follows the same true-SNR path (simultaneous)."
        if view.a == 0 and view.kind == "soft"
        else "**autoregressive**: windows are disjoint, each label group is generated completely before the next starts."
        if numbers["overlap_fraction"] == 0
        else "**soft conditioning**: later components are generated while earlier ones are still partly noisy."
    )
    return "\n\n".join(
        [
            f"**{setup.basis.name}** basis, {s.labels.numel()} components, data model: {setup.model}; prior "
            f"exponent r = {view.r:g} ({'white prior S = I' if view.r == 0 else 'data-matched prior' if view.r == 1 else 'in between'}).",
            f"Schedule **{view.kind}** ordered by **{view.ordering if view.kind == 'soft' else 'column' if view.kind == 'level-column' else view.ordering}**: "
            f"γ_i(t) = γ_min,i + t·Δγ with slope Δγ = **{s.slope:.3g}**; band γ̃ ∈ [{s.band[0]:g}, {s.band[1]:g}] "
            f"(true log-SNR from {-s.band[0]:g} down to {-s.band[1]:g}).",
            f"At t = **{t:.2f}**, **{n_active}** of {s.labels.numel()} components are active (inside the band). "
            f"Fraction of time with two or more label groups active: **{numbers['overlap_fraction']:.3f}**. "
            f"Windows stop overlapping at a ≥ **{thr:.3g}** (a·Δl_min ≥ γ̃_noise − γ̃_denoise). {regime}",
        ]
    )


def component_schedule(
    view: BasesView, t: float = 0.5, i: int = -1, j: int = -1, uploads: list[str] | None = None
) -> ScheduleResult:
    """Schedule figures and live readouts (api_name `component_schedule`)."""
    t = check_range("t", t, 0.0, 1.0)
    setup = build(view, uploads)
    s = setup.schedule
    tab = compute_table(setup, 101)  # one table for the figures and the readouts
    ts = tab.times.numpy()
    idx = _shown(s.labels)
    lab = s.labels.numpy()
    g, snr = tab.gamma.numpy(), tab.true_logsnr.numpy()
    uniq, first = np.unique(np.round(lab, 9), return_index=True)
    pick = first[np.linspace(0, len(first) - 1, min(len(first), 64)).round().astype(int)]
    i, j, pair_notes = _pair(setup, i, j)
    n_active = int(active(s, t).sum())
    numbers = {
        "slope": tab.slope,
        "overlap_fraction": tab.overlap_fraction,
        "threshold_a": tab.threshold_a,
        "components": tab.components,
        "active_at_t": n_active,
        "t": t,
        "component_i": i,
        "component_j": j,
    }
    band = (-s.band[0], -s.band[1])
    return ScheduleResult(
        gamma=plots.curves_figure(
            ts, g[:, idx], lab[idx], "γ_i(t) = −process logSNR", "γ_i(t), coloured by label", None, t
        ),
        sigma=plots.curves_figure(
            ts, tab.sigma2.numpy()[:, idx], lab[idx], "σ_i²(t)", "σ_i²(t) (noise variance)", None, t
        ),
        snr=plots.curves_figure(
            ts, snr[:, idx], lab[idx], "true log SNR_i(t)", "true log-SNR_i(t) = log Σ_i − γ_i(t)", band, t
        ),
        windows=plots.windows_figure(
            tab.window_start.numpy()[pick],
            tab.window_end.numpy()[pick],
            lab[pick],
            t,
            "Active windows (band) per label",
        ),
        plane=plots.snr_plane_figure(
            snr[:, i],
            snr[:, j],
            (f"component {i}", f"component {j}"),
            s.band,
            "SNR plane: diagonal = standard diffusion, L = autoregressive",
        ),
        explanation="".join(f"**{n}.** " for n in pair_notes) + explain(setup, view, t, n_active, numbers),
        numbers=numbers,
    )


def schedule_readout(view: BasesView, t: float = 0.5, uploads: list[str] | None = None) -> str:
    """The explanation at readout time t alone: what a t move changes besides the figures' t markers
    (which the page moves itself)."""
    t = check_range("t", t, 0.0, 1.0)
    setup = build(view, uploads)
    s = setup.schedule
    numbers = {"slope": s.slope, "overlap_fraction": overlap_fraction(s), "threshold_a": threshold_a(s.labels, *s.band)}
    return explain(setup, view, t, int(active(s, t).sum()), numbers)


def _atoms(setup: Setup) -> object:
    lab = setup.schedule.labels
    order = torch.argsort(lab, stable=True)
    pick = order[torch.linspace(0, len(order) - 1, min(16, len(order))).round().long()]
    atoms = basis_images(setup.basis, pick).mean(1).numpy()  # [k, H, W] (channel mean)
    return plots.atoms_figure(
        atoms,
        [f"#{int(pick[0])}", "...", f"#{int(pick[-1])}"],
        f"Basis images of {setup.basis.name}, in generation order (first → last)",
    )


def _variance(setup: Setup) -> object:
    lab = setup.basis.labels()
    x = lab.get("frequency", torch.arange(setup.space.variances.numel(), dtype=torch.float64))
    name = "|k| (cycles/pixel)" if "frequency" in lab else "component index"
    return plots.variance_figure(
        x.numpy(), setup.space.variances.numpy(), setup.schedule.labels.numpy(), name, "Per-component data variance Σ_i"
    )


def basis_forward(
    view: BasesView, uploads: list[str] | None = None, progress: Callable[[float, str], None] | None = None
) -> ProcessResult:
    """Basis images, variance spectrum and the forward process frames (api_name `basis_forward`).
    progress(fraction, text) after each of its 4 stages (data + basis + schedule, frames, images, figures)."""
    tick = progress or (lambda frac, text: None)
    setup = build(view, uploads)
    tick(0.25, f"stage 1/4: data, {setup.basis.name} basis and schedule")
    res = forward_run(setup, view)
    tick(0.5, f"stage 2/4: {len(res['times'])} forward frames")
    frames = plots.process_frames(res["frames"].numpy(), res["maps"].numpy(), res["times"])
    caps = [f"forward t = {t:.2f}: {int(active(setup.schedule, t).sum())} active" for t in res["times"]]
    tick(0.75, "stage 3/4: frame images")
    out = ProcessResult(frames, caps, _atoms(setup), _variance(setup))
    tick(1.0, "stage 4/4: basis images and variance figures")
    return out


def basis_reverse(
    view: BasesView, uploads: list[str] | None = None, progress: Callable[[float, str], None] | None = None
) -> ProcessResult:
    """Reverse process (SDE or PF-ODE) with the exact denoiser; also 8 final samples as a strip.
    progress(fraction, text) after every step."""
    setup = build(view, uploads)
    tick = None if progress is None else lambda i, n: progress(i / n, f"reverse step {i}/{n} ({view.method})")
    res = reverse_run(setup, view, n=8, callback=tick)
    frames = plots.process_frames(res["frames"].numpy(), res["maps"].numpy(), res["times"])
    caps = [f"reverse t = {t:.2f} ({view.method}, {res['steps']} steps)" for t in res["times"]]
    strip = torch.cat(list(res["samples"].float().clamp(-1, 1)), dim=-1)[None]  # [1, C, H, 8W]
    return ProcessResult(frames, caps, samples=upscale(data.to_display(strip), 96))


def prior_strip(view: BasesView, n: int = 8, uploads: list[str] | None = None) -> np.ndarray:
    """n prior draws N(mean, U^T S^2 U) side by side (uint8)."""
    x = prior_images(build(view, uploads), n, view.seed).float().clamp(-1, 1)
    return upscale(data.to_display(torch.cat(list(x), dim=-1)[None]), 96)


def export_animation(frames: list, fmt: str) -> str:
    """The current frames as GIF or MP4 in the export folder."""
    check_choice("format", fmt, ("gif", "mp4"))
    path = export_path(f"gud-{fmt}", f".{fmt}")
    return str((frames_to_gif if fmt == "gif" else frames_to_mp4)(frames, path, fps=4))


def schedule_csv(view: BasesView, uploads: list[str] | None = None) -> str:
    """One row per component: label, variance, window, gamma at t = 0, 0.1, ..., 1."""
    return str(write_csv("component-schedule", schedule_columns(compute_table(build(view, uploads), 11))))


FIG4 = ("standard", "variance_matched", "column_sequential", "wavelet_column")


def four_schedules(
    image: str = "chelsea",
    size: int = 32,
    gray: bool = False,
    n: int = 6,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[np.ndarray, str]:
    """GUD Fig. 4: one image noised by the four preset schedules, rows x times (uint8 mosaic).
    progress(fraction, text) after each schedule's row."""
    n = check_int("frames", n, 2, 12)
    rows, notes = [], []
    for k, name in enumerate(FIG4, 1):
        v = dataclasses.replace(
            load_preset(f"bases/{name}.toml", BasesView), image=image, size=size, gray=gray, frames=n
        )
        res = forward_run(build(v), v)
        x = res["frames"].float().clamp(-1, 1)  # [n, C, H, W]
        pad = torch.ones(n, x.shape[1], x.shape[2], 2)
        rows.append(torch.cat([torch.cat([f, p], -1) for f, p in zip(x, pad)], -1))  # [C, H, n(W+2)]
        notes.append(name.replace("_", " "))
        if progress is not None:
            progress(k / len(FIG4), f"schedule {k}/{len(FIG4)} ({notes[-1]}) done")
    grid = torch.cat([torch.cat([r, torch.ones(r.shape[0], 2, r.shape[2])], 1) for r in rows], 1)
    times = ", ".join(f"{t:.2f}" for t in torch.linspace(0, 1, n).tolist())
    return data.to_display(grid[None]), f"Rows: {'; '.join(notes)}. Columns: t = {times}."


def image_extension(
    texture: str = "field:2.0", size: int = 16, shift: int = 4, repeats: int = 6, softness: float = 1.25, seed: int = 0
) -> tuple[np.ndarray, str]:
    """Column-wise image extension (uint8 canvas, wider than the window) and its numbers."""
    r = extend(ExtensionView(texture, int(size), int(shift), int(repeats), float(softness), "sde", int(seed)))
    canvas = r["canvas"]
    text = (
        f"Window {size}x{size}, {repeats} steps of {shift} new columns: canvas {canvas.shape[-2]}x{canvas.shape[-1]}. "
        f"Each step re-noises to t* = **{r['t_star']:.3f}** (end of the first new column's window) and runs "
        f"the reverse SDE back to 0 ({r['steps']} steps for a full run). Pixel variance: model "
        f"{r['model_pixel_var']:.3f}, first window {r['first_window_var']:.3f}, extension {r['extended_var']:.3f}; "
        f"neighbour-column correlation {r['first_window_corr']:.2f} vs {r['extended_corr']:.2f}."
    )
    return upscale(data.to_display(canvas.float()), 256), text
