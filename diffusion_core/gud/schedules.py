"""Component-wise (soft-conditioning) noise schedules, GUD (Gerdes, Welling, Cheng, arXiv 2410.02667).

Every component i of a whitened/unwhitened basis runs its own VP process with gamma_i(t), the
NEGATIVE process logSNR (gamma = -lam):  alpha^2 = sigmoid(-gamma), sigma^2 = sigmoid(gamma),
beta = sigma^2 dgamma/dt. True SNR_i(t) = Sigma_i exp(-gamma_i(t)), Sigma_i the component variance
in the space where noise is added. All schedules here are clipped straight lines

    gamma_i(t) = clip(gamma0_i + slope * t, lo_i, hi_i)        (lo, hi = -inf, inf if unclipped)

Time runs t = 0 data -> t = 1 noise. A higher label l_i is noised earlier and generated later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..validation import InputError, check_range

Tensor = torch.Tensor
GAMMA_DENOISE, GAMMA_NOISE = -7.0, 3.0  # target band defaults of the official code


@dataclass(frozen=True)
class ComponentSchedule:
    """gamma_i(t) = clip(gamma0_i + slope t, lo_i, hi_i); log_var_i = log Sigma_i; band in true gamma."""

    gamma0: Tensor  # [D]
    slope: float
    lo: Tensor  # [D]
    hi: Tensor  # [D]
    log_var: Tensor  # [D]
    labels: Tensor  # [D]
    band: tuple[float, float]  # (gamma_denoise, gamma_noise)


# ---------------------------------------------------------------------------------------------
# Formulas (Sec. 3 of the reference)


def alpha2(gamma: Tensor) -> Tensor:
    """alpha^2 = sigmoid(-gamma)."""
    return torch.sigmoid(-gamma)


def sigma2(gamma: Tensor) -> Tensor:
    """sigma^2 = sigmoid(gamma)."""
    return torch.sigmoid(gamma)


def beta_from_gamma(gamma: Tensor, dgamma_dt: Tensor) -> Tensor:
    """beta = sigma^2 * dgamma/dt (the beta identity)."""
    return torch.sigmoid(gamma) * dgamma_dt


def vp_gamma(t: Tensor, beta_min: float = 0.1, beta_max: float = 20.0) -> Tensor:
    """gamma(t) = log(expm1(int_0^t beta)), beta(t) = beta_min + (beta_max - beta_min) t (VP-SDE)."""
    return torch.log(torch.expm1(beta_min * t + 0.5 * (beta_max - beta_min) * t**2))


def vp_dgamma_dt(t: Tensor, beta_min: float = 0.1, beta_max: float = 20.0) -> Tensor:
    """d/dt log(expm1(B(t))) = beta(t) e^B / (e^B - 1)."""
    big_b = beta_min * t + 0.5 * (beta_max - beta_min) * t**2
    return (beta_min + (beta_max - beta_min) * t) / -torch.expm1(-big_b)


# ---------------------------------------------------------------------------------------------
# Evaluating a component schedule on times t [T] -> [T, D]


def gamma(s: ComponentSchedule, t: Tensor) -> Tensor:
    """gamma_i(t) = clip(gamma0_i + slope t, lo_i, hi_i). [T, D]"""
    t = torch.as_tensor(t, dtype=torch.float64).reshape(-1, 1)
    return torch.minimum(torch.maximum(s.gamma0 + s.slope * t, s.lo), s.hi)


def dgamma_dt(s: ComponentSchedule, t: Tensor) -> Tensor:
    """slope inside the clip range, 0 where clipped (so beta = 0 there). [T, D]"""
    t = torch.as_tensor(t, dtype=torch.float64).reshape(-1, 1)
    raw = s.gamma0 + s.slope * t
    inside = (raw > s.lo) & (raw < s.hi)
    return inside.to(torch.float64) * s.slope


def beta(s: ComponentSchedule, t: Tensor) -> Tensor:
    """beta_i(t) = sigmoid(gamma_i) dgamma_i/dt. [T, D]"""
    return beta_from_gamma(gamma(s, t), dgamma_dt(s, t))


def true_logsnr(s: ComponentSchedule, t: Tensor) -> Tensor:
    """log SNR_i(t) = log Sigma_i - gamma_i(t). [T, D]"""
    return s.log_var - gamma(s, t)


# ---------------------------------------------------------------------------------------------
# Constructors


def _check_band(gamma_denoise: float, gamma_noise: float) -> tuple[float, float]:
    gd = check_range("gamma_denoise", gamma_denoise, -30.0, 30.0)
    gn = check_range("gamma_noise", gamma_noise, -30.0, 30.0)
    if gn <= gd:
        raise InputError(f"gamma_noise must be greater than gamma_denoise, got {gn:g} <= {gd:g}")
    return gd, gn


def soft_conditioning(
    labels: Tensor,
    log_var: Tensor,
    a: float,
    gamma_denoise: float = GAMMA_DENOISE,
    gamma_noise: float = GAMMA_NOISE,
    clip: bool = False,
) -> ComponentSchedule:
    """gamma_min,i = g_d + log Sigma_i + a (l_i - l_max); slope = g_n - g_d + a (l_max - l_min) [Sec. 5.1]."""
    a = check_range("a", a, 0.0, 1e4)
    gd, gn = _check_band(gamma_denoise, gamma_noise)
    labels, log_var = labels.to(torch.float64), log_var.to(torch.float64)
    lmin, lmax = float(labels.min()), float(labels.max())
    gamma0 = gd + log_var + a * (labels - lmax)
    slope = gn - gd + a * (lmax - lmin)
    inf = torch.full_like(log_var, math.inf)
    lo, hi = (gd + log_var, gn + log_var) if clip else (-inf, inf)
    return ComponentSchedule(gamma0, slope, lo, hi, log_var, labels, (gd, gn))


def sequential(
    labels01: Tensor,
    log_var: Tensor,
    softness: float,
    gamma_denoise: float = GAMMA_DENOISE,
    gamma_noise: float = GAMMA_NOISE,
) -> ComponentSchedule:
    """Column/row schedule [code: `sequential_offsets`]: offsets up to tau_max = min(1/softness, 0.99).

    Component i waits at the band's clean edge, rises over (1 - tau_max), then holds at the noisy
    edge; higher labels start earlier. Identical to the clipped soft-conditioning line with
    a (l_max - l_min) = (g_n - g_d) tau_max / (1 - tau_max) [derived].
    """
    b = check_range("softness", softness, 0.0, None, lo_open=True)
    gd, gn = _check_band(gamma_denoise, gamma_noise)
    tau_max = min(1.0 / b, 0.99)
    span = float(labels01.max() - labels01.min())
    a = 0.0 if span == 0 else (gn - gd) * tau_max / (1.0 - tau_max) / span
    return soft_conditioning(labels01, log_var, a, gd, gn, clip=True)


def level_column_labels(level: Tensor, column: Tensor, column_weight: float) -> Tensor:
    """Wavelet-level x column labels: l = level + w * column, w in [0, 1] [derived]."""
    w = check_range("column weight", column_weight, 0.0, 1.0)
    return level.to(torch.float64) + w * column.to(torch.float64)
