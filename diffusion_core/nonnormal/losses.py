"""Per-step losses implied by each (q, p) increment pair (Li, arXiv 2412.07935, Table 1, App. A),
with the corrections recorded in reference/non-normal-increments.md sections 6 and 10.

The default form ("coordinate") is the KL between exactly the unit-variance laws the project samples
(laws.py: Laplace scale b = s/sqrt(2), uniform on +-sqrt(3) s), summed over coordinates. The paper's printed
forms (Laplace scale b = s; uniform half-width s in the uniform-Laplace pair; the Laplace KL of the L1 norm)
are the named option form="paper", labelled "paper's printed form" wherever shown.

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
# (q, p) of each pair: q the true reverse increment law, p the model's (the law its generative chain samples).
PAIR_LAWS = {
    "gaussian-gaussian": ("gaussian", "gaussian"),
    "laplace-laplace": ("laplace", "laplace"),
    "uniform-gaussian": ("uniform", "gaussian"),
    "uniform-laplace": ("uniform", "laplace"),
}
LossForm = Literal["coordinate", "paper"]
LOSS_FORMS: tuple[str, ...] = ("coordinate", "paper")
LOSS_FORM_LABELS = {"coordinate": "KL of the sampled unit-variance laws", "paper": "paper's printed form"}
KL_UNIFORM_GAUSS = 0.5 * (1.0 + math.log(math.pi / 6.0))  # = 0.17649 (the paper prints 0.34)
SQRT2, SQRT3, SQRT6 = math.sqrt(2.0), math.sqrt(3.0), math.sqrt(6.0)
KL_UNIFORM_LAPLACE = 3.0 / SQRT6 - 0.5 * math.log(6.0)  # = 0.32880: KL(U[+-sqrt 3] || Lap(1/sqrt 2)) at x = 0


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


def loss_laplace_laplace(r: torch.Tensor, v: float | torch.Tensor, form: LossForm = "coordinate") -> torch.Tensor:
    """Laplace-Laplace: sum_j d(sqrt2 v |r_j|), the KL of Lap(b = s/sqrt2) laws; form="paper": d(v ||r||_1)."""
    check_choice("loss form", form, LOSS_FORMS)
    if form == "paper":
        return soft_l1(v * r.abs().sum(-1))
    return soft_l1(SQRT2 * v * r.abs()).sum(-1)


def loss_uniform_gauss(r: torch.Tensor, w: float) -> torch.Tensor:
    """Uniform-Gaussian: w_k ||r||^2 + D * C, C = (1 + log(pi/6)) / 2 = 0.1765 per coordinate."""
    return w * (r**2).sum(-1) + r.shape[-1] * KL_UNIFORM_GAUSS


def loss_uniform_laplace(r: torch.Tensor, v: float | torch.Tensor, form: LossForm = "coordinate") -> torch.Tensor:
    """Uniform-Laplace, x = v|r|: -log(6)/2 + (x^2 + 3)/sqrt6 if x <= sqrt3, else -log(6)/2 + sqrt2 x (KL of
    U[+-sqrt3 s] || Lap(s/sqrt2), a Huber kink at x = sqrt3); form="paper" (b1 = b2 = s): x^2/2 + 1/2 if x <= 1, else x."""
    check_choice("loss form", form, LOSS_FORMS)
    x = v * r.abs()
    if form == "paper":
        return torch.where(x <= 1.0, 0.5 * x**2 + 0.5, x).sum(-1)
    inside = (x**2 + 3.0) / SQRT6
    return (torch.where(x <= SQRT3, inside, SQRT2 * x) - 0.5 * math.log(6.0)).sum(-1)


def kl_at_zero(pair: str, form: LossForm = "coordinate") -> float:
    """The per-coordinate KL of a pair at r = 0 (the law mismatch; it carries no gradient)."""
    check_choice("pair", pair, PAIRS)
    if pair == "uniform-gaussian":
        return KL_UNIFORM_GAUSS
    if pair == "uniform-laplace":
        return 0.5 if check_choice("loss form", form, LOSS_FORMS) == "paper" else KL_UNIFORM_LAPLACE
    return 0.0


def loss_kinks(v: float, form: LossForm = "coordinate") -> tuple[float, float]:
    """|r| where Laplace-Laplace turns linear (v|r| = b/s: 1/(sqrt2 v), paper 1/v) and uniform-Laplace's Huber kink
    (v|r| = half-width/s: sqrt3/v, paper 1/v)."""
    check_choice("loss form", form, LOSS_FORMS)
    return (1.0 / v, 1.0 / v) if form == "paper" else (1.0 / (SQRT2 * v), SQRT3 / v)


def pair_loss(pair: str, r: torch.Tensor, t: float, steps: int, form: LossForm = "coordinate") -> torch.Tensor:
    """The per-step loss (KL) of a (q, p) pair at (t, N) for residuals r [..., D]; form: see LOSS_FORMS."""
    check_choice("pair", pair, PAIRS)
    w, v = loss_weights(t, steps)
    if pair == "gaussian-gaussian":
        return loss_gauss_gauss(r, w)
    if pair == "laplace-laplace":
        return loss_laplace_laplace(r, v, form)
    if pair == "uniform-gaussian":
        return loss_uniform_gauss(r, w)
    return loss_uniform_laplace(r, v, form)
