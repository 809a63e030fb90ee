"""Li's increment pairs side by side on MNIST: a grid "pair x seed" from one initial noise per column.

Row = an increment pair (q, p): the network trained with the pair's loss (vp_chain.PAIR_NETWORK;
uniform-gaussian shares the gaussian-gaussian network) sampled ancestrally (DDPM ancestral steps) with p, the
model's law, as the unit-variance step noise (vp_chain.step_law), as Li's generative chain draws its increments;
`step_noise="q"` drives the network with q's law instead (a labelled alternative). Under p's law the
uniform-gaussian row is the gaussian-gaussian network with Gaussian steps: the gaussian-gaussian row again.
Column j = seed s_j: its initial noise z_j is `sampling.initial_noise(model, 1, s_j)`, the same in every
row (and the same as `difflab sample --seed s_j --n 1` starts from). The step noise of a row comes from
one CPU generator seeded with the first seed, the same stream in every row; the laws are drawn by the
inverse CDF of one uniform stream (nonnormal/laws.py), so rows differ only by the shape of their step law.
Each row is one batched run; its numbers are the digit-quality metrics (evaluation/metrics.py) of its samples,
with the real-vs-real floors at the same count, and its wall time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from ..models.registry import Model
from ..noise.samplers import sample_ddpm_ancestral
from ..nonnormal.laws import noise_sampler
from ..training.vp_chain import PAIR_NETWORK, step_law
from ..validation import InputError, check_choice, check_int
from . import run as S

Tensor = torch.Tensor
PAIRS = ("gaussian-gaussian", "laplace-laplace", "uniform-gaussian", "uniform-laplace")
MAX_SEEDS = 16
Progress = Callable[[float, str], None]


def pair_model_name(pair: str) -> str:
    """The registry name of the network that serves `pair`."""
    return PAIR_NETWORK[check_choice("pair", pair, PAIRS)]


@dataclass
class PairRow:
    pair: str
    model: str
    step_law: str
    samples: Tensor  # [k, C, H, W] float32, CPU, not clipped
    seconds: float  # wall time of the row's sampling (quality excluded)
    quality: dict[str, Any]  # metrics.digit_quality (+ floors), or {} when there is no classifier


def column_noise(model: Model, seeds: list[int]) -> Tensor:
    """z_j of each seed, stacked: [k, C, H, W] float64 (CPU)."""
    return torch.cat([S.initial_noise(model, 1, s)[0] for s in seeds])


def sample_row(
    model: Model,
    pair: str,
    seeds: list[int],
    sigmas: Tensor,
    progress: Callable[[int], None] | None = None,
    step_noise: str = "p",
) -> Tensor:
    """One row: DDPM ancestral from sigma_0 z_j with injections of step_law(pair, step_noise), on the model's device."""
    x = (sigmas[0] * column_noise(model, seeds)).to(model.device, S.DTYPE)
    g = torch.Generator().manual_seed(seeds[0])
    cb = (lambda info: progress(int(info["i"]) + 1)) if progress is not None else None
    return sample_ddpm_ancestral(
        model.denoiser, x, sigmas, generator=g, noise=noise_sampler(step_law(pair, step_noise)), callback=cb
    ).cpu()


def pair_grid(
    models: dict[str, Model],
    pairs: tuple[str, ...],
    seeds: list[int],
    steps: int,
    schedule: str = "karras",
    progress: Progress | None = None,
    score: Callable[[Tensor], dict[str, Any]] | None = None,
    step_noise: str = "p",
) -> list[PairRow]:
    """Every pair's row; `models` maps each pair to its network, `score` rates a row's samples (None: no numbers).
    progress(frac, text) is called after every sampling step of every row; step_noise "p" (default) or "q"."""
    if not pairs:
        raise InputError("choose at least one increment pair")
    for p in pairs:
        check_choice("pair", p, PAIRS)
    check_int("seeds", len(seeds), 1, MAX_SEEDS)
    rows = []
    for r, pair in enumerate(pairs):
        model = models[pair]
        sigmas = S.model_sigmas(model, schedule, steps)

        def tick(i: int, r: int = r, pair: str = pair) -> None:
            if progress is not None:
                progress((r + i / steps) / len(pairs), f"{pair}: step {i}/{steps}")

        t0 = time.perf_counter()
        x = sample_row(model, pair, seeds, sigmas, tick, step_noise)
        seconds = time.perf_counter() - t0
        rows.append(PairRow(pair, model.spec.name, step_law(pair, step_noise), x, seconds, score(x) if score else {}))
    return rows
