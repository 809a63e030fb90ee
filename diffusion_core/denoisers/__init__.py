"""Denoisers D(x, lam) -> x0_hat (see `protocols.Denoiser`).

- `gaussian`: exact posterior mean for Gaussian data with diagonal covariance in an orthonormal
  basis (power-law fields in the Fourier basis; PCA-Gaussians; any basis with encode/decode).
"""
from .gaussian import (GaussianDenoiser, diagonal_denoiser, fourier_denoiser, posterior_variance,
                       power_law_denoiser, wiener_gain)

__all__ = ["GaussianDenoiser", "diagonal_denoiser", "fourier_denoiser", "posterior_variance",
           "power_law_denoiser", "wiener_gain"]
