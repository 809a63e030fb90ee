"""Schedules & bounds tab handlers: schedules overlaid against an image's useful noise range.

Plain functions (no gradio): they take plain values, call the core, and return plotly figures,
markdown with live numbers, and files for export. Bad input raises InputError.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ... import data
from ...animate import frames_to_gif, upscale_nearest
from ...caching import frozen_cache
from ...exports import export_path, write_json, write_text
from ...noise.discretization import ScheduleResult, diffusers_config
from ...noise.readouts import lam_of_snr, snr_from_alpha_bar, steps_per_lam_bin
from ...noise.schedules import FAMILIES
from ...plotting import schedules as plots
from ...spectral import tight
from ...spectral.bands import redundant_steps, ring_class_map
from ...spectral.resolution_law import per_doubling_slope
from ...spectral.schedule import build_schedule
from ...validation import check_choice, check_int
from ..spectrum.handlers import resampler_sentence
from .flow import flow_label, flow_overrides
from .view import DISCRETE, RESOLUTIONS, SchedulesView

# ---------------------------------------------------------------------------------------------
# Image, spectrum and bounds (cached per source)


@frozen_cache(maxsize=32)
def _spectrum_cached(
    source: str, photo: str, beta: float, seed: int, size: int, upload: str | None, mtime: float
) -> tuple[torch.Tensor, tight.RingSpectrum]:
    x = data.load_image(source, photo, size, True, beta, seed, upload)[:1]
    return x, tight.image_spectrum(x)


def image_and_spectrum(view: SchedulesView, upload: str | None, size: int | None = None):
    """(image [1, 1, n, n], RingSpectrum) of the chosen image at `size` (default view.size)."""
    up = upload if view.source == "upload" else None
    mtime = os.path.getmtime(up) if up and os.path.isfile(up) else 0.0
    return _spectrum_cached(view.source, view.photo, view.beta, view.seed, size or view.size, up, mtime)


def view_bounds(view: SchedulesView, upload: str | None = None, size: int | None = None) -> tight.Bounds:
    return tight.bounds(image_and_spectrum(view, upload, size)[1], view.tau_lo, view.tau_hi, view.dc)


def overrides_for(name: str, view: SchedulesView) -> dict[str, Any]:
    """The tab's sliders that apply to family `name` (edm keeps the EDM defaults as a reference)."""
    if name in ("karras",):
        return {"sigma_min": view.sigma_min, "sigma_max": view.sigma_max, "rho": view.rho}
    if name == "exponential":
        return {"sigma_min": view.sigma_min, "sigma_max": view.sigma_max}
    if name == "shifted-cosine":
        return {"image_d": view.size, "noise_d": view.noise_d}
    if name in DISCRETE:
        return {
            k: getattr(view, k)
            for k in (
                "timestep_spacing",
                "steps_offset",
                "rescale_betas_zero_snr",
                "use_karras_sigmas",
                "final_sigmas_type",
            )
        }
    if name == "custom":
        return {"points": view.custom_points}
    if name.startswith("tight-"):
        return {"tau_lo": view.tau_lo, "tau_hi": view.tau_hi, "dc": view.dc}
    return flow_overrides(name, view)


def build_all(view: SchedulesView, upload: str | None = None) -> dict[str, ScheduleResult]:
    x, _ = image_and_spectrum(view, upload)
    return {n: build_schedule(n, view.steps, overrides_for(n, view), image=x) for n in view.schedules}


# ---------------------------------------------------------------------------------------------
# Main event: overlay, histogram, redundant steps


@dataclass
class SchedulesResult:
    logsnr: object  # plotly figures
    sigma: object
    histogram: object
    table: str  # markdown: per-schedule range and redundant steps
    diffusers: str  # markdown: what a diffusers config yields
    explanation: str
    numbers: dict


def label(name: str, r: ScheduleResult) -> str:
    """The legend / table name: flow families name the shift or μ they used, e.g. 'sd3 (shift 3)'."""
    return flow_label(name, r.params) if FAMILIES[name].kind == "flow" else name


def _table(view: SchedulesView, res: dict[str, ScheduleResult], b: tight.Bounds) -> tuple[str, dict]:
    rows = [
        "| schedule | σ_max | σ_min (last > 0) | steps too noisy (λ < λ_lo) | too clean (λ > λ_hi) | redundant |",
        "|---|---|---|---|---|---|",
    ]
    numbers = {}
    for name, r in res.items():
        lam = r.logsnr.numpy()
        red = redundant_steps(lam, b)
        numbers[name] = {
            "label": label(name, r),
            "sigma_max": float(r.sigmas[0]),
            "sigma_min": float(r.sigmas[-2]),
            **red,
        }
        rows.append(
            f"| {label(name, r)} | {float(r.sigmas[0]):.4g} | {float(r.sigmas[-2]):.4g} | {red['too_noisy']} | "
            f"{red['too_clean']} | **{red['redundant']}** of {view.steps} |"
        )
    return "\n".join(rows), numbers


