"""How an image's lower logSNR bound λ_lo moves with resolution: its fitted change per doubling of the side,
and λ_lo carried to other sides along that line (the power-law prediction is −2 ln 2 per doubling)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def per_doubling_slope(sides: Sequence[int], lam_lo: Sequence[float]) -> float:
    """dλ_lo / d log2 R: the least-squares slope of λ_lo against log2 of the side R."""
    return float(np.polyfit(np.log2(np.asarray(sides, dtype=float)), np.asarray(lam_lo, dtype=float), 1)[0])


def carried(lam_ref: float, side_ref: int, sides: Sequence[int], slope: float) -> list[float]:
    """λ_lo(R) = λ_lo(R₀) + slope · log2(R / R₀) for each side R (R₀ = side_ref)."""
    return [lam_ref + slope * float(np.log2(s / side_ref)) for s in sides]


def mean_abs_gap(moves: Sequence[float], slope: float) -> float:
    """mean |Δλ − slope| over a rule's per-doubling moves Δλ: how far the rule strays from the image's law."""
    return float(np.abs(np.asarray(moves, dtype=float) - slope).mean())
