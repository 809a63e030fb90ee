"""SSD reverse sampler (exact posterior at switches, or the naive variant) driven by any x0 denoiser:
the Flexi-UNet (networks/flexi_unet.py), or the exact denoiser of power-law Gaussian fields, for which the
posterior mean of the clean image at any resolution is analytic (Gaussian conditioning).

  y = x_t = a A x0 + s eps,  A = M_{0:t},  x0 ~ N(0, C)   (a = sqrt(abar_t), s = sqrt(1 - abar_t))
  E[M_{0:s} x0 | y] = M_{0:s} C A^T U diag(a / (a^2 Lam + s^2)) U^T y,   A C A^T = U Lam U^T
Dense matrices are fine at 8..32 pixels a side; the full-resolution level uses the FFT (C is
diagonal there). The sampler is linear in its Gaussian inputs, so its exact output covariance can
be propagated step by step and compared with C (`sampler_output_covariance`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch

from .. import data
from ..spectral.spectrum import radial_psd
from ..validation import InputError, check_choice, check_int
from .ops import ResolutionSchedule, resize_matrix
from .process import SAFETY, TRANSITIONS, StepCoefficients, ddpm_alpha_bar, lambda_max_mtm

Tensor = torch.Tensor
MAX_DENSE_SIZE = 32


class X0Denoiser(Protocol):
    """What the SSD sampler needs: x0_hat at r(s) from x_t at r(t) (exact field denoiser, Flexi-UNet)."""

    size: int

    def x0_hat(self, x_t: Tensor, abar_t: float, size_s: int) -> Tensor: ...


# ---------------------------------------------------------------------------------------------
# Exact denoiser for a stationary power-law Gaussian field


def field_covariance(size: int, beta: float, var: float = 0.25) -> Tensor:
    """C = F^H diag(S) F (real, dense) for S = data.power_law_variance. [size^2, size^2]"""
    s = data.power_law_variance(size, beta, var)
    n = size * size
    eye = torch.eye(n, dtype=torch.float64).reshape(n, size, size)
    cols = torch.fft.ifft2(torch.fft.fft2(eye, norm="ortho") * s, norm="ortho").real
    return cols.reshape(n, n)


@dataclass
class ExactFieldDenoiser:
    """x0_hat at resolution r_s from x_t at resolution r_t, exactly, for x0 ~ N(0, C)."""

    size: int
    beta: float
    var: float = 0.25
    _eig: dict = field(default_factory=dict, repr=False)
    _gain: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.size > MAX_DENSE_SIZE:
            raise InputError(f"size must be at most {MAX_DENSE_SIZE} for the exact (dense) denoiser, got {self.size}")
        self.S = data.power_law_variance(self.size, self.beta, self.var)  # [R, R] Fourier variances
        self.C = field_covariance(self.size, self.beta, self.var)  # [D, D]

    def level(self, size_t: int) -> tuple[Tensor, Tensor]:
        """(U, Lam) of A C A^T at grid size_t, A = M_{R -> size_t}."""
        if size_t not in self._eig:
            A = resize_matrix(self.size, size_t)
            lam, U = torch.linalg.eigh(A @ self.C @ A.T)
            self._eig[size_t] = (U, lam.clamp_min(0.0))
        return self._eig[size_t]

    def gain(self, size_t: int, size_s: int) -> Tensor:
        """M_{0:s} C A_t^T U: [d_s, d_t]."""
        key = (size_t, size_s)
        if key not in self._gain:
            U, _ = self.level(size_t)
            self._gain[key] = resize_matrix(self.size, size_s) @ self.C @ resize_matrix(self.size, size_t).T @ U
        return self._gain[key]

    def x0_hat(self, x_t: Tensor, abar_t: float, size_s: int) -> Tensor:
        """E[M_{0:s} x0 | x_t]. x_t: [N, 1, r_t, r_t] -> [N, 1, r_s, r_s]"""
        a, s2 = math.sqrt(abar_t), 1.0 - abar_t
        size_t, n = x_t.shape[-1], x_t.shape[0]
        if size_t == size_s == self.size:  # Wiener filter in Fourier
            k = torch.fft.fft2(x_t.to(torch.float64), norm="ortho") * (a * self.S / (a * a * self.S + s2))
            return torch.fft.ifft2(k, norm="ortho").real
        U, lam = self.level(size_t)
        w = (x_t.reshape(n, -1).to(torch.float64) @ U) * (a / (a * a * lam + s2))  # [N, d_t]
        return (w @ self.gain(size_t, size_s).T).reshape(n, 1, size_s, size_s)

    def gain_matrix(self, abar_t: float, size_t: int, size_s: int) -> Tensor:
        """G with x0_hat = G x_t (dense; for the exact covariance propagation). [d_s, d_t]"""
        a, s2 = math.sqrt(abar_t), 1.0 - abar_t
        U, lam = self.level(size_t)
        return self.gain(size_t, size_s) @ torch.diag(a / (a * a * lam + s2)) @ U.T


# ---------------------------------------------------------------------------------------------
# The sampler (stateless; randomness passed in)


def timesteps(T: int, steps: int | None = None) -> list[int]:
    """Descending timesteps: all T-1..0, or `steps` of them evenly spaced (always ending at 0)."""
    if steps is None or steps >= T:
        return list(range(T - 1, -1, -1))
    steps = check_int("steps", steps, 2, T)
    return sorted({int(round(v)) for v in np.linspace(0, T - 1, steps)}, reverse=True)


def _next(sched: ResolutionSchedule, ts: list[int], i: int, abar: Tensor) -> tuple[float, int]:
    """(abar_s, r(s)) for the step after ts[i]; s = -1 means the clean image (abar = 1, full size)."""
    if i + 1 < len(ts):
        return float(abar[ts[i + 1]]), sched.res(ts[i + 1])
    return 1.0, sched.size


def ssd_sample(
    den: X0Denoiser,
    sched: ResolutionSchedule,
    n: int,
    generator: torch.Generator,
    steps: int | None = None,
    callback: Callable[[dict], None] | None = None,
    transition: str = "exact",
) -> Tensor:
    """Reverse SSD from x_T ~ N(0, I) at the coarsest grid to x_0 at R. [n, C, R, R] float64

    transition "exact": the Gaussian posterior via M^T with non-white noise at switches (process.py);
    "naive": upsample x_t and take DDPM's white-noise step (the inexact teaching variant)."""
    if den.size != sched.size:
        raise InputError(f"denoiser size {den.size} differs from schedule size {sched.size}")
    check_schedule = getattr(den, "check_schedule", None)
    if check_schedule is not None:
        check_schedule(sched)
    step = TRANSITIONS[check_choice("transition", transition, TRANSITIONS)]
    n = check_int("samples", n, 1, 4096)
    abar = ddpm_alpha_bar(sched.T)
    ts = timesteps(sched.T, steps)
    r0 = sched.res(ts[0])
    x = torch.randn((n, getattr(den, "channels", 1), r0, r0), generator=generator, dtype=torch.float64)
    for i, t in enumerate(ts):
        abar_s, size_s = _next(sched, ts, i, abar)
        x0 = den.x0_hat(x, float(abar[t]), size_s)
        x = step(x, x0, abar_s, float(abar[t]), generator)
        if callback is not None:
            callback({"i": i, "t": t, "x": x, "denoised": x0, "size_t": sched.res(t), "size_s": size_s})
    return x


