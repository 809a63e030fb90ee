"""Bases tab, trained GUD networks panel: a network's reverse process beside the exact Gaussian one, per component.

Plain functions, no gradio. sampling/gud_reverse.py runs both (the network's component-wise DDIM and the exact
Gaussian's probability-flow ODE, same space, schedule, steps and starting noise); gud/learned_view.py holds the
maths (snapshots, the fitted Gaussian, the closed-form readout); plotting draws the grids and the readout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ...gud.learned_view import Snapshots, group_ranks, resolved_shares, rms_gap, to_data
from ...plotting.bases import resolved_share_figure
from ...plotting.samplers import labelled_grid
from ...sampling.gud_reverse import GUDReverse, reverse_beside_exact, white_covariance_of
from ...sampling.run import to_uint8
from ...sampling.threads import THREADS
from ...validation import InputError, check_choice, check_int

NETWORKS = tuple((label, name) for label, name, _ in THREADS["gud"])  # (label, registry name), baseline first
DEFAULT = NETWORKS[-1][1]  # the PCA network: its components are generated coarse to fine by index
STEPS = (50, 100, 200)  # >= the exact ODE's Euler minimum (the schedule's slope, at most 35 here)
SHOW = ("state", "denoised")
N_SAMPLES, KEEP, GROUPS = 4, 6, 8
SEED_MAX = 2**31 - 1
Progress = Callable[[float, str], None]
BASIS_WORDS = MappingProxyType({"pca": "PCA components", "pixel": "pixels", "dct": "DCT coefficients"})
BASIS_NAMES = MappingProxyType({"pca": "PCA", "pixel": "pixel", "dct": "DCT"})


@dataclass
class GUDNetworkResult:
    network: np.ndarray  # uint8 grid: rows = samples, columns = snapshot times
    exact: np.ndarray  # the same for the exact Gaussian
    readout: object  # plotly heatmap: share of each component group resolved at each snapshot
    caption: str  # markdown, with the live numbers
    numbers: dict[str, Any] = field(default_factory=dict)


def _grid(run: GUDReverse, snaps: Snapshots, show: str, seed: int) -> np.ndarray:
    z = snaps.states if show == "state" else snaps.denoised  # [K, n, D]
    imgs = to_uint8(to_data(run.space, z).flatten(0, 1).clamp(-1, 1))[..., 0]  # [K * n, H, W]
    k, n = z.shape[0], z.shape[1]
    tiles = [[imgs[j * n + i] for j in range(k)] for i in range(n)]
    rows = [(f"sample {i + 1}", f"seed {seed}") for i in range(n)]
    cols = [f"t = {t:.2f}" for t in snaps.times.tolist()]
    return labelled_grid(tiles, rows, cols, scale=2, label_w=84, margin=30)  # margin: the image's label badge


def group_names(run: GUDReverse) -> list[str]:
    what = BASIS_WORDS.get(run.space.basis, "components")
    return [f"{what} {a}–{b}" for a, b in group_ranks(run.space.schedule, GROUPS)]


def explain(run: GUDReverse, shares: np.ndarray, gaps: list[float], diagonal: bool, show: str) -> str:
    g, s = run.space, run.space.schedule
    prior = "white prior (r = 0)" if g.r == 0 else "data-matched prior (r = 1)" if g.r == 1 else f"r = {g.r:g}"
    gauss = (
        "diagonal in these components (PCA diagonalises it; 1 wherever the digits vary, since r = 1 whitens)"
        if diagonal
        else f"a full {s.labels.numel()} × {s.labels.numel()} covariance in these components"
    )
    times = run.network.times.tolist()
    full = [sum(1 for v in row if v >= 1.0) for row in shares]
    gap_text = ", ".join(f"{t:.2f}: {v:.2f}" for t, v in zip(times, gaps))
    done = ", ".join(f"{t:.2f}: {f}/{GROUPS}" for t, f in zip(times, full))
    shown = "the current state χ̂(t)" if show == "state" else "the denoised estimate of χ̂(0) at t"
    return "\n\n".join(
        [
            f"**`{run.name}`**: {BASIS_NAMES.get(g.basis, g.basis)} basis, {prior}, soft conditioning a = {g.a:g} (variance ordering), "
            f"slope Δγ = {s.slope:.3g}. Left: the network, component-wise DDIM, {run.steps} steps "
            f"({run.steps} evaluations). Right: the exact reverse process of the Gaussian fitted to the same "
            f"training digits, {gauss}, with its exact denoiser and the probability-flow ODE (Euler, {run.steps} "
            f"steps). Both start from the same χ̂(1) for this seed; the images are {shown} mapped to data space.",
            f"**RMS gap between the two states** (whitened units, where the prior has variance 1) at t = {gap_text}: "
            "zero at the start by construction; any gap after it is where the network's denoiser departs from the "
            "Gaussian's.",
            f"**Component groups fully resolved** (true log-SNR at or above the band's clean edge, "
            f"{-s.band[0]:g}; closed form from the schedule) at t = {done}. Groups follow the generation order "
            f"(label rank), first generated at the top of the figure.",
        ]
    )


def gud_network_reverse(
    name: str = DEFAULT, seed: int = 0, steps: int = 50, show: str = "state", progress: Progress | None = None
) -> GUDNetworkResult:
    """The panel (api_name `gud_network_reverse`): progress(fraction, text) after every step of either run."""
    check_choice("GUD network", name, [n for _, n in NETWORKS])
    seed = check_int("seed", seed, 0, SEED_MAX)
    steps = check_int("steps", steps)
    if steps not in STEPS:
        raise InputError(f"steps must be one of {', '.join(map(str, STEPS))}, got {steps}")
    check_choice("view", show, SHOW)
    run = reverse_beside_exact(name, steps, N_SAMPLES, seed, KEEP, progress)
    shares = resolved_shares(run.space.schedule, run.network.times, GROUPS).numpy()
    gaps = rms_gap(run.network, run.exact).tolist()
    diagonal = white_covariance_of(name).ndim == 1
    figure = resolved_share_figure(
        run.network.times.numpy(),
        shares,
        group_names(run),
        f"Share of each component group resolved (closed form), {name}",
    )
    numbers = {
        "times": run.network.times.tolist(),
        "shares": shares.tolist(),
        "rms_gap": gaps,
        "diagonal": diagonal,
        "slope": run.space.schedule.slope,
    }
    return GUDNetworkResult(
        _grid(run, run.network, show, seed),
        _grid(run, run.exact, show, seed),
        figure,
        explain(run, shares, gaps, diagonal, show),
        numbers,
    )
