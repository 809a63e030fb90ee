"""`difflab bench likelihood --model NAME [--n 1000] [--steps 50] [--pair PAIR] --json`: the negative ELBO of a
pair network's N-step chain on the held-out MNIST digits, in bits per dimension (nonnormal/likelihood.py)."""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import torch

from ..data import load_mnist
from ..evaluation.ode_likelihood import ode_bpd
from ..models.registry import WEIGHTS_DIR, get_model
from ..nonnormal.likelihood import DELTA, bootstrap_ci, chain_nll
from ..nonnormal.losses import PAIRS
from ..training.vp_chain import PAIR_NETWORK
from ..validation import InputError, check_choice, check_int

BATCH = 100
# Li's Table 2, CIFAR-10 bits/dim of the four pairs (another data set and network: for orientation only).
PAPER_BPD = {"gaussian-gaussian": 2.49, "laplace-laplace": 2.47, "uniform-gaussian": 2.82, "uniform-laplace": 2.66}


def run(
    quick: bool,
    device: torch.device | str = "cpu",
    model: str = "mnist-li-gaussian-gaussian-unet2d",
    n: int = 1000,
    steps: int = 50,
    pair: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """bpd (mean over n held-out digits), its bootstrap 95 % interval, and the terms of the bound in bits/dim."""
    m = get_model(model, device)
    pair = pair or m.spec.pair
    if pair is None:
        raise InputError(
            f"model {model!r} was not trained with an increment pair; give --pair (one of {', '.join(PAIRS)})"
        )
    check_choice("pair", pair, PAIRS)
    n = check_int("n", 16 if quick else n, 1, 1000)
    steps = check_int("steps", 4 if quick else steps, 2, 1000)
    x, _ = load_mnist("heldout")
    if tuple(x.shape[1:]) != tuple(m.spec.shape):
        raise InputError(f"model {model!r} is not an MNIST network (shape {list(m.spec.shape)})")
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    parts = [chain_nll(m.denoiser, x[i : i + BATCH].to(m.device), pair, steps, g) for i in range(0, n, BATCH)]
    bpd = torch.cat([p.bpd for p in parts]).cpu().numpy()
    dims, ln2 = parts[0].dims, 0.6931471805599453
    term = lambda f: float(torch.cat([f(p) for p in parts]).mean()) / (dims * ln2)  # noqa: E731
    return {
        "model": model,
        "pair": pair,
        "bpd": float(bpd.mean()),
        "bpd_ci": list(bootstrap_ci(bpd, seed)),
        "n": n,
        "steps": steps,
        "seed": seed,
        "dequantisation": f"uniform, bin {DELTA:.6g}",
        "terms_bpd": {
            "prior": term(lambda p: p.prior),
            "steps_kl": term(lambda p: p.steps_kl),
            "decoder": term(lambda p: p.decoder),
            "bins": math.log2(1 / DELTA),
        },
        "seconds": time.perf_counter() - t0,
    }


OUT = Path(__file__).resolve().parents[2] / "benchmarks" / "likelihood.json"


def measure_pairs(n: int = 1000, steps: int = 50, seed: int = 0) -> dict[str, Any]:
    """Every pair's network (vp_chain.PAIR_NETWORK; uniform-gaussian on the gaussian-gaussian one) on the held-out
    digits, with the same seed: benchmarks/likelihood.json's rows."""
    rows = [run(False, "cpu", PAIR_NETWORK[pair], n, steps, pair, seed) for pair in PAIRS]
    return {"n": n, "steps": steps, "seed": seed, "paper_cifar10_bpd": PAPER_BPD, "rows": rows}


def ode_row(model: str, n: int = 100, steps: int = 32, seed: int = 0) -> dict[str, Any]:
    """The probability-flow ODE likelihood (evaluation/ode_likelihood.py, Hutchinson, one Rademacher draw per image
    and step) of a network on the first n held-out digits: mean bits/dim, bootstrap interval, per-image spread."""
    m = get_model(model)
    x, _ = load_mnist("heldout")
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    bpd = torch.cat([ode_bpd(m.net, x[i : i + 50], g, steps) for i in range(0, n, 50)]).numpy()
    return {
        "model": model,
        "bpd": float(bpd.mean()),
        "bpd_ci": list(bootstrap_ci(bpd, seed)),
        "n": n,
        "steps": steps,
        "per_image_std": float(bpd.std()),
        "estimator": "Hutchinson, Rademacher, one draw per image and Heun step, karras sigmas 0.002 -> 80",
        "seconds": time.perf_counter() - t0,
    }


def attach(res: dict[str, Any], weights_dir: Path = WEIGHTS_DIR) -> None:
    """Each network's own pair row as its sidecar's `likelihood` (what `difflab models --json` lists)."""
    for row in res["rows"]:
        path = weights_dir / f"{row['model']}.json"
        side = json.loads(path.read_text())
        if side.get("pair") == row["pair"]:
            keep = ("bpd", "bpd_ci", "n", "steps", "seed", "pair")
            side["likelihood"] = {k: row[k] for k in keep}
            path.write_text(json.dumps(side, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="bpd of every pair network -> benchmarks/likelihood.json + sidecars")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ode-n", type=int, default=100, help="held-out digits for the Gaussian network's ODE likelihood")
    ap.add_argument("--ode-only", action="store_true", help="add the ODE row to the existing JSON")
    a = ap.parse_args(argv)
    if a.ode_only:
        res = json.loads(OUT.read_text())
        res["ode"] = ode_row(PAIR_NETWORK["gaussian-gaussian"], a.ode_n, seed=a.seed)
        OUT.write_text(json.dumps(res, indent=1) + "\n")
        return 0
    res = {
        **measure_pairs(a.n, a.steps, a.seed),
        "ode": ode_row(PAIR_NETWORK["gaussian-gaussian"], a.ode_n, seed=a.seed),
    }
    OUT.write_text(json.dumps(res, indent=1) + "\n")
    attach(res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
