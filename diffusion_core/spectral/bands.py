"""What one noise level does to each frequency ring, and which steps of a schedule fall outside the
useful band [lam_lo, lam_hi] of an image (Esteves & Makadia): the numbers behind the spectral
autoregression frames and the redundant-step table."""

from __future__ import annotations

import math

import numpy as np

from .spectrum import snr_classes
from .tight import Bounds, RingSpectrum, ring_layout


def ring_class_map(spec: RingSpectrum, lam: float, tau_lo: float, tau_hi: float) -> np.ndarray:
    """Per-bin class at logSNR lam (ring SNR = P_ring e^lam; 0 destroyed, 1 ambiguous, 2 resolved), DC
    centred; -1 beyond Nyquist. [n, n]"""
    ring, _, _ = ring_layout(spec.n)
    power = np.concatenate([[spec.dc], spec.psd])  # [K + 1], ring 0 = DC
    cls = snr_classes(power * math.exp(lam), tau_lo, tau_hi)
    per_bin = np.where(ring < len(power), cls[np.minimum(ring, len(power) - 1)], -1).reshape(spec.n, spec.n)
    return np.fft.fftshift(per_bin)


def redundant_steps(lam: np.ndarray, b: Bounds) -> dict[str, int]:
    """Steps noisier than lam_lo (nothing left to see) and cleaner than lam_hi (nothing left to fix)."""
    tol = 1e-9 * (b.logsnr_max - b.logsnr_min)  # tight endpoints sit exactly on the bounds
    below, above = int((lam < b.logsnr_min - tol).sum()), int((lam > b.logsnr_max + tol).sum())
    return {"too_noisy": below, "too_clean": above, "redundant": below + above}
