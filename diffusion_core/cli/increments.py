"""`difflab increments`: the reference VP walk (beta(t) = 0.1 + 19.9 t, x0 = 1) with any increment law.

Prints the Monte Carlo mean, variance and excess kurtosis of x_N next to the exact values
(Theorem 3.1; kappa4 sum c^4 / (sum c^2)^2) and the KS distance to N(expected_mean, expected_var).
"""

from __future__ import annotations

import argparse

from ..nonnormal.report import increments_report
from ..nonnormal.walks import check_steps
from ..validation import check_finite, check_int
from .main import emit


def run(args: argparse.Namespace) -> int:
    steps = check_steps(args.steps)
    paths = check_int("paths", args.paths, 2)
    result = increments_report(
        args.law, steps, paths, check_int("seed", args.seed, 0), args.form, args.grid, check_finite("nu", args.nu)
    )
    emit(result, args.json)
    return 0
