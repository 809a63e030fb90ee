"""Li's pair networks over two training seeds: the pair table's numbers with sample intervals and seed spread.

    .venv/bin/python -m diffusion_core.bench.pair_seeds [--n 500] [--seed 0] [--part sampling|likelihood]
        -> benchmarks/pair_seeds.json; then `make readme` writes the pair table of docs/models.md from it

Networks: the three trained pairs (vp_chain.TRAINED_PAIRS) at training seed 0 (vp_chain.PAIR_NETWORK, the
presets mnist-li-<pair>-unet2d.toml) and seed 1 (mnist-li-<pair>-unet2d-seed1.toml: the same preset but for
the seed, which sets the initialisation and the data order). uniform-gaussian has no network of its own: it is
the gaussian-gaussian one (its loss differs by a constant), so its sampling rows are gaussian-gaussian's.
Cells per network, n samples from the same initial noise (sampling seed `--seed`) in every row:
  heun NFE 25       the PF-ODE (Heun, karras sigmas 80 -> 0.002, 13 steps): no noise injected
  ancestral-p NFE 50  Li's generative chain: 50 DDPM ancestral steps whose injections follow p, the model's law
Numbers per cell (evaluation/intervals.py): the share confident and real with its Wilson 95% interval, the
Frechet distance with its basic bootstrap 95% interval, and the real-vs-real floor at n. Per pair and training
seed: bits/dim of the N = 50 chain on the 1,000 held-out digits with its bootstrap 95% interval
(bench/likelihood.py; a row benchmarks/likelihood.json already holds for the same network, pair, n, steps and
sampling seed is taken from it: the same deterministic function).
A pair ranks before another only where every interval of one (both training seeds) lies on one side of every
interval of the other (`separated`); otherwise the table says the order is not resolved.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ..evaluation.metrics import real_floor
from ..models.registry import SIDECARS, WEIGHTS_DIR
from ..nonnormal.losses import PAIRS
from ..training.vp_chain import MODEL_PAIR, PAIR_NETWORK, TRAINED_PAIRS
from . import likelihood
from .mnist_models import PAPER_FID, pair_samples
from .thread_networks import cell

OUT = Path(__file__).resolve().parents[2] / "benchmarks" / "pair_seeds.json"
TRAINING_SEEDS = (0, 1)
CELLS = (("heun", 25), ("ancestral-p", 50))  # (sampler, NFE budget)


def network(pair: str, training_seed: int) -> str:
    """The registry name of `pair`'s network at a training seed (uniform-gaussian: the gaussian-gaussian one)."""
    base = PAIR_NETWORK[pair]
    return base if training_seed == 0 else f"{base}-seed{training_seed}"


def sampling(n: int, seed: int, log: Any = print) -> list[dict[str, Any]]:
    """Every trained pair x training seed x cell: the share and Frechet distance with their intervals."""
    floor = real_floor(n)
    rows = []
    for pair in TRAINED_PAIRS:
        for ts in TRAINING_SEEDS:
            name = network(pair, ts)
            for sampler, budget in CELLS:
                t0 = time.perf_counter()
                x, used = pair_samples(pair, sampler, budget, n, seed, name)
                c = cell(x, used, time.perf_counter() - t0, floor, seed)
                rows.append(
                    {"pair": pair, "training_seed": ts, "model": name, "sampler": sampler, "budget": budget}
                    | {k: v for k, v in c.items() if not k.startswith("_")}
                )
                log(f"{name} {sampler} NFE {used}: {c['confident_real']:.3f} fd {c['fd']:.1f}", flush=True)
    return rows


def likelihoods(n: int, steps: int, seed: int, log: Any = print) -> list[dict[str, Any]]:
    """bits/dim of every pair (uniform-gaussian on the gaussian-gaussian network) at every training seed."""
    known = json.loads(likelihood.OUT.read_text())["rows"] if likelihood.OUT.exists() else []
    rows = []
    for pair in PAIRS:
        for ts in TRAINING_SEEDS:
            key = (network(pair, ts), pair, n, steps, seed)
            done = [r for r in known if (r["model"], r["pair"], r["n"], r["steps"], r["seed"]) == key]
            r = done[0] if done else likelihood.run(False, "cpu", network(pair, ts), n, steps, pair, seed)
            rows.append({**r, "training_seed": ts})
            log(f"{r['model']} as {pair}: {r['bpd']:.3f} bits/dim", flush=True)
    return rows


def measure(n: int, seed: int, parts: tuple[str, ...]) -> dict[str, Any]:
    """The JSON's measured parts ("rows": sampling, "likelihood") and what they were measured on."""
    out: dict[str, Any] = {
        "n": n,
        "seed": seed,
        "training_seeds": list(TRAINING_SEEDS),
        "cells": [list(c) for c in CELLS],
        "model_pair": MODEL_PAIR,
        "paper_cifar10_fid": PAPER_FID,
        "paper_cifar10_bpd": likelihood.PAPER_BPD,
        "networks": {
            network(p, ts): {
                k: SIDECARS[network(p, ts)][k] for k in ("params", "steps", "seed", "train_time", "sha256")
            }
            for p in TRAINED_PAIRS
            for ts in TRAINING_SEEDS
        },
    }
    if "sampling" in parts:
        out["rows"] = sampling(n, seed)
    if "likelihood" in parts:
        out["likelihood"] = {"n": 1000, "steps": 50, "rows": likelihoods(1000, 50, seed)}
    return out


def attach_quality(res: dict[str, Any], weights_dir: Path = WEIGHTS_DIR) -> list[str]:
    """Each seed-1 network's Heun NFE-25 cell and its own pair's bpd as its sidecar's `quality` / `likelihood`
    (seed 0's sidecars keep bench.mnist_models' and bench.likelihood's)."""
    names = []
    for row in res.get("rows", []):
        if row["training_seed"] == 0 or (row["sampler"], row["budget"]) != CELLS[0]:
            continue
        path = weights_dir / f"{row['model']}.json"
        side = json.loads(path.read_text())
        side["quality"] = {
            "sampler": "heun",
            "schedule": "karras",
            "nfe": row["nfe"],
            "n": res["n"],
            "seed": res["seed"],
            **{k: row[k] for k in ("confident_real", "confident_real_ci", "fd", "fd_ci", "fd_floor", "class_tv")},
        }
        own = [r for r in res.get("likelihood", {}).get("rows", []) if r["model"] == row["model"]]
        own = [r for r in own if r["pair"] == side.get("pair")]
        if own:
            side["likelihood"] = {k: own[0][k] for k in ("bpd", "bpd_ci", "n", "steps", "seed", "pair")}
        path.write_text(json.dumps(side, indent=1) + "\n")
        names.append(row["model"])
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--part", choices=("sampling", "likelihood"), default=None, help="measure only this part")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    parts = (a.part,) if a.part else ("sampling", "likelihood")
    res = measure(a.n, a.seed, parts)
    old = json.loads(a.out.read_text()) if a.out.exists() else {}  # read late: the other part may run alongside
    res = old | res
    a.out.write_text(json.dumps(res, indent=1) + "\n")
    attach_quality(res)
    print(f"wrote {a.out.name}: `make readme` writes the pair table from it", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
