"""`difflab bench scale-space`: the shipped Flexi-UNet against its full-resolution baseline (`speedup`,
`flop_ratio`, digit quality; bench/flexi.py), the scale-space checks B1-B9 at full Monte Carlo size, and
the exact-denoiser sampler's spectrum error (SSD vs DDPM) against the number of steps.

The tests run the short forms (tests/test_scale_space_*.py); this prints the numbers for the report.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .. import data
from .. import scale_space as ss
from ..scale_space.ops import lanczos_fab
from ..scale_space.sampler import ExactFieldDenoiser, sampler_output_covariance, spectrum_check, ssd_sample
from . import flexi

PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "coins", "grass", "gravel", "brick")


def _direct(n_in: int, n_out: int) -> torch.Tensor:
    eye = torch.eye(n_in * n_in, dtype=torch.float64).reshape(-1, 1, n_in, n_in)
    return (
        F.interpolate(eye, size=(n_out, n_out), mode="bilinear", align_corners=False, antialias=True)
        .reshape(n_in * n_in, -1)
        .T
    )


def operator_checks() -> dict:
    """B1b lambda_max per factor, B3 min eigenvalues, B4b, B5a Lanczos error vs iterations, B5c."""
    ab = ss.ddpm_alpha_bar(1000)
    k = ss.StepCoefficients.of(float(ab[437]), float(ab[438]))
    M = ss.resize_matrix(8, 4)
    v = torch.randn(1, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    A = torch.eye(64, dtype=torch.float64) - k.rho * k.c**2 * (M.T @ M)
    ev, U = torch.linalg.eigh(A)
    exact = (U * ev.sqrt()) @ U.T @ v[0]
    op = lambda u: u @ A  # noqa: E731
    lanczos = {m: float((lanczos_fab(op, v, torch.sqrt, m)[0] - exact).norm() / exact.norm()) for m in (2, 5, 10, 40)}
    lam = {
        f"{a}->{b}": float(torch.linalg.eigvalsh(_direct(a, b) @ _direct(a, b).T).max())
        for a, b in ((8, 4), (16, 8), (32, 16), (16, 4))
    }
    b3 = {
        n: float(
            torch.linalg.eigvalsh(ss.transition_cov(float(ab[437]), float(ab[438]), ss.resize_matrix(n, n // 2))).min()
        )
        for n in (8, 64)
    }
    post = torch.linalg.eigvalsh(ss.posterior_cov_dense(k, ss.resize_matrix(32, 16)))
    return {
        "B1b_lambda_max": lam,
        "B3_min_eig_t438": b3,
        "B4b_beta_tilde": k.sigma_s2 * (1 - k.rho * k.c**2),
        "B5a_rel_error_by_iters": lanczos,
        "B5c_posterior_eig_range": [float(post.min()), float(post.max())],
        "sigma_s2": k.sigma_s2,
    }


def monte_carlo_checks(n: int) -> dict:
    """B5b (Lanczos draw covariance vs predicted MC error) and B6 (marginal through the 16->8 switch)."""
    ab = ss.ddpm_alpha_bar(1000)
    k = ss.StepCoefficients.of(float(ab[437]), float(ab[438]))
    xi = torch.randn(n, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    z = ss.posterior_noise(xi, k, 4).reshape(n, 64)
    sig = ss.posterior_cov_dense(k, ss.resize_matrix(8, 4))
    err = float((z.T @ z / n - sig).norm() / sig.norm())
    pred = math.sqrt((sig.norm() ** 2 + torch.trace(sig) ** 2) / n) / float(sig.norm())
    sched = ss.resolution_schedule(16, 4)
    x0 = data.gaussian_field(2.0, 16, 1, torch.Generator().manual_seed(4)).double()
    g = torch.Generator().manual_seed(5)
    xs = ss.forward_marginal(x0.expand(n, -1, -1, -1), 437, sched, g)
    xt = ss.forward_step(xs, float(ab[437]), float(ab[438]), 8, g).reshape(n, 64)
    c = torch.cov(xt.T)
    mean = math.sqrt(float(ab[438])) * ss.to_size(x0, 8).flatten()
    return {
        "N": n,
        "B5b_rel_frobenius": err,
        "B5b_predicted": pred,
        "B6_var_mean": float(torch.diag(c).mean()),
        "B6_var_expected": 1 - float(ab[438]),
        "B6_mean_max_error": float((xt.mean(0) - mean).abs().max()),
        "B6_max_offdiag": float((c - torch.diag(torch.diag(c))).abs().max()),
    }


def schedule_checks() -> dict:
    """B7 switches/occupancy, B9 pixel work, B8 MI share at the 64->32 switch per photo."""
    ab = ss.ddpm_alpha_bar(1000)
    out = {}
    for size, levels in ((64, 4), (64, 2), (128, 5), (256, 6)):
        s = ss.resolution_schedule(size, levels)
        out[f"{size}px {levels}L"] = {
            "switches": s.switches,
            "logsnr": [round(ss.logsnr(float(ab[t])), 2) for t in s.switches],
            "occupancy": s.occupancy,
            "pixel_work": round(ss.pixel_work_fraction(s), 4),
        }
    lam = ss.logsnr(float(ab[438]))
    b8 = {
        p: [round(100 * sh, 2), round(tot, 1)]
        for p in PHOTOS
        for sh, tot in [ss.mi_share_above_nyquist(data.load_photo(p, 64), lam)]
    }
    return {"B7_B9": out, "B8_share_percent_and_total_nats": b8}


def sampler_quality(n: int, steps_list: tuple[int, ...]) -> list[dict]:
    """Max relative error of the exact output spectrum vs truth, and of N samples, for SSD(3L) and DDPM."""
    den = ExactFieldDenoiser(16, 2.0)
    rows = []
    for steps in steps_list:
        for levels in (3, 1):
            sched = ss.resolution_schedule(16, levels)
            x = ssd_sample(den, sched, n, torch.Generator().manual_seed(0), steps=steps)
            chk = spectrum_check(x, den, sampler_output_covariance(den, sched, steps))
            rows.append(
                {
                    "sampler": f"SSD {levels}L" if levels > 1 else "DDPM",
                    "steps": steps,
                    "N": n,
                    "exact_max_rel_bias": float(np.abs(chk.predicted / chk.truth - 1).max()),
                    "sampled_max_rel_error": float(chk.rel_error.max()),
                    "max_abs_z": float(np.abs(chk.z).max()),
                }
            )
    return rows


def run(quick: bool = False) -> dict:
    torch.set_num_threads(1)
    nets = flexi.run(quick)
    top = {k: nets["flexi_vs_baseline"][k] for k in ("speedup", "flop_ratio")} if "flexi_vs_baseline" in nets else {}
    return {
        **top,
        **nets,
        **operator_checks(),
        **schedule_checks(),
        "monte_carlo": monte_carlo_checks(4000 if quick else 20_000),
        "sampler": sampler_quality(256 if quick else 2000, (100,) if quick else (1000, 250, 100)),
    }
