"""The measured table (docs/benchmarks.md) and the README's headline numbers, generated from the
benchmarks' JSON (benchmarks/*.json and the trained models' sidecars), so that no number in them can go
stale. `make readme` rewrites every generated page (diffusion_core/reports/pages.py).

Refresh a benchmark's JSON with `difflab bench NAME --json > benchmarks/NAME.json` (see `SOURCES`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..training.vp_chain import PAIR_NETWORK
from . import low_nfe, mnist, page_load, room, threads
from .low_nfe import pct as _pct

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ROOT / "diffusion_core" / "models" / "weights"
# JSON file under benchmarks/ -> the command that writes it
SOURCES = {name: f"difflab bench {name} --json > benchmarks/{name}.json" for name in ("latency", "spectral")}
SOURCES["load"] = "nice -n 10 .venv/bin/python benchmarks/load.py --out benchmarks/load.json"
SOURCES["load-room"] = room.SOURCE
SOURCES["page-load"] = page_load.SOURCE
SOURCES.update(
    {name: f"difflab bench {name} --quick --json > benchmarks/{name}.json" for name in ("increments", "scale-space")}
)
SOURCES["gud-covariance"] = "difflab bench gud-covariance --json > benchmarks/gud-covariance.json"
SOURCES["quality"] = "python -m diffusion_core.bench.quality benchmarks"
SOURCES["likelihood"] = "python -m diffusion_core.bench.likelihood  # every pair network, n = 1000, N = 50"
SOURCES["resolution"] = "difflab bench resolution --json > benchmarks/resolution.json"
SOURCES["sampling"] = "python -m diffusion_core.bench.sampling benchmarks"
SOURCES["scale-space-flexi"] = "python -m diffusion_core.bench.flexi benchmarks"
SOURCES["sampling-networks"] = "python -m diffusion_core.bench.network_speed benchmarks"
SOURCES["slider-latency"] = (
    "nice -n 10 .venv/bin/python -m diffusion_core.bench.slider_latency benchmarks "
    "--baseline DIR (a checkout of the commit to compare)"
)
SOURCES["pair_seeds"] = "python -m diffusion_core.bench.pair_seeds  # two training seeds per pair network, n = 500"
SOURCES["mnist_models"] = "python -m diffusion_core.bench.mnist_models"
SOURCES["thread_networks"] = "python -m diffusion_core.bench.thread_networks  # n = 500 per cell, seed 0"

Row = tuple[str, str, str]


def _pct_span(xs: list[float], digits: int = 1) -> str:
    """min–max of fractions as percentages."""
    return f"{_pct(min(xs), digits)}–{_pct(max(xs), digits)}"


def _latency(j: dict) -> Row:
    return (
        "Spectrum handler latency, 256×256 astronaut",
        f"p50 **{j['p50_ms']:.0f} ms**, p95 {j['p95_ms']:.0f} ms (target p50 ≤ {j['target_p50_ms']:.0f} ms), "
        f"machine at load {j['load_avg_1min']:.1f} from parallel work; spectral core alone {j['core_p50_ms']:.1f} ms",
        f"`difflab bench latency --json`, {j['n']} calls, {j['cpu_count']}-core CPU, one torch thread as the app serves",
    )


def _beta(j: dict) -> Row:
    box = j["box"]["beta"]
    return (
        f"fitted β, {j['size']}² grayscale, {j['resize']} resize",
        ", ".join(f"{k} {v:.2f}" for k, v in j["beta"].items())
        + "; with a box-mean resize instead: "
        + ", ".join(f"{k} {v:.2f}" for k, v in box.items()),
        "`difflab bench spectral --json` (= `difflab spectrum NAME --json [--resize box]`)",
    )


def _bounds(j: dict) -> Row:
    b, box = j["bounds"], j["box"]["bounds"]
    return (
        f"bounds at {j['size']}² (τ_lo {j['tau_lo']:g}, τ_hi {j['tau_hi']:g}, {j['resize']} resize)",
        f"camera σ_min {b['camera']['sigma_min']:.4f}, astronaut σ_max(DC) {b['astronaut']['sigma_max_dc']:.1f} / "
        f"σ_min {b['astronaut']['sigma_min']:.4f}, grass σ_min {b['grass']['sigma_min']:.4f} "
        "(reference table reproduced); with a box-mean resize instead σ_min moves: "
        + ", ".join(
            f"{k} {box[k]['sigma_min']:.4f} ({100 * (box[k]['sigma_min'] / b[k]['sigma_min'] - 1):+.0f}%)" for k in b
        ),
        "`difflab bench spectral --json` (= `difflab bounds NAME --json [--resize box]`)",
    )


def _resolution(j: dict) -> Row:
    r = j["rules"]
    photos = list(j["photos_per_doubling"].values())
    return (
        "resolution: flow-shift rules vs the spectral law",
        f"λ_lo of {len(photos)} bundled photos moves {min(photos):.3f} to {max(photos):.3f} per doubling "
        f"({j['photo_sides'][0]}→{j['photo_sides'][-1]} px), the law −2 ln 2 = −1.386, because the resampler keeps "
        "the image mean (the orthonormal DC power N²·mean² sets λ_lo and grows 4× per doubling): that is what "
        f"the photos show. Per doubling {j['rule_sides'][0]}²→{j['rule_sides'][-1]}², Flux's μ (FluxPipeline's "
        f"constants) moves λ by {', '.join(f'{d:+.2f}' for d in r['flux']['per_doubling'])} (mean gap to the law "
        f"**{r['flux']['mean_abs_gap_to_law']:.2f}**) and SD3's fixed shift not at all (gap "
        f"{r['sd3']['mean_abs_gap_to_law']:.2f} = 2 ln 2); the SD3 paper's √(m/n) rule moves λ by −2 ln 2 by "
        f"construction (gap {r['sd3-paper']['mean_abs_gap_to_law']:.2f}), since it rests on the same DC-power "
        "argument: an identity, not a measurement",
        "`difflab bench resolution --json`",
    )


def _increments(j: dict) -> Row:
    k = {r["steps"]: r["ddpm-right"] for r in j["laplace_exact"] if r["steps"] in (1, 50, 200)}
    return (
        "Laplace kurtosis of x_N (DDPM form, exact)",
        ", ".join(f"{v:.3f} (N = {n})" for n, v in sorted(k.items())) + ": 1/N decay",
        "`difflab bench increments --json`, [benchmarks/increments.md](benchmarks/increments.md)",
    )


def _gud(j: dict) -> Row:
    errs = [r[f"{m}_chain"] for r in j["rows"] for m in ("sde", "ode")]
    sampled = [r[f"{m}_sampled"] for r in j["rows"] for m in ("sde", "ode")]
    avals = ", ".join(sorted({format(r["a"], "g") for r in j["rows"]}, key=float))
    quick = " --quick" if j["samples"] < 16384 else ""
    return (
        "GUD covariance error, digits Gaussian, 8×8",
        f"exact chain {_pct_span(errs, 2)} over every basis, a ∈ {{{avals}}}, SDE and ODE; "
        f"{j['samples']:,} samples {_pct_span(sampled, 2)} (Monte Carlo floor {_pct(j['mc_floor'], 2)})",
        f"`difflab bench gud-covariance{quick} --json`",
    )


def _scale_space(j: dict) -> Row:
    s = j["B7_B9"]["64px 4L"]
    sh = j["B8_share_percent_and_total_nats"]
    photos, textures = ("astronaut", "camera", "coffee", "chelsea", "coins"), ("grass", "gravel", "brick")
    rng = lambda names: f"{min(sh[n][0] for n in names):.1f}–{max(sh[n][0] for n in names):.1f}%"  # noqa: E731
    return (
        "scale-space checks B1–B9",
        f"λ_max(MMᵀ) {j['B1b_lambda_max']['8->4']:.4f} (8→4); switches {'/'.join(map(str, s['switches']))} "
        f"for 64px 4L; pixel work {s['pixel_work']:.3f}; MI above the coarse Nyquist {rng(photos)} (photos), "
        f"{rng(textures)} (textures)",
        "`difflab bench scale-space --quick --json`, `tests/test_scale_space_*.py`",
    )


def _load(j: dict) -> Row:
    per = j["per_endpoint"]
    light = [e for e in per if e not in ("sample_compare", "connect")]
    p50 = sorted(per[e]["p50_s"] for e in light if per[e]["p50_s"] is not None)
    p95 = max(per[e]["p95_s"] for e in light if per[e]["p95_s"] is not None)
    samp = per.get("sample_compare", {})
    return (
        f"one server, {j['clients']} students × {j['requests_per_client']} requests + "
        f"{j['sampling_requests']} concurrent sampling runs",
        f"**{j['failures']} failures** in {j['requests']}; light endpoints p50 {p50[0]:.1f}–{p50[-1]:.1f} s, "
        f"worst p95 {p95:.1f} s; sampling p50 {samp.get('p50_s') or float('nan'):.1f} s; "
        f"peak RSS {j['peak_rss_mb'] / 1024:.2f} GB; {j['cpu_count']}-core CPU at load {j['load_avg_1min_end']:.0f}"
        + (
            f"; the simulated students' own clients ran on the same cores and used "
            f"{100 * j['clients_share_of_cpu']:.0f}% of the CPU the run took ({j['clients_cpu_s']:.0f} s against "
            f"the server's {j['server_cpu_s']:.0f} s)"
            if "clients_share_of_cpu" in j
            else ""
        ),
        f"`python benchmarks/load.py --out benchmarks/load.json` (queue: {_queue(j.get('queue_concurrency', 4))})",
    )


def _queue(q: int | dict) -> str:
    """The served queue: one limit (before issue 25) or the sampling and light groups' limits."""
    return (
        f"{q} at a time"
        if isinstance(q, int)
        else f"{q['sampling']} sampling runs and {q['light']} light views at a time"
    )


