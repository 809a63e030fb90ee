"""Denoisers D(x, lam) -> x0_hat (see `protocols.Denoiser`).

- `gaussian`: exact posterior mean for Gaussian data with diagonal covariance in an orthonormal
  basis (power-law fields in the Fourier basis; PCA-Gaussians; any basis with encode/decode).
- `autoguidance`: D_0 + w (D_1 - D_0), a network steered away from a weaker one (Karras et al. 2024).
"""

from .gaussian import (
    GaussianDenoiser,
    diagonal_denoiser,
    fourier_denoiser,
    posterior_variance,
    power_law_denoiser,
    wiener_gain,
)

__all__ = [
    "GaussianDenoiser",
    "diagonal_denoiser",
    "fourier_denoiser",
    "posterior_variance",
    "power_law_denoiser",
    "wiener_gain",
]
