"""Exact output covariances of the linear samplers on Gaussian data, under any sampling-noise controls.

Gaussian models (data c ~ N(mu, diag v) in an orthonormal basis B, exact denoiser D linear and diagonal
in B): every sampler is linear per coefficient, c_out = g_0 sigma_0 (B z) + sum_j g_j (B n_j), and we get
the g's exactly by running the sampler code on impulses (no Monte Carlo), churn and eta included.
White and Brownian injections are white and independent across steps, so

    C_out = diag(g_0^2 sigma_0^2 + sum_j g_j^2)            for ANY unit-variance injection law;

coloured ones have covariance M = B F F^T B^H (F the colouring filter, noise/coloured.py), so
C_out = diag(g_0^2 sigma_0^2) + (sum_j g_j g_j^T) ∘ M, a full matrix in general. The score is

    cov_rel_fro = ||C_out - C||_F / ||C||_F                  (Frobenius is basis-free; evaluation/metrics.py)

and the sample covariance S of K draws scatters around C_out with E||S - C||_F^2 =
||C_out - C||_F^2 + (||C_out||_F^2 + tr(C_out)^2) / K (Gaussian draws, known mean): mc_expected_rel_fro.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..denoisers.gaussian import GaussianDenoiser, diagonal_denoiser
from ..noise.coloured import colour
from ..noise.samplers import SAMPLERS
from ..nonnormal.controls import SamplingNoise
from .metrics import cov_rel_fro

Tensor = torch.Tensor
WHITE = SamplingNoise()


class ImpulseNoise:
    """NoiseSampler for [R, U] states: injection j is 1 in row j + 1 and 0 elsewhere."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, shape: Any, generator: Any, dtype: torch.dtype = torch.float32) -> Tensor:
        out = torch.zeros(shape, dtype=dtype)
        self.calls += 1
        if self.calls < shape[0]:
            out[self.calls] = 1.0
        return out


def impulse_gains(sampler: str, variances: Tensor, sigmas: Tensor, noise: SamplingNoise = WHITE) -> Tensor:
    """[R, M]: row 0 = g_0 sigma_0 per coefficient, row j = the response to injection j (zero rows if unused)."""
    v = variances.reshape(-1).to(torch.float64)  # [M]
    uniq, inverse = torch.unique(v, return_inverse=True)  # [U]
    x = torch.zeros(len(sigmas) + 1, uniq.numel(), dtype=torch.float64)  # [R, U]: init + at most one draw per step
    x[0] = sigmas[0]
    out = SAMPLERS[sampler](
        diagonal_denoiser(uniq), x, sigmas.to(torch.float64), noise=ImpulseNoise(), **noise.sampler_kwargs(sampler)
    )
    return out[:, inverse]  # [R, M]


def output_variance(sampler: str, variances: Tensor, sigmas: Tensor, noise: SamplingNoise = WHITE) -> Tensor:
    """Exact per-coefficient output variance of `sampler` for x_init = sigma_0 z (the diagonal of C_out; white
    second moments). Same shape as variances."""
    return impulse_gains(sampler, variances, sigmas, noise).pow(2).sum(0).reshape(variances.shape)


def injection_covariance(g: GaussianDenoiser, shape: tuple[int, ...], slope: float) -> Tensor:
    """M = B F F^T B^H [M, M]: covariance of the coefficients of one coloured injection (F: coloured.colour)."""
    d = math.prod(shape)
    p = g.encode(colour(torch.eye(d, dtype=torch.float64).reshape(d, *shape), slope))  # [d, *coef]
    p = p.reshape(d, -1)  # p[i, k] = (B F)[k, i]
    return p.T @ p.conj()


def output_covariance(
    sampler: str, g: GaussianDenoiser, shape: tuple[int, ...], sigmas: Tensor, noise: SamplingNoise = WHITE
) -> Tensor:
    """Exact output covariance in the model's basis: its diagonal [M] (white, brownian) or the full [M, M] (coloured)."""
    G = impulse_gains(sampler, g.variances, sigmas, noise)  # [R, M]
    if noise.step_noise != "coloured" or noise.slope == 0:
        return G.pow(2).sum(0)
    inj = G[1:]  # [R - 1, M]
    return torch.diag(G[0].pow(2)) + (inj.T @ inj) * injection_covariance(g, shape, noise.slope)


def exact_cov_error(
    g: GaussianDenoiser,
    sampler: str,
    sigmas: Tensor,
    noise: SamplingNoise = WHITE,
    shape: tuple[int, ...] | None = None,
) -> float:
    """cov_rel_fro of `sampler` under the controls for the exact denoiser `g` (images of `shape`, default
    the variances' shape), without drawing samples."""
    c = output_covariance(sampler, g, tuple(shape or g.variances.shape), sigmas, noise)
    return cov_rel_fro(c, g.variances.to(torch.float64))


def mode_ratio_range(c_out: Tensor, v: Tensor) -> tuple[float, float]:
    """min and max of diag(C_out) / v over coefficients with v > 0 (C_out a diagonal or a full matrix)."""
    d = torch.diagonal(c_out).real if c_out.ndim == 2 and c_out.shape[0] == c_out.shape[1] == v.numel() > 1 else c_out
    keep = v.reshape(-1) > 1e-12 * float(v.max())
    r = d.reshape(-1)[keep] / v.reshape(-1)[keep]
    return float(r.min()), float(r.max())
