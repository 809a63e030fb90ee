"""reports/threads.py, the app's captions: the benchmark's cells in words, quoted exactly (a made-up table)."""

import json

from diffusion_core.reports.threads import budget_table, cell_caption, find_cell, load_table


def _row(row, budget, nfe, share, **extra):
    return {
        "row": row,
        "model": "m",
        "schedule": "karras",
        "budget": budget,
        "nfe": nfe,
        "confident_real": share,
        "confident_real_ci": [share - 0.05, share + 0.04],
        "fd": 812.25,
        "fd_ci": [790.0, 830.5],
        "fd_floor": 102.5,
        "class_tv": 0.1,
        "seconds": 1.0,
        **extra,
    }


TABLE = {
    "n": 500,
    "seed": 0,
    "nfes": [5, 10],
    "threads": {
        "spectral": {
            "question": "?",
            "baseline": "standard",
            "rows": [
                _row("standard", 5, 5, 0.25),
                _row("standard", 10, 9, 0.5),
                _row(
                    "tight",
                    5,
                    5,
                    0.375,
                    d_confident_real=0.125,
                    d_confident_real_ci=[0.05, 0.2],
                    d_fd=-12.5,
                    d_fd_ci=[-30.0, 4.0],
                    verdict_confident_real="win",
                    verdict_fd="no resolved difference",
                ),
            ],
        }
    },
}


def test_baseline_and_compared_captions_quote_the_cell():
    base = cell_caption(TABLE, "spectral", "standard", 5)
    assert base == (
        "Benchmark (n = 500, seed 0, NFE 5): confident and real **25.0%** (95% interval 20.0 to 29.0%) · "
        "FD **812.2** (790.0 to 830.5; real-vs-real floor 102.5) · the baseline of this comparison."
    )
    tight = cell_caption(TABLE, "spectral", "tight", 5)
    assert "**37.5%** (95% interval 32.5 to 41.5%)" in tight
    assert tight.endswith(
        "against standard: confident and real **+12.5 points** (+5.0 to +20.0) → **win**; "
        "FD **-12.5** (-30.0 to +4.0) → **no resolved difference**."
    )


def test_missing_file_and_missing_cell_are_said_in_one_line(tmp_path):
    assert load_table(tmp_path / "none.json") is None
    assert "`benchmarks/thread_networks.json` is not in this installation" in cell_caption(None, "spectral", "x", 5)
    assert "no cell for this row at NFE budget 10" in cell_caption(TABLE, "spectral", "tight", 10)
    assert find_cell(TABLE, "gud", "standard", 5) is None
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TABLE))
    assert load_table(path) == TABLE


def test_verdict_table_has_a_line_per_row_and_a_column_per_budget():
    lines = budget_table(TABLE, "spectral").splitlines()
    assert lines[0] == "| row | NFE budget 5 | NFE budget 10 |"
    assert lines[2] == "| standard | 25.0% · FD 812 | 50.0% · FD 812 |"
    assert lines[3] == "| tight | 37.5% win · FD 812 = | not measured |"