def _slider(j: dict) -> Row:
    base = j.get("baseline", {})
    parts = []
    for tab, s in j["tabs"].items():
        text = f"{tab}: median **{s['median_ms']:.0f} ms**, p95 {s['p95_ms']:.0f} ms"
        if tab in base.get("tabs", {}):
            b = base["tabs"][tab]
            text += (
                f" (before, {base['label']}, same run: median {b['median_ms']:.0f} ms; "
                f"{b['median_ms'] / s['median_ms']:.1f}× faster)"
            )
        parts.append(text)
    return (
        "noise-level slider (λ, or the t that sets λ(t)) in a browser, move → last figure updated",
        "; ".join(parts) + f"; target median < {j['target_median_ms']:.0f} ms; {j['moves_per_tab']} moves per tab, "
        f"app and chromium at niceness {j['niceness']} on a {j['cpu_count']}-core CPU at load "
        f"{j['load_avg_1min_start']:.1f}–{j['load_avg_1min_end']:.1f}",
        "`python -m diffusion_core.bench.slider_latency benchmarks` (= `difflab bench slider-latency --json`), "
        "headless chromium",
    )


def flexi_widths(r: dict) -> str:
    """The shipped Flexi-UNet's channel multipliers and the FLOP ratio paper-like ones would give (same trajectory)."""
    other = " / ".join(f"({m.replace('-', ', ')})" for m in r["flop_ratio_with_mults"])
    ratios = " / ".join(f"{v:.2f}×" for v in r["flop_ratio_with_mults"].values())
    return (
        f"constant width, channel multipliers ({', '.join(map(str, r['mults']))}); with paper-like multipliers "
        f"{other} the FLOP ratio on the same trajectory is {ratios}, untrained"
    )