def diffusers_panel(view: SchedulesView) -> str:
    """Exactly what diffusers' EulerDiscreteScheduler yields for the chosen family and settings."""
    r = build_schedule(view.diffusers_family, view.steps, overrides_for(view.diffusers_family, view))
    ac = r.alphas_cumprod
    snr_T = snr_from_alpha_bar(float(ac[-1]))
    fmt = lambda a: ", ".join(f"{v:.4g}" for v in a)  # noqa: E731
    return (
        f"**diffusers `{view.diffusers_family}`** (EulerDiscreteScheduler, spacing `{view.timestep_spacing}`, "
        f"steps_offset {view.steps_offset}, zero-SNR {view.rescale_betas_zero_snr}, karras {view.use_karras_sigmas}):\n\n"
        f"- timesteps: `[{fmt(r.timesteps)}]`\n- sigmas: `[{fmt(r.sigmas.numpy())}]`\n"
        f"- final sigma: **{float(r.sigmas[-1]):.4g}** (`final_sigmas_type={view.final_sigmas_type}`); "
        f"first sigma {float(r.sigmas[0]):.4g} (SNR {1 / float(r.sigmas[0]) ** 2:.3g})\n"
        f"- terminal SNR of the training grid: **{snr_T:.3g}** (λ_T = {lam_of_snr(snr_T):.3g})"
    )


def explain(view: SchedulesView, b: tight.Bounds, numbers: dict) -> str:
    what = {"photo": f"**{view.photo}**", "field": f"a Gaussian field with β = {view.beta:g}", "upload": "your upload"}[
        view.source
    ]
    worst = max(numbers, key=lambda k: numbers[k]["redundant"])
    best = min(numbers, key=lambda k: numbers[k]["redundant"])
    return (
        f"For {what} at {view.size}², the spectrum says the useful noise range is σ ∈ [{b.sigma_min:.3g}, "
        f"{b.sigma_max:.3g}] (λ ∈ [{b.logsnr_min:.2f}, {b.logsnr_max:.2f}], τ_lo = {view.tau_lo:g}, "
        f"τ_hi = {view.tau_hi:g}): above σ_max even the strongest frequency is below SNR τ_lo, below σ_min "
        f"the weakest is above τ_hi (or the noise is under the 8-bit floor {b.quantization_floor:.4f}).\n\n"
        f"With N = {view.steps} steps, **{worst}** spends {numbers[worst]['redundant']} steps outside that band "
        f"and **{best}** {numbers[best]['redundant']}. Tight schedules start at σ_max and stop at σ_min by "
        "construction; the final jump to σ = 0 is one denoiser call."
        + ("" if view.source == "field" else "\n\n" + resampler_sentence(view.size))
    )


def schedules_view(view: SchedulesView, upload: str | None = None) -> SchedulesResult:
    """The tab's main computation (api_name `schedules`)."""
    b = view_bounds(view, upload)
    res = build_all(view, upload)
    lam = {label(n, r): r.logsnr.numpy() for n, r in res.items()}
    sig = {label(n, r): r.sigmas[:-1].numpy() for n, r in res.items()}
    edges, counts = steps_per_lam_bin(lam)
    table, numbers = _table(view, res, b)
    numbers["bounds"] = b.to_json()
    return SchedulesResult(
        plots.logsnr_figure(lam, b.logsnr_min, b.logsnr_max),
        plots.sigma_figure(sig, b.sigma_min, b.sigma_max),
        plots.histogram_figure(edges, counts, b.logsnr_min, b.logsnr_max),
        table,
        diffusers_panel(view),
        explain(view, b, {v["label"]: v for k, v in numbers.items() if k != "bounds"}),
        numbers,
    )


# ---------------------------------------------------------------------------------------------
# Bounds panel (api_name `bounds`): the bounds and their resolution scaling


def bounds_view(view: SchedulesView, upload: str | None = None) -> tuple[str, object, dict]:
    """Markdown with sigma_max (DC / lowest ring), sigma_min and the floor; figure of bounds vs resolution."""
    b = view_bounds(view, upload)
    per = {n: view_bounds(view, upload, n) for n in RESOLUTIONS}
    lo = [per[n].logsnr_min for n in RESOLUTIONS]
    slope = per_doubling_slope(RESOLUTIONS, lo)
    md = (
        f"**Bounds at {view.size}²** — σ_max = **{b.sigma_max:.4g}** (from DC {b.sigma_max_dc:.4g}, lowest ring "
        f"{b.sigma_max_ring:.4g}; DC {view.dc}d) · σ_min = **{b.sigma_min:.4g}** (spectral {b.sigma_min_spectral:.4g}, "
        f"8-bit floor Δ/√12 = {b.quantization_floor:.5f}) · λ ∈ [{b.logsnr_min:.3f}, {b.logsnr_max:.3f}].\n\n"
        f"Across resolutions λ_lo moves by **{slope:+.3f}** per doubling (a power-law image predicts −2 ln 2 = −1.386: "
        "low-frequency power grows like R², so bigger images need more noise)."
        + ("" if view.source == "field" else "\n\n" + resampler_sentence(view.size))
    )
    numbers = {**b.to_json(), "logsnr_min_by_size": dict(zip(RESOLUTIONS, lo)), "shift_per_doubling": slope}
    return (
        md,
        plots.resolution_figure(
            list(RESOLUTIONS),
            lo,
            [per[n].logsnr_max for n in RESOLUTIONS],
            view.size if view.size in RESOLUTIONS else RESOLUTIONS[0],
            slope,
        ),
        numbers,
    )


