"""benchmarks/models.md from the trained models' JSON sidecars (no recomputation: the numbers are the
ones `difflab train` measured at the end of each run). `make readme` writes it with every other page."""

from __future__ import annotations

from typing import Any

from .. import data
from ..evaluation.denoising import edm_loss_floor
from ..models.registry import SIDECARS


def _floor(s: dict[str, Any]) -> str:
    """The EDM loss of the exact denoiser (only meaningful for Gaussian noise and the mse loss)."""
    if s["dataset"] != "field-beta2-32" or s["increment_law"] != "gaussian" or s["loss"] != "mse":
        return "–"
    return f"{edm_loss_floor(data.power_law_variance(32, 2.0), sigma_data=s['arch']['sigma_data']):.4f}"


def _run_table(sides: list[dict[str, Any]]) -> str:
    head = (
        "| model | preset | params | weights | increment law | loss | steps x batch | processes | train time | "
        "final loss | exact denoiser's loss |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    return head + "".join(
        f"| {s['name']} | `{s['preset']}` | {s['params']:,} | `{s['weights']}` (sha256 `{s['sha256'][:12]}…`) | "
        f"{s['increment_law']} | {s['loss']} | {s['steps']} x {s['batch_size']} | {s['world_size']} | "
        f"{s['train_time'] / 60:.1f} min | {s['final_loss']:.4f} | {_floor(s)} |\n"
        for s in sides
    )


def _denoise_table(sides: list[dict[str, Any]]) -> str:
    sigmas = [r["sigma"] for r in sides[0]["quality"]["denoising"]]
    head = (
        "| sigma | exact Wiener MSE (closed form) | identity MSE | zero MSE | "
        + " | ".join(f"{s['name']}: MSE (excess)" for s in sides)
        + " |\n|"
        + "---|" * (4 + len(sides))
        + "\n"
    )
    rows = ""
    for i, sig in enumerate(sigmas):
        r0 = sides[0]["quality"]["denoising"][i]
        cells = " | ".join(
            f"{s['quality']['denoising'][i]['mse_net']:.5f} "
            f"(**{100 * s['quality']['denoising'][i]['excess_rel']:+.2f}%**)"
            for s in sides
        )
        rows += (
            f"| {sig:g} | {r0['mse_exact_closed']:.5f} (MC {r0['mse_exact']:.5f}) | {r0['mse_identity']:.4g} | "
            f"{r0['mse_zero']:.4f} | {cells} |\n"
        )
    return head + rows


def _sampling_table(sides: list[dict[str, Any]]) -> str:
    s0 = sides[0]["quality"]["sampling"]
    head = (
        f"{s0['sampler']}, karras sigmas 80 -> 0.002, {s0['steps']} steps (NFE {s0['nfe']}), {s0['n']} samples, "
        f"seed {s0['seed']}; the exact denoiser runs from the same initial noise (its error is the Monte Carlo "
        "floor for this n plus the sampler's own exact error).\n\n"
        "| denoiser | sample-cov. error ‖S − C‖_F/‖C‖_F | per-mode power error | pixel variance (true 0.25) |\n"
        "|---|---|---|---|\n"
    )
    ex = s0["exact_mc_floor"]
    rows = f"| exact (Wiener) | {100 * ex['sample_cov_rel_fro']:.1f}% | {100 * ex['mode_power_rel']:.1f}% | {ex['pixel_var']:.4f} |\n"
    for s in sides:
        q = s["quality"]["sampling"]["net"]
        rows += (
            f"| {s['name']} | {100 * q['sample_cov_rel_fro']:.1f}% | {100 * q['mode_power_rel']:.1f}% | "
            f"{q['pixel_var']:.4f} |\n"
        )
    return head + rows


def models_markdown() -> str:
    """The whole benchmarks/models.md."""
    sides = [s for s in SIDECARS.values() if s.get("quality") and s["dataset"] == "field-beta2-32"]
    if not sides:
        return "# Trained models\n\nNo trained model with quality numbers in diffusion_core/models/weights/.\n"
    return (
        "# Trained models\n\nProduced by `difflab train PRESET` (torchrun, DDP over gloo on CPU); weights are "
        "safetensors (state dict only, sha256 in the sidecar JSON and checked on every load). Quality is measured "
        "against the exact answer: the data are the beta = 2 power-law Gaussian field, whose posterior mean is the "
        "Wiener filter per Fourier mode (denoisers/gaussian.py). The last column of the runs table is the EDM "
        "loss the exact denoiser would have (E over the log-normal sigmas of lambda(sigma) x Wiener MSE, "
        "quadrature): the floor of the training loss. Held-out fields and noise come from the stream "
        "seeded 1,000,003; at test time the noise is Gaussian for every model.\n\n## Runs\n\n"
        + _run_table(sides)
        + "\n## Denoising: per-pixel MSE against the exact Wiener filter\n\nSame held-out fields (512) and noise for "
        "every column; excess = MSE_net / MSE_exact(same pairs) − 1 (the Wiener filter is the MMSE estimator, so "
        "excess ≥ 0 up to Monte Carlo error).\n\n"
        + _denoise_table(sides)
        + "\n## Sampling: network vs exact denoiser\n\n"
        + _sampling_table(sides)
    )
