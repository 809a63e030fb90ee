"""Draw your own schedule: a monotone logSNR curve through typed control points (t, lam).

Text form "t:lam, t:lam, ..." with t in [0, 1] (0 = data, 1 = noise), at least two points, t = 0 and t = 1
included, lam strictly decreasing in t. Between points the curve is the monotone cubic (PCHIP, Fritsch &
Carlson 1980), so resampling to any N keeps lam monotone; the family `custom` (parameter `points`) runs
with every sampler and view.
"""
from __future__ import annotations

import numpy as np
import torch

from ..validation import InputError, check_range

Tensor = torch.Tensor
DEFAULT_POINTS = "1:-5, 0.5:0, 0:6"
MAX_POINTS = 64


def parse_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """'t:lam, ...' -> (t ascending, lam) validated; one-line errors say what to fix."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"control points are empty: type t:lam pairs, e.g. {DEFAULT_POINTS}")
    pairs = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not 2 <= len(pairs) <= MAX_POINTS:
        raise InputError(f"give 2 to {MAX_POINTS} control points t:lam, got {len(pairs)}")
    t, lam = [], []
    for p in pairs:
        a, sep, b = p.partition(":")
        if not sep:
            raise InputError(f"control point {p!r} is not t:lam (e.g. 0.5:0)")
        t.append(check_range("control point t", a.strip(), 0, 1))
        lam.append(check_range("control point lam", b.strip(), -60, 60))
    order = np.argsort(t)
    t_arr, lam_arr = np.array(t)[order], np.array(lam)[order]
    if np.any(np.diff(t_arr) <= 0):
        raise InputError("two control points share a t; give each t once")
    if t_arr[0] != 0 or t_arr[-1] != 1:
        raise InputError(f"control points must include t = 0 and t = 1 (got t from {t_arr[0]:g} to {t_arr[-1]:g})")
    bad = np.nonzero(np.diff(lam_arr) >= 0)[0]
    if len(bad):
        i = int(bad[0])
        raise InputError(f"lam must decrease as t grows (noisier = lower logSNR): t = {t_arr[i]:g} has lam "
                         f"{lam_arr[i]:g} but t = {t_arr[i + 1]:g} has {lam_arr[i + 1]:g}")
    return t_arr, lam_arr


def lam_custom(points: str):
    """lam(t) through the control points (monotone PCHIP)."""
    from scipy.interpolate import PchipInterpolator
    t, lam = parse_points(points)
    f = PchipInterpolator(t, lam)

    def fn(u: Tensor) -> Tensor:
        u = torch.as_tensor(u, dtype=torch.float64)
        return torch.from_numpy(f(u.clamp(0, 1).numpy()).astype(np.float64))
    return fn
