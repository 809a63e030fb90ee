"""Prediction targets and preconditioning: eps <-> x0 <-> v <-> score, EDM c_skip/c_out/c_in.

VE state x = x0 + sigma eps (sigma = exp(-lam/2)); VP state z = alpha x0 + s eps with
alpha^2 = sigmoid(lam), s^2 = sigmoid(-lam); the two are related by z = alpha x (x_ve = z / alpha).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..protocols import Denoiser, lam_to_sigma
from .conventions import vp_alpha_sigma

Tensor = torch.Tensor

# ---------------------------------------------------------------------------------------------
# VE: x = x0 + sigma eps


def eps_from_x0(x: Tensor, x0: Tensor, sigma: Tensor | float) -> Tensor:
    """eps = (x - x0) / sigma."""
    return (x - x0) / sigma


def x0_from_eps(x: Tensor, eps: Tensor, sigma: Tensor | float) -> Tensor:
    """x0 = x - sigma eps."""
    return x - sigma * eps


def score_from_x0(x: Tensor, x0: Tensor, sigma: Tensor | float) -> Tensor:
    """grad log p(x; sigma) = (D(x; sigma) - x) / sigma^2 (EDM eq. 3, Tweedie)."""
    return (x0 - x) / sigma**2


def x0_from_score(x: Tensor, score: Tensor, sigma: Tensor | float) -> Tensor:
    """x0 = x + sigma^2 score."""
    return x + sigma**2 * score


# ---------------------------------------------------------------------------------------------
# VP and v-prediction (Salimans & Ho 2022): v = alpha eps - s x0


def vp_from_ve(x: Tensor, lam: Tensor | float) -> Tensor:
    """z = alpha x (the VP state of the same noise level)."""
    return vp_alpha_sigma(lam)[0].to(x.dtype) * x


def ve_from_vp(z: Tensor, lam: Tensor | float) -> Tensor:
    """x = z / alpha."""
    return z / vp_alpha_sigma(lam)[0].to(z.dtype)


def v_from_eps_x0(eps: Tensor, x0: Tensor, lam: Tensor | float) -> Tensor:
    """v = alpha eps - s x0."""
    a, s = vp_alpha_sigma(lam)
    return a.to(eps.dtype) * eps - s.to(eps.dtype) * x0


def x0_from_v(z: Tensor, v: Tensor, lam: Tensor | float) -> Tensor:
    """x0 = alpha z - s v."""
    a, s = vp_alpha_sigma(lam)
    return a.to(z.dtype) * z - s.to(z.dtype) * v


def eps_from_v(z: Tensor, v: Tensor, lam: Tensor | float) -> Tensor:
    """eps = s z + alpha v."""
    a, s = vp_alpha_sigma(lam)
    return s.to(z.dtype) * z + a.to(z.dtype) * v


# ---------------------------------------------------------------------------------------------
# EDM preconditioning (Karras et al. 2022, Table 1): D(x) = c_skip x + c_out F(c_in x; c_noise)


def c_skip(sigma: Tensor | float, sigma_data: float = 0.5) -> Tensor | float:
    """c_skip = sigma_data^2 / (sigma^2 + sigma_data^2)."""
    return sigma_data**2 / (sigma**2 + sigma_data**2)


def c_out(sigma: Tensor | float, sigma_data: float = 0.5) -> Tensor | float:
    """c_out = sigma sigma_data / sqrt(sigma^2 + sigma_data^2)."""
    return sigma * sigma_data / (sigma**2 + sigma_data**2) ** 0.5


def c_in(sigma: Tensor | float, sigma_data: float = 0.5) -> Tensor | float:
    """c_in = 1 / sqrt(sigma^2 + sigma_data^2)."""
    return 1 / (sigma**2 + sigma_data**2) ** 0.5


def c_noise(sigma: Tensor | float) -> Tensor | float:
    """c_noise = ln(sigma) / 4."""
    return torch.log(torch.as_tensor(sigma)) / 4 if isinstance(sigma, Tensor) else math.log(sigma) / 4


# ---------------------------------------------------------------------------------------------
# Adapters: other prediction targets -> the one Denoiser interface


def denoiser_from_eps(eps_model: Callable[[Tensor, Tensor], Tensor]) -> Denoiser:
    """D(x, lam) = x - sigma eps_hat(z, lam) with z = alpha x the VP input (k-diffusion external.py)."""

    def D(x: Tensor, lam: Tensor) -> Tensor:
        sig = lam_to_sigma(lam.to(torch.float64)).to(x.dtype).reshape(-1, *([1] * (x.ndim - 1)))
        return x - sig * eps_model(vp_from_ve(x, lam.reshape(-1, *([1] * (x.ndim - 1)))), lam)

    return D


def denoiser_from_v(v_model: Callable[[Tensor, Tensor], Tensor]) -> Denoiser:
    """D(x, lam) = alpha z - s v_hat(z, lam), z = alpha x."""

    def D(x: Tensor, lam: Tensor) -> Tensor:
        lam_b = lam.reshape(-1, *([1] * (x.ndim - 1)))
        z = vp_from_ve(x, lam_b)
        return x0_from_v(z, v_model(z, lam), lam_b)

    return D
