"""Coloured noise for stochastic samplers: unit-variance noise whose power spectrum goes as f^-slope.

slope 0 = white, 1 = pink, 2 = brown (over the last two axes, orthonormal FFT). White noise is shaped by
|f|^(-slope/2) in Fourier space (DC kept at the lowest nonzero frequency's gain) and rescaled so the
per-pixel variance is exactly 1 in expectation; it plugs into any sampler as `noise=coloured_noise(slope)`.
The white draws come from `base` (default standard normal), so any increment law can be coloured: the
spectrum (second moments) is the same for every unit-variance law.
"""

from __future__ import annotations

import torch

from ..protocols import NoiseSampler
from ..validation import check_range


def spectral_gain(h: int, w: int, slope: float, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """|f|^(-slope/2) on the FFT grid, normalised so that mean(gain^2) = 1 (unit pixel variance). [h, w]"""
    fy = torch.fft.fftfreq(h, dtype=dtype)[:, None]
    fx = torch.fft.fftfreq(w, dtype=dtype)[None, :]
    f = torch.sqrt(fy**2 + fx**2)
    f[0, 0] = float(f[f > 0].min())
    g = f ** (-slope / 2)
    return g / g.pow(2).mean().sqrt()


def colour(white: torch.Tensor, slope: float) -> torch.Tensor:
    """Filter white noise [..., H, W] by spectral_gain (linear; slope 0 returns it unchanged). float64"""
    white = white.to(torch.float64)
    if slope == 0 or white.ndim < 2:
        return white
    g = spectral_gain(white.shape[-2], white.shape[-1], slope)
    return torch.fft.ifft2(torch.fft.fft2(white, norm="ortho") * g, norm="ortho").real


def coloured_noise(slope: float, base: NoiseSampler | None = None) -> NoiseSampler:
    """A NoiseSampler drawing unit-variance-per-pixel noise with power spectrum ∝ f^-slope (slope in [0, 4])."""
    slope = check_range("noise slope", slope, 0, 4)

    def sample(shape, generator, dtype=torch.float32):
        white = (
            base(shape, generator, torch.float64)
            if base is not None
            else torch.randn(shape, generator=generator, dtype=torch.float64)
        )
        return colour(white, slope).to(dtype)

    return sample
