"""The MNIST pair models side by side: every pair x sampler x NFE, digit quality (metrics.py).

    .venv/bin/python -m diffusion_core.bench.mnist_models [--n 256] [--seed 0]
        -> benchmarks/mnist_models.json; each model's sidecar gets its heun NFE-25 row as "quality" (what
           `difflab models --json` lists); then `make readme` writes benchmarks/mnist_models.md and the
           docs from that JSON (diffusion_core/reports/mnist.py)
    .venv/bin/python -m diffusion_core.bench.mnist_models --budget mnist-li-gaussian-gaussian-long
        -> the same cells for a gaussian-gaussian network trained longer or on another architecture, kept
           apart from the pair table (whose networks share one budget) in mnist_models.json's "studies"

Samplers: "heun" (EDM's 2nd-order PF-ODE solver: no noise is injected, so pairs differ only through
training) and "ancestral-p" (DDPM ancestral steps whose injected noise is the pair's p, the model's law, unit
variance: Gaussian or Laplace, as Li's generative chain draws its increments), both on karras sigmas 80 -> 0.002.
The pair networks are the UNet2DModel ones trained with the KL of the sampled laws (vp_chain.PAIR_NETWORK);
uniform-gaussian uses the gaussian-gaussian network (its loss differs by a constant) and, under p's law, the same
Gaussian step noise: its rows repeat gaussian-gaussian's. The studies (--budget) were measured before issue 22
with q's law ("ancestral-q"); for their Gaussian networks q = p. Every cell starts
from the same seed, hence the same initial noise.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch

from .. import data
from ..evaluation.metrics import CONFIDENCE, class_tv, classify, digit_quality, real_floor
from ..models.descriptions import run_totals
from ..models.guided import evaluations, guided
from ..models.registry import SIDECARS, WEIGHTS_DIR, Model, get_model
from ..noise.samplers import sample_ddpm_ancestral, sample_heun
from ..nonnormal.laws import noise_sampler
from ..presets import load_preset
from ..sampling.run import initial_noise, model_sigmas, steps_for_nfe
from ..training.edm import TrainPreset
from ..training.vp_chain import PAIR_NETWORK, STEP_LAW

Tensor = torch.Tensor
PAIRS = ("gaussian-gaussian", "laplace-laplace", "uniform-gaussian", "uniform-laplace")
SAMPLERS = ("heun", "ancestral-p")  # studies measured before issue 22 name the ancestral sampler "ancestral-q"
NFES = (10, 25, 50)
PAPER_FID = {"gaussian-gaussian": 1.98, "laplace-laplace": 2.44, "uniform-gaussian": 1.99, "uniform-laplace": 2.39}
OUT = Path(__file__).resolve().parents[2] / "benchmarks"


def model_of(pair: str) -> str:
    return PAIR_NETWORK[pair]


def ancestral_sample(model: Model, pair: str, n: int, steps: int, seed: int) -> Tensor:
    """DDPM ancestral sampling with the pair's p (the model's law) as the step noise (karras sigmas): x0 samples [n, C, H, W]."""

    sigmas = model_sigmas(model, "karras", steps)
    z, g = initial_noise(model, n, seed)
    return sample_ddpm_ancestral(
        model.denoiser, sigmas[0] * z, sigmas, generator=g, noise=noise_sampler(STEP_LAW[pair])
    )


def pair_samples(
    pair: str,
    sampler: str,
    nfe: int,
    n: int,
    seed: int,
    model_name: str | None = None,
    guide: tuple[str, float] | None = None,
) -> tuple[Tensor, int]:
    """(samples, NFE actually used) of one table cell (the pair's own network unless `model_name` is given).
    With `guide` = (weaker network, w) the cell is autoguided: each step evaluates both networks, and the NFE
    budget and the count returned cover both."""

    model = get_model(model_name or model_of(pair))
    if guide:
        model = guided(model, get_model(guide[0]), guide[1])
    steps = steps_for_nfe(sampler, nfe // evaluations(model))
    used = (2 * steps - 1 if sampler == "heun" else steps) * evaluations(model)
    if sampler.startswith("ancestral"):
        return ancestral_sample(model, pair, n, steps, seed), used
    sigmas = model_sigmas(model, "karras", steps)
    z, _ = initial_noise(model, n, seed)
    return sample_heun(model.denoiser, sigmas[0] * z, sigmas), used


def measure(
    n: int = 256, seed: int = 0, pairs: tuple[str, ...] = PAIRS, nfes: tuple[int, ...] = NFES, log: Any = print
) -> dict[str, Any]:
    """Every pair x sampler x NFE; the cells of uniform-gaussian are those of gaussian-gaussian (same network, same
    step law p)."""
    floor = real_floor(n)
    rows: list[dict[str, Any]] = []
    for pair in pairs:
        for sampler in SAMPLERS:
            for budget in nfes:
                same = [
                    r
                    for r in rows
                    if r["sampler"] == sampler
                    and (sampler == "heun" or STEP_LAW[r["pair"]] == STEP_LAW[pair])  # same network, same noise
                    and r["nfe_budget"] == budget
                    and r["model"] == model_of(pair)
                ]
                if same:
                    rows.append({**same[0], "pair": pair})
                    continue
                rows.append(cell(pair, sampler, budget, n, seed, floor, log=log))
    return {
        "n": n,
        "seed": seed,
        "floor": floor,
        "real_heldout": real_heldout(),
        "paper_cifar10_fid": PAPER_FID,
        "rows": rows,
    }


def cell(
    pair: str,
    sampler: str,
    budget: int,
    n: int,
    seed: int,
    floor: dict[str, float],
    model_name: str | None = None,
    log: Any = print,
    guide: tuple[str, float] | None = None,
) -> dict[str, Any]:
    """One measured row: samples of (pair, sampler, NFE budget) scored by digit_quality."""
    t0 = time.perf_counter()
    x, used = pair_samples(pair, sampler, budget, n, seed, model_name, guide)
    q = digit_quality(x, floor)
    log(
        f"{model_name or pair}{f' guided by {guide[0]} w {guide[1]:g}' if guide else ''} {sampler} NFE {used}: "
        f"confident {q['confident']:.3f} fd {q['fd']:.2f} "
        f"(floor {q['fd_floor']:.2f}) tv {q['class_tv']:.3f}",
        flush=True,
    )
    return {
        "pair": pair,
        "model": model_name or model_of(pair),
        "sampler": sampler,
        "nfe_budget": budget,
        "nfe": used,
        "seconds": round(time.perf_counter() - t0, 1),
        **q,
    }


RECIPE = ("p_mean", "p_std", "lr", "ema", "warmup", "batch_size")  # training settings a study may change


def recipe_of(side: dict[str, Any]) -> dict[str, Any]:
    """The RECIPE settings of a network, read from the preset its sidecar names."""

    p = load_preset(Path(__file__).resolve().parents[2] / side["preset"], TrainPreset)
    return {k: getattr(p, k) for k in RECIPE}


def study_change(side: dict[str, Any], base: dict[str, Any]) -> str:
    """What a study network changes against the pair table's Gaussian network: steps, architecture, recipe."""
    steps = run_totals(side)[0]
    parts = (
        [f"training continued from {side['init']['name']} ({side['init']['steps']:,} + {side['steps']:,} steps)"]
        if side.get("init")
        else []
    )
    if steps != base["steps"]:
        parts.append(f"{steps / base['steps']:.3g}× the steps ({steps:,})")
    a, b = side["arch"], base["arch"]
    if a.get("blocks", 1) != b.get("blocks", 1):
        parts.append(f"{a.get('blocks', 1)} ResBlock{'s' * (a.get('blocks', 1) > 1)} per level")
    if a.get("attention", False) != b.get("attention", False):
        parts.append("self-attention at the lowest resolution" if a.get("attention") else "no self-attention")
    if (a["width"], a["mults"]) != (b["width"], b["mults"]):
        parts.append(f"width {a['width']} × {a['mults']}")
    if side["params"] != base["params"]:
        parts.append(f"{side['params']:,} parameters")
    mine, theirs = recipe_of(side), recipe_of(base)
    parts += [f"{k} {mine[k]:g} (not {theirs[k]:g})" for k in RECIPE if mine[k] != theirs[k]]
    return ", ".join(parts) or "nothing"


def budget_study(name: str, n: int = 256, seed: int = 0, log: Any = print) -> dict[str, Any]:
    """Every sampler x NFE cell of a gaussian-gaussian network trained on another budget or architecture."""

    side = SIDECARS[name]
    if side.get("pair") != "gaussian-gaussian":
        raise ValueError(f"{name} is not a gaussian-gaussian Li network (pair {side.get('pair')!r})")
    base = SIDECARS[model_of("gaussian-gaussian")]
    floor = real_floor(n)
    rows = [
        cell("gaussian-gaussian", sampler, budget, n, seed, floor, name, log) for sampler in SAMPLERS for budget in NFES
    ]
    steps, seconds = run_totals(side)  # a continued network: both runs
    return {
        "model": name,
        "steps": steps,
        "batch_size": side["batch_size"],
        "train_time": seconds,
        "preset": side["preset"],
        "params": side["params"],
        "change": study_change(side, base),
        "base_steps": base["steps"],
        "final_loss": side["final_loss"],
        "n": n,
        "seed": seed,
        "rows": rows,
    }


def guided_study(name: str, guide: str, w: float, n: int = 256, seed: int = 0, log: Any = print) -> dict[str, Any]:
    """Every sampler x NFE cell of a gaussian-gaussian network autoguided by a weaker one (NFE counts both)."""

    for m in (name, guide):
        if SIDECARS.get(m, {}).get("pair") != "gaussian-gaussian":
            raise ValueError(f"{m} is not a gaussian-gaussian Li network")
    floor = real_floor(n)
    rows = [
        cell("gaussian-gaussian", sampler, budget, n, seed, floor, name, log, (guide, w))
        for sampler in SAMPLERS
        for budget in NFES
    ]
    main, weak = SIDECARS[name], SIDECARS[guide]
    (steps, seconds), (g_steps, g_seconds) = run_totals(main), run_totals(weak)
    change = (
        f"autoguidance (Karras et al. 2024) of {name} by {guide} ({weak['params']:,} parameters, "
        f"{g_steps:,} steps) at w = {w:g}, every NFE counting both networks"
    )
    return {
        "model": name,
        "guide": guide,
        "w": w,
        "steps": steps,
        "batch_size": main["batch_size"],
        "train_time": seconds + g_seconds,
        "preset": main["preset"],
        "params": main["params"] + weak["params"],
        "change": change,
        "guide_change": study_change(weak, main),  # what the guide changes against the main network
        "final_loss": main["final_loss"],
        "n": n,
        "seed": seed,
        "rows": rows,
    }


def study_key(study: dict[str, Any]) -> tuple[str, str | None]:
    """A study is one network, or one network with one guide."""
    return study["model"], study.get("guide")


def with_study(res: dict[str, Any], study: dict[str, Any]) -> dict[str, Any]:
    """res with `study` in its "studies" list (replacing an earlier measurement of the same network and guide)."""
    kept = [s for s in res.get("studies", []) if study_key(s) != study_key(study)]
    return {**res, "studies": kept + [study]}


def real_heldout() -> dict[str, float]:
    """The classifier's confident share and class TV on the 1,000 held-out digits (what real data scores)."""

    pred, top, _ = classify(data.load_mnist("heldout")[0])
    return {"confident": float((top >= CONFIDENCE).mean()), "class_tv": class_tv(pred)}


def attach_quality(res: dict[str, Any], weights_dir: Path, nfe_budget: int = 25) -> list[str]:
    """Copy each trained pair's heun row at `nfe_budget` into its sidecar <name>.json (weights untouched)."""
    names = []
    studies = {st["model"]: st for st in res.get("studies", []) if not st.get("guide")}  # the network alone
    for path in sorted(weights_dir.glob("mnist-li-*.json")):
        side = json.loads(path.read_text())
        if side["name"] == model_of(side["pair"]):
            rows = res["rows"]
        elif side["name"] in studies:
            rows = studies[side["name"]]["rows"]
        else:  # a study network not measured yet
            continue
        row = next(
            r
            for r in rows
            if r["pair"] == side["pair"]
            and r["sampler"] == "heun"
            and r["nfe_budget"] == nfe_budget
            and r["model"] == side["name"]
        )
        side["quality"] = {
            "sampler": "heun",
            "schedule": "karras",
            "nfe": row["nfe"],
            "seed": res["seed"],
            **{
                k: row[k] for k in ("n", "confident", "class_tv", "fd", "fd_floor", "nn_train", "nn_heldout", "classes")
            },
        }
        path.write_text(json.dumps(side, indent=1) + "\n")
        names.append(side["name"])
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pairs", nargs="+", default=list(PAIRS), choices=PAIRS)
    ap.add_argument("--part", type=Path, default=None, help="write only this JSON part (no markdown)")
    ap.add_argument("--merge", type=Path, nargs="+", default=None, help="JSON parts to merge instead of measuring")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--budget",
        default=None,
        metavar="MODEL",
        help="measure this gaussian-gaussian network (another budget or architecture) into the existing JSON's studies",
    )
    ap.add_argument(
        "--guide",
        default=None,
        metavar="MODEL",
        help="with --budget: autoguide that network by this weaker gaussian-gaussian one",
    )
    ap.add_argument("--w", type=float, default=2.5, help="autoguidance weight (1 = the network alone)")
    a = ap.parse_args(argv)
    if a.budget and a.guide:
        res = with_study(
            json.loads((a.out / "mnist_models.json").read_text()), guided_study(a.budget, a.guide, a.w, a.n, a.seed)
        )
    elif a.budget:
        res = with_study(json.loads((a.out / "mnist_models.json").read_text()), budget_study(a.budget, a.n, a.seed))
    elif a.merge:
        parts = [json.loads(p.read_text()) for p in a.merge]
        res = {
            **parts[0],
            "real_heldout": real_heldout(),
            "rows": [r for p in PAIRS for part in parts for r in part["rows"] if r["pair"] == p],
        }
    else:
        old = a.out / "mnist_models.json"
        studies = json.loads(old.read_text()).get("studies", []) if old.exists() else []
        res = {**measure(a.n, a.seed, tuple(a.pairs)), "studies": studies}
    if a.part:
        a.part.write_text(json.dumps(res, indent=1) + "\n")
        return 0
    (a.out / "mnist_models.json").write_text(json.dumps(res, indent=1) + "\n")
    attach_quality(res, WEIGHTS_DIR)
    print(
        "wrote mnist_models.json and the sidecars' quality: `make readme` writes benchmarks/mnist_models.md and "
        "the docs from them"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
