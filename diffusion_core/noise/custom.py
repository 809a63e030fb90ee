"""Draw your own schedule: a monotone logSNR curve through typed control points (t, lam).

Text form "t:lam, t:lam, ..." with t in [0, 1] (0 = data, 1 = noise), at least two points, t = 0 and t = 1
included, lam strictly decreasing in t. Between points the curve is the monotone cubic (PCHIP, Fritsch &
Carlson 1980), so resampling to any N keeps lam monotone; the family `custom` (parameter `points`) runs
with every sampler and view.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.interpolate import PchipInterpolator

from ..validation import InputError, check_range

Tensor = torch.Tensor
DEFAULT_POINTS = "1:-5, 0.5:0, 0:6"
MAX_POINTS = 64


def parse_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """'t:lam, ...' -> (t ascending, lam) validated; one-line errors say what to fix."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"control points are empty: type t:lam pairs, e.g. {DEFAULT_POINTS}")
    pairs = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    for p in pairs:
        if ":" not in p or p.count(":") > 1:
            raise InputError(
                f"control point {p!r} is not t:lam; give 2 to {MAX_POINTS} control points, e.g. {DEFAULT_POINTS}"
            )
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
        raise InputError(
            f"lam must decrease as t grows (noisier = lower logSNR): t = {t_arr[i]:g} has lam "
            f"{lam_arr[i]:g} but t = {t_arr[i + 1]:g} has {lam_arr[i + 1]:g}"
        )
    return t_arr, lam_arr


def format_points(points: object) -> str:
    """[[t, lam], ...] (e.g. dragged in the browser) -> 't:lam, ...' text, noisiest first, t to 3 decimals and
    lam to 2; checks the shape only (parse_points judges the curve, so a drag and typing get one message)."""
    if not isinstance(points, (list, tuple)) or not 2 <= len(points) <= MAX_POINTS:
        raise InputError(f"dragged control points must be a list of 2 to {MAX_POINTS} [t, lam] pairs")
    pairs = []
    for p in points:
        if not isinstance(p, (list, tuple)) or len(p) != 2:
            raise InputError(f"a dragged control point must be a [t, lam] pair, got {p!r}")
        pairs.append(
            (
                round(check_range("control point t", p[0], 0, 1), 3),
                round(check_range("control point lam", p[1], -60, 60), 2),
            )
        )
    return ", ".join(f"{t:g}:{lam:g}" for t, lam in sorted(pairs, key=lambda q: -q[0]))


def curve_samples(points: str, n: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """(t, lam) of the monotone curve at n evenly spaced t in [0, 1], for drawing it."""
    t = torch.linspace(0, 1, n, dtype=torch.float64)
    return t.numpy(), lam_custom(points)(t).numpy()


def lam_custom(points: str):
    """lam(t) through the control points (monotone PCHIP)."""
    t, lam = parse_points(points)
    f = PchipInterpolator(t, lam)

    def fn(u: Tensor) -> Tensor:
        u = torch.as_tensor(u, dtype=torch.float64)
        return torch.from_numpy(f(u.clamp(0, 1).numpy()).astype(np.float64))

    return fn
