"""The few interfaces every part of the core agrees on.

Notation (used throughout the package):
  x0      clean data, float32 in [-1, 1], shape [B, C, H, W]
  lam     logSNR; VP: alpha^2 = sigmoid(lam), sigma^2 = sigmoid(-lam); VE: sigma = exp(-lam/2)
  sigma   VE noise level; the VE state is x = x0 + sigma * n
  D       denoiser, D(x, lam) -> x0_hat, with x the VE state at logSNR lam
  t       time, t = 0 data -> t = 1 noise
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import torch

Tensor = torch.Tensor


class Denoiser(Protocol):
    """D(x, lam) -> x0_hat. x: VE state x0 + exp(-lam/2) n, [B, ...]; lam: [B] (or scalar)."""

    def __call__(self, x: torch.Tensor, lam: torch.Tensor) -> torch.Tensor: ...


class NoiseSampler(Protocol):
    """Zero-mean, unit-variance i.i.d. noise of a given shape, drawn from `generator`."""

    def __call__(
        self, shape: torch.Size | tuple[int, ...], generator: torch.Generator | None, dtype: torch.dtype = torch.float32
    ) -> torch.Tensor: ...


Callback = Callable[[dict[str, Any]], None]
"""Per-step sampler callback; receives {"i", "x", "sigma", "sigma_next", "denoised"}."""


def gaussian_noise(
    shape: torch.Size | tuple[int, ...], generator: torch.Generator | None, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """The default NoiseSampler: standard normal."""
    return torch.randn(shape, generator=generator, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# The one noise variable: logSNR lam <-> VP alpha_bar, (alpha, sigma_vp) <-> VE sigma (noise/conventions.py
# re-exports these beside the reference VP process)


def _t(x: Tensor | float) -> Tensor:
    return x if isinstance(x, Tensor) else torch.as_tensor(x, dtype=torch.float64)


# ---------------------------------------------------------------------------------------------
# logSNR <-> VP alpha_bar, (alpha, sigma_vp) <-> VE sigma


def alpha_bar_from_lam(lam: Tensor | float) -> Tensor:
    """alpha_bar = sigmoid(lam)."""
    return torch.sigmoid(_t(lam))


def lam_from_alpha_bar(alpha_bar: Tensor | float) -> Tensor:
    """lam = log(alpha_bar / (1 - alpha_bar))."""
    alpha_bar = _t(alpha_bar)
    return torch.log(alpha_bar) - torch.log1p(-alpha_bar)


def sigma_from_lam(lam: Tensor | float) -> Tensor:
    """VE sigma = exp(-lam / 2)."""
    return torch.exp(-_t(lam) / 2)


def lam_from_sigma(sigma: Tensor | float) -> Tensor:
    """lam = -2 log sigma (VE)."""
    return -2 * torch.log(_t(sigma))


def sigma_from_alpha_bar(alpha_bar: Tensor | float) -> Tensor:
    """VE sigma = sqrt((1 - alpha_bar) / alpha_bar) (k-diffusion / diffusers Euler)."""
    alpha_bar = _t(alpha_bar)
    return ((1 - alpha_bar) / alpha_bar) ** 0.5


def vp_alpha_sigma(lam: Tensor | float) -> tuple[Tensor, Tensor]:
    """VP (alpha, sigma_vp) = (sqrt(sigmoid(lam)), sqrt(sigmoid(-lam)))."""
    lam = _t(lam)
    return torch.sigmoid(lam).sqrt(), torch.sigmoid(-lam).sqrt()


sigma_to_lam = lam_from_sigma  # lam = -2 log sigma (VE)
lam_to_sigma = sigma_from_lam  # sigma = exp(-lam / 2) (VE)
