"""The pair table of docs/models.md from pair_seeds.json (issue 22): two training seeds per pair network, every
number with its 95% interval, and a ranking stated only where the intervals of both seeds separate."""

from __future__ import annotations

import json
import shutil

import pytest

from diffusion_core.evaluation.intervals import separated
from diffusion_core.reports import measured
from diffusion_core.reports import pair_seeds as R

NETS = ("gaussian-gaussian", "laplace-laplace", "uniform-laplace")
MODEL_PAIR = {
    "gaussian-gaussian": "gaussian-gaussian",
    "laplace-laplace": "laplace-laplace",
    "uniform-gaussian": "gaussian-gaussian",
    "uniform-laplace": "uniform-laplace",
}


def _row(pair, ts, sampler, budget, share, fd, half=5.0):
    return {
        "pair": pair,
        "training_seed": ts,
        "model": pair + ("-seed1" if ts else ""),
        "sampler": sampler,
        "budget": budget,
        "nfe": budget,
        "confident_real": share,
        "confident_real_ci": [share - 0.04, share + 0.04],
        "fd": fd,
        "fd_ci": [fd - half, fd + half],
        "fd_floor": 20.5,
    }


def _res(fd_ll=100.0, bpd_ul=(9.0, 9.1)):
    """GG best by far on Frechet; LL's Frechet set by `fd_ll`; bits/dim LL < GG < UG < UL."""
    fds = {"gaussian-gaussian": 40.0, "laplace-laplace": fd_ll, "uniform-laplace": 70.0}
    rows = [
        _row(p, ts, s, b, 0.6 + 0.01 * ts, fds[p] + ts)
        for p in NETS
        for ts in (0, 1)
        for s, b in (("heun", 25), ("ancestral-p", 50))
    ]
    bpd = {"gaussian-gaussian": (5.0, 5.05), "laplace-laplace": (4.5, 4.52), "uniform-gaussian": (17.0, 17.1)}
    bpd["uniform-laplace"] = bpd_ul
    lk = [
        {"pair": p, "training_seed": ts, "model": MODEL_PAIR[p], "bpd": v, "bpd_ci": [v - 0.01, v + 0.01]}
        for p, vs in bpd.items()
        for ts, v in enumerate(vs)
    ]
    return {
        "n": 500,
        "seed": 0,
        "training_seeds": [0, 1],
        "cells": [["heun", 25], ["ancestral-p", 50]],
        "model_pair": MODEL_PAIR,
        "paper_cifar10_fid": {
            "gaussian-gaussian": 1.98,
            "laplace-laplace": 2.44,
            "uniform-gaussian": 1.99,
            "uniform-laplace": 2.39,
        },
        "paper_cifar10_bpd": {
            "gaussian-gaussian": 2.49,
            "laplace-laplace": 2.47,
            "uniform-gaussian": 2.82,
            "uniform-laplace": 2.66,
        },
        "rows": rows,
        "likelihood": {"n": 1000, "steps": 50, "rows": lk},
    }


def test_separated_needs_every_interval_on_one_side():
    assert separated([[1, 2], [1.5, 2.5]], [[3, 4], [2.6, 3]]) == -1
    assert separated([[3, 4], [2.6, 3]], [[1, 2], [1.5, 2.5]]) == 1
    assert separated([[1, 2], [1.5, 3.1]], [[3, 4], [2.6, 3]]) == 0  # one seed's interval reaches the other's


def test_table_has_both_seeds_with_intervals_and_ug_repeats_gg():
    t = R.table(_res())
    lines = [x for x in t.splitlines() if x.startswith("| ") and "seed |" not in x]
    assert len(lines) == 8  # 4 pairs x 2 training seeds
    gg1 = next(x for x in lines if x.startswith("| gaussian–gaussian | 1 |"))
    ug1 = next(x for x in lines if x.startswith("| uniform–gaussian | 1 |"))
    assert "61.0% [57.0, 65.0]" in gg1 and "41.0 [36.0, 46.0]" in gg1 and "5.050 [5.040, 5.060]" in gg1
    assert ug1.split("|")[3:7] == gg1.split("|")[3:7] and "17.100 [17.090, 17.110]" in ug1  # same sampling cells
    assert "1.98 · 2.49" in gg1


def test_ranking_only_where_intervals_separate():
    s = R.ranking_sentence(_res())
    assert "Fréchet (Heun, NFE 25) GG < UL < LL" in s and "bits/dim LL < GG < UL < UG" in s
    assert "6 of 6 bits/dim comparisons" in s and "6 agree with Li" in s
    assert "confident and real (Heun, NFE 25) GG ~ LL ~ UL" in s  # the shares overlap: no order
    assert "6 sample-quality comparisons of pair networks are resolved" in s  # Fréchet: 3 per sampler
    close = R.ranking_sentence(_res(fd_ll=75.0))  # LL within reach of UL's intervals: not resolved
    assert "Fréchet (Heun, NFE 25) GG < UL ~ LL" in close
    same = _res()
    for r in same["rows"]:
        r["fd"], r["fd_ci"] = 50.0, [45.0, 55.0]
    assert "no sample-quality number separates any two pair networks" in R.ranking_sentence(same)
    flip = R.ranking_sentence(_res(bpd_ul=(4.0, 6.0)))  # UL's seeds straddle LL and GG
    assert "bits/dim LL ~ UL ~ GG < UG" in flip and "4 of 6 bits/dim comparisons" in flip


def test_seed_spread_is_the_gap_between_seeds():
    s = R.seed_spread(_res())
    assert "Fréchet (Heun, NFE 25) 1.0–1.0 (interval half-widths 5.0–5.0)" in s
    assert "confident and real (Heun, NFE 25) 1.0–1.0 pts" in s and "bits/dim 0.020–0.100" in s


def test_docs_block_is_written_from_pair_seeds_json(tmp_path):
    bench = tmp_path / "benchmarks"
    shutil.copytree(measured.ROOT / "benchmarks", bench)
    (bench / "pair_seeds.json").write_text(json.dumps(_res()))
    block = measured.mnist_block(bench)
    assert R.table(_res()).rstrip("\n") in block and R.ranking_sentence(_res()) in block
    (bench / "pair_seeds.json").unlink()
    with pytest.raises(FileNotFoundError, match="diffusion_core.bench.pair_seeds"):
        measured.mnist_block(bench)
