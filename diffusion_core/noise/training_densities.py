"""Where training puts its weight: the density of logSNR lam under common training-noise samplers.

Each sampler draws a noise level per example; pushed to lam it has a closed form:
  edm        ln sigma ~ N(P_mean, P_std^2) (Karras et al. 2022, P_mean = -1.2, P_std = 1.2): lam ~ N(-2 P_mean, (2 P_std)^2)
  sd3        logit-normal t = sigmoid(u), u ~ N(m, s^2) (Esser et al. 2024, m = 0, s = 1): lam = -2u ~ N(-2m, (2s)^2)
  flow       t ~ U(0, 1) on x_t = (1 - t) x0 + t eps: t = sigmoid(-lam/2), p(lam) = s(1 - s)/2, s = sigmoid(lam/2)
  cosine     t ~ U(0, 1) with lam = -2 log tan(pi t / 2): p(lam) = 1 / (2 pi cosh(lam / 2))
The share of training mass inside the image's useful band [lam_lo, lam_hi] is a difference of CDFs.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_choice

DENSITIES = ("edm", "sd3", "flow", "cosine")


def _norm_cdf(x: np.ndarray, mu: float, sd: float) -> np.ndarray:
    return 0.5 * (1 + np.vectorize(math.erf)((np.asarray(x, dtype=np.float64) - mu) / (sd * math.sqrt(2))))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))


def density(
    name: str, lam: np.ndarray, p_mean: float = -1.2, p_std: float = 1.2, m: float = 0.0, s: float = 1.0
) -> np.ndarray:
    """p(lam) of training sampler `name` (integrates to 1 over the real line)."""
    check_choice("training density", name, DENSITIES)
    lam = np.asarray(lam, dtype=np.float64)
    if name in ("edm", "sd3"):
        mu, sd = (-2 * p_mean, 2 * p_std) if name == "edm" else (-2 * m, 2 * s)
        return np.exp(-0.5 * ((lam - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    if name == "flow":
        q = _sigmoid(lam / 2)
        return 0.5 * q * (1 - q)
    return 1 / (2 * math.pi * np.cosh(lam / 2))


def cdf(
    name: str, lam: np.ndarray, p_mean: float = -1.2, p_std: float = 1.2, m: float = 0.0, s: float = 1.0
) -> np.ndarray:
    """P(Lambda <= lam) of training sampler `name`."""
    check_choice("training density", name, DENSITIES)
    if name == "edm":
        return _norm_cdf(lam, -2 * p_mean, 2 * p_std)
    if name == "sd3":
        return _norm_cdf(lam, -2 * m, 2 * s)
    if name == "flow":
        return _sigmoid(np.asarray(lam, dtype=np.float64) / 2)
    return 1 - 2 / math.pi * np.arctan(np.exp(-np.asarray(lam, dtype=np.float64) / 2))


def share_inside(name: str, lam_lo: float, lam_hi: float, **kw: float) -> float:
    """Training mass with lam in [lam_lo, lam_hi]."""
    c = cdf(name, np.array([lam_lo, lam_hi]), **kw)
    return float(c[1] - c[0])
