"""Likelihood of Li's N-step chain: the negative ELBO in bits per dimension (the BPD half of Li's Table 2).

For 8-bit data y on the grid i * 2/255 - 1 (bin width DELTA = 2/255), uniformly dequantised y' = y + u,
u ~ U(-DELTA/2, DELTA/2), the chain of the pair (q, p) on the reference VP process (walks.py, t_k = k/N) gives

  -log P(y) <= E_u[ KL(q(x_1 | y') || N(0, I))                         prior at t = 1
                    + sum_{k=2..N} KL_k(r_k)                           per-step KL of the pair (losses.pair_loss)
                    + (-log p(y' | x_{t_1})) ] + D log(1 / DELTA)      decoder; bin width

with r_k = eps - eps_theta = (D(x; s_k) - y') / s_k at the VE level s_k = sigma_k / alpha_k of t_k (one eps per image
and step), and the decoder p's unit-variance law centred at the denoised D(x_{t_1}) with scale s_1 per coordinate.
KL_k is the same function as the training loss of the pair, unweighted and summed over coordinates: the KL of the
laws the chain samples with (uniform-gaussian carries its law mismatch 0.1765 nats per coordinate and step).
bits/dim = nats / (D ln 2). Estimator: one draw of (u, eps_k) per image; the interval is a bootstrap over images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..noise.conventions import lam_from_sigma, reference_alpha_sigma
from ..protocols import Denoiser
from ..validation import check_choice, check_int
from .losses import PAIR_LAWS, PAIRS, pair_loss

DELTA = 2.0 / 255.0  # bin width of 8-bit data scaled to [-1, 1]
Tensor = torch.Tensor


@dataclass(frozen=True)
class ChainNLL:
    """Per-image terms of the bound, nats, float64 [B] each."""

    prior: Tensor
    steps_kl: Tensor
    decoder: Tensor
    dims: int

    @property
    def nats(self) -> Tensor:
        """-log P(y) bound per image: the three terms plus D log(1/DELTA) (8-bit bins)."""
        return self.prior + self.steps_kl + self.decoder + self.dims * math.log(1.0 / DELTA)

    @property
    def bpd(self) -> Tensor:
        """Bits per dimension per image: nats / (D ln 2)."""
        return self.nats / (self.dims * math.log(2.0))


def prior_kl(y: Tensor) -> Tensor:
    """KL(N(alpha_1 y, sigma_1^2) || N(0, 1)) summed over coordinates = sum (alpha^2 y^2 + sigma^2 - 1 - log sigma^2) / 2."""
    a, s = (float(v) for v in reference_alpha_sigma(1.0))
    return 0.5 * (a**2 * y.flatten(1) ** 2 + s**2 - 1.0 - 2.0 * math.log(s)).sum(-1)


def neg_log_density(law: str, z: Tensor) -> Tensor:
    """-log f(z) of the unit-variance law: Gaussian z^2/2 + log(2 pi)/2; Laplace(b = 1/sqrt2) sqrt2 |z| + log(sqrt2)."""
    check_choice("decoder law", law, ("gaussian", "laplace"))
    if law == "gaussian":
        return 0.5 * z**2 + 0.5 * math.log(2.0 * math.pi)
    return math.sqrt(2.0) * z.abs() + 0.5 * math.log(2.0)


def _residual(denoiser: Denoiser, y: Tensor, t: float, generator: torch.Generator) -> tuple[Tensor, float]:
    """r = eps - eps_theta at t for VE x = y + s eps, flattened [B, D] (float64), and s."""
    a, sig = (float(v) for v in reference_alpha_sigma(t))
    s = sig / a
    eps = torch.randn(y.shape, generator=generator, dtype=torch.float64)
    x = (y + s * eps).to(torch.float32)  # VE state, [B, C, H, W]
    lam = torch.full((y.shape[0],), float(lam_from_sigma(s)))
    d = denoiser(x, lam).to(torch.float64)
    return ((d - y) / s).flatten(1), s


@torch.no_grad()
def chain_nll(denoiser: Denoiser, y: Tensor, pair: str, steps: int, generator: torch.Generator) -> ChainNLL:
    """The bound's terms for 8-bit images y [B, C, H, W] in [-1, 1] under the N-step chain of `pair`."""
    check_choice("pair", pair, PAIRS)
    steps = check_int("steps", steps, 2, 10_000)
    y = y.to(torch.float64)
    y = y + (torch.rand(y.shape, generator=generator, dtype=torch.float64) - 0.5) * DELTA  # dequantise
    kl = torch.zeros(y.shape[0], dtype=torch.float64)
    for k in range(2, steps + 1):
        r, _ = _residual(denoiser, y, k / steps, generator)
        kl += pair_loss(pair, r, k / steps, steps)
    r, s1 = _residual(denoiser, y, 1.0 / steps, generator)
    decoder = (neg_log_density(PAIR_LAWS[pair][1], -r) + math.log(s1)).sum(-1)  # p's law at (D(x_1), s_1)
    return ChainNLL(prior_kl(y), kl, decoder, y[0].numel())


def bootstrap_ci(values: np.ndarray, seed: int = 0, draws: int = 2000, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean over items."""
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), (draws, len(values)))].mean(1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
