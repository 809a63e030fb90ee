"""Intervals for the digit numbers of a run, and paired verdicts between two runs from the same seeds.

    wilson(k, n)          95% Wilson score interval of a share k / n
    paired_share(a, b)    mean(a - b) of per-sample 0/1 flags from the same initial noise, with its 95% normal
                          interval (se = sd(a - b) / sqrt(n)): the paired comparison of two networks' shares
    fd_interval           the Frechet distance of features f to a reference set, with a 95% bootstrap interval
                          over the samples (B resamples, seeded): the resampled values' spread about their median,
                          re-centred on the estimate, [FD - (q97.5 - m), FD + (m - q2.5)]. Resampling with
                          replacement repeats rows, which shrinks the covariance and lifts every resampled FD by
                          a shift that is not sampling variability; the basic interval [2 FD - q97.5,
                          2 FD - q2.5] reflects that shift and can lie wholly below the estimate
    paired_fd             FD(a) - FD(b) with the bootstrap resampling the same sample indices in both (paired)
    separated(a, b)       whether every interval of a lies below (-1) or above (1) every interval of b, else 0
A verdict is "win" when the 95% interval of the difference lies above 0 in the better direction, "loss" when
it lies on the other side, "no resolved difference" when it contains 0.
"""

from __future__ import annotations

import math

import numpy as np

from .metrics import frechet_distance

Z95 = 1.959963984540054
BOOT = 200  # bootstrap resamples


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of k successes in n trials."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    den = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def paired_share(a: np.ndarray, b: np.ndarray) -> tuple[float, tuple[float, float]]:
    """mean(a - b) and its 95% interval for paired 0/1 flags a, b [n]."""
    d = a.astype(np.float64) - b.astype(np.float64)
    se = float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else math.inf
    m = float(d.mean())
    return m, (m - Z95 * se, m + Z95 * se)


def _boot_index(n: int, seed: int, reps: int = BOOT) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(reps, n))


def fd_interval(f: np.ndarray, ref: np.ndarray, seed: int = 0) -> tuple[float, tuple[float, float]]:
    """FD(f, ref) and its 95% bootstrap interval over the rows of f (`centred`)."""
    vals = [frechet_distance(f[i], ref) for i in _boot_index(len(f), seed)]
    fd = frechet_distance(f, ref)
    return fd, centred(fd, vals)


def centred(estimate: float, vals: list[float]) -> tuple[float, float]:
    """[t - (q97.5 - m), t + (m - q2.5)]: the resampled values' 95% spread about their median m, placed on t."""
    m, lo, hi = (float(np.percentile(vals, q)) for q in (50, 2.5, 97.5))
    return (estimate - (hi - m), estimate + (m - lo))


def basic(estimate: float, vals: list[float]) -> tuple[float, float]:
    """The 95% basic bootstrap interval [2 t - q97.5, 2 t - q2.5] of an estimate t from its resampled values."""
    return (2 * estimate - float(np.percentile(vals, 97.5)), 2 * estimate - float(np.percentile(vals, 2.5)))


def paired_fd(fa: np.ndarray, fb: np.ndarray, ref: np.ndarray, seed: int = 0) -> tuple[float, tuple[float, float]]:
    """FD(fa) - FD(fb) and its 95% paired bootstrap interval (the same rows resampled in both)."""
    vals = [frechet_distance(fa[i], ref) - frechet_distance(fb[i], ref) for i in _boot_index(len(fa), seed)]
    d = frechet_distance(fa, ref) - frechet_distance(fb, ref)
    return d, basic(d, vals)


def verdict(interval: tuple[float, float], higher_is_better: bool) -> str:
    """'win', 'loss' or 'no resolved difference' for a difference (this - baseline) and its interval."""
    lo, hi = interval
    if lo > 0:
        return "win" if higher_is_better else "loss"
    if hi < 0:
        return "loss" if higher_is_better else "win"
    return "no resolved difference"


def separated(a: list[list[float]], b: list[list[float]]) -> int:
    """-1 if every interval of a lies below every interval of b, 1 if above, 0 if any two overlap."""
    if max(hi for _, hi in a) < min(lo for lo, _ in b):
        return -1
    if min(lo for lo, _ in a) > max(hi for _, hi in b):
        return 1
    return 0
