"""The few interfaces every part of the core agrees on.

Notation (used throughout the package):
  x0      clean data, float32 in [-1, 1], shape [B, C, H, W]
  lam     logSNR; VP: alpha^2 = sigmoid(lam), sigma^2 = sigmoid(-lam); VE: sigma = exp(-lam/2)
  sigma   VE noise level; the VE state is x = x0 + sigma * n
  D       denoiser, D(x, lam) -> x0_hat, with x the VE state at logSNR lam
  t       time, t = 0 data -> t = 1 noise
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

import torch

from .noise.conventions import lam_from_sigma, sigma_from_lam


class Denoiser(Protocol):
    """D(x, lam) -> x0_hat. x: VE state x0 + exp(-lam/2) n, [B, ...]; lam: [B] (or scalar)."""

    def __call__(self, x: torch.Tensor, lam: torch.Tensor) -> torch.Tensor: ...


class NoiseSampler(Protocol):
    """Zero-mean, unit-variance i.i.d. noise of a given shape, drawn from `generator`."""

    def __call__(self, shape: torch.Size | tuple[int, ...], generator: torch.Generator | None,
                 dtype: torch.dtype = torch.float32) -> torch.Tensor: ...


Callback = Callable[[dict[str, Any]], None]
"""Per-step sampler callback; receives {"i", "x", "sigma", "sigma_next", "denoised"}."""


def gaussian_noise(shape: torch.Size | tuple[int, ...], generator: torch.Generator | None,
                   dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The default NoiseSampler: standard normal."""
    return torch.randn(shape, generator=generator, dtype=dtype)


sigma_to_lam = lam_from_sigma          # lam = -2 log sigma (VE), from noise/conventions.py
lam_to_sigma = sigma_from_lam          # sigma = exp(-lam / 2) (VE)
