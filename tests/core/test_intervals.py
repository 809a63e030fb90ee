"""The intervals behind every "[lo, hi]" in the thread and pair tables (evaluation/intervals.py), against exact
values and against the spread of independent re-draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffusion_core.evaluation.intervals import Z95, fd_interval, paired_fd, paired_share, separated, verdict, wilson
from diffusion_core.evaluation.metrics import frechet_distance


def test_wilson_matches_the_closed_form():
    lo, hi = wilson(5, 10)  # p = 0.5: centre 0.5, half-width z sqrt(1/40 + z^2/400) / (1 + z^2/10)
    half = Z95 * math.sqrt(0.25 / 10 + Z95**2 / 400) / (1 + Z95**2 / 10)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-12)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 20)[0] == 0.0 and wilson(0, 20)[1] == pytest.approx(0.1611, abs=1e-4)


def test_paired_share_is_the_mean_difference_with_its_normal_interval():
    a, b = np.array([1, 0, 1, 1]), np.array([0, 0, 1, 0])
    m, (lo, hi) = paired_share(a, b)
    se = np.std([1, 0, 0, 1], ddof=1) / 2
    assert m == 0.5 and (lo, hi) == pytest.approx((0.5 - Z95 * se, 0.5 + Z95 * se))
    assert verdict((lo, hi), higher_is_better=True) == "no resolved difference"
    assert verdict((0.1, 0.2), True) == "win" and verdict((0.1, 0.2), False) == "loss"


D = 32  # enough dimensions that resampled rows lift the bootstrap FDs past the estimate (as the 64-d features do)


def _draw(rng, n, d=D, shift=0.2):
    return rng.standard_normal((n, d)) + shift


def test_fd_interval_holds_its_estimate_and_matches_the_spread_of_redraws():
    """Resampling repeats rows and lifts every bootstrap FD; the interval is their spread placed on the estimate,
    so it holds the estimate and is as wide as the spread of FD over independent samples of the same law."""
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((4000, D))
    n = 300
    redraws = [frechet_distance(_draw(rng, n), ref) for _ in range(300)]
    width_true = float(np.percentile(redraws, 97.5) - np.percentile(redraws, 2.5))
    for k in range(3):
        f = _draw(np.random.default_rng(10 + k), n)
        fd, (lo, hi) = fd_interval(f, ref, seed=k)
        assert lo < fd < hi
        assert 0.6 < (hi - lo) / width_true < 1.6
    d, (dlo, dhi) = paired_fd(f, f, ref)
    assert d == 0 and dlo == dhi == 0  # the same samples: no difference, no spread


def test_separated_orders_interval_sets():
    assert separated([[0, 1], [0.5, 1.5]], [[2, 3], [1.6, 2]]) == -1
    assert separated([[2, 3]], [[0, 1]]) == 1
    assert separated([[0, 1], [0, 2.1]], [[2, 3]]) == 0
