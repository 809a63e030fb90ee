"""Samplers tab handlers: several samplers side by side on one model, from the same initial noise.

Plain functions (no gradio): `sample_compare` (the main event), `quality_sweep` and the CSV/JSON exports
(the trajectory GIF: samplers/trajectory.py). Work stays small (8x8 and 32x32 images, at most 64 samples).
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from ...caching import frozen_memo
from ...exports import export_path, write_csv, write_json
from ...models.folders import MODELS_DIR, load_model_ref
from ...models.guided import evaluations, guided
from ...models.registry import Model
from ...plotting import samplers as plots
from ...plotting.static import export_png_svg
from ...sampling import run as S
from .view import SamplersView

STOCHASTIC = ("ddpm_ancestral", "euler_ancestral")
Progress = Callable[[float, str], None]


@dataclass
class CompareResult:
    gallery: list[tuple[np.ndarray, str]]  # (uint8 grid, caption): the data first, then each sampler
    panel: np.ndarray  # the same grids side by side with captions, uint8 [H, W, 3]
    table: str  # markdown: sampler, NFE, quality
    sweep: object  # plotly figure: quality vs NFE
    explanation: str  # markdown with the live numbers
    numbers: dict[str, Any]  # per-sampler numbers, for tests, exports and the API


def view_model(view: SamplersView) -> Model:
    """The view's model on the view's device (registry names, or folders in MODELS_DIR only), autoguided by
    the view's guide when there is one."""
    model = load_model_ref(view.model, view.device, allow_paths=False, models_dir=MODELS_DIR)
    if not view.guide:
        return model
    return guided(
        model, load_model_ref(view.guide, view.device, allow_paths=False, models_dir=MODELS_DIR), view.guidance
    )


def _tick(progress: Progress | None, frac: float, text: str) -> None:
    if progress is not None:
        progress(frac, text)


def run_one(
    model: Model, view: SamplersView, sampler: str, steps: int, n: int, step: Callable[[int], None] | None = None
) -> tuple[torch.Tensor, dict]:
    """One sampler at `steps` steps from the view's seed: samples [n, C, H, W] and its score; step(i) after each step."""
    sigmas = S.model_sigmas(model, view.schedule, steps)
    cb = (lambda info: step(int(info["i"]) + 1)) if step is not None else None
    t0 = time.perf_counter()
    x = S.run_sampler(model, sampler, sigmas, n, view.seed, view.sampling_noise(), callback=cb)
    seconds = time.perf_counter() - t0
    q = model.truth.score(sampler, sigmas, x, view.sampling_noise())
    return x, {
        **q.to_json(),
        "nfe": S.nfe_of(sampler, steps) * evaluations(model),
        "steps": steps,
        "seconds": seconds,
        "score": q,
    }


@frozen_memo(maxsize=16)
def quality_sweep(view: SamplersView, progress: Progress | None = None) -> tuple[list[dict[str, Any]], str]:
    """Quality against NFE per sampler (remembered for the last 16 views, in the core's cache): the model's truth
    (evaluation/truth.py) gives each point, exactly where it can (Gaussian models), else from samples."""
    return _quality_sweep(view, progress)


def sweep_is_slow(model: Model) -> bool:
    """Networks scored by sampling (digits) take seconds per sweep: the tab runs them after the samples."""
    return model.truth.slow


def _quality_sweep(view: SamplersView, progress: Progress | None = None) -> tuple[list[dict[str, Any]], str]:
    model = view_model(view)
    truth, rows = model.truth, []
    if truth.metric is None:  # nothing scores this model (a foreign network of unknown data): no sweep to sample
        return rows, truth.metric
    for k, name in enumerate(view.samplers):
        _tick(progress, 0.5 + 0.4 * k / len(view.samplers), f"NFE sweep: {name}")
        for budget in truth.sweep_nfes:
            steps = S.steps_for_nfe(name, budget)
            row = {"sampler": name, "nfe": S.nfe_of(name, steps), "steps": steps}
            sigmas = S.model_sigmas(model, view.schedule, steps)
            row.update(
                truth.sweep_point(
                    name,
                    sigmas,
                    view.sampling_noise(),
                    view.n,
                    lambda n, name=name, steps=steps: run_one(model, view, name, steps, n)[1]["score"],
                )
            )
            rows.append(row)
    return rows, truth.metric


