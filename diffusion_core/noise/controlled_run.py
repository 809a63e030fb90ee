"""A registered model sampled under sampling-noise controls (controls.py), and its exact score under them.

`run_controlled` is models/sampling.run_sampler with the controls: the same seeded initial noise z, the
generator positioned after z for the injections, the sampler's options (churn, eta) and the step noise;
with default controls it gives the same pixels.

Exact numbers (Gaussian models, exact denoiser D linear and diagonal in the model's basis B): per coefficient
the output is c = g_0 sigma_0 (B z) + sum_j g_j (B n_j), the g's found by running the sampler on impulses
(models/quality.py), churn and eta included. White and Brownian injections are white and independent across
steps, so C_out = diag(g_0^2 sigma_0^2 + sum_j g_j^2); coloured ones have covariance M = B F F^T B^H (F the
colouring filter), so C_out = diag(g_0^2 sigma_0^2) + (sum_j g_j g_j^T) ∘ M, a full matrix in general.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ..denoisers.gaussian import GaussianDenoiser, diagonal_denoiser
from ..models import quality as Q
from ..models import sampling as S
from ..models.registry import Model
from ..protocols import Callback
from .coloured import colour
from .controls import SamplingNoise
from .samplers import SAMPLERS, get_sampler

Tensor = torch.Tensor


def run_controlled(model: Model, sampler: str, sigmas: Tensor, n: int, seed: int, noise: SamplingNoise,
                   callback: Callback | None = None, dtype: torch.dtype = S.DTYPE) -> Tensor:
    """x0 samples [n, C, H, W] (CPU, `dtype`) from x = sigma_0 z (z from `seed`) under the controls `noise`."""
    fn = get_sampler(sampler)
    z, g = S.initial_noise(model, n, seed)
    x = (sigmas[0] * z).to(model.device, dtype)
    return fn(model.denoiser, x, sigmas, generator=g, noise=noise.noise_sampler(sigmas, seed), callback=callback,
              **noise.sampler_kwargs(sampler)).cpu()


# ---------------------------------------------------------------------------------------------
# Exact output covariance of a Gaussian model under the controls


def impulse_gains(sampler: str, variances: Tensor, sigmas: Tensor, noise: SamplingNoise) -> Tensor:
    """[R, M]: row 0 = g_0 sigma_0 per coefficient, row j = the response to injection j (zero rows if unused)."""
    v = variances.reshape(-1).to(torch.float64)                   # [M]
    uniq, inverse = torch.unique(v, return_inverse=True)          # [U]
    x = torch.zeros(len(sigmas) + 1, uniq.numel(), dtype=torch.float64)   # [R, U]: init + at most one draw per step
    x[0] = sigmas[0]
    out = SAMPLERS[sampler](diagonal_denoiser(uniq), x, sigmas.to(torch.float64), noise=Q.ImpulseNoise(),
                            **noise.sampler_kwargs(sampler))
    return out[:, inverse]                                        # [R, M]


def injection_covariance(g: GaussianDenoiser, shape: tuple[int, ...], slope: float) -> Tensor:
    """M = B F F^T B^H [M, M]: covariance of the coefficients of one coloured injection (F: coloured.colour)."""
    d = math.prod(shape)
    p = g.encode(colour(torch.eye(d, dtype=torch.float64).reshape(d, *shape), slope))   # [d, *coef]
    p = p.reshape(d, -1)                                          # p[i, k] = (B F)[k, i]
    return p.T @ p.conj()


def output_covariance(sampler: str, g: GaussianDenoiser, shape: tuple[int, ...], sigmas: Tensor,
                      noise: SamplingNoise) -> Tensor:
    """Exact output covariance in the model's basis: its diagonal [M] (white, brownian) or the full [M, M] (coloured)."""
    G = impulse_gains(sampler, g.variances, sigmas, noise)        # [R, M]
    if noise.step_noise != "coloured" or noise.slope == 0:
        return G.pow(2).sum(0)
    inj = G[1:]                                                   # [R - 1, M]
    return torch.diag(G[0].pow(2)) + (inj.T @ inj) * injection_covariance(g, shape, noise.slope)


def cov_error(c_out: Tensor, v: Tensor) -> float:
    """||C_out - diag v||_F / ||v||_2 (C_out a diagonal [M] or a full [M, M])."""
    v = v.reshape(-1).to(torch.float64)
    if c_out.ndim == 1:
        return float((c_out - v).norm() / v.norm())
    return float((c_out - torch.diag(v).to(c_out.dtype)).abs().norm() / v.norm())


def mc_expected(c_out: Tensor, v: Tensor, k: int) -> float:
    """sqrt(E||S - C||_F^2) / ||C||_F for K Gaussian draws with covariance C_out: bias^2 + (||C_out||^2 + tr^2) / K."""
    bias2 = cov_error(c_out, v) ** 2 * float(v.reshape(-1).to(torch.float64).pow(2).sum())
    fro2 = float(c_out.abs().pow(2).sum())
    tr = float(c_out.sum().real) if c_out.ndim == 1 else float(torch.diagonal(c_out).sum().real)
    return math.sqrt(bias2 + (fro2 + tr**2) / k) / float(v.reshape(-1).to(torch.float64).norm())


def exact_cov_error_of(g: GaussianDenoiser, sampler: str, sigmas: Tensor, noise: SamplingNoise,
                       shape: tuple[int, ...] | None = None) -> float:
    """cov_rel_fro of `sampler` under the controls for the exact denoiser `g` (images of `shape`, default
    the variances' shape)."""
    c = output_covariance(sampler, g, tuple(shape or g.variances.shape), sigmas, noise)
    return cov_error(c, g.variances)


def exact_cov_error(model: Model, sampler: str, sigmas: Tensor, noise: SamplingNoise) -> float | None:
    """cov_rel_fro under the controls without drawing samples (Gaussian models only)."""
    if model.gaussian is None:
        return None
    return exact_cov_error_of(model.gaussian, sampler, sigmas, noise, tuple(model.spec.shape))


def score(model: Model, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise) -> dict[str, Any]:
    """models/quality.score with the exact numbers taken under the controls (the same dict keys)."""
    q = Q.score(model, sampler, sigmas, x)
    ref = model.gaussian if q["metric"] == "cov_rel_fro" else model.reference if q["metric"] == "sample_cov_rel_fro" else None
    if ref is None or noise.white_second_moments:
        return q
    v = ref.variances.to(torch.float64)
    c = output_covariance(sampler, ref, tuple(model.spec.shape), sigmas, noise)
    exact, expected = cov_error(c, v), mc_expected(c, v, x.shape[0])
    if q["metric"] == "cov_rel_fro":
        lo, hi = Q.mode_ratio_range((c if c.ndim == 1 else torch.diagonal(c).real).reshape(v.shape), v)
        return {**q, "value": exact, "sample_cov_rel_fro_expected": expected, "mode_var_ratio_min": lo,
                "mode_var_ratio_max": hi}
    return {**q, "sample_cov_rel_fro_expected": expected, "exact_denoiser_cov_rel_fro": exact}
