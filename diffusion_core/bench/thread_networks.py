"""The trained networks of the spectral and GUD threads at NFE 5, 10, 20 and 50 on the same seeds, each
thread's question answered against its own baseline.

    .venv/bin/python -m diffusion_core.bench.thread_networks [--n 500] [--seed 0]
        -> benchmarks/thread_networks.json; each network's sidecar gets its default-sampling cell (NFE 25 Heun,
           or NFE 50 DDIM for GUD) as "quality", what `difflab models --json` lists; then `make readme`

Spectral (Esteves & Makadia: do tight schedules help pixel diffusion at low step counts?): Heun on every row,
steps = the largest count within the NFE (5, 9, 19, 49 evaluations), the same initial noise per seed:
  standard            mnist-spectral-standard over EDM's Karras schedule (80 -> 0.002, rho 7)
  schedule alone      the same network over the data set's tight schedule (sampling changed, training not)
  data-set tight      mnist-spectral-tight over the tight schedule it was trained on
  per-instance        mnist-spectral-instance, each sample's schedule drawn from the mixture (sampling/threads.py)
GUD (Gerdes et al.: what changes with another basis, prior and soft conditioning?): component-wise DDIM, NFE =
steps, on mnist-gud-pixel-standard (the baseline) and mnist-gud-pca-soft.
Numbers per cell (evaluation/metrics.py, evaluation/intervals.py): the share confident and real with its Wilson
interval, the Frechet distance with a bootstrap interval and its real-vs-real floor at n; against the thread's
baseline at the same NFE: the paired difference of both with 95% intervals, and the verdict.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import data
from ..evaluation.intervals import fd_interval, paired_fd, paired_share, verdict, wilson
from ..evaluation.metrics import digit_flags, digit_quality, held_features, real_floor
from ..gud.learned import eps_function
from ..gud.likelihood import ode_bpd
from ..models.gud_space import sidecar_gud
from ..models.registry import SIDECARS, WEIGHTS_DIR, load_own
from ..sampling.threads import GUD as GUD_ROWS
from ..sampling.threads import QUESTIONS, THREADS, draw_row

Tensor = torch.Tensor
NFES = (5, 10, 20, 50)
OUT = Path(__file__).resolve().parents[2] / "benchmarks"
LIKELIHOOD_N, LIKELIHOOD_STEPS = 100, 40  # held-out digits, Heun steps of the ODE
DEFAULT_CELL = {"spectral": 20, "gud": 50}  # the cell copied to the sidecar: NFE 19 (heun, 10 steps) / DDIM 50


def cell(x: Tensor, nfe_: int, seconds: float, floor: dict[str, float], seed: int) -> dict[str, Any]:
    flags, f = digit_flags(x)
    fd, fd_ci = fd_interval(f, held_features(), seed)
    k = int(flags.sum())
    return {
        "nfe": nfe_,
        "confident_real": k / len(flags),
        "confident_real_ci": list(wilson(k, len(flags))),
        "fd": fd,
        "fd_ci": list(fd_ci),
        "fd_floor": floor["fd_floor"],
        "class_tv": digit_quality(x, floor)["class_tv"],
        "seconds": round(seconds, 2),
        "_flags": flags,
        "_features": f,
    }


def compare(row: dict[str, Any], base: dict[str, Any], seed: int) -> dict[str, Any]:
    """This cell against the baseline's at the same NFE, paired over the samples."""
    d_share, share_ci = paired_share(row["_flags"], base["_flags"])
    d_fd, fd_ci = paired_fd(row["_features"], base["_features"], held_features(), seed)
    return {
        "d_confident_real": d_share,
        "d_confident_real_ci": list(share_ci),
        "d_fd": d_fd,
        "d_fd_ci": list(fd_ci),
        "verdict_confident_real": verdict(share_ci, higher_is_better=True),
        "verdict_fd": verdict(fd_ci, higher_is_better=False),
    }


