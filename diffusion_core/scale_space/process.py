"""Scale Space Diffusion (SSD): forward marginal at resolution r(t), the non-white per-step
transition, the exact Gaussian posterior at resolution changes, and information measures.

Mukhopadhyay, Udhayanan, Shrivastava, *Scale Space Diffusion*, CVPR 2026 (arXiv 2603.08709).
Noise schedule: DDPM linear betas (1e-4 -> 0.02, T = 1000); abar_t indexed t = 0..T-1.
  forward  x_t = sqrt(abar_t) M_{0:t} x0 + sigma_t eps,  sigma_t^2 = 1 - abar_t
  step     x_t = c M x_s + eta,  c = sqrt(abar_t / abar_s),  eta ~ N(0, sigma_t^2 I - c^2 sigma_s^2 M M^T)
  reverse  mu = mu_s + rho c M^T (x_t - c M mu_s),  cov = sigma_s^2 (I - rho c^2 M^T M),  rho = sigma_s^2/sigma_t^2
Operators and schedules live in scale_space/ops.py; the exact-denoiser sampler in scale_space/sampler.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..noise.conventions import lam_from_alpha_bar
from ..noise.discretization import alphas_cumprod
from .ops import ResolutionSchedule, adjoint, chain_sizes, lambda_max_power, lanczos_fab, resize_chain

Tensor = torch.Tensor
SAFETY = 1e-3  # rho c^2 <= (1 - SAFETY) / lambda_max(M^T M), as the official sampler clamps
LANCZOS_ITERS = 40

# ---------------------------------------------------------------------------------------------
# Noise schedule (DDPM linear betas)


@lru_cache(maxsize=8)
def ddpm_alpha_bar(T: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> Tensor:
    """abar_t = prod_{i <= t} (1 - beta_i), beta linear in [beta_start, beta_end], float64. [T]"""
    return alphas_cumprod("linear", T, beta_start, beta_end, dtype=torch.float64)


def logsnr(abar: float) -> float:
    """lambda = log(abar / (1 - abar)) as a float (noise/conventions.py)."""
    return float(lam_from_alpha_bar(abar))


def to_size(x: Tensor, size: int) -> Tensor:
    """M_{r -> size} x through successive 2x resizes (identity when the size already matches)."""
    return resize_chain(x, chain_sizes(x.shape[-1], size))


def to_size_adjoint(y: Tensor, size_in: int) -> Tensor:
    """M^T y for M = to_size(., y's size) acting on size_in grids (VJP)."""
    shape = (*y.shape[:-2], size_in, size_in)
    return y if size_in == y.shape[-1] else adjoint(lambda x: to_size(x, y.shape[-1]), y, shape)


# ---------------------------------------------------------------------------------------------
# Forward process


def forward_marginal(
    x0: Tensor, t: int, sched: ResolutionSchedule, generator: torch.Generator, abar: Tensor | None = None
) -> Tensor:
    """x_t = sqrt(abar_t) M_{0:t} x0 + sqrt(1 - abar_t) eps, eps white at r(t). [B, C, r, r]"""
    ab = float((abar if abar is not None else ddpm_alpha_bar(sched.T))[t])
    m = to_size(x0, sched.res(t))
    eps = torch.randn(m.shape, generator=generator, dtype=m.dtype)
    return math.sqrt(ab) * m + math.sqrt(1.0 - ab) * eps


def transition_cov(abar_s: float, abar_t: float, M: Tensor) -> Tensor:
    """Sigma_{t|s} = sigma_t^2 I - c^2 sigma_s^2 M M^T (dense; M: [d_t, d_s])."""
    c2 = abar_t / abar_s
    return (1.0 - abar_t) * torch.eye(M.shape[0], dtype=M.dtype) - c2 * (1.0 - abar_s) * (M @ M.T)


def forward_step(
    x_s: Tensor, abar_s: float, abar_t: float, size_t: int, generator: torch.Generator, iters: int = LANCZOS_ITERS
) -> Tensor:
    """x_t = c M x_s + eta, eta = Sigma_{t|s}^{1/2} xi drawn by Lanczos (white when M = I)."""
    c = math.sqrt(abar_t / abar_s)
    s2, t2 = 1.0 - abar_s, 1.0 - abar_t
    mean = c * to_size(x_s, size_t)
    xi = torch.randn(mean.shape, generator=generator, dtype=mean.dtype)
    if size_t == x_s.shape[-1]:
        return mean + math.sqrt(t2 - c * c * s2) * xi

    def cov(v: Tensor) -> Tensor:  # v: [N, d_t] -> Sigma_{t|s} v
        vv = v.reshape(-1, *mean.shape[1:])
        mmt = to_size(to_size_adjoint(vv, x_s.shape[-1]), size_t).reshape(v.shape)
        return t2 * v - c * c * s2 * mmt

    return mean + lanczos_fab(cov, xi.flatten(1), torch.sqrt, iters).reshape(mean.shape)


# ---------------------------------------------------------------------------------------------
# Reverse step: exact Gaussian posterior of x_s given x_t (and mu_s = sqrt(abar_s) x0_hat)


@dataclass(frozen=True)
class StepCoefficients:
    """c = sqrt(abar_t/abar_s), rho = sigma_s^2/sigma_t^2, sigma_s^2 for one step s < t."""

    c: float
    rho: float
    sigma_s2: float

    @staticmethod
    def of(abar_s: float, abar_t: float) -> StepCoefficients:
        return StepCoefficients(math.sqrt(abar_t / abar_s), (1 - abar_s) / (1 - abar_t), 1 - abar_s)


def posterior_mean(x_t: Tensor, mu_s: Tensor, k: StepCoefficients) -> Tensor:
    """mu = mu_s + rho c M^T (x_t - c M mu_s)."""
    r = x_t - k.c * to_size(mu_s, x_t.shape[-1])
    return mu_s + k.rho * k.c * to_size_adjoint(r, mu_s.shape[-1])


def posterior_cov_dense(k: StepCoefficients, M: Tensor) -> Tensor:
    """sigma_s^2 (I - rho c^2 M^T M) (dense; M: [d_t, d_s])."""
    return k.sigma_s2 * (torch.eye(M.shape[1], dtype=M.dtype) - k.rho * k.c**2 * (M.T @ M))


def mtm_apply(size_s: int, size_t: int, channels: int = 1):
    """v [N, d_s] -> M^T M v, the operator whose square-root function the sampler needs."""

    def apply(v: Tensor) -> Tensor:
        x = v.reshape(-1, channels, size_s, size_s)
        return to_size_adjoint(to_size(x, size_t), size_s).reshape(v.shape)

    return apply


@lru_cache(maxsize=32)
def lambda_max_mtm(size_s: int, size_t: int) -> float:
    """Power-iteration (20 steps, fixed seed) estimate of lambda_max(M^T M) for the clamp."""
    op = mtm_apply(size_s, size_t)
    return lambda_max_power(op, (1, size_s * size_s), 20, torch.Generator().manual_seed(0))


def posterior_noise(xi: Tensor, k: StepCoefficients, size_t: int, iters: int = LANCZOS_ITERS) -> Tensor:
    """z = sigma_s (I - rho c^2 M^T M)^{1/2} xi (Lanczos; rho c^2 clamped by lambda_max). xi: [B, C, r_s, r_s]"""
    size_s = xi.shape[-1]
    if size_s == size_t:
        return math.sqrt(k.sigma_s2 * (1.0 - k.rho * k.c**2)) * xi
    g = min(k.rho * k.c**2, (1.0 - SAFETY) / max(lambda_max_mtm(size_s, size_t), 1e-12))
    mtm = mtm_apply(size_s, size_t, xi.shape[1])
    z = lanczos_fab(lambda v: v - g * mtm(v), xi.flatten(1), torch.sqrt, iters)
    return math.sqrt(k.sigma_s2) * z.reshape(xi.shape)


def reverse_step(
    x_t: Tensor,
    x0_hat_s: Tensor,
    abar_s: float,
    abar_t: float,
    generator: torch.Generator | None,
    iters: int = LANCZOS_ITERS,
) -> Tensor:
    """x_s ~ N(mu, sigma_s^2 (I - rho c^2 M^T M)) with mu_s = sqrt(abar_s) x0_hat at r(s); no noise at s = -1."""
    if abar_s >= 1.0:
        return x0_hat_s
    k = StepCoefficients.of(abar_s, abar_t)
    mu = posterior_mean(x_t, math.sqrt(abar_s) * x0_hat_s, k)
    xi = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
    return mu + posterior_noise(xi, k, x_t.shape[-1], iters)


def naive_reverse_step(
    x_t: Tensor, x0_hat_s: Tensor, abar_s: float, abar_t: float, generator: torch.Generator | None
) -> Tensor:
    """The inexact teaching variant: upsample x_t to r(s) (bilinear), then DDPM's white-noise step (M = I)."""
    return reverse_step(to_size_up(x_t, x0_hat_s.shape[-1]), x0_hat_s, abar_s, abar_t, generator)


def to_size_up(x: Tensor, size: int) -> Tensor:
    """Bilinear upsampling to size (align_corners=False); identity when the size already matches."""
    if x.shape[-1] == size:
        return x
    return torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)


