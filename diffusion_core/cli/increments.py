"""`difflab increments`: the reference VP walk (beta(t) = 0.1 + 19.9 t, x0 = 1) with any increment law.

Prints the Monte Carlo mean, variance and excess kurtosis of x_N next to the exact values
(Theorem 3.1; kappa4 sum c^4 / (sum c^2)^2) and the KS distance to N(expected_mean, expected_var).
"""
from __future__ import annotations

import argparse

from ..nonnormal.laws import LAWS
from ..nonnormal.report import increments_report
from ..nonnormal.walks import FORMS, GRIDS, check_steps
from ..validation import check_int


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("increments", help="moments, kurtosis and KS of the VP walk with a non-normal increment law")
    p.add_argument("--law", required=True, help=f"increment law: {'|'.join(LAWS)}")
    p.add_argument("--steps", required=True, help="number of walk steps N >= 1")
    p.add_argument("--paths", default="100000", help="Monte Carlo paths M (default 100000)")
    p.add_argument("--seed", default="0", help="torch.Generator seed (default 0)")
    p.add_argument("--form", default="ddpm", help=f"step form: {'|'.join(FORMS)} (default ddpm)")
    p.add_argument("--grid", default="right", help=f"where beta is read in each step: {'|'.join(GRIDS)} (default right)")
    p.add_argument("--nu", default="10", help="student-t degrees of freedom, > 4 (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .main import emit
    from ..validation import check_finite
    steps = check_steps(args.steps)
    paths = check_int("paths", args.paths, 2)
    result = increments_report(args.law, steps, paths, check_int("seed", args.seed, 0), args.form, args.grid,
                               check_finite("nu", args.nu))
    emit(result, args.json)
    return 0
