"""Analytic Gaussian denoiser: the exact posterior mean E[x0 | x] for Gaussian data.

Data x0 = decode(c), c ~ N(mu, diag(v)) in an orthonormal basis (encode = decode^-1 = decode^T).
The VE state x = x0 + sigma n with white n stays white in the basis, so per coefficient

    E[c0 | c] = mu + v / (v + sigma^2) (c - mu),     Var[c0 | c] = v sigma^2 / (v + sigma^2)

(Wiener filter). Any basis works: pass encode/decode callables and the coefficient variances,
or an object with `encode`, `decode` and `variances` (attribute or method), e.g. a `bases` entry.
Complex orthonormal bases (the unitary FFT) work too, as long as decode returns the real part and
the variances are Hermitian-symmetric (v(k) = v(-k)), as they are for real stationary fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..data import power_law_variance

Tensor = torch.Tensor
Transform = Callable[[Tensor], Tensor]

# ---------------------------------------------------------------------------------------------
# Formulas


def wiener_gain(v: Tensor, sigma2: Tensor) -> Tensor:
    """g = v / (v + sigma^2): posterior-mean gain per coefficient (g = 0 where v = 0)."""
    return torch.where(v > 0, v / (v + sigma2), torch.zeros_like(v + sigma2))


def posterior_variance(v: Tensor, sigma2: Tensor) -> Tensor:
    """Var[c0 | c] = v sigma^2 / (v + sigma^2): per-coefficient error of the exact denoiser."""
    return torch.where(v > 0, v * sigma2 / (v + sigma2), torch.zeros_like(v + sigma2))


def _batch_sigma2(lam: Tensor, batch: int, ndim: int, dtype: torch.dtype) -> Tensor:
    """sigma^2 = exp(-lam) shaped [B, 1, ..., 1] to broadcast over coefficients [B, ...]."""
    lam = torch.as_tensor(lam, dtype=torch.float64).reshape(-1).expand(batch)
    return torch.exp(-lam).to(dtype).reshape(batch, *([1] * (ndim - 1)))


# ---------------------------------------------------------------------------------------------
# The denoiser


class GaussianDenoiser:
    """D(x, lam) = decode(mu + v / (v + e^-lam) (encode(x) - mu)); exact for c ~ N(mu, diag v)."""

    def __init__(self, encode: Transform, decode: Transform, variances: Tensor, mean: Tensor | None = None):
        self.encode = encode  # x [B, ...] -> coefficients [B, ...]
        self.decode = decode  # coefficients [B, ...] -> x [B, ...]
        self.variances = torch.as_tensor(variances)  # [...] broadcast over the batch
        self.mean = mean  # [...] in coefficient space, or None (= 0)

    @classmethod
    def from_basis(cls, basis: Any, variances: Tensor | None = None, mean: Tensor | None = None) -> GaussianDenoiser:
        """Use any object with encode/decode and `variances` (attribute or zero-argument method)."""
        if variances is None:
            v = basis.variances
            variances = v() if callable(v) else v
        return cls(basis.encode, basis.decode, variances, mean)

    def gain(self, lam: Tensor, batch: int, ndim: int) -> Tensor:
        """Per-coefficient gain v / (v + sigma^2). [B, ...]"""
        v = self.variances.to(torch.float64)
        return wiener_gain(v, _batch_sigma2(lam, batch, ndim, torch.float64))

    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        c = self.encode(x)  # [B, ...] coefficients
        g = self.gain(lam, x.shape[0], c.ndim)
        g = g.to(c.real.dtype if c.is_complex() else c.dtype)
        if self.mean is None:
            c0 = g * c
        else:
            mu = self.mean.to(c.dtype)
            c0 = mu + g * (c - mu)
        out = self.decode(c0)
        return (out.real if out.is_complex() else out).to(x.dtype)

    def mse(self, lam: Tensor) -> Tensor:
        """E||x0 - D(x, lam)||^2 per sample = sum_k v sigma^2 / (v + sigma^2). [B]"""
        lam = torch.as_tensor(lam, dtype=torch.float64).reshape(-1)
        v = self.variances.to(torch.float64).reshape(1, -1)
        return posterior_variance(v, torch.exp(-lam)[:, None]).sum(dim=1)


# ---------------------------------------------------------------------------------------------
# Concrete bases


def _identity(x: Tensor) -> Tensor:
    return x


def diagonal_denoiser(variances: Tensor, mean: Tensor | None = None) -> GaussianDenoiser:
    """Exact denoiser for independent coordinates x0_i ~ N(mu_i, v_i) (the identity basis)."""
    return GaussianDenoiser(_identity, _identity, variances, mean)


def fft2_ortho(x: Tensor) -> Tensor:
    """Unitary 2-D DFT over the last two axes. [..., H, W] real -> [..., H, W] complex"""
    return torch.fft.fft2(x, norm="ortho")


def ifft2_ortho_real(c: Tensor) -> Tensor:
    """Inverse unitary 2-D DFT, real part. [..., H, W] complex -> [..., H, W] real"""
    return torch.fft.ifft2(c, norm="ortho").real


def fourier_denoiser(variances: Tensor) -> GaussianDenoiser:
    """Exact denoiser for a zero-mean stationary Gaussian field with E|F x0(k)|^2 = variances [H, W]."""
    return GaussianDenoiser(fft2_ortho, ifft2_ortho_real, variances)


def power_law_denoiser(size: int, beta: float, var: float = 0.25) -> GaussianDenoiser:
    """Exact denoiser for `data.gaussian_field(beta, size, ...)`: v(k) = c |k|^-beta, DC = 0."""
    return fourier_denoiser(power_law_variance(size, beta, var))
