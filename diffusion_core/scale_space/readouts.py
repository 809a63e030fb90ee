"""Numbers the Scale space view reads off the process: a noisy state in data units, the share of an
image's power above a grid's Nyquist frequency, the exact posterior covariance at a switch; and the exact
field denoiser shared by every caller."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor

from .ops import ResolutionSchedule, resize_matrix
from .process import StepCoefficients, ddpm_alpha_bar, posterior_cov_dense
from .sampler import ExactFieldDenoiser


def in_data_units(x_t: Tensor, abar: float) -> Tensor:
    """x_t / √ᾱ: the noisy state with its signal at unit gain (spectra comparable with x0's)."""
    return x_t / math.sqrt(abar)


def share_above(freqs: np.ndarray, psd: np.ndarray, f: float) -> float:
    """Σ_{freq > f} P / Σ P: the share of radial power above frequency f."""
    return float(psd[freqs > f].sum() / psd.sum())


def switch_posterior(sched: ResolutionSchedule, T: int) -> tuple[int, np.ndarray, float, float]:
    """(t, eigenvalues, naive, σ_s²) at the schedule's first switch (16 -> 8 operator; M = I at t = T/2
    without a switch): the eigenvalues of the exact posterior covariance σ_s²(I − ρc² MᵀM), largest first, and
    the naive white-noise variance σ_s²(1 − ρc²)."""
    if not sched.switches:
        t, M = max(1, T // 2), torch.eye(64, dtype=torch.float64)
    else:
        t, M = sched.switches[0], resize_matrix(16, 8)
    ab = ddpm_alpha_bar(T)
    k = StepCoefficients.of(float(ab[t - 1]), float(ab[t]))
    ev = torch.linalg.eigvalsh(posterior_cov_dense(k, M)).flip(0).numpy()
    return t, ev, k.sigma_s2 * (1 - k.rho * k.c**2), k.sigma_s2


@lru_cache(maxsize=4)
def field_denoiser(size: int, beta: float) -> ExactFieldDenoiser:
    """The exact denoiser of the size² power-law field with exponent β, one per (size, β) for every caller (it only
    memoises its own decompositions, which are the same for everyone)."""
    return ExactFieldDenoiser(size, beta)
