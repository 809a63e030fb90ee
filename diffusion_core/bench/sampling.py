"""`difflab bench sampling`: every sampler on every registered exact model, against the exact answer.

- Gaussian models: exact covariance error ||C_out - C||_F / ||C||_F per sampler and NFE (no Monte
  Carlo, evaluation/exact.py), and a Monte Carlo check that K real draws scatter around C_out as
  predicted, E||S - C||_F^2 = ||C_out - C||_F^2 + (||C_out||_F^2 + tr(C_out)^2) / K.
- Empirical model: memorisation rate (copies of a training digit within one grey level, RMS).
- Mixture model: TV distance between sampled mode frequencies and the mixture weights.
- Wall time of one 16-sample run (information only; the machine is shared).
- Trained MNIST networks (bench/network_speed.py): images/s at NFE 10 and 50, batch 64, the sampler
  overhead (total / time inside the network) and the ratio against a diffusers UNet2DModel of matched
  parameter count under DPMSolverMultistepScheduler, measured in the same run; one Samplers-tab click.
Schedule: karras over each model's sigma range (0.002 .. 80), as `difflab sample` uses by default.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ..evaluation import exact as Q
from ..evaluation import metrics as M
from ..evaluation.truth import GaussianTruth
from ..models.registry import SPECS, get_model
from ..noise.samplers import SAMPLERS
from ..progress import track
from ..sampling import run as S
from .network_speed import click_latency, mnist_models, network_rows

NFES = (4, 10, 16, 32, 64, 128)
QUICK_NFES = (10, 64)


def exact_rows(nfes: tuple[int, ...]) -> list[dict[str, Any]]:
    """{model, sampler, nfe, steps, cov_rel_fro, mode ratio range} for the Gaussian models."""
    rows = []
    for name in track(list(SPECS), "sampling: models", unit="model"):
        m = get_model(name)
        if not isinstance(m.truth, GaussianTruth):  # the Gaussian models' exact numbers
            continue
        v = m.truth.g.variances.to(torch.float64)
        for s in SAMPLERS:
            for budget in nfes:
                steps = S.steps_for_nfe(s, budget)
                v_out = Q.output_variance(s, v, S.model_sigmas(m, "karras", steps))
                lo, hi = Q.mode_ratio_range(v_out, v)
                rows.append(
                    {
                        "model": name,
                        "sampler": s,
                        "nfe": S.nfe_of(s, steps),
                        "steps": steps,
                        "cov_rel_fro": M.cov_rel_fro(v_out, v),
                        "mode_ratio_min": lo,
                        "mode_ratio_max": hi,
                    }
                )
    return rows


def monte_carlo_rows(k: int, samplers: tuple[str, ...], steps: int = 64) -> list[dict[str, Any]]:
    """Observed sample-covariance error of K draws vs its prediction (digits-pca-gaussian)."""
    m = get_model("digits-pca-gaussian")
    v = m.truth.g.variances.to(torch.float64)
    rows = []
    for s in samplers:
        sigmas = S.model_sigmas(m, "karras", steps)
        x = S.run_sampler(m, s, sigmas, k, 0)
        v_out = Q.output_variance(s, v, sigmas)
        rows.append(
            {
                "sampler": s,
                "k": k,
                "nfe": S.nfe_of(s, steps),
                "observed": M.sample_cov_rel_fro(m.truth.g, x),
                "predicted": M.mc_expected_rel_fro(v_out, v, k),
                "perfect_sampler": M.mc_expected_rel_fro(v, v, k),
            }
        )
    return rows


def _sweep_rows(model: str, k: int, nfes: tuple[int, ...], score: Callable[[Any, Any], dict]) -> list[dict[str, Any]]:
    """score(samples, model) per sampler and NFE budget (K samples, seed 0)."""
    m = get_model(model)
    rows = []
    for s in SAMPLERS:
        for budget in nfes:
            steps = S.steps_for_nfe(s, budget)
            x = S.run_sampler(m, s, S.model_sigmas(m, "karras", steps), k, 0)
            rows.append({"sampler": s, "nfe": S.nfe_of(s, steps), "k": k, **score(x, m)})
    return rows


def memorisation_rows(k: int, nfes: tuple[int, ...]) -> list[dict[str, Any]]:
    """Memorisation rate of digits-empirical per sampler and NFE."""
    return _sweep_rows("digits-empirical", k, nfes, lambda x, m: M.memorisation(x, m.truth.train))


def mixture_rows(k: int, nfes: tuple[int, ...]) -> list[dict[str, Any]]:
    """Mode-weight TV distance of digits-gmm10 per sampler and NFE."""
    return _sweep_rows("digits-gmm10", k, nfes, lambda x, m: M.mode_weights_tv(x, m.truth.mixture))


def timing_rows() -> list[dict[str, Any]]:
    """Seconds for one 16-sample, 32-step run per model and sampler (single measurement)."""
    rows = []
    for name in SPECS:
        m = get_model(name)
        sigmas = S.model_sigmas(m, "karras", 32)
        for s in ("euler", "heun"):
            t0 = time.perf_counter()
            S.run_sampler(m, s, sigmas, 16, 0)
            rows.append({"model": name, "sampler": s, "steps": 32, "n": 16, "seconds": time.perf_counter() - t0})
    return rows


def networks(quick: bool, device: torch.device) -> dict[str, Any]:
    """The MNIST networks' speed table and the click latency (quick: one model, NFE 2, batch 4, one repeat)."""
    models = mnist_models()
    if not models:
        return {"rows": [], "note": "no trained MNIST model in the registry"}
    if quick:
        return network_rows(models[:1], nfes=(2,), batch=4, repeats=1, device=device, match=False)
    out = network_rows(models, device=device)
    out["click"] = click_latency(models[0])
    return out


