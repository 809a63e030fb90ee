"""Schedules tab, trained-networks panel: the spectral thread's networks side by side at one NFE budget.

Plain functions, no gradio. One grid per row of sampling/threads.THREADS["spectral"] (standard, the schedule
alone, the data-set tight network, the per-instance network), each drawn live by threads.draw_row from the same
seed, and captioned with that row's numbers at that budget from the benchmark (reports/thread_networks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...reports import threads as bench
from ...sampling.run import tile_grid
from ...sampling.threads import QUESTIONS, THREADS, draw_row
from ...validation import InputError, check_int

THREAD = "spectral"
BUDGETS = (5, 10, 20, 50)  # the benchmark's NFE budgets
N_SAMPLES = 16
SEED_MAX = 2**31 - 1
Progress = Callable[[float, str], None]


@dataclass
class NetworksResult:
    intro: str  # markdown: the question, and where its answer comes from
    grids: list[np.ndarray]  # uint8, one per THREADS row
    captions: list[str]  # markdown, one per row: what was drawn, then the benchmark's numbers
    table: str  # markdown: every row at every budget (the benchmark's table)
    numbers: dict[str, Any] = field(default_factory=dict)


def check_budget(budget: object) -> int:
    b = check_int("NFE budget", budget)
    if b not in BUDGETS:
        raise InputError(f"NFE budget must be one of {', '.join(map(str, BUDGETS))} (the benchmark's), got {b}")
    return b


def _schedule_words(schedule: str | None) -> str:
    if schedule is None:
        return "each sample's own tight schedule, drawn from the mixture (its own Heun sampler)"
    if schedule == "karras":
        return "Heun over EDM's Karras schedule (σ 80 → 0.002, ρ = 7)"
    return f"Heun over the data set's {schedule} schedule"


def intro(table: dict[str, Any] | None) -> str:
    """The question, where its answer comes from, and what the grids are."""
    where = (
        f"the benchmark's table below (n = {table['n']} samples per cell, seed {table['seed']}, each row paired "
        "against the standard row at the same budget)"
        if table is not None
        else f"the benchmark's table (`{bench.COMMAND}` writes it)"
    )
    return (
        f"**The paper's question (Esteves & Makadia):** {QUESTIONS[THREAD][0].lower()}{QUESTIONS[THREAD][1:]} "
        f"The answer comes from {where}, not from the grids. **Draw** samples the four networks live: "
        f"{N_SAMPLES} samples each from one seed, the same initial noise in every grid; the numbers under each grid "
        "are the benchmark's, at its own n and seed."
    )


def benchmark_table(table: dict[str, Any] | None) -> str:
    """Markdown: the benchmark's answer in one sentence, then every row at every budget with its verdicts."""
    if table is None:
        return ""
    return (
        f"**The benchmark's answer** (n = {table['n']}, seed {table['seed']}, confident-and-real share): "
        f"{bench.verdict_sentence(THREAD, table['threads'][THREAD])}\n\n"
        "Share confident and real · FD per row and budget, with win / loss / = (no resolved difference) against "
        "the standard row at the same budget:\n\n" + bench.budget_table(table, THREAD)
    )


def spectral_overview(bench_file: Path | None = None) -> tuple[str, str]:
    """(intro, table): what the panel shows before anything is drawn (no sampling)."""
    table = bench.load_table(bench_file)
    return intro(table), benchmark_table(table)


def spectral_networks(
    budget: int = 5, seed: int = 0, progress: Progress | None = None, bench_file: Path | None = None
) -> NetworksResult:
    """The panel (api_name `spectral_networks`): progress(fraction, text) before each network's grid."""
    budget = check_budget(budget)
    seed = check_int("seed", seed, 0, SEED_MAX)
    table = bench.load_table(bench_file)
    rows = THREADS[THREAD]
    grids, captions, used = [], [], {}
    for k, (label, name, schedule) in enumerate(rows):
        if progress is not None:
            progress(k / len(rows), f"{label}: {name} at NFE budget {budget}")
        x, nfe = draw_row(name, schedule, budget, N_SAMPLES, seed)
        grids.append(tile_grid(x, cols=4, min_tile=56))
        used[label] = nfe
        captions.append(
            f"**{label}** · `{name}` · {_schedule_words(schedule)}\n\n"
            f"Live: NFE {nfe}, seed {seed}, {N_SAMPLES} samples.\n\n" + bench.cell_caption(table, THREAD, label, budget)
        )
    if progress is not None:
        progress(1.0, "done")
    numbers = {"budget": budget, "seed": seed, "nfe": used, "bench": table is not None}
    return NetworksResult(intro(table), grids, captions, benchmark_table(table), numbers)