TRANSITIONS = {"exact": reverse_step, "naive": naive_reverse_step}


# ---------------------------------------------------------------------------------------------
# Information measures at a switch


def fine_band_mask(n: int) -> Tensor:
    """DFT bins a 2x coarser grid cannot represent: max(|k_x|, |k_y|) >= n/4 (n = fine side). [n, n]"""
    k = (torch.fft.fftfreq(n) * n).abs()
    return torch.maximum(k[:, None], k[None, :]) >= n / 4


def mutual_information(x0: Tensor, lam: float | Tensor) -> Tensor:
    """I_k = 1/2 ln(1 + e^lam P_k), P_k = |FFT_ortho x0|^2 per coefficient. [*lam.shape, ..., n, n]"""
    p = torch.fft.fft2(x0.to(torch.float64), norm="ortho").abs() ** 2
    snr = torch.exp(torch.as_tensor(lam, dtype=torch.float64))
    return 0.5 * torch.log1p(snr.reshape(snr.shape + (1,) * p.dim()) * p)


def mi_share_above_nyquist(x0: Tensor, lam: float) -> tuple[float, float]:
    """(share of sum_k I_k in the fine band, total nats) for one image [1, 1, n, n], averaged over channels."""
    mi = mutual_information(x0, lam).mean(dim=tuple(range(x0.dim() - 2)))
    total = float(mi.sum())
    return (float(mi[fine_band_mask(x0.shape[-1])].sum()) / total if total > 0 else 0.0), total


