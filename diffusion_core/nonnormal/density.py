"""Reference curves the increments are compared with: the Gaussian limit's density and the Monte Carlo
floor of a Kolmogorov-Smirnov distance."""

from __future__ import annotations

import math

import numpy as np

KS_MEAN = 0.87  # E[√n D_n] → √(π/2) ln 2 ≈ 0.8687 for n draws of a continuous law


def gaussian_pdf_curve(mean: float, var: float, width: float = 4.5, points: int = 301) -> tuple[np.ndarray, np.ndarray]:
    """x on mean ± width·√var and N(x; mean, var) = exp(−(x − mean)² / 2var) / √(2π var) there."""
    x = np.linspace(mean - width * math.sqrt(var), mean + width * math.sqrt(var), points)
    return x, np.exp(-0.5 * (x - mean) ** 2 / var) / math.sqrt(2 * math.pi * var)


def ks_mc_floor(n: int) -> float:
    """≈ 0.87 / √n: the KS distance n draws keep from their own law (the Monte Carlo floor)."""
    return KS_MEAN / math.sqrt(n)
