"""Samplers tab handlers: several samplers side by side on one model, from the same initial noise.

Plain functions (no gradio): `sample_compare` (the main event), `quality_sweep` and the CSV/JSON exports
(the trajectory GIF: samplers/trajectory.py). Work stays small (8x8 and 32x32 images, at most 64 samples).
"""
from __future__ import annotations

import contextvars
import os
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ...caching import frozen_memo
from ...exports import export_path, write_csv, write_json
from ...models import quality as Q
from ...models import sampling as S
from ...models.folders import MODELS_DIR, load_model_ref
from ...models.guided import evaluations, guided
from ...models.registry import Model
from ...plotting import samplers as plots
from ...noise import controlled_run as R
from .view import SamplersView

STOCHASTIC = ("ddpm_ancestral", "euler_ancestral")
SWEEP_NFES_EXACT = (4, 6, 8, 12, 16, 24, 32, 48, 64)
SWEEP_NFES_MC = (4, 8, 16, 32, 64)
SWEEP_N_MIXTURE = 256
SWEEP_NFES_MIXTURE = (4, 8, 16, 32)
SWEEP_NFES_DIGITS = (4, 10, 20)
Progress = Callable[[float, str], None]


@dataclass
class CompareResult:
    gallery: list[tuple[np.ndarray, str]]   # (uint8 grid, caption): the data first, then each sampler
    panel: np.ndarray                       # the same grids side by side with captions, uint8 [H, W, 3]
    table: str                              # markdown: sampler, NFE, quality
    sweep: object                           # plotly figure: quality vs NFE
    explanation: str                        # markdown with the live numbers
    numbers: dict[str, Any]                 # per-sampler numbers, for tests, exports and the API


def view_model(view: SamplersView) -> Model:
    """The view's model on the view's device (registry names, or folders in MODELS_DIR only), autoguided by
    the view's guide when there is one."""
    model = load_model_ref(view.model, view.device, allow_paths=False, models_dir=MODELS_DIR)
    if not view.guide:
        return model
    return guided(model, load_model_ref(view.guide, view.device, allow_paths=False, models_dir=MODELS_DIR),
                  view.guidance)


def _tick(progress: Progress | None, frac: float, text: str) -> None:
    if progress is not None:
        progress(frac, text)


def run_one(model: Model, view: SamplersView, sampler: str, steps: int, n: int,
            step: Callable[[int], None] | None = None) -> tuple[torch.Tensor, dict]:
    """One sampler at `steps` steps from the view's seed: samples [n, C, H, W] and its score; step(i) after each step."""
    sigmas = S.model_sigmas(model, view.schedule, steps)
    cb = (lambda info: step(int(info["i"]) + 1)) if step is not None else None
    t0 = time.perf_counter()
    x = R.run_controlled(model, sampler, sigmas, n, view.seed, view.sampling_noise(), callback=cb)
    seconds = time.perf_counter() - t0
    q = R.score(model, sampler, sigmas, x, view.sampling_noise())
    return x, {**q, "nfe": S.nfe_of(sampler, steps) * evaluations(model), "steps": steps, "seconds": seconds}


@frozen_memo(maxsize=16)
def quality_sweep(view: SamplersView, progress: Progress | None = None) -> tuple[list[dict[str, Any]], str]:
    """Quality against NFE per sampler (remembered for the last 16 views, in the core's cache): exact for Gaussian
    models; Monte Carlo for the mixture (SWEEP_N_MIXTURE samples), the empirical model and the networks (view.n
    samples)."""
    return _quality_sweep(view, progress)


def sweep_is_slow(model: Model) -> bool:
    """Networks scored by sampling (digits) take seconds per sweep: the tab runs them after the samples."""
    return Q.is_digit_model(model)


