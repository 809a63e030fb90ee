"""The custom schedule's drag editor: control points, the core's curve and the axes as plain numbers for the
SVG the page draws (app/widgets/point_editor.py). No maths beyond choosing the axis range and ticks."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .common import TIME_AXIS

T_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
LAM_STEPS = (1, 2, 5, 10, 20, 50)


def lam_axis(lo: float, hi: float) -> tuple[list[float], list[float]]:
    """([bottom, top], ticks): the curve's λ range padded by max(2, 25 %) and rounded to whole ticks (<= 7)."""
    pad = max(2.0, 0.25 * (hi - lo))
    step = next((s for s in LAM_STEPS if (hi - lo + 2 * pad) / s <= 6), LAM_STEPS[-1])
    bottom, top = step * math.floor((lo - pad) / step), step * math.ceil((hi + pad) / step)
    return [float(bottom), float(top)], [float(v) for v in range(int(bottom), int(top) + 1, step)]


def editor_figure(
    t: Sequence[float], lam: Sequence[float], curve_t: Sequence[float], curve_lam: Sequence[float]
) -> dict:
    """{points: [[t, lam]] by ascending t, curve: [[t, lam]], lam_range, lam_ticks, t_ticks, labels}."""
    lo, hi = min(min(lam), min(curve_lam)), max(max(lam), max(curve_lam))
    lam_range, lam_ticks = lam_axis(float(lo), float(hi))
    return {
        "points": [[float(a), float(b)] for a, b in zip(t, lam)],
        "curve": [[round(float(a), 4), round(float(b), 4)] for a, b in zip(curve_t, curve_lam)],
        "lam_range": lam_range,
        "lam_ticks": lam_ticks,
        "t_ticks": list(T_TICKS),
        "t_label": TIME_AXIS,
        "lam_label": "λ (logSNR)",
    }