def _step_operator(
    den: ExactFieldDenoiser, abar_s: float, abar_t: float, size_t: int, size_s: int
) -> tuple[Tensor, Tensor]:
    """(K, P): x_s = K x_t + noise, noise covariance P (the clamped posterior), dense."""
    G = den.gain_matrix(abar_t, size_t, size_s)
    if abar_s >= 1.0:
        return G, torch.zeros(G.shape[0], G.shape[0], dtype=G.dtype)
    k = StepCoefficients.of(abar_s, abar_t)
    M = resize_matrix(size_s, size_t)
    g = k.rho * k.c**2
    if size_s != size_t:
        g = min(g, (1.0 - SAFETY) / lambda_max_mtm(size_s, size_t))
    A = torch.eye(M.shape[1], dtype=M.dtype) - g * (M.T @ M)
    K = math.sqrt(abar_s) * A @ G + k.rho * k.c * M.T
    return K, k.sigma_s2 * A


def sampler_output_covariance(den: ExactFieldDenoiser, sched: ResolutionSchedule, steps: int | None = None) -> Tensor:
    """Exact covariance of ssd_sample's output: S_s = K S_t K^T + P from S_T = I. [D, D]"""
    abar = ddpm_alpha_bar(sched.T)
    ts = timesteps(sched.T, steps)
    r0 = sched.res(ts[0])
    S = torch.eye(r0 * r0, dtype=torch.float64)
    for i, t in enumerate(ts):
        abar_s, size_s = _next(sched, ts, i, abar)
        K, P = _step_operator(den, abar_s, float(abar[t]), sched.res(t), size_s)
        S = K @ S @ K.T + P
    return S