def _quality_sweep(view: SamplersView, progress: Progress | None = None) -> tuple[list[dict[str, Any]], str]:
    model = view_model(view)
    rows: list[dict[str, Any]] = []
    exact, digits = model.gaussian is not None, Q.is_digit_model(model)
    nfes = (SWEEP_NFES_EXACT if exact else SWEEP_NFES_DIGITS if digits else SWEEP_NFES_MIXTURE
            if model.mixture is not None else SWEEP_NFES_MC)
    for k, name in enumerate(view.samplers):
        _tick(progress, 0.5 + 0.4 * k / len(view.samplers), f"NFE sweep: {name}")
        for budget in nfes:
            steps = S.steps_for_nfe(name, budget)
            row = {"sampler": name, "nfe": S.nfe_of(name, steps), "steps": steps}
            if exact:
                row["value"] = R.exact_cov_error(model, name, S.model_sigmas(model, view.schedule, steps),
                                                 view.sampling_noise())
            elif digits:
                _, q = run_one(model, view, name, steps, view.n)
                row.update(value=q["value"], class_tv=q["class_tv"], fd=q["fd"], fd_floor=q["fd_floor"])
            elif model.reference is not None:                               # trained network
                _, q = run_one(model, view, name, steps, view.n)
                row.update(value=q["value"], perfect=q["sample_cov_rel_fro_expected"])
            elif model.mixture is not None:
                _, q = run_one(model, view, name, steps, SWEEP_N_MIXTURE)
                row.update(value=q["value"], perfect=q["tv_perfect"])
            else:
                _, q = run_one(model, view, name, steps, view.n)
                row.update(value=q["value"], distinct=q["distinct_copies"] / view.n)
            rows.append(row)
    return rows, ("cov_rel_fro" if exact else "confident" if digits else "sample_cov_rel_fro"
                  if model.reference is not None else "mode_tv" if model.mixture is not None else "memorisation_rate")


def _caption(name: str, q: dict[str, Any]) -> str:
    if q["metric"] == "cov_rel_fro":
        return f"{name} · NFE {q['nfe']} · cov. error {100 * q['value']:.2f}%"
    if q["metric"] == "memorisation_rate":
        return f"{name} · NFE {q['nfe']} · {100 * q['value']:.0f}% copies"
    if q["metric"] == "mode_tv":
        return f"{name} · NFE {q['nfe']} · mode TV {q['value']:.2f}"
    if q["metric"] == "confident":
        return f"{name} · NFE {q['nfe']} · {100 * q['value']:.0f}% confident"
    if q["metric"] == "sample_cov_rel_fro":
        return f"{name} · NFE {q['nfe']} · sample-cov. error {100 * q['value']:.0f}%"
    return f"{name} · NFE {q['nfe']}"


