"""Samplers tab, second panel: Li's increment pairs x seeds on the MNIST networks (plain functions, no gradio).

`pair_grid(view, progress)` (api_name `pair_grid`) samples one row per pair (models/pair_grid.py) and
returns the labelled image grid, a markdown table with each row's classifier numbers and wall time,
and the explanation. `progress(frac, text)` is called after every sampling step (the layout feeds it
to gr.Progress).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...devices import DEVICES
from ...evaluation.metrics import FD_MIN_N, FEATURES
from ...evaluation.truth import DigitTruth
from ...models.folders import load_model_ref
from ...models.registry import SPECS
from ...noise.schedules import FAMILIES
from ...plotting import samplers as plots
from ...sampling import pair_grid as P
from ...sampling import run as S
from ...training.vp_chain import STEP_NOISES
from ...validation import InputError, check_choice, check_int

MAX_VIEW_STEPS = 256


def step_noise_text(noise: str) -> str:
    """How the explanation names the chosen step noise: p (default) or q's law (the labelled alternative)."""
    if noise == "p":
        return (
            "**p, the model's law, as the step noise** (unit variance), as Li's generative chain draws its increments."
        )
    return (
        "**q's law as the step noise** (unit variance): the labelled alternative, each network driven by the true "
        "reverse increment law instead of the law it models (Li's chain draws from p), so uniform–gaussian now "
        "differs from gaussian–gaussian."
    )


Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PairGridView:
    """The grid's settings: which pairs (rows), how many seeds from which one (columns), steps, schedule, device."""

    pairs: tuple[str, ...] = P.PAIRS
    seed: int = 0
    seeds: int = 8
    steps: int = 10
    schedule: str = "karras"
    device: str = "auto"
    step_noise: str = "p"  # p: the model's law (Li's chain, default) | q: the true reverse law (labelled alternative)

    def __post_init__(self) -> None:
        if not self.pairs:
            raise InputError("choose at least one increment pair")
        for p in self.pairs:
            check_choice("pair", p, P.PAIRS)
        check_int("seed", self.seed, 0, 2**31 - 1 - P.MAX_SEEDS)
        check_int("seeds", self.seeds, 1, P.MAX_SEEDS)
        check_int("steps", self.steps, 1, MAX_VIEW_STEPS)
        check_choice("schedule", self.schedule, FAMILIES)
        check_choice("device", self.device, DEVICES)
        check_choice("step noise", self.step_noise, STEP_NOISES)


@dataclass
class PairGridResult:
    panel: np.ndarray  # uint8 [H, W, 3]: rows = pairs, columns = seeds
    table: str  # markdown: per-row quality numbers and wall time
    explanation: str
    numbers: dict[str, Any]  # per-row numbers for tests and the API


def pair_models(view: PairGridView) -> dict[str, Any]:
    """pair -> Model on the view's device; a missing network is a one-line error naming it."""
    out = {}
    for p in view.pairs:
        name = P.pair_model_name(p)
        if name not in SPECS:
            raise InputError(f"the {p} row needs the trained network {name}, which is not in the registry")
        out[p] = load_model_ref(name, view.device, allow_paths=False)
    return out


def _table(rows: list[P.PairRow], step_noise: str) -> str:
    head = (
        "| pair (q–p) | network | step noise | confident ≥ 0.9 | class TV | nearest-train RMS "
        "(held-out) | wall time |\n|---|---|---|---|---|---|---|\n"
    )
    return head + "".join(
        f"| {r.pair} | {r.model} | {r.step_law} ({step_noise}) | **{100 * r.quality['confident']:.0f}%** | {r.quality['class_tv']:.2f} | "
        f"{r.quality['nn_train']:.3f} ({r.quality['nn_heldout']:.3f}) | "
        f"{r.seconds:.2f} s |\n"
        for r in rows
    )


def pair_grid(view: PairGridView, progress: Progress | None = None) -> PairGridResult:
    """The panel's main computation (api_name `pair_grid`)."""
    models = pair_models(view)
    seeds = list(range(view.seed, view.seed + view.seeds))
    rows = P.pair_grid(
        models,
        view.pairs,
        seeds,
        view.steps,
        view.schedule,
        progress,
        lambda x: DigitTruth().score_samples(x).to_json(),
        view.step_noise,
    )
    tiles = [[S.to_uint8(r.samples[j : j + 1])[0][..., 0] for j in range(len(seeds))] for r in rows]
    labels = [(r.pair, f"{100 * r.quality['confident']:.0f}% conf. · {r.seconds:.1f} s") for r in rows]
    panel = plots.labelled_grid(tiles, labels, [f"seed {s}" for s in seeds])
    first = next(iter(models.values()))
    sig = S.model_sigmas(first, view.schedule, view.steps)
    text = (
        f"Rows: Li's increment pairs (q, p). Each network (a diffusers UNet2DModel) was trained with its pair's "
        f"per-step KL of the unit-variance laws on a Gaussian marginal; uniform–gaussian shares the gaussian–gaussian "
        f"network (its loss differs by a constant) and, sampled with its p, repeats that row. Each row "
        f"samples **DDPM-ancestrally** in {view.steps} steps ({view.schedule}, σ {float(sig[0]):.3g} → "
        f"{float(sig[-2]):.3g} → 0) with {step_noise_text(view.step_noise)} Columns: seeds {seeds[0]}–{seeds[-1]}; "
        "each column starts from the **same initial noise** in every row, and the step noise is the same uniform "
        "stream pushed through each law, so differences between rows come from the pair alone. Numbers per row: the "
        f"project classifier on the row's {len(seeds)} digits (no Fréchet distance: its {FEATURES} features need "
        f"n ≥ {FD_MIN_N} samples, a row has at most {P.MAX_SEEDS}; the JSON export keeps it), and the row's "
        f"sampling time on {first.device}."
    )
    numbers = {
        "rows": [
            {
                "pair": r.pair,
                "model": r.model,
                "step_law": r.step_law,
                "seconds": r.seconds,
                **{k: v for k, v in r.quality.items() if k != "metric"},
            }
            for r in rows
        ],
        "seeds": seeds,
        "steps": view.steps,
        "device": str(first.device),
    }
    return PairGridResult(panel, _table(rows, view.step_noise), text, numbers)
