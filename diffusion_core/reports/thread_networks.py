"""The thread networks' benchmark (benchmarks/thread_networks.json, written by bench/thread_networks.py) in words:
one row's numbers at one NFE budget with their 95% intervals, its verdicts against the thread's baseline, and a
table of every row at every budget. The app's captions quote these; nothing here is measured again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH_FILE = ROOT / "benchmarks" / "thread_networks.json"
COMMAND = "python -m diffusion_core.bench.thread_networks"
SHORT = {"win": "win", "loss": "loss", "no resolved difference": "no resolved difference"}


def load_table(path: Path | None = None) -> dict[str, Any] | None:
    """The benchmark's JSON (default BENCH_FILE), or None when the file is not there (an installed package
    without the repository's benchmarks/ folder)."""
    path = BENCH_FILE if path is None else path
    return json.loads(path.read_text()) if path.is_file() else None


def find_cell(table: dict[str, Any], thread: str, row: str, budget: int) -> dict[str, Any] | None:
    """The benchmark's row `row` of `thread` at NFE budget `budget` (None when it was not measured)."""
    rows = table.get("threads", {}).get(thread, {}).get("rows", [])
    return next((r for r in rows if r["row"] == row and int(r["budget"]) == int(budget)), None)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _span(ci: list[float], fmt: str) -> str:
    return f"{format(ci[0], fmt)} to {format(ci[1], fmt)}"


def cell_caption(table: dict[str, Any] | None, thread: str, row: str, budget: int) -> str:
    """Markdown: the benchmark's numbers for this row at this budget, with the benchmark's n and seed."""
    if table is None:
        return f"Benchmark numbers: `benchmarks/thread_networks.json` is not in this installation (`{COMMAND}`)."
    c = find_cell(table, thread, row, budget)
    if c is None:
        return f"Benchmark numbers: the benchmark has no cell for this row at NFE budget {budget}."
    share_ci = [100 * v for v in c["confident_real_ci"]]
    text = (
        f"Benchmark (n = {table['n']}, seed {table['seed']}, NFE {c['nfe']}): confident and real "
        f"**{_pct(c['confident_real'])}** (95% interval {_span(share_ci, '.1f')}%) · FD **{c['fd']:.1f}** "
        f"({_span(c['fd_ci'], '.1f')}; real-vs-real floor {c['fd_floor']:.1f})"
    )
    base = table["threads"][thread]["baseline"]
    if row == base:
        return text + " · the baseline of this comparison."
    d_ci = [100 * v for v in c["d_confident_real_ci"]]
    return (
        text + f" · against {base}: confident and real **{100 * c['d_confident_real']:+.1f} points** "
        f"({_span(d_ci, '+.1f')}) → **{SHORT[c['verdict_confident_real']]}**; FD **{c['d_fd']:+.1f}** "
        f"({_span(c['d_fd_ci'], '+.1f')}) → **{SHORT[c['verdict_fd']]}**."
    )


def verdict_table(table: dict[str, Any], thread: str) -> str:
    """Markdown table: one line per row, one column per budget: share and FD, with the verdicts against the
    baseline (win / loss; = for no resolved difference)."""
    body = table["threads"][thread]
    budgets = [int(b) for b in table["nfes"]]
    labels = list(dict.fromkeys(r["row"] for r in body["rows"]))
    mark = {"win": " win", "loss": " loss", "no resolved difference": " ="}
    lines = ["| row | " + " | ".join(f"NFE budget {b}" for b in budgets) + " |", "|---|" + "---|" * len(budgets)]
    for label in labels:
        cells = []
        for b in budgets:
            c = find_cell(table, thread, label, b)
            if c is None:
                cells.append("not measured")
                continue
            vs = label != body["baseline"]
            share = _pct(c["confident_real"]) + (mark[c["verdict_confident_real"]] if vs else "")
            fd = f"FD {c['fd']:.0f}" + (mark[c["verdict_fd"]] if vs else "")
            cells.append(f"{share} · {fd}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