# ---------------------------------------------------------------------------------------------
# Spectral autoregression animation


def autoregression_frames(view: SchedulesView, upload: str | None = None) -> list[np.ndarray]:
    """One frame per step of `view.animate`: rings destroyed (red), ambiguous (orange), resolved (green)."""
    x, spec = image_and_spectrum(view, upload)
    r = build_schedule(view.animate, view.steps, overrides_for(view.animate, view), image=x)
    return [
        upscale_nearest(plots.ring_frame(ring_class_map(spec, float(lam), view.tau_lo, view.tau_hi)), 256)
        for lam in r.logsnr.numpy()
    ]


def autoregression_gif(view: SchedulesView, upload: str | None = None, fps: float = 6.0) -> str:
    return str(frames_to_gif(autoregression_frames(view, upload), export_path("spectral-autoregression", ".gif"), fps))


# ---------------------------------------------------------------------------------------------
# Exports


def export_json(view: SchedulesView, upload: str | None = None) -> str:
    out = {n: {"params": r.params, **r.to_json()} for n, r in build_all(view, upload).items()}
    out["bounds"] = view_bounds(view, upload).to_json()
    return str(write_json("schedules", out))


def export_diffusers(view: SchedulesView, upload: str | None = None) -> str:
    return str(write_json("diffusers-configs", {n: diffusers_config(r) for n, r in build_all(view, upload).items()}))


def export_kdiffusion(view: SchedulesView, upload: str | None = None) -> str:
    lines = ["# k-diffusion sigma lists (descending, last 0): sample_euler(model, x, sigmas)", "import torch", ""]
    for n, r in build_all(view, upload).items():
        lines.append(f"sigmas_{n.replace('-', '_')} = torch.tensor([{', '.join(repr(float(s)) for s in r.sigmas)}])")
    return str(write_text("k-diffusion-sigmas", ".py", "\n".join(lines) + "\n"))


# ---------------------------------------------------------------------------------------------
# Data-set mode: per-image parameters, a Gaussian mixture, schedules sampled from it

DATASETS = ("digits", "photos", "fields")


@frozen_cache(maxsize=8)
def dataset_params(dataset: str, tau_lo: float, tau_hi: float) -> np.ndarray:
    """[B, 3] (beta, lam_lo, lam_hi): 500 digits, the bundled photos at 128², or 64 fields (beta in [1.5, 3])."""
    check_choice("dataset", dataset, DATASETS)
    if dataset == "digits":
        x = data.load_digits()[:500]
    elif dataset == "photos":
        x = data.load_photos(128)
    else:
        g = torch.Generator().manual_seed(0)
        betas = torch.linspace(1.5, 3.0, 64)
        x = torch.cat([data.gaussian_field(float(b), 32, 1, g) for b in betas])
    return tight.dataset_params(x, tau_lo, tau_hi, "exclude" if dataset == "fields" else "include")


def dataset_view(
    dataset: str,
    components: int,
    draws: int,
    seed: int,
    steps: int,
    kind: str = "mixed",
    tau_lo: float = 0.1,
    tau_hi: float = 10.0,
) -> tuple[object, object, str]:
    """Scatter of per-image parameters with GMM draws, the sampled schedules, and a summary."""
    draws, steps = check_int("draws", draws, 1, 200), check_int("steps", steps, 2, 1000)
    params = dataset_params(dataset, *tight.check_taus(tau_lo, tau_hi))
    gmm = tight.fit_gmm(params, components, check_int("seed", seed, 0, 2**31 - 1))
    n = {"digits": 8, "photos": 128, "fields": 32}[dataset]
    tps = tight.sample_tight_params(gmm, draws, n, seed)
    u = torch.linspace(1, 0, steps, dtype=torch.float64)
    curves = [tight.tight_lam_fn(kind, tp)(u).numpy() for tp in tps]
    m = params.mean(axis=0)
    mean_curve = tight.tight_lam_fn(kind, tight.TightParams(m[0], m[1], m[2], n))(u).numpy()
    samples = np.array([[tp.beta, tp.logsnr_min, tp.logsnr_max] for tp in tps])
    md = (
        f"**{dataset}**: {len(params)} images; mean β = {m[0]:.2f}, λ_lo = {m[1]:.2f}, λ_hi = {m[2]:.2f}; "
        f"spread (std) {params[:, 0].std():.2f} / {params[:, 1].std():.2f} / {params[:, 2].std():.2f}. "
        f"A {components}-component Gaussian mixture over (β, λ_lo, λ_hi) gives {draws} schedule draws: at "
        "generation time the image spectrum is unknown, so its schedule is sampled, not measured."
    )
    return plots.dataset_figure(params, samples), plots.sampled_schedules_figure(curves, mean_curve), md