def _flexi(j: dict) -> Row:
    r = j["flexi_vs_baseline"]
    f, b = r["mnist-ssd3-flexi"], r["mnist-ddpm-baseline"]
    sides = {
        n: json.loads((WEIGHTS / f"{n}.json").read_text())["quality"]["metrics"]
        for n in ("mnist-ssd3-flexi", "mnist-ddpm-baseline")
    }
    sf, sb = sides["mnist-ssd3-flexi"], sides["mnist-ddpm-baseline"]
    fq, bq, src = f["quality"], b["quality"], "these samples"
    also = (
        f"; the sidecars' evaluation (n = {sf['n']}, another seed): {sf['fd']:.1f} vs {sb['fd']:.1f}, ratio "
        f"{sf['fd'] / sb['fd']:.2f}"
    )
    if fq is None or bq is None:  # scored without the MNIST metrics: the sidecars' evaluation
        fq, bq, src, also = sf, sb, "the sidecars' evaluation, 100 steps", ""
    return (
        "Flexi-UNet vs full-resolution baseline (MNIST 32², SSD 32→16→8, same 211k-param network)",
        f"sampling speed-up **{r['speedup']:.2f}×** wall / {r['speedup_cpu']:.2f}× CPU time ({r['steps']} steps, "
        f"{r['batches']} batches of {r['batch']}), FLOP ratio {r['flop_ratio']:.2f}× against this schedule's "
        f"pixel-work bound {r['pixel_work_bound']:.2f}× ({flexi_widths(r)}); the paper's "
        f"{r['paper_speedup_64px_4L']}× is wall clock at 64 px with 4 levels and widening channels, against "
        f"that schedule's bound {r['paper_pixel_work_bound_64px_4L']:.2f}×; "
        f"Fréchet distance {fq['fd']:.1f} vs {bq['fd']:.1f}, ratio **{fq['fd'] / bq['fd']:.2f}** (target ≤ 1.25; "
        f"floor {fq['fd_floor']:.1f} at n = {fq['n']}, {src}), confident {_pct(fq['confident'], 0)} vs "
        f"{_pct(bq['confident'], 0)}{also}",
        "`python -m diffusion_core.bench.flexi benchmarks`, `difflab bench scale-space --json`",
    )