def signal_dominated_fraction(x0: Tensor, abar: float) -> float:
    """mean_pixels erf(sqrt(SNR/2) |x0|), SNR = abar / (1 - abar): P(|alpha x0| > |sigma eps|)."""
    snr = abar / (1.0 - abar)
    return float(torch.special.erf(math.sqrt(snr / 2.0) * x0.to(torch.float64).abs()).mean())


def area_ratio(sched: ResolutionSchedule, t: int) -> float:
    """(r(t) / R)^2: the share of pixels the SSD grid keeps at step t."""
    return (sched.res(t) / sched.size) ** 2


# ---------------------------------------------------------------------------------------------
# Information along t and at each switch (what the Scale space tab plots and tabulates)


def information_curves(x0: Tensor, sched: ResolutionSchedule, ts: np.ndarray) -> dict[str, np.ndarray]:
    """At steps ts of the DDPM schedule: logSNR, signal-dominated pixel share, SSD area ratio, and the
    share of sum_k I_k (first image and channel of x0) above the R/2 Nyquist, with the total nats."""
    ab = ddpm_alpha_bar(sched.T)
    lam = lam_from_alpha_bar(ab[torch.as_tensor(ts)])  # [K]
    mi = mutual_information(x0[0, 0], lam)  # [K, R, R]
    tot = mi.sum((1, 2))
    fine = fine_band_mask(x0.shape[-1])
    return {
        "t": ts,
        "u": ts / (sched.T - 1),
        "lam": lam.numpy(),
        "signal": np.array([signal_dominated_fraction(x0, float(ab[t])) for t in ts]),
        "area": np.array([area_ratio(sched, int(t)) for t in ts]),
        "mi_share": (mi[:, fine].sum(1) / tot.clamp_min(1e-300)).numpy(),
        "mi_total": tot.numpy(),
    }


def switch_information(x0: Tensor, sched: ResolutionSchedule) -> list[dict]:
    """At each switch t (r(t-1) -> r(t)): logSNR, MI share of M_{0:t-1} x0 above the coarse Nyquist, total nats."""
    ab = ddpm_alpha_bar(sched.T)
    rows = []
    for t in sched.switches:
        lam = logsnr(float(ab[t]))
        share, total = mi_share_above_nyquist(to_size(x0, sched.res(t - 1)), lam)
        rows.append(
            {"t": t, "from": sched.res(t - 1), "to": sched.res(t), "logsnr": lam, "mi_share": share, "mi_total": total}
        )
    return rows
