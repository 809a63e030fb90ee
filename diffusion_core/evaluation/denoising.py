"""Quality of a trained denoiser against the exact answer (the Wiener filter of the Gaussian field).

Denoising: per-pixel MSE of D(x0 + sigma n) on held-out fields, next to the exact denoiser's MSE on
the SAME (x0, n) pairs and its closed form (1/HW) sum_k v_k sigma^2 / (v_k + sigma^2); the
excess relative MSE mse_net / mse_exact - 1 is >= 0 up to Monte Carlo error (the Wiener filter is
the posterior mean: no denoiser does better on average).
Sampling: K samples from the same initial noise with the network and with the exact denoiser; the
sample covariance error ||S - C||_F / ||C||_F of each (the exact one is the Monte Carlo floor for
K samples) and the per-mode power error ||mean_K |F x|^2 - v|| / ||v||.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..denoisers.gaussian import GaussianDenoiser
from ..noise.discretization import build_schedule
from ..noise.samplers import get_sampler, nfe
from ..protocols import Denoiser, sigma_to_lam
from .metrics import sample_cov_rel_fro

Tensor = torch.Tensor
EVAL_SIGMAS = (0.1, 0.5, 1.0, 2.0, 5.0)
EVAL_SEED = 1_000_003  # held-out stream: training streams use seeds < 2**20 per rank


def wiener_mse(v: Tensor, sigma: float) -> float:
    """Exact MMSE per pixel: (1/HW) sum_k v_k sigma^2 / (v_k + sigma^2) (ortho FFT, Parseval)."""
    v = v.to(torch.float64)
    return float((v * sigma**2 / (v + sigma**2)).sum() / v.numel())


def _mse(den: Denoiser, x0: Tensor, n: Tensor, sigma: float) -> float:
    lam = sigma_to_lam(torch.full((x0.shape[0],), sigma, dtype=torch.float64))
    return float((den(x0 + sigma * n, lam) - x0).pow(2).mean())


def denoising_table(
    den: Denoiser, exact: GaussianDenoiser, x0: Tensor, g: torch.Generator, sigmas: tuple[float, ...] = EVAL_SIGMAS
) -> list[dict[str, float]]:
    """One row per sigma: net, exact (same pairs), closed-form MMSE, identity and zero baselines."""
    rows = []
    x0 = x0.to(torch.float64)  # [n, C, H, W]
    for s in sigmas:
        n = torch.randn(x0.shape, generator=g, dtype=torch.float64)
        net, ex = _mse(den, x0, n, s), _mse(exact, x0, n, s)
        rows.append(
            {
                "sigma": s,
                "mse_net": net,
                "mse_exact": ex,
                "mse_exact_closed": wiener_mse(exact.variances, s),
                "excess_rel": net / ex - 1.0,
                "mse_identity": s**2,
                "mse_zero": float(x0.pow(2).mean()),
            }
        )
    return rows


def mode_power_rel(exact: GaussianDenoiser, x: Tensor) -> float:
    """||mean_K |F x|^2 - v||_2 / ||v||_2 (the diagonal of the Fourier covariance)."""
    p = exact.encode(x.to(torch.float64)).abs().pow(2).mean(0)  # [C?, H, W] power per mode
    v = exact.variances.to(torch.float64)
    return float((p.reshape(-1) - v.reshape(-1)).norm() / v.norm())


def sampling_quality(
    den: Denoiser,
    exact: GaussianDenoiser,
    shape: tuple[int, ...],
    n: int = 256,
    sampler: str = "dpmpp_2m",
    steps: int = 32,
    seed: int = 0,
) -> dict[str, Any]:
    """Network vs exact denoiser, same sampler, same karras sigmas (EDM range), same initial noise."""
    sigmas = build_schedule("karras", steps, {"sigma_min": 0.002, "sigma_max": 80.0}).sigmas.to(torch.float64)
    fn = get_sampler(sampler)
    out = {}
    for key, d in (("net", den), ("exact", exact)):
        g = torch.Generator().manual_seed(seed)
        z = torch.randn((n, *shape), generator=g, dtype=torch.float64)
        x = fn(d, sigmas[0] * z, sigmas, generator=g)
        out[key] = {
            "sample_cov_rel_fro": sample_cov_rel_fro(exact, x),
            "mode_power_rel": mode_power_rel(exact, x),
            "pixel_var": float(x.var()),
        }
    return {
        "sampler": sampler,
        "steps": steps,
        "nfe": nfe(sampler, steps),
        "n": n,
        "seed": seed,
        "net": out["net"],
        "exact_mc_floor": out["exact"],
    }


def field_quality(
    den: Denoiser,
    exact: GaussianDenoiser,
    draw: Any,
    shape: tuple[int, ...],
    n_denoise: int = 512,
    n_samples: int = 256,
) -> dict[str, Any]:
    """Both tables for a model of a Gaussian field, on the held-out stream EVAL_SEED."""
    g = torch.Generator().manual_seed(EVAL_SEED)
    x0 = draw(n_denoise, g)
    return {
        "denoising": denoising_table(den, exact, x0, g),
        "sampling": sampling_quality(den, exact, shape, n=n_samples),
    }


def edm_loss_floor(
    v: Tensor, p_mean: float = -1.2, p_std: float = 1.2, sigma_data: float = 0.5, nodes: int = 64
) -> float:
    """E_{ln sigma ~ N(p_mean, p_std^2)} [lambda(sigma) MMSE(sigma)]: the EDM mse loss of the exact denoiser
    (Gaussian noise), by Gauss-Hermite quadrature; the training loss of a perfect network."""
    z, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-z^2 / 2)
    sig = np.exp(p_mean + p_std * z)
    lam = (sig**2 + sigma_data**2) / (sig * sigma_data) ** 2
    mmse = np.array([wiener_mse(v, float(s)) for s in sig])
    return float((w * lam * mmse).sum() / w.sum())
