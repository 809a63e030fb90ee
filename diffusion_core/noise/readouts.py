"""Small readouts of noise levels and states that views print or draw: a VE state seen on the VP scale, the
SNR and logSNR of an ᾱ, and how many steps of a schedule fall in each unit-width logSNR bin."""

from __future__ import annotations

import math

import numpy as np
from torch import Tensor


def vp_state(x: Tensor, sigma: float) -> Tensor:
    """x / √(1 + σ²): the VE state at noise σ on the VP scale (the same logSNR, unit signal-plus-noise)."""
    return x / math.sqrt(1 + sigma**2)


def snr_from_alpha_bar(alpha_bar: float) -> float:
    """SNR = ᾱ / (1 − ᾱ) (= e^λ)."""
    return alpha_bar / (1 - alpha_bar)


def lam_of_snr(snr: float) -> float:
    """λ = log SNR (−∞ at zero SNR)."""
    return math.log(snr) if snr > 0 else -math.inf


def steps_per_lam_bin(curves: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(edges, counts): unit-width logSNR bins over the joint range of every curve, and each curve's steps per bin."""
    allv = np.concatenate(list(curves.values()))
    edges = np.arange(math.floor(allv.min()), math.ceil(allv.max()) + 1.0 + 1e-9, 1.0)
    return edges, {k: np.histogram(v, edges)[0] for k, v in curves.items()}
