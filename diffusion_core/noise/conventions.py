"""The one noise variable, lam = logSNR, and every other spelling of it; the reference VP process;
seeds for sub-streams. The conversions lam <-> alpha_bar <-> sigma are written once in protocols.py (the bottom layer)
and re-exported here with the reference VP process built on them.

  VP:  alpha_bar = alpha^2 = sigmoid(lam),  sigma_vp^2 = 1 - alpha_bar = sigmoid(-lam)
  VE:  sigma = exp(-lam / 2) = sigma_vp / alpha             (x_ve = x_vp / alpha)
  Reference VP process (Song et al. 2021): beta(t) = 0.1 + 19.9 t, B(t) = int_0^t beta = 0.1 t + 9.95 t^2,
  alpha(t) = exp(-B/2), sigma_vp(t)^2 = 1 - exp(-B), lam(t) = -log(expm1(B)).
Functions take a float or a tensor (floats become float64 tensors); tensors keep their dtype.
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch

from ..protocols import (  # noqa: F401
    _t,
    alpha_bar_from_lam,
    lam_from_alpha_bar,
    lam_from_sigma,
    sigma_from_alpha_bar,
    sigma_from_lam,
    vp_alpha_sigma,
)

Tensor = torch.Tensor
BETA_MIN = 0.1  # reference VP: beta(0)
BETA_D = 19.9  # beta(1) - beta(0)


# ---------------------------------------------------------------------------------------------
# The reference VP process, beta(t) = beta_min + beta_d t


def beta_vp(t: np.ndarray | Tensor | float, beta_min: float = BETA_MIN, beta_d: float = BETA_D):
    """beta(t) = beta_min + beta_d t = 0.1 + 19.9 t."""
    return beta_min + beta_d * t


def integrated_beta(t: np.ndarray | Tensor | float, beta_min: float = BETA_MIN, beta_d: float = BETA_D):
    """B(t) = int_0^t beta = beta_min t + beta_d t^2 / 2 = 0.1 t + 9.95 t^2."""
    return beta_min * t + 0.5 * beta_d * t**2


def lam_from_integrated_beta(b: np.ndarray | Tensor | float):
    """lam = -log(expm1(B)): the logSNR of the VP marginal with integrated beta B (EDM eq. 217)."""
    if isinstance(b, Tensor):
        return -torch.log(torch.expm1(b))
    return -np.log(np.expm1(b))


def reference_alpha_sigma(t: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Continuum marginal x_t = alpha x0 + sigma eps: alpha = exp(-B/2), sigma^2 = 1 - exp(-B)."""
    b = np.asarray(integrated_beta(t), dtype=np.float64)
    return np.exp(-0.5 * b), np.sqrt(-np.expm1(-b))


# ---------------------------------------------------------------------------------------------
# Seeds


def substream(seed: int, stream: str) -> int:
    """A seed for the named sub-stream `stream` of `seed` (blake2b of both, 63 bits): streams of one
    seed are independent, and no stream of seed s equals a stream of seed s + 1 (as `seed + 1` did)."""
    digest = hashlib.blake2b(f"{int(seed)}/{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def stream_generator(seed: int, stream: str) -> torch.Generator:
    """A torch.Generator on the named sub-stream of `seed`."""
    return torch.Generator().manual_seed(substream(seed, stream))
