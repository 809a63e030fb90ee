"""Increments tab handlers: non-normal increment laws, their invariance, their losses, their samples.

Plain functions (no gradio): they validate a frozen `IncrementsView`, call the core (increments,
walks, losses, mixture denoisers, samplers) and return plotly figures, images and markdown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ... import data
from ...caching import frozen_cache
from ...denoisers.empirical import EmpiricalDenoiser
from ...denoisers.mixture import mixture_2d
from ...evaluation.metrics import sliced_w1
from ...exports import write_csv, write_json
from ...noise.conventions import stream_generator
from ...nonnormal.density import gaussian_pdf_curve, ks_mc_floor
from ...nonnormal.laws import LAWS, get_law, kurtosis_estimate_reliable, noise_sampler
from ...nonnormal.losses import KL_UNIFORM_GAUSS, LOSS_FORM_LABELS, PAIRS, loss_kinks, loss_weights, pair_loss
from ...nonnormal.report import walk_statistics
from ...nonnormal.walks import (
    FORMS,
    exact_moments,
    expected_excess_kurtosis,
    reverse_sample,
    simulate_walk,
    vp_alpha_sigma,
    walk_coefficients,
    walk_factors,
)
from ...plotting import increments as plots
from .view import IncrementsView

MOMENT_PATHS = 2_000  # per law, for the all-laws moment curves
KURTOSIS_STEPS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass
class ForwardResult:
    histogram: object
    moments: object
    forms: object
    kurtosis: object
    explanation: str
    numbers: dict


# ----------------------------------------------------------------------------
# Forward walk: histogram, moments for every law, Euler vs DDPM, kurtosis vs N.


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@frozen_cache(maxsize=16)
def forward_numbers(v: IncrementsView) -> dict:
    """Simulated vs exact moments, excess kurtosis and KS of x_N for the chosen law (the CLI's numbers); remembered
    per view, so the JSON export hands out the tab's own walk instead of simulating it again."""
    numbers, x = walk_statistics(v.law, v.steps, v.paths, v.seed, v.form, v.grid, v.nu)
    return {"x": x, **numbers, "label": get_law(v.law, v.nu).label}


@frozen_cache(maxsize=32)
def all_law_moments(steps: int, form: str, grid: str, seed: int, nu: float) -> dict[str, tuple]:
    """Per law: (t, sample mean path, sample var path) from MOMENT_PATHS paths."""
    out = {}
    for name in LAWS:
        s = simulate_walk(get_law(name, nu), steps, MOMENT_PATHS, stream_generator(seed, "moment-curves"), form, grid)  # type: ignore[arg-type]
        out[name] = (s.t, s.mean, s.var)
    return out


def explain_forward(v: IncrementsView, n: dict) -> str:
    """The sentences beside the forward plots, with the live numbers."""
    a_min = float(walk_factors(v.steps, "euler", v.grid)[0].min())
    alpha1, sigma1 = (float(x) for x in vp_alpha_sigma(1.0))
    lines = [
        f"**{n['label']} increments, N = {v.steps} steps ({v.form} form, β read at the {v.grid} end of each step).** "
        f"x_N has mean **{n['mean']:.4f}** (exact {n['expected_mean']:.4f}) and variance **{n['var']:.4f}** "
        f"(exact {n['expected_var']:.4f}, Theorem 3.1): the moments do not depend on the law.",
        (
            f"Its shape does: excess kurtosis, exact κ₄·Σc⁴/(Σc²)² = **{n['expected_excess_kurtosis']:+.3f}**; "
            f"Monte Carlo **{n['excess_kurtosis']:+.3f} ± {n['excess_kurtosis_stderr']:.3f}**, KS distance to the Gaussian with the "
            if kurtosis_estimate_reliable(v.law, v.nu)
            else f"Its shape does: excess kurtosis, exact κ₄·Σc⁴/(Σc²)² = **{n['expected_excess_kurtosis']:+.3f}**. "
            f"**Heavy tails: the Monte Carlo value {n['excess_kurtosis']:+.3f} cannot be trusted** (Student-t with "
            f"ν = {v.nu:g} ≤ 8 has no finite 8th moment, so the sample kurtosis has infinite variance and usually "
            "falls far below the exact value; no ± is meaningful). KS distance to the Gaussian with the "
        )
        + f"same moments **{n['ks_to_gaussian']:.4f}** ({v.paths:,} paths; MC floor ≈ {ks_mc_floor(v.paths):.4f}). "
        "Raise N and both fall towards 0 (roughly like 1/N): the invariance principle.",
        f"Continuum limit at t = 1: mean α = {alpha1:.4f}, variance σ² = {sigma1**2:.5f}. "
        f"The Euler form's smallest per-step factor 1 − β(t)Δt/2 is **{a_min:.3f}** at this N"
        + (" (negative: the walk oscillates and its variance overshoots)." if a_min < 0 else "."),
    ]
    clipped = int(np.sum(walk_factors(v.steps, "ddpm", v.grid)[0] == 0.0))
    if v.form == "ddpm" and clipped:
        lines.append(
            f"Note: at this N, b_k = β(t)Δt reaches 1 in the last {clipped} step(s) (clipped to 1), so x_N "
            "is a single fresh increment and keeps that law's kurtosis exactly. Use N ≥ 21 for a real walk."
        )
    return "\n\n".join(lines)


def forward_view(v: IncrementsView) -> ForwardResult:
    """The tab's main computation (api_name `increments`)."""
    n = forward_numbers(v)
    ex = exact_moments(v.steps, v.form, v.grid)
    t_fine = np.linspace(0, 1, 201)
    alpha, sigma = vp_alpha_sigma(t_fine)
    moments = all_law_moments(v.steps, v.form, v.grid, v.seed, v.nu)
    forms = {f: exact_moments(v.steps, f, v.grid) for f in FORMS}
    paths = {
        f: simulate_walk(
            get_law(v.law, v.nu), v.steps, 200, stream_generator(v.seed, "form-paths"), f, v.grid, keep=12
        ).paths
        for f in FORMS
    }
    weights = {f: [walk_coefficients(*walk_factors(k, f, v.grid)) for k in KURTOSIS_STEPS] for f in FORMS}  # law-free
    kurt = {
        law: {f: [expected_excess_kurtosis(get_law(law, v.nu).excess_kurtosis, c) for c in weights[f]] for f in FORMS}
        for law in LAWS
    }
    numbers = {k: val for k, val in n.items() if k not in ("x", "label")}
    return ForwardResult(
        histogram=plots.histogram_figure(
            n["x"],
            *gaussian_pdf_curve(n["expected_mean"], n["expected_var"]),
            n["label"],
            v.steps,
            n["excess_kurtosis"],
            n["ks_to_gaussian"],
        ),
        moments=plots.moments_figure(moments, ex.t, ex.mean, ex.var, t_fine, alpha, sigma**2, v.steps),
        forms=plots.forms_figure(forms, paths, t_fine, sigma**2, v.steps),
        kurtosis=plots.kurtosis_figure(
            KURTOSIS_STEPS, kurt, v.law, v.form, v.steps, n["excess_kurtosis"], n["excess_kurtosis_stderr"]
        ),
        explanation=explain_forward(v, n),
        numbers=numbers,
    )


# ----------------------------------------------------------------------------
# Loss-shape viewer.


def loss_view(v: IncrementsView) -> tuple[object, str]:
    """Per-step loss against the residual r for the four (q, p) pairs at (t, N)."""
    w, vk = loss_weights(v.loss_t, v.loss_steps)
    r_max = max(4.0, 3.0 / vk)
    r = torch.linspace(-r_max, r_max, 401, dtype=torch.float64).unsqueeze(-1)
    curves = {p: pair_loss(p, r, v.loss_t, v.loss_steps, v.laplace_form).numpy() for p in PAIRS}
    knee, kink = loss_kinks(vk, v.laplace_form)
    laws = (
        "the unit-variance laws the sampler draws (Laplace b = s/√2, uniform ±√3 s)"
        if v.laplace_form == "coordinate"
        else "the paper's printed form (Laplace b = s, uniform ±s; not the laws sampled)"
    )
    text = (
        f"Losses: {LOSS_FORM_LABELS[v.laplace_form]}, the KL of {laws}. "
        f"At t = {v.loss_t:.3f} with N = {v.loss_steps} steps the weights are w = g²Δt/(2σ²) = **{w:.4g}** and "
        f"v = √(2w) = **{vk:.4g}**. Laplace–Laplace is quadratic while |r| ≪ {knee:.3g} and linear beyond; "
        f"more steps shrink v and make it quadratic everywhere. "
        f"Uniform–Laplace is a Huber loss with its kink at |r| = {kink:.3g}; uniform–Gaussian is the "
        f"MSE shifted up by ½(1 + log(π/6)) = {KL_UNIFORM_GAUSS:.4f} (the paper prints 0.34)."
    )
    return plots.loss_figure(r.squeeze(-1).numpy(), curves, v.loss_t, v.loss_steps, kink), text


# ----------------------------------------------------------------------------
# Reverse sampling of the 2-D mixture and same-seed digits.


def reverse_view(v: IncrementsView) -> tuple[object, str, dict]:
    """Sample the 2-D mixture with each law as the sampling noise; same seed for every law."""
    mix = mixture_2d()
    ref = mix.sample(v.samples, stream_generator(v.seed, "mixture-reference")).numpy()
    floor = sliced_w1(
        mix.sample(v.samples, stream_generator(v.seed, "mixture-floor")).numpy(), ref, np.random.default_rng(0)
    )
    out, metrics = {}, {}
    for law in LAWS:
        x, paths = reverse_sample(
            mix,
            v.samples,
            (2,),
            v.reverse_steps,
            v.reverse_sampler,
            noise_sampler(law, nu=v.nu) if law == "student-t" else noise_sampler(law),
            _gen(v.seed),
            keep=6,
        )
        out[law] = (x.numpy(), paths.numpy())
        metrics[law] = {
            "sliced_w1": sliced_w1(x.numpy(), ref, np.random.default_rng(0)),
            "mean_log_density": float(mix.log_prob(x).mean()),
        }
    data_ll = float(mix.log_prob(torch.as_tensor(ref)).mean())
    rows = "\n".join(
        f"| {get_law(k, v.nu).label} | {m['sliced_w1']:.4f} | {m['mean_log_density']:.3f} |" for k, m in metrics.items()
    )
    text = (
        f"**Reverse sampling, {v.reverse_steps} steps ({v.reverse_sampler}), exact mixture score, "
        f"{v.samples} samples per law, seed {v.seed}.** Each law drives every stochastic step; the start x_T "
        f"is the same Gaussian draw for all.\n\n| law | sliced W1 to data | mean log p_data |\n|---|---|---|\n"
        f"{rows}\n| data (floor) | {floor:.4f} | {data_ll:.3f} |\n\nAt few steps the laws differ; as the step "
        "count grows every law converges to the data (the invariance principle, run backwards)."
    )
    return plots.reverse_figure(out, mix.means.numpy()), text, metrics


@frozen_cache(maxsize=1)
def _digits_denoiser():
    return EmpiricalDenoiser(data.load_digits())


def digits_view(v: IncrementsView, per_law: int = 8) -> tuple[np.ndarray, str]:
    """Same-seed digits from the empirical optimal denoiser, one row per law (uint8 mosaic)."""
    den = _digits_denoiser()
    rows = []
    for law in LAWS:
        x, _ = reverse_sample(
            den,
            per_law,
            (1, 8, 8),
            v.reverse_steps,
            "ddpm_ancestral",
            noise_sampler(law, nu=v.nu) if law == "student-t" else noise_sampler(law),
            _gen(v.seed),
        )
        rows.append(x.clamp(-1, 1).float())  # [per_law, 1, 8, 8]
    grid = torch.stack(rows)  # [laws, per_law, 1, 8, 8]
    pad = torch.nn.functional.pad(grid, (1, 1, 1, 1), value=-1.0)  # [L, K, 1, 10, 10]
    img = pad.permute(2, 0, 3, 1, 4).reshape(1, 1, len(LAWS) * 10, per_law * 10)  # rows = laws
    img = torch.nn.functional.interpolate(img, scale_factor=6, mode="nearest")
    text = (
        f"Rows, top to bottom: {', '.join(get_law(k, v.nu).label for k in LAWS)}. Same seed, DDPM ancestral, "
        f"{v.reverse_steps} steps, the digits' empirical optimal denoiser (exact posterior mean over the 1,797 "
        "training digits, so samples are memorised training digits). The noise is coupled across laws (the same "
        "uniforms through each law's inverse CDF), so differences come from the law's shape alone."
    )
    return data.to_display(img), text


# ----------------------------------------------------------------------------
# Exports.


def forward_csv(v: IncrementsView) -> str:
    """Exact and simulated mean/var paths for every law, as CSV."""
    ex = exact_moments(v.steps, v.form, v.grid)
    cols: dict = {"t": ex.t.tolist(), "exact_mean": ex.mean.tolist(), "exact_var": ex.var.tolist()}
    for law, (_, m, s) in all_law_moments(v.steps, v.form, v.grid, v.seed, v.nu).items():
        cols[f"{law}_mean"], cols[f"{law}_var"] = m.tolist(), s.tolist()
    return str(write_csv("increments-moments", cols))


def forward_json(v: IncrementsView) -> str:
    """The live numbers (CLI-compatible keys) as JSON."""
    n = forward_numbers(v)
    return str(write_json("increments", {k: val for k, val in n.items() if k != "x"}))
