"""Per-step losses implied by each (q, p) increment pair (Li, arXiv 2412.07935, Table 1, App. A),
with the corrections recorded in reference/non-normal-increments.md section 6.

Every loss is a function of the residual r = eps - eps_theta. With d = mu_1 - mu_2 measured in
units of the step std g sqrt(dt), d = v_k r, where
  w_k = g(t)^2 dt / (2 sigma(t)^2)      v_k = g(t) sqrt(dt) / sigma(t) = sqrt(2 w_k)
and sigma(t) is the VP marginal std of the reference process (walks.py).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import torch

from ..noise.conventions import integrated_beta, lam_from_integrated_beta
from ..validation import check_choice, check_range
from .walks import beta_vp, check_steps, vp_alpha_sigma

PAIRS = ("gaussian-gaussian", "laplace-laplace", "uniform-gaussian", "uniform-laplace")
LaplaceForm = Literal["coordinate", "paper"]
KL_UNIFORM_GAUSS = 0.5 * (1.0 + math.log(math.pi / 6.0))  # = 0.17649 (the paper prints 0.34)


# ----------------------------------------------------------------------------
# Closed-form KLs; d = mu_1 - mu_2.


def kl_gauss_gauss(d: float | np.ndarray, s1: float, s2: float) -> np.ndarray:
    """KL(N(mu1, s1^2) || N(mu2, s2^2)) = log(s2/s1) + (s1^2 + d^2) / (2 s2^2) - 1/2."""
    return np.log(s2 / s1) + (s1**2 + np.square(d)) / (2.0 * s2**2) - 0.5


def kl_laplace_laplace(d: float | np.ndarray, b1: float, b2: float) -> np.ndarray:
    """KL(Lap(mu1, b1) || Lap(mu2, b2)) = (b1/b2) e^{-|d|/b1} + |d|/b2 + log(b2/b1) - 1."""
    ad = np.abs(d)
    return (b1 / b2) * np.exp(-ad / b1) + ad / b2 + np.log(b2 / b1) - 1.0


def kl_uniform_laplace(d: float | np.ndarray, b1: float, b2: float) -> np.ndarray:
    """KL(U[mu1 +- b1] || Lap(mu2, b2)): log(b2/b1) + (d^2 + b1^2)/(2 b1 b2) if |d| <= b1, else + |d|/b2."""
    ad = np.abs(d)
    inside = (np.square(d) + b1**2) / (2.0 * b1 * b2)
    return np.log(b2 / b1) + np.where(ad <= b1, inside, ad / b2)


def kl_uniform_gauss(d: float | np.ndarray, b1: float, s2: float) -> np.ndarray:
    """KL(U[mu1 +- b1] || N(mu2, s2^2)) = log(s2 sqrt(2 pi) / (2 b1)) + (b1^2/3 + d^2) / (2 s2^2)."""
    return np.log(s2 * math.sqrt(2.0 * math.pi) / (2.0 * b1)) + (b1**2 / 3.0 + np.square(d)) / (2.0 * s2**2)


# ----------------------------------------------------------------------------
# Loss weights at a step of the reference VP walk.


def loss_weights(t: float, steps: int) -> tuple[float, float]:
    """(w_k, v_k) at time t with dt = 1/N: w = beta(t) dt / (2 sigma(t)^2), v = sqrt(2 w)."""
    t = check_range("t", t, 0.0, 1.0, lo_open=True)
    dt = 1.0 / check_steps(steps)
    sigma = float(vp_alpha_sigma(t)[1])
    w = float(beta_vp(t)) * dt / (2.0 * sigma**2)
    return w, math.sqrt(2.0 * w)


def vdm_weight_sum(steps: int, t_min: float) -> tuple[float, float]:
    """(sum_k w_k over t_k in (t_min, 1], its limit (gamma(1) - gamma(t_min)) / 2), gamma = -logSNR."""
    t = np.arange(1, steps + 1) / steps
    t = t[t > t_min]
    _, sig = vp_alpha_sigma(t)
    total = float(np.sum(beta_vp(t) / steps / (2.0 * sig**2)))
    gamma = lambda u: -float(lam_from_integrated_beta(integrated_beta(u)))  # noqa: E731
    return total, 0.5 * (gamma(1.0) - gamma(t_min))


# ----------------------------------------------------------------------------
# Losses of the residual r = eps - eps_theta, [..., D] -> [...] (sum over the last axis).


def soft_l1(x: torch.Tensor) -> torch.Tensor:
    """d(x) = e^{-x} - 1 + x, x >= 0: x^2/2 for small x, x for large x (App. Eq. 36)."""
    return torch.expm1(-x) + x


def loss_gauss_gauss(r: torch.Tensor, w: float) -> torch.Tensor:
    """Gaussian-Gaussian: w_k ||r||^2 (eps-MSE with the ELBO weight)."""
    return w * (r**2).sum(-1)


def loss_laplace_laplace(r: torch.Tensor, v: float, form: LaplaceForm = "coordinate") -> torch.Tensor:
    """Laplace-Laplace: sum_j d(v |r_j|) (factorised KL); form="paper": d(v ||r||_1)."""
    check_choice("laplace form", form, ("coordinate", "paper"))
    if form == "paper":
        return soft_l1(v * r.abs().sum(-1))
    return soft_l1(v * r.abs()).sum(-1)


def loss_uniform_gauss(r: torch.Tensor, w: float) -> torch.Tensor:
    """Uniform-Gaussian: w_k ||r||^2 + D * C, C = (1 + log(pi/6)) / 2 = 0.1765 per coordinate."""
    return w * (r**2).sum(-1) + r.shape[-1] * KL_UNIFORM_GAUSS


def loss_uniform_laplace(r: torch.Tensor, v: float) -> torch.Tensor:
    """Uniform-Laplace (b1 = b2 = step std): per coordinate w r^2 + 1/2 if v|r| <= 1, else v|r|: Huber."""
    vr = v * r.abs()
    return torch.where(vr <= 1.0, 0.5 * vr**2 + 0.5, vr).sum(-1)


def pair_loss(
    pair: str, r: torch.Tensor, t: float, steps: int, laplace_form: LaplaceForm = "coordinate"
) -> torch.Tensor:
    """The per-step loss of a (q, p) pair at (t, N) for residuals r [..., D]."""
    check_choice("pair", pair, PAIRS)
    w, v = loss_weights(t, steps)
    if pair == "gaussian-gaussian":
        return loss_gauss_gauss(r, w)
    if pair == "laplace-laplace":
        return loss_laplace_laplace(r, v, laplace_form)
    if pair == "uniform-gaussian":
        return loss_uniform_gauss(r, w)
    return loss_uniform_laplace(r, v)
