"""A GUD network's reverse process beside the exact Gaussian one in the same space and schedule (gud/learned_view.py
holds the maths): the network samples with its own component-wise DDIM (threads.sample_own), the Gaussian fitted
to its training digits with the probability-flow ODE, both from the seed's chi_hat(1) and over the same steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from ..caching import frozen_cache
from ..gud.learned import LearnedGUD
from ..gud.learned_view import GaussianPosterior, Recorder, Snapshots, exact_reverse, fitted_covariance
from ..models.datasets import DATASETS
from ..models.gud_space import sidecar_gud
from ..models.registry import OWN_SAMPLER, load_own
from ..validation import check_choice, check_int
from .threads import sample_own

Tensor = torch.Tensor
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class GUDReverse:
    """One seed's reverse runs: the network's and the exact Gaussian's snapshots in the network's space."""

    name: str
    space: LearnedGUD
    network: Snapshots
    exact: Snapshots
    steps: int


def gud_networks() -> tuple[str, ...]:
    """The registry's GUD networks (kind "gud")."""
    return tuple(name for name, spec in OWN_SAMPLER.items() if spec.kind == "gud")


@frozen_cache(maxsize=4)
def white_covariance_of(name: str) -> Tensor:
    """The Gaussian the exact process denoises with: the training data's covariance in the network's whitened
    components, [D] when diagonal (PCA) or [D, D] (pixels) (gud/learned_view.fitted_covariance)."""
    _, side = load_own(name)
    items = DATASETS[side["dataset"]].items
    assert items is not None
    return fitted_covariance(sidecar_gud(side), items())


@frozen_cache(maxsize=4)
def exact_denoiser_of(name: str) -> GaussianPosterior:
    """The exact denoiser of that Gaussian (its eigendecomposition computed once)."""
    return GaussianPosterior(white_covariance_of(name))


def reverse_beside_exact(
    name: str, steps: int, n: int, seed: int, keep: int = 6, progress: Progress | None = None
) -> GUDReverse:
    """The network's DDIM and the exact Gaussian PF-ODE, `steps` steps each, n samples from the seed's noise,
    seen at `keep` snapshots. progress(fraction, text) after each step of either run."""
    check_choice("GUD network", name, gud_networks())
    steps = check_int("steps", steps, 1, 1000)
    if progress is not None:
        progress(0.0, f"{name}: space and schedule (the first use fits them to the training digits)")
    _, side = load_own(name)
    g = sidecar_gud(side)

    def ticker(which: str, base: float) -> Any:
        if progress is None:
            return None
        return lambda i, total: progress(base + 0.5 * i / total, f"{which}: step {i}/{total}")

    rec = Recorder(steps, keep, ticker("network (DDIM)", 0.0))
    sample_own(name, "ddim", steps, n, seed, rec)
    exact, _ = exact_reverse(g, exact_denoiser_of(name), steps, n, seed, keep, ticker("exact Gaussian (ODE)", 0.5))
    return GUDReverse(name, g, rec.snapshots(), exact, steps)