def _sampling(j: dict) -> Row:
    c = {(r["sampler"], r["nfe"]): r["cov_rel_fro"] for r in j["exact"] if r["model"] == "field-beta2-32"}
    return (
        "samplers on exact models",
        f"field β = 2, covariance error at NFE 64: DPM++(2M) {_pct(c[('dpmpp_2m', 64)], 2)}, "
        f"Heun (63) {_pct(c[('heun', 63)])}, Euler {_pct(c[('euler', 64)])}",
        "`difflab bench sampling --json`, [benchmarks/sampling.md](benchmarks/sampling.md)",
    )


def _networks(j: dict) -> Row:
    r = {(x["sampler"], x["nfe"]): x for x in j["rows"]}
    nfes = sorted({n for _, n in r})
    ratio = "; ".join(
        f"NFE {n}: DPM++(2M) {r[('dpmpp_2m', n)]['ratio_vs_diffusers']:.2f}×, ancestral "
        f"{r[('ddpm_ancestral', n)]['ratio_vs_diffusers']:.2f}×"
        for n in nfes
    )
    over = [x["overhead"] for x in j["rows"]]
    c = j["click"]
    return (
        f"MNIST network sampling, batch {j['rows'][0]['batch']} ({j['rows'][0]['model']}, {j['device']})",
        f"images/s against a diffusers UNet2DModel of {j['diffusers']['params']:,} parameters under "
        f"DPMSolverMultistepScheduler, same run: {ratio}; sampler overhead (total / inside the network) "
        f"{min(over):.3f}–{max(over):.3f} (target ≤ 1.10); one Samplers-tab click (3 samplers × {c['n']} digits, "
        f"NFE {c['nfe']}, classifier numbers included) median **{c['seconds_median']:.2f} s** (target 3 s) at load "
        f"{c['load_avg_1min']:.0f}; {j.get('note', '')}",
        "`python -m diffusion_core.bench.network_speed benchmarks`, "
        "[benchmarks/sampling-networks.json](benchmarks/sampling-networks.json)",
    )


def _trained(side: dict, others: list[dict]) -> Row:
    ex = [d["excess_rel"] for d in side["quality"]["denoising"]]
    sig = [d["sigma"] for d in side["quality"]["denoising"]]
    lap = next((o for o in others if o["increment_law"] == "laplace" and o["loss"] != "mse"), None)
    tail = ""
    if lap is not None:
        ex2 = [d["excess_rel"] for d in lap["quality"]["denoising"]]
        tail = f"; trained with Laplace noise + {lap['loss']} loss: +{_pct_span(ex2)}"
    return (
        f"trained UNet ({side['params'] / 1000:.0f}k params, β = 2 field, {side['train_time'] / 60:.0f} min on "
        f"{side['world_size']} CPU process)",
        f"denoising MSE within **+{_pct_span(ex, 2)}** of the exact Wiener filter at "
        f"σ = {min(sig):g}–{max(sig):g}{tail}",
        f"`difflab train {side['preset']}`, [benchmarks/models.md](benchmarks/models.md)",
    )


