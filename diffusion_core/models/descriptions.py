"""The listing's prose: one paragraph per trained network (`difflab models --json` "description"), written from
its sidecar (the numbers of its training run and of its quality evaluation)."""

from __future__ import annotations

from typing import Any

from ..networks.flexi_unet import schedule_label
from ..networks.unet2d import is_unet2d


def run_totals(side: dict[str, Any]) -> tuple[int, float]:
    """(steps, seconds) of training behind a network: its own run plus the run it was continued from (`init`)."""
    init = side.get("init") or {"steps": 0, "train_time": 0.0}
    return side["steps"] + init["steps"], side["train_time"] + init["train_time"]


def budget_text(side: dict[str, Any]) -> str:
    """Steps, batch and wall time of a run; a continued run (`init`) also names its start and the totals."""
    text = (
        f"{side['steps']} steps, batch {side['batch_size']}, {side['train_time'] / 60:.0f} min on "
        f"{side['world_size']} CPU process(es)"
    )
    if side.get("init"):
        steps, seconds = run_totals(side)
        text += f", continued from {side['init']['name']}'s weights: {steps:,} steps and {seconds / 60:.0f} min in all"
    return text


def loss_form_of(side: dict[str, Any]) -> str | None:
    """A pair network's loss form; sidecars written before issue 22 trained LL and UL with the paper's printed form
    (for gaussian-gaussian both forms are the same loss)."""
    if not side.get("pair"):
        return None
    return side.get("loss_form") or ("coordinate" if side["pair"] == "gaussian-gaussian" else "paper")


def pair_description(side: dict[str, Any]) -> str:
    """One paragraph for a model of Li's construction (training/vp_chain.py) and its digit quality."""
    backbone = "diffusers UNet2DModel" if is_unet2d(side["arch"]) else "UNet"
    form = loss_form_of(side)
    loss = (
        "per-step KL of the unit-variance laws it samples with"
        if form == "coordinate"
        else "per-step loss in the paper's printed form (Laplace scale = step std; trained before issue 22), not "
        "the KL of the laws it samples with"
    )
    text = (
        f"{backbone} ({side['params']:,} parameters, EDM preconditioning) trained by `difflab train "
        f"{side['preset']}` ({budget_text(side)}): Li's construction, Gaussian VP marginal, the {side['pair']} "
        f"pair's {loss}, with the w_k, v_k of N = {side['chain_steps']} steps."
    )
    q = side.get("quality") or {}
    if q:
        share = (  # bench.pair_seeds writes the gated share with intervals; bench.mnist_models the classifier's
            f"{100 * q['confident_real']:.0f}% [{100 * q['confident_real_ci'][0]:.0f}, "
            f"{100 * q['confident_real_ci'][1]:.0f}] classified with confidence >= 0.9 and real-looking"
            if "confident_real" in q
            else f"{100 * q['confident']:.0f}% classified with confidence >= 0.9"
        )
        text += (
            f" {q['sampler']} at NFE {q['nfe']}, {q['n']} samples: {share}, Frechet distance {q['fd']:.1f} "
            f"(real-vs-real floor {q['fd_floor']:.1f})."
        )
    return text


def trained_description(side: dict[str, Any]) -> str:
    """One paragraph: what was trained, how, and its quality against the exact answer."""
    if side.get("pair"):
        return pair_description(side)
    text = (
        f"UNet ({side['params']:,} parameters, EDM preconditioning) trained by `difflab train "
        f"{side['preset']}` ({budget_text(side)}), {side['increment_law']} forward noise, {side['loss']} loss."
    )
    q = side.get("quality") or {}
    rows = {r["sigma"]: r for r in q.get("denoising", [])}
    if rows:
        ex = ", ".join(f"σ={s:g}: {100 * r['excess_rel']:+.2f}%" for s, r in rows.items())
        text += f" Denoising MSE above the exact Wiener filter's (held-out fields): {ex}."
    smp = q.get("sampling")
    if smp:
        text += (
            f" {smp['sampler']} at NFE {smp['nfe']}, {smp['n']} samples: sample-covariance error "
            f"{100 * smp['net']['sample_cov_rel_fro']:.1f}% (exact denoiser, same noise: "
            f"{100 * smp['exact_mc_floor']['sample_cov_rel_fro']:.1f}%, the Monte Carlo floor); per-mode power "
            f"error {100 * smp['net']['mode_power_rel']:.1f}% (exact {100 * smp['exact_mc_floor']['mode_power_rel']:.1f}%)."
        )
    return text


def thread_description(side: dict[str, Any]) -> str:
    """One paragraph for a spectral-thread or GUD network: what it was trained with and how it samples."""
    head = f"UNet ({side['params']:,} parameters) trained by `difflab train {side['preset']}` ({budget_text(side)})"
    if side.get("kind") == "gud":
        g = side["gud"]
        prior = (
            "white prior" if g["r"] == 0 else ("whitened, data-matched prior" if g["r"] == 1 else f"prior r={g['r']:g}")
        )
        return (
            f"{head}: GUD in the {g['basis']} basis with the {prior}, variance-ordered soft conditioning a={g['a']:g} "
            f"(gamma slope {g['slope']:.1f} per unit time), eps-loss in whitened components, conditioned on t. "
            "Sampled by component-wise DDIM (NFE = steps)."
        )
    sched = side.get("sigma_schedule", "lognormal")
    if sched == "instance":
        spread = side["gmm"]["spread"]
        return (
            f"{head}: EDM's loss over each training digit's own tight-{side['tight']['kind']} schedule, conditioned on "
            f"(lam(0), lam(1)); sampling draws the schedule from a {len(side['gmm']['weights'])}-component mixture "
            f"over the digits' (beta, lam_lo, lam_hi) (5-95%: lam_lo {spread['logsnr_min'][0]:.2f}..{spread['logsnr_min'][2]:.2f}, "
            f"lam_hi {spread['logsnr_max'][0]:.2f}..{spread['logsnr_max'][2]:.2f}). Heun per sample."
        )
    b = side["tight"]["bounds"]
    return (
        f"{head}: EDM's loss with sigma on the data set's tight-{side['tight']['kind']} schedule "
        f"(sigma {b['sigma_min']:.3f}..{b['sigma_max']:.1f}), sampled over the same schedule."
    )


def scale_space_description(side: dict[str, Any]) -> str:
    """One paragraph for a scale-space network: what was trained, how, and its SSD-sampler digit quality."""
    q = side.get("quality") or {}
    text = (
        f"Flexi-UNet ({side['params']:,} parameters, x0 prediction, {side['loss']}) trained by `difflab train "
        f"{side['preset']}` ({side['steps']} steps, batch {side['batch_size']}, {side['train_time'] / 60:.0f} min on "
        f"{side['world_size']} CPU process(es)) for {schedule_label(side['schedule'])}."
    )
    m = q.get("metrics") or {}
    if m:
        text += (
            f" SSD sampler, {q['steps']} steps, exact transitions, {q['n']} samples: {100 * m['confident']:.0f}% "
            f"classified with confidence >= 0.9, Frechet distance {m['fd']:.1f} (real-vs-real floor "
            f"{m['fd_floor']:.1f}); sampling {q['sampling_seconds']:.0f} s."
        )
    return text
