"""Where two schedule configs diverge, step by step, and what the divergence looks like.

Findings name the common mistakes at a glance: a different number of points, an off-by-one between
steps and sigma points (sigma_B[i] = sigma_A[i + 1]), a constant logSNR offset (one config is the
other shifted once more: a flow shift s moves lam by -2 log s, so a double shift shows as s), and a
different final sigma.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .discretization import ScheduleResult
from .flow import SIGMA_T1
from .inspector import table

REL_TOL = 1e-6


def _close(a: np.ndarray, b: np.ndarray, tol: float = REL_TOL) -> np.ndarray:
    """Elementwise |a - b| <= tol max(|a|, |b|) (two zeros are equal)."""
    return np.abs(a - b) <= tol * np.maximum(np.abs(a), np.abs(b))


def _lam_offset(lam_a: np.ndarray, lam_b: np.ndarray, sig_a: np.ndarray, sig_b: np.ndarray) -> float | None:
    """The constant lam_B - lam_A over points with 0 < sigma < SIGMA_T1 in both, if it is constant."""
    keep = (sig_a > 0) & (sig_b > 0) & (sig_a < SIGMA_T1) & (sig_b < SIGMA_T1)
    d = lam_b[keep] - lam_a[keep]  # float32 flow times: spread ~1e-5 near t = 1
    if len(d) < 2 or abs(float(d.mean())) < 1e-9 or float(d.max() - d.min()) > 1e-4 * max(1.0, abs(float(d.mean()))):
        return None
    return float(d.mean())


def diff(a: ScheduleResult, b: ScheduleResult) -> dict[str, Any]:
    """{"rows", "first_divergence", "max_abs_dlam", "findings"} for configs A and B."""
    ta, tb = table(a), table(b)
    n = min(len(ta.sigma), len(tb.sigma))
    same = _close(ta.sigma[:n], tb.sigma[:n])
    with np.errstate(invalid="ignore"):
        dlam = np.where(same, 0.0, tb.lam[:n] - ta.lam[:n])
    rows = [
        {
            "step": i,
            "sigma_a": float(ta.sigma[i]),
            "sigma_b": float(tb.sigma[i]),
            "lam_a": _f(ta.lam[i]),
            "lam_b": _f(tb.lam[i]),
            "dlam": _f(dlam[i]),
            "t_a": float(ta.t[i]),
            "t_b": float(tb.t[i]),
            "timestep_a": _f(ta.timestep[i]),
            "timestep_b": _f(tb.timestep[i]),
            "differs": bool(not same[i]),
        }
        for i in range(n)
    ]
    first = next((i for i in range(n) if not same[i]), None)
    if first is None and len(ta.sigma) != len(tb.sigma):
        first = n
    finite = np.isfinite(dlam)
    k = int(np.argmax(np.where(finite, np.abs(dlam), -1))) if finite.any() else 0
    out = {
        "points_a": len(ta.sigma),
        "points_b": len(tb.sigma),
        "first_divergence": first,
        "max_abs_dlam": float(abs(dlam[k])) if finite.any() else 0.0,
        "max_dlam_step": k,
        "rows": rows,
    }
    out["findings"] = findings(ta.sigma, tb.sigma, ta.lam, tb.lam, first)
    return out


def findings(sa: np.ndarray, sb: np.ndarray, la: np.ndarray, lb: np.ndarray, first: int | None) -> list[str]:
    """Plain sentences for the patterns above (empty list when A and B are identical)."""
    if first is None:
        return ["identical: every sigma point agrees to 1e-6 (relative)"]
    out = [f"first divergence at step {first}"]
    if len(sa) != len(sb):
        out.append(f"A has {len(sa)} sigma points ({len(sa) - 1} steps), B has {len(sb)} ({len(sb) - 1} steps)")
    for x, y, name in ((sa, sb, "B"), (sb, sa, "A")):
        m = min(len(x) - 1, len(y))
        if m >= 2 and _close(y[:m], x[1 : m + 1]).all():
            other = "A" if name == "B" else "B"
            out.append(
                f"off by one: {name}'s step i uses {other}'s sigma point i + 1 "
                f"(sigma_{name}[0] = {y[0]:.5g} = sigma_{other}[1])"
            )
    n = min(len(sa), len(sb))
    off = _lam_offset(la[:n], lb[:n], sa[:n], sb[:n])
    if off is not None:
        s = math.exp(-off / 2)
        out.append(
            f"constant logSNR offset: lam_B - lam_A = {off:.6g} at every step below t = 1, i.e. B is A "
            f"shifted by s = exp(-dlam / 2) = {s:.6g} (a shift applied twice shows here as s = shift)"
        )
    if sa[-1] != sb[-1]:
        out.append(f"final sigma differs: A ends at {sa[-1]:.5g}, B at {sb[-1]:.5g}")
    return out


def _f(v: float) -> float | None:
    v = float(v)
    return None if math.isnan(v) else (None if math.isinf(v) else v)
