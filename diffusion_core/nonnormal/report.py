"""The reference VP walk with one increment law, summarised: simulated vs exact moments of x_N, excess
kurtosis (Theorem 3.1) and the KS distance to the Gaussian limit. The JSON of `difflab increments`,
and the numbers the Increments tab and the Workshop show."""

from __future__ import annotations

from typing import Any

import torch

from ..validation import check_int
from .laws import get_law, ks_to_gaussian, kurtosis_stderr, sample_excess_kurtosis
from .walks import Form, Grid, exact_moments, expected_excess_kurtosis, simulate_walk


def walk_statistics(
    law: str, steps: int, paths: int, seed: int, form: Form = "ddpm", grid: Grid = "right", nu: float = 10.0
) -> tuple[dict[str, float], torch.Tensor]:
    """(numbers, x_N [paths]): MC mean/var/kurtosis of x_N, their exact values, KS to N(mean, var)."""
    the_law = get_law(law, nu)
    seed = check_int("seed", seed, 0, 2**63 - 1)
    sim = simulate_walk(the_law, steps, paths, torch.Generator().manual_seed(seed), form, grid)
    exact = exact_moments(steps, form, grid)
    mean, var = float(exact.mean[-1]), float(exact.var[-1])
    return {
        "mean": float(sim.x.mean()),
        "var": float(sim.x.var()),
        "expected_mean": mean,
        "expected_var": var,
        "excess_kurtosis": sample_excess_kurtosis(sim.x),
        "expected_excess_kurtosis": expected_excess_kurtosis(the_law.excess_kurtosis, exact.coefficients),
        "ks_to_gaussian": ks_to_gaussian(sim.x, mean, var),
        "excess_kurtosis_stderr": kurtosis_stderr(sim.x),
    }, sim.x


def increments_report(
    law: str,
    steps: int,
    paths: int = 100_000,
    seed: int = 0,
    form: Form = "ddpm",
    grid: Grid = "right",
    nu: float = 10.0,
) -> dict[str, Any]:
    """The `increments` contract: walk_statistics plus the settings that produced them."""
    numbers, _ = walk_statistics(law, steps, paths, seed, form, grid, nu)
    return {
        **numbers,
        "law": law,
        "steps": int(steps),
        "paths": int(paths),
        "seed": int(seed),
        "form": form,
        "grid": grid,
    }