STATIC: list[Row] = [
    ("synthetic fields β = 1, 2, 3", "recovered within 0.05", "`tests/test_spectral.py` (A3)"),
    (
        "parity with diffusers / k-diffusion",
        "alphas_cumprod, DDIM/DDPM timesteps, Euler (Karras) sigmas identical; karras/exponential/vp sigmas to 1e-13",
        "`tests/test_schedules_parity.py`",
    ),
    (
        "flow-matching parity with diffusers 0.42.1",
        "`sigmas` and `timesteps` after set_timesteps identical (max "
        "difference 0) over 558 configs: shift, dynamic μ / image_seq_len, exponential and linear time shift, "
        "shift_terminal, Karras / exponential / beta spacing, invert_sigmas, custom and FluxPipeline sigmas",
        "`tests/test_flow_parity.py`",
    ),
    (
        "Euler in t = DDIM in σ (flow)",
        "8e-16 apart with the exact Gaussian denoiser below t = 1 (SD3, Flux, "
        "Karras-in-t); from t = 1 (VE σ 2²⁴ − 1) within 1e-7 of the exact limit",
        "`tests/test_flow_samplers.py`",
    ),
]
OPTIONAL = {"load-room"}  # rows left out until their benchmark has been run
# (benchmark JSON, row builder) in table order; None marks where the test-guarded rows go
PLAN: list[tuple[str | None, Callable[[dict], Row] | None]] = [
    ("latency", _latency),
    ("spectral", _beta),
    (None, None),
    ("spectral", _bounds),
    (None, None),
    (None, None),
    (None, None),
    ("resolution", _resolution),
    ("quality", low_nfe.quality_row),
    ("increments", _increments),
    ("gud-covariance", _gud),
    ("scale-space", _scale_space),
    ("scale-space-flexi", _flexi),
    ("sampling", _sampling),
    ("sampling-networks", _networks),
    ("load", _load),
    ("load-room", room.measured_row),
    ("page-load", page_load.row),
    ("slider-latency", _slider),
    ("thread_networks", threads.measured_row),
]


def load_optional(bench_dir: Path, name: str) -> dict[str, Any] | None:
    """A benchmark's JSON, or None when it has not been run yet."""
    return load(bench_dir, name) if (bench_dir / f"{name}.json").is_file() else None


def load(bench_dir: Path, name: str) -> dict[str, Any]:
    path = bench_dir / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `{SOURCES[name]}`")
    return json.loads(path.read_text())


def rows(bench_dir: Path = ROOT / "benchmarks", weights: Path = WEIGHTS) -> list[Row]:
    """Every row of the measured table, from the JSON files."""
    out, static = [], iter(STATIC)
    for name, build in PLAN:
        if name in OPTIONAL and not (bench_dir / f"{name}.json").is_file():
            continue
        out.append(next(static) if name is None else build(load(bench_dir, name)))
    sides = [json.loads(p.read_text()) for p in sorted(weights.glob("*.json"))]
    main = next((s for s in sides if s["name"] == "field-beta2-32-unet"), None)
    if main is not None:
        out.append(_trained(main, [s for s in sides if s["dataset"] == main["dataset"] and s is not main]))
    return out


def table(bench_dir: Path = ROOT / "benchmarks", weights: Path = WEIGHTS) -> str:
    lines = ["| what | value | how |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows(bench_dir, weights)]
    return "\n".join(lines)


def mnist_block(bench_dir: Path = ROOT / "benchmarks", weights: Path = WEIGHTS) -> str:
    """The MNIST pair section's numbers (reports/mnist.py) from mnist_models.json, pair_seeds.json, likelihood.json
    and the sidecars."""
    sides = {p.stem: json.loads(p.read_text()) for p in weights.glob("mnist-li-*.json")}
    preset = tomllib.loads((ROOT / sides[PAIR_NETWORK["gaussian-gaussian"]]["preset"]).read_text())
    classifier = json.loads((weights / "classifier" / "mnist-cnn.json").read_text())
    likelihood = load(bench_dir, "likelihood") if (bench_dir / "likelihood.json").exists() else None
    seeds = load(bench_dir, "pair_seeds")
    return mnist.block(load(bench_dir, "mnist_models"), sides, preset, classifier, likelihood, seeds)