# ---------------------------------------------------------------------------------------------
# Spectra of samples against the truth


def expected_power(cov: Tensor, size: int) -> Tensor:
    """E|FFT_ortho(x)_k|^2 = (F cov F^H)_kk for x ~ N(0, cov). [size, size]"""
    n = size * size
    f = torch.fft.fft2(torch.eye(n, dtype=torch.float64).reshape(n, size, size), norm="ortho").reshape(n, n)
    return torch.einsum("kn,nm,km->k", f, cov.to(torch.complex128), f.conj()).real.reshape(size, size)


def ring_mean(p: Tensor) -> np.ndarray:
    """Ring average over round(|k| n) = 1..n/2, the same rings as spectral.radial_psd. [n/2]"""
    n = p.shape[-1]
    fy = torch.fft.fftfreq(n, dtype=torch.float64)[:, None]
    ring = torch.round(torch.sqrt(fy**2 + fy.T**2) * n).long().reshape(-1)
    keep = (ring >= 1) & (ring <= n // 2)
    sums = torch.zeros(n // 2, dtype=torch.float64).index_add_(0, ring[keep] - 1, p.reshape(-1)[keep].double())
    return (sums / torch.bincount(ring[keep] - 1, minlength=n // 2)).numpy()


@dataclass(frozen=True)
class SpectrumCheck:
    """Radial PSD of samples against the truth, with the Monte Carlo standard error per ring."""

    freqs: np.ndarray
    truth: np.ndarray  # ring mean of S
    sampled: np.ndarray  # mean over samples of their RAPSD
    stderr: np.ndarray  # std over samples / sqrt(N)
    predicted: np.ndarray | None = None  # ring mean of the sampler's exact output covariance

    @property
    def rel_error(self) -> np.ndarray:
        return np.abs(self.sampled / self.truth - 1.0)

    @property
    def z(self) -> np.ndarray:
        ref = self.predicted if self.predicted is not None else self.truth
        return (self.sampled - ref) / self.stderr


def spectrum_check(x: Tensor, den: ExactFieldDenoiser, out_cov: Tensor | None = None) -> SpectrumCheck:
    """Compare the RAPSD of samples [N, 1, R, R] with the field's spectrum (and the sampler's exact one)."""
    r = radial_psd(x.to(torch.float64))
    pred = ring_mean(expected_power(out_cov, den.size)) if out_cov is not None else None
    return SpectrumCheck(r.freqs, ring_mean(den.S), r.psd.mean(0), r.psd.std(0, ddof=1) / math.sqrt(len(x)), pred)