def _panel(gallery: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """Grids side by side; caption 'name · rest' split into two lines."""
    caps = [tuple(c.split(" · ", 1)) if " · " in c else (c, "") for _, c in gallery]
    return plots.captioned_row([g for g, _ in gallery], caps)  # type: ignore[arg-type]


def _table(numbers: dict[str, dict[str, Any]], metric: str) -> str:
    if metric == "cov_rel_fro":
        head = "| sampler | NFE | covariance error (exact) | sample-cov. error of these draws | mode variance ratio |\n|---|---|---|---|---|\n"
        body = "".join(f"| {s} | {q['nfe']} | **{100 * q['value']:.2f}%** | {100 * q['sample_cov_rel_fro']:.0f}% "
                       f"(expected {100 * q['sample_cov_rel_fro_expected']:.0f}%) | {q['mode_var_ratio_min']:.3f} – "
                       f"{q['mode_var_ratio_max']:.3f} |\n" for s, q in numbers.items())
        return head + body
    if metric == "sample_cov_rel_fro":
        head = "| sampler | NFE | sample-cov. error of these draws | same, exact denoiser (expected) | per-mode power error |\n|---|---|---|---|---|\n"
        return head + "".join(f"| {s} | {q['nfe']} | **{100 * q['value']:.0f}%** | {100 * q['sample_cov_rel_fro_expected']:.0f}% | "
                              f"{100 * q['mode_power_rel']:.0f}% |\n" for s, q in numbers.items())
    if metric == "confident":
        head = ("| sampler | NFE | classified with confidence ≥ 0.9 | class TV to uniform | Fréchet distance (real-vs-real "
                "floor) | nearest-train RMS (held-out digits) | wall time |\n|---|---|---|---|---|---|---|\n")
        return head + "".join(f"| {s} | {q['nfe']} | **{100 * q['value']:.0f}%** | {q['class_tv']:.2f} | {q['fd']:.1f} "
                              f"({q['fd_floor']:.1f}) | {q['nn_train']:.3f} ({q['nn_heldout']:.3f}) | {q['seconds']:.2f} s |\n"
                              for s, q in numbers.items())
    if metric == "mode_tv":
        head = "| sampler | NFE | mode-weight TV distance | TV of a perfect sampler (same n) | mean log-likelihood |\n|---|---|---|---|---|\n"
        return head + "".join(f"| {s} | {q['nfe']} | **{q['value']:.3f}** | {q['tv_perfect']:.3f} | "
                              f"{q['mean_loglik']:.1f} |\n" for s, q in numbers.items())
    head = "| sampler | NFE | memorisation rate | mean distance to nearest digit (RMS) | distinct digits copied |\n|---|---|---|---|---|\n"
    return head + "".join(f"| {s} | {q['nfe']} | **{100 * q['value']:.0f}%** | {q['mean_nn_rms']:.4f} | "
                          f"{q['distinct_copies']} |\n" for s, q in numbers.items())


def explain(view: SamplersView, model: Model, numbers: dict[str, dict[str, Any]], sigmas: torch.Tensor) -> str:
    """The sentences above the grids, with the live numbers."""
    spec = model.spec
    best = min(numbers, key=lambda s: numbers[s]["value"]) if numbers else ""
    lines = [f"**{spec.name}** ({spec.kind}, {spec.dataset}, {'×'.join(map(str, spec.shape))}): "
             f"{spec.description} Every sampler starts from the **same** initial noise σ₀·z (seed {view.seed}, "
             f"σ₀ = {float(sigmas[0]):.3g}) and runs the **{view.schedule}** schedule down to "
             f"σ = {float(sigmas[-2]):.3g}, then 0. Time runs t = 0 (data) → t = 1 (noise)."]
    if model.gaussian is not None:
        q = numbers[best]
        v = model.gaussian.variances.to(torch.float64)
        floor = Q.mc_expected_rel_fro(v, v, view.n)
        lines.append(f"The data are Gaussian and the denoiser is exact, so every sampler's output is Gaussian with a "
                     f"covariance we compute **exactly** (no Monte Carlo). Lowest error here: **{best}**, "
                     f"{100 * q['value']:.2f}% at NFE {q['nfe']}. {view.n} draws are far too few to see this by eye: "
                     f"even perfect draws would have a sample-covariance error of about {100 * floor:.0f}%; the exact "
                     "number and the sweep resolve it. Second moments do not depend on the noise law; the pixels do.")
    elif Q.is_digit_model(model):
        lines.append(f"A trained network with no exact answer, so the project's MNIST classifier scores its {view.n} "
                     "samples per sampler: the share it classifies with confidence ≥ 0.9, the total variation of the "
                     "predicted classes to uniform, the Fréchet distance of its features to the 1,000 held-out digits "
                     f"(in brackets: {view.n} real training digits against the same set, the floor at this count) and the "
                     "mean RMS distance to the nearest training digit (in brackets: held-out digits; much lower means "
                     f"copies). Wall time: {next(iter(numbers.values()))['all_seconds']:.2f} s for all samplers and their "
                     f"numbers on {model.device} ({next(iter(numbers.values()))['workers']} running at once; the "
                     "table's time is each sampler's own).")
    elif model.reference is not None:
        lines.append(f"A trained network, scored against the exact law of its training data: the sample-covariance "
                     f"error of these {view.n} draws next to what the exact denoiser would score with the same sampler "
                     "and n (Monte Carlo dominates at small n; the description above gives the large-n numbers).")
    elif model.mixture is not None:
        tvs = ", ".join(f"{s} {q['value']:.3f}" for s, q in numbers.items())
        ll = float(model.mixture.log_prob(model.draw_data(512, torch.Generator().manual_seed(1)).reshape(512, -1)).mean())
        lines.append(f"The data are a 10-component Gaussian mixture (one Gaussian per digit class) and the denoiser is its "
                     f"exact posterior mean, which is nonlinear: samplers can put the wrong mass on each mode. Mode-weight "
                     f"TV distance (each sample assigned to its most likely component): {tvs}; a perfect sampler scores "
                     f"about {numbers[best]['tv_perfect']:.3f} at n = {view.n} (Monte Carlo only). Mean log-likelihood "
                     f"of true samples ≈ {ll:.1f}: higher means the sampler is too concentrated, lower too spread.")
    else:
        rates = ", ".join(f"{s} {100 * q['value']:.0f}%" for s, q in numbers.items())
        lines.append(f"The empirical optimal denoiser is the exact posterior mean over the training digits, so an exact "
                     f"sampler can only reproduce training images: memorisation rate {rates} (a sample counts as a "
                     f"copy within RMS {Q.MEMO_TOL:.4f} of a training digit). This is the ideal a network would learn "
                     "if it fitted its training set perfectly.")
    if view.guide:
        lines.append(f"**Autoguided** (Karras et al. 2024) by **{view.guide}** at w = {view.guidance:g}: every "
                     f"denoiser call is D₀ + w (D₁ − D₀), this model D₁ steered away from the weaker D₀, so each step "
                     "evaluates both networks and the NFE counts both. w = 1 is the model alone.")
    kw = view.sampling_noise().sampler_kwargs
    noisy = [s for s in view.samplers if s in STOCHASTIC or kw(s).get("eta", 0) > 0 or kw(s).get("s_churn", 0) > 0]
    if noisy:
        lines.append(f"Noise injected by {', '.join(noisy)}: **{view.sampling_noise().describe()}** (same seed for "
                     "all; the initial noise is white Gaussian).")
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
    with ThreadPoolExecutor(max_workers=workers) as pool:     # contexts copied: gradio's progress reads contextvars
        futures = {name: pool.submit(contextvars.copy_context().run, run_one, model, view, name, view.steps, view.n,
                                     step_of(name)) for name in view.samplers}
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
        gallery.append((S.tile_grid(truth, min_tile=64),
                        "exact data · true samples" if model.net is None else "data · training samples"))
    numbers: dict[str, dict[str, Any]] = {}
    for name, (x, q) in sampled(view, progress).items():
        numbers[name] = q
        gallery.append((S.tile_grid(x, min_tile=64), _caption(name, q)))
    later = sweep_is_slow(model) and not quality_sweep.cached(view)
    rows, metric = ([], numbers[view.samplers[0]]["metric"]) if later else quality_sweep(view, progress)
    return CompareResult(gallery, _panel(gallery), _table(numbers, metric), sweep_figure(view, rows, metric),
                         explain(view, model, numbers, sigmas),
                         {"samplers": numbers, "sweep": rows, "metric": metric, "sweep_pending": later})



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
    from PIL import Image

    from ...plotting.static import export_png_svg

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
    cols = {"sampler": [r["sampler"] for r in rows], "nfe": [r["nfe"] for r in rows],
            "steps": [r["steps"] for r in rows], metric: [r["value"] for r in rows]}
    if rows and "distinct" in rows[0]:
        cols["distinct_fraction"] = [r["distinct"] for r in rows]
    for key in ("class_tv", "fd", "fd_floor"):
        if rows and key in rows[0]:
            cols[key] = [r[key] for r in rows]
    return str(write_csv("samplers-sweep", cols))