def run(quick: bool = False, device: torch.device = torch.device("cpu")) -> dict[str, Any]:
    """The whole table (quick: NFE 10 and 64, smaller Monte Carlo); `device` for the networks."""
    nfes = QUICK_NFES if quick else NFES
    return {
        "schedule": "karras, sigma 0.002 .. 80",
        "exact": exact_rows(nfes),
        "monte_carlo": monte_carlo_rows(2_000 if quick else 20_000, ("dpmpp_2m",) if quick else tuple(SAMPLERS)),
        "memorisation": memorisation_rows(32 if quick else 256, nfes),
        "mixture": mixture_rows(200 if quick else 2000, nfes),
        "timing": [] if quick else timing_rows(),
        "networks": networks(quick, device),
    }


def render_md(r: dict[str, Any]) -> str:
    """Markdown tables for benchmarks/sampling.md."""
    out = [
        "# Samplers on exact models (`difflab bench sampling`)",
        "",
        f"Schedule: {r['schedule']}.",
        "",
        "## Exact covariance error ||C_out - C||_F / ||C||_F",
        "",
        "| model | sampler | NFE | error | mode var ratio |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {x['model']} | {x['sampler']} | {x['nfe']} | {100 * x['cov_rel_fro']:.3f}% | "
        f"{x['mode_ratio_min']:.3f} - {x['mode_ratio_max']:.3f} |"
        for x in r["exact"]
    ]
    out += [
        "",
        "## Monte Carlo check (digits-pca-gaussian)",
        "",
        "| sampler | K | NFE | observed | predicted | perfect sampler |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {x['sampler']} | {x['k']} | {x['nfe']} | {100 * x['observed']:.2f}% | {100 * x['predicted']:.2f}% | "
        f"{100 * x['perfect_sampler']:.2f}% |"
        for x in r["monte_carlo"]
    ]
    out += [
        "",
        "## Memorisation (digits-empirical)",
        "",
        "| sampler | NFE | K | rate | mean NN RMS | distinct copies |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {x['sampler']} | {x['nfe']} | {x['k']} | {100 * x['memorisation_rate']:.1f}% | {x['mean_nn_rms']:.2e} | "
        f"{x['distinct_copies']} |"
        for x in r["memorisation"]
    ]
    out += [
        "",
        "## Mode weights (digits-gmm10): TV distance of sampled class frequencies",
        "",
        "| sampler | NFE | K | mode TV | perfect-sampler TV | mean log-lik |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {x['sampler']} | {x['nfe']} | {x['k']} | {x['mode_tv']:.3f} | {x['tv_perfect']:.3f} | "
        f"{x['mean_loglik']:.1f} |"
        for x in r["mixture"]
    ]
    net = r.get("networks") or {}
    if net.get("rows"):
        d = net["diffusers"]
        out += [
            "",
            f"## Trained networks: speed on {net['device']} ({net['threads']} threads, median of {net['repeats']})",
            "",
            f"Baseline: diffusers {d['model']} with {d['params']:,} parameters (block_out_channels "
            f"{d['config']['block_out_channels']}) under {d['scheduler']}, same batch and NFE, in the same run.",
            "",
            "| model | sampler | step noise | NFE | batch | images/s | overhead (total / network) | ratio vs diffusers |",
            "|---|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| {x['model']} | {x['sampler']} | {x['noise_law']} | {x['nfe']} | {x['batch']} | {x['images_per_s']:.1f} | "
            f"{x['overhead']:.3f} | {x['ratio_vs_diffusers']:.2f} |"
            for x in net["rows"]
        ]
        out += [
            f"| diffusers | DPMSolverMultistep | gaussian | {k} | {net['rows'][0]['batch']} | {v['images_per_s']:.1f} | "
            f"{v['overhead']:.3f} | 1 |"
            for k, v in d["per_nfe"].items()
        ]
        if net.get("click"):
            c = net["click"]
            out += [
                "",
                f"One Samplers-tab click ({c['model']}, {len(c['samplers'])} samplers x {c['n']} samples, NFE "
                f"{c['nfe']}, one torch thread): median {c['seconds_median']:.2f} s, best {c['seconds_min']:.2f} s "
                f"(target {c['target_seconds']:.0f} s; load average {c['load_avg_1min']:.1f}).",
            ]
    if r["timing"]:
        out += [
            "",
            "## Wall time (shared 2-core CPU, one measurement)",
            "",
            "| model | sampler | steps | n | s |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {x['model']} | {x['sampler']} | {x['steps']} | {x['n']} | {x['seconds']:.2f} |" for x in r["timing"]
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    res = run(quick=False)
    root = Path(__file__).resolve().parents[2] / "benchmarks"
    (root / "sampling.json").write_text(json.dumps(res, indent=1))
    (root / "sampling.md").write_text(render_md(res))
    print(render_md(res))