def run(n: int, seed: int, only: tuple[str, ...] = tuple(THREADS)) -> dict[str, Any]:
    torch.set_num_threads(max(1, torch.get_num_threads()))
    floor = real_floor(n)
    names = sorted({name for th in only for _, name, _ in THREADS[th]})
    out: dict[str, Any] = {
        "n": n,
        "seed": seed,
        "nfes": list(NFES),
        "networks": {
            k: {f: SIDECARS[k][f] for f in ("params", "steps", "batch_size", "seed", "train_time", "sha256")}
            for k in names
        },
        "threads": {},
    }
    for thread, rows in THREADS.items():
        if thread not in only:
            continue
        cells: dict[str, dict[int, dict[str, Any]]] = {}
        for label, name, schedule in rows:
            cells[label] = {}
            for budget in NFES:
                t0 = time.perf_counter()
                x, used = draw_row(name, schedule, budget, n, seed)
                cells[label][budget] = cell(x, used, time.perf_counter() - t0, floor, seed)
                print(f"{thread} {label} NFE {used}: {cells[label][budget]['confident_real']:.3f}", flush=True)
        base = rows[0][0]
        table = []
        for label, name, schedule in rows:
            for budget in NFES:
                c = cells[label][budget]
                extra = compare(c, cells[base][budget], seed) if label != base else {}
                table.append(
                    {"row": label, "model": name, "schedule": schedule or "own", "budget": budget}
                    | {k: v for k, v in c.items() if not k.startswith("_")}
                    | extra
                )
        out["threads"][thread] = {"question": QUESTIONS[thread], "baseline": base, "rows": table}
    if "gud" in only:
        out["threads"]["gud"]["likelihood"] = {
            name: gud_likelihood(name, LIKELIHOOD_N, LIKELIHOOD_STEPS, seed) for _, name, _ in GUD_ROWS
        }
    return out


def gud_likelihood(name: str, n: int, steps: int, seed: int) -> dict[str, Any]:
    """Bits/dim of the probability-flow ODE (gud/likelihood.py) on the first n held-out digits, mean with a 95%
    normal interval over the images, at `steps` Heun steps and at half that (the discretisation check)."""
    net, side = load_own(name)
    g = sidecar_gud(side)
    y = data.load_mnist("heldout")[0][:n]

    eps_fn = eps_function(net, g)
    out: dict[str, Any] = {"n": n}
    for k in (steps // 2, steps):
        t0 = time.perf_counter()
        bpd = ode_bpd(eps_fn, g, y, torch.Generator().manual_seed(seed), k).numpy()
        se = float(bpd.std(ddof=1)) / np.sqrt(len(bpd))
        out[str(k)] = {
            "steps": k,
            "bpd": float(bpd.mean()),
            "bpd_ci": [float(bpd.mean()) - 1.96 * se, float(bpd.mean()) + 1.96 * se],
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(f"gud likelihood {name} steps {k}: {bpd.mean():.3f} bpd", flush=True)
    out |= out[str(steps)]
    return out


def write_quality(result: dict[str, Any], weights_dir: Path = WEIGHTS_DIR) -> None:
    """Each network's default-sampling cell as its sidecar's "quality" (the row of its own schedule)."""
    for thread, body in result["threads"].items():
        for r in body["rows"]:
            own = r["schedule"] in ("own", "karras") or (r["model"] == "mnist-spectral-tight")
            if r["budget"] != DEFAULT_CELL[thread] or not own:
                continue
            path = weights_dir / f"{r['model']}.json"
            side = json.loads(path.read_text())
            side["quality"] = {
                "n": result["n"],
                "seed": result["seed"],
                "nfe": r["nfe"],
                "confident_real": r["confident_real"],
                "confident_real_ci": r["confident_real_ci"],
                "fd": r["fd"],
                "fd_ci": r["fd_ci"],
                "fd_floor": r["fd_floor"],
            }
            path.write_text(json.dumps(side, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(OUT / "thread_networks.json"))
    ap.add_argument("--only", choices=tuple(THREADS), help="measure one thread and keep the other's rows from --out")
    a = ap.parse_args(argv)
    result = run(a.n, a.seed, (a.only,) if a.only else tuple(THREADS))
    old = Path(a.out)
    if a.only and old.is_file():  # the other thread's rows, measured earlier at the same n and seed
        prev = json.loads(old.read_text())
        if (prev["n"], prev["seed"]) == (a.n, a.seed):
            result["threads"] = {
                k: result["threads"].get(k) or prev["threads"][k]
                for k in THREADS
                if k in result["threads"] or k in prev["threads"]
            }
            result["networks"] = {**prev["networks"], **result["networks"]}
    Path(a.out).write_text(json.dumps(result, indent=1) + "\n")
    write_quality(result)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