def _panel(gallery: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """Grids side by side; caption 'name · rest' split into two lines."""
    caps = [tuple(c.split(" · ", 1)) if " · " in c else (c, "") for _, c in gallery]
    return plots.captioned_row([g for g, _ in gallery], caps)  # type: ignore[arg-type]


def _table(model: Model, numbers: dict[str, dict[str, Any]]) -> str:
    return model.truth.head + "".join(q["score"].row(s, q["nfe"], q["seconds"]) for s, q in numbers.items())


def explain(view: SamplersView, model: Model, numbers: dict[str, dict[str, Any]], sigmas: torch.Tensor) -> str:
    """The sentences above the grids, with the live numbers."""
    spec = model.spec
    lines = [
        f"**{spec.name}** ({spec.kind}, {spec.dataset}, {'×'.join(map(str, spec.shape))}): "
        f"{spec.description} Every sampler starts from the **same** initial noise σ₀·z (seed {view.seed}, "
        f"σ₀ = {float(sigmas[0]):.3g}) and runs the **{view.schedule}** schedule down to "
        f"σ = {float(sigmas[-2]):.3g}, then 0. Time runs t = 0 (data) → t = 1 (noise)."
    ]
    lines.append(model.truth.explain(view.n, numbers, model.device))
    if view.guide:
        lines.append(
            f"**Autoguided** (Karras et al. 2024) by **{view.guide}** at w = {view.guidance:g}: every "
            f"denoiser call is D₀ + w (D₁ − D₀), this model D₁ steered away from the weaker D₀, so each step "
            "evaluates both networks and the NFE counts both. w = 1 is the model alone."
        )
    kw = view.sampling_noise().sampler_kwargs
    noisy = [s for s in view.samplers if s in STOCHASTIC or kw(s).get("eta", 0) > 0 or kw(s).get("s_churn", 0) > 0]
    if noisy:
        lines.append(
            f"Noise injected by {', '.join(noisy)}: **{view.sampling_noise().describe()}** (same seed for "
            "all; the initial noise is white Gaussian)."
        )
    return "\n\n".join(lines)


def run_all(model: Model, view: SamplersView, progress: Progress | None = None) -> dict[str, tuple[torch.Tensor, dict]]:
    """Every chosen sampler, concurrently on up to `os.cpu_count()` threads (each torch op keeps the app's one
    intra-op thread; a 2-core machine runs two samplers at once). Results do not depend on the threading: each run
    has its own generator. progress(frac, text) after every step of every sampler."""
    done, total = [0], len(view.samplers) * view.steps

    def step_of(name: str) -> Callable[[int], None]:
        def step(i: int) -> None:
            done[0] += 1
            _tick(progress, 0.05 + 0.45 * done[0] / total, f"{name}: step {i}/{view.steps}")

        return step

    workers = max(1, min(len(view.samplers), os.cpu_count() or 1))
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:  # contexts copied: gradio's progress reads contextvars
        futures = {
            name: pool.submit(
                contextvars.copy_context().run, run_one, model, view, name, view.steps, view.n, step_of(name)
            )
            for name in view.samplers
        }
        out = {name: f.result() for name, f in futures.items()}
    for _, q in out.values():
        q["all_seconds"], q["workers"] = time.perf_counter() - t0, workers
    return out


@frozen_memo(maxsize=16)
def sampled(view: SamplersView, progress: Progress | None = None) -> dict[str, tuple[torch.Tensor, dict]]:
    """Each chosen sampler's samples and numbers (run_all on the view's model), remembered for the last 16 views in
    the core's cache: the sweep's stars and the exports reuse a run instead of sampling again."""
    return run_all(view_model(view), view, progress)


def sample_compare(view: SamplersView, progress: Progress | None = None) -> CompareResult:
    """The Samplers tab's main computation (api_name `sample_compare`); a view already sampled is not sampled again."""
    model = view_model(view)
    sigmas = S.model_sigmas(model, view.schedule, view.steps)
    gallery: list[tuple[np.ndarray, str]] = []
    if model.draw_data is not None:
        truth = model.draw_data(view.n, torch.Generator().manual_seed(view.seed))
        gallery.append(
            (
                S.tile_grid(truth, min_tile=64),
                "exact data · true samples" if model.net is None else "data · training samples",
            )
        )
    numbers: dict[str, dict[str, Any]] = {}
    for name, (x, q) in sampled(view, progress).items():
        numbers[name] = q
        gallery.append((S.tile_grid(x, min_tile=64), q["score"].caption(name, q["nfe"])))
    later = sweep_is_slow(model) and not quality_sweep.cached(view)
    rows, metric = ([], numbers[view.samplers[0]]["metric"]) if later else quality_sweep(view, progress)
    table, text = _table(model, numbers), explain(view, model, numbers, sigmas)
    for q in numbers.values():
        q.pop("score")  # the numbers stay plain JSON
    return CompareResult(
        gallery,
        _panel(gallery),
        table,
        sweep_figure(view, rows, metric),
        text,
        {"samplers": numbers, "sweep": rows, "metric": metric, "sweep_pending": later},
    )


def sweep_figure(view: SamplersView, rows: list[dict[str, Any]], metric: str) -> object:
    """Quality vs NFE with this run's points as stars."""
    title = f"{plots.TITLES.get(metric, 'Sample covariance error')} vs NFE · {view.model} · {view.schedule}"
    run = sampled.peek(view) or {}
    return plots.quality_vs_nfe_figure(rows, metric, {s: (q["nfe"], q["value"]) for s, (_, q) in run.items()}, title)


def sweep_after(view: SamplersView, progress: Progress | None = None) -> tuple[object, list[dict[str, Any]]]:
    """The second step of a click (api_name `sample_compare_sweep`): the quality-vs-NFE sweep of networks scored
    by sampling, which sample_compare leaves for later; for the others it is already there (remembered)."""
    rows, metric = quality_sweep(view, progress)
    return sweep_figure(view, rows, metric), rows


# ---------------------------------------------------------------------------------------------
# Exports (the trajectory animation: samplers/trajectory.py)


def compare_figures(view: SamplersView, progress: Progress | None = None) -> list[str]:
    """The quality-vs-NFE figure as PNG + SVG and the side-by-side samples as PNG (progress: as sample_compare; a
    view the tab has already run is not sampled again)."""

    r = sample_compare(view, progress)
    panel = export_path(f"samplers-{view.model}-samples", ".png")
    Image.fromarray(r.panel).save(panel)
    return [*export_png_svg(r.sweep, "samplers-quality-vs-nfe"), str(panel)]


def compare_json(view: SamplersView) -> str:
    """The per-sampler numbers and the NFE sweep as JSON (from the tab's run of this view when there is one)."""
    r = sample_compare(view)
    return str(write_json("samplers", {"view": view.__dict__ | {"samplers": list(view.samplers)}, **r.numbers}))


def compare_csv(view: SamplersView) -> str:
    """The NFE sweep as CSV (sampler, nfe, steps, value)."""
    rows, metric = quality_sweep(view)
    cols = {
        "sampler": [r["sampler"] for r in rows],
        "nfe": [r["nfe"] for r in rows],
        "steps": [r["steps"] for r in rows],
        metric: [r["value"] for r in rows],
    }
    if rows and "distinct" in rows[0]:
        cols["distinct_fraction"] = [r["distinct"] for r in rows]
    for key in ("class_tv", "fd", "fd_floor"):
        if rows and key in rows[0]:
            cols[key] = [r[key] for r in rows]
    return str(write_csv("samplers-sweep", cols))
