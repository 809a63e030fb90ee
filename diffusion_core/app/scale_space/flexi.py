"""Scale space tab, trained networks: the shipped Flexi-UNet (SSD, 32 -> 16 -> 8) and its full-resolution
baseline sampled side by side from one seed (wall time and digit quality per side), and the Flexi-UNet's
path diagram at the current step with FLOPs per step and per trajectory. Plain functions, no gradio."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from ... import scale_space as ss
from ...models.registry import SCALE_SPACE, SIDECARS, load_flexi
from ...networks.flexi_unet import path_flops
from ...plotting import flexi as plots
from ...scale_space.sampler import ssd_sample, timesteps
from ...training.flexi_quality import BASELINE, FLEXI, crop_to, digit_scores, schedule_for
from ...validation import InputError, check_choice, check_int, check_range
from .handlers import mosaic

TRANSITIONS = ("exact", "naive")


@dataclass(frozen=True)
class FlexiView:
    """Settings of the trained-network comparison (the tab's t slider picks the diagram's step)."""

    seed: int = 0
    n: int = 16  # samples per side
    steps: int = 100  # sampling steps (of T = 1000), the same for both
    transition: Literal["exact", "naive"] = "exact"
    t: float = 0.5  # current time in [0, 1] for the path diagram

    def __post_init__(self) -> None:
        check_int("seed", self.seed, 0, 2**31 - 1)
        check_int("samples", self.n, 1, 64)
        check_int("steps", self.steps, 10, 1000)
        check_choice("transition", self.transition, TRANSITIONS)
        check_range("t", self.t, 0.0, 1.0)


def check_shipped() -> None:
    if not {FLEXI, BASELINE} <= set(SCALE_SPACE):
        raise InputError(f"the scale-space networks {FLEXI} and {BASELINE} are not in models/weights")


@dataclass
class CompareResult:
    flexi: np.ndarray  # uint8 mosaics
    baseline: np.ndarray
    explanation: str
    numbers: dict


def _side(name: str, v: FlexiView, transition: str) -> tuple[torch.Tensor, float, dict | None]:
    den = load_flexi(name)
    t0 = time.perf_counter()
    x = ssd_sample(
        den, schedule_for(name), v.n, torch.Generator().manual_seed(v.seed), steps=v.steps, transition=transition
    )
    wall = time.perf_counter() - t0
    side = SIDECARS[name]
    return x, wall, digit_scores(crop_to(x, side["data_shape"][-1]), side["dataset"])


def flexi_compare(v: FlexiView, progress=None) -> CompareResult:
    """Both networks from the same seed and step count (api_name `scale_space_flexi`)."""
    check_shipped()
    res = {}
    for i, name in enumerate((FLEXI, BASELINE)):
        if progress:
            progress(0.05 + 0.45 * i, f"sampling {name}")
        res[name] = _side(name, v, v.transition if name == FLEXI else "exact")
    (xf, wf, qf), (xb, wb, qb) = res[FLEXI], res[BASELINE]
    nums = {
        "flexi_seconds": wf,
        "baseline_seconds": wb,
        "speedup": wb / wf,
        "flexi_quality": qf,
        "baseline_quality": qb,
        **trajectory_costs(v.steps),
    }
    return CompareResult(mosaic(crop_to(xf, 28), v.n), mosaic(crop_to(xb, 28), v.n), explain(v, nums), nums)


def _quality_text(q: dict | None, shipped: dict | None) -> str:
    """Digit quality of these samples (when the MNIST metrics are available) and of the shipped evaluation."""
    parts = []
    if q:
        parts.append(
            f"{100 * q['confident']:.0f}% confident (≥ 0.9), class TV {q['class_tv']:.2f}, nearest-training "
            f"RMS {q['nn_train']:.3f} (held-out digits: {q['nn_heldout']:.3f})"
        )
    m = (shipped or {}).get("metrics")
    if m:
        parts.append(
            f"shipped evaluation ({shipped['n']} samples, {shipped['steps']} steps): Fréchet distance "
            f"**{m['fd']:.1f}** (real-vs-real floor {m['fd_floor']:.1f}), {100 * m['confident']:.0f}% confident"
        )
    return "; ".join(parts) or "no digit classifier available"


def explain(v: FlexiView, n: dict) -> str:
    qf, qb = (SIDECARS[m].get("quality") for m in (FLEXI, BASELINE))
    return "\n\n".join(
        [
            f"**Same seed {v.seed}, {v.steps} steps, {v.n} samples each.** Flexi-UNet (SSD 32→16→8, {v.transition} "
            f"transitions): **{n['flexi_seconds']:.2f} s**; full-resolution baseline (the same network at 32² every "
            f"step): **{n['baseline_seconds']:.2f} s**, speed-up **{n['speedup']:.2f}×**. Network work per image: "
            f"{n['flexi_gflops']:.2f} vs {n['baseline_gflops']:.2f} GFLOPs (ratio {n['flop_ratio']:.2f}× against "
            f"this schedule's pixel-work bound {n['pixel_work_bound']:.2f}×, for a network of constant width, channel "
            f"multipliers ({', '.join(map(str, n['mults']))}); the paper's 1.58× is wall clock for another setting, "
            "64 px with 4 levels and channels widening with depth (1, 2, 3, 4), against that schedule's bound "
            f"{n['paper_pixel_work_bound_64px_4L']:.2f}×; wider deep levels shrink the FLOP ratio, since they run "
            "at every step).",
            f"**Flexi-UNet quality**: {_quality_text(n['flexi_quality'], qf)}.",
            f"**Baseline quality**: {_quality_text(n['baseline_quality'], qb)}.",
            f"{v.n} samples say little about a distribution: the Fréchet distances quoted come from the shipped "
            "evaluation of 500 samples against 1,000 held-out digits, next to the floor of 500 real digits."
            + (
                " The naive transition (upsample + white noise) leaves the fine band almost noise-free at each "
                "switch; compare the strokes with the exact transition."
                if v.transition == "naive"
                else ""
            ),
        ]
    )


def trajectory_costs(steps: int) -> dict:
    """FLOPs per image per step along the strided trajectory for both networks."""
    sched, cfg = schedule_for(FLEXI), load_flexi(FLEXI).net.cfg
    ts = timesteps(sched.T, steps)
    nxt = [sched.res(ts[i + 1]) if i + 1 < len(ts) else sched.size for i in range(len(ts))]
    flexi = [path_flops(cfg, sched.res(t), s) for t, s in zip(ts, nxt)]
    full = path_flops(cfg, sched.size, sched.size)
    return {
        "t": ts,
        "flexi_per_step": flexi,
        "baseline_per_step": [full] * len(ts),
        "flexi_gflops": sum(flexi) / 1e9,
        "baseline_gflops": full * len(ts) / 1e9,
        "flop_ratio": full * len(ts) / sum(flexi),
        "pixel_work_bound": 1.0 / ss.pixel_work_fraction(sched),
        "mults": list(cfg.mults),
        "paper_pixel_work_bound_64px_4L": 1.0 / ss.pixel_work_fraction(ss.resolution_schedule(64, 4)),
    }


def flexi_diagram(v: FlexiView) -> tuple[object, object, str]:
    """Path diagram at the trajectory step nearest to t, the FLOPs-per-step curve, and a caption."""
    check_shipped()
    sched, net = schedule_for(FLEXI), load_flexi(FLEXI).net
    c = trajectory_costs(v.steps)
    ts = c["t"]
    i = int(np.argmin(np.abs(np.array(ts) - v.t * (sched.T - 1))))
    r_t = sched.res(ts[i])
    r_s = sched.res(ts[i + 1]) if i + 1 < len(ts) else sched.size
    p = net.path(r_t, r_s)
    kind = "resolution-increasing" if r_s > r_t else "resolution-preserving"
    fig = plots.path_diagram(
        net.cfg.levels,
        [net.cfg.size >> l for l in range(net.cfg.levels)],
        p.blocks(net.cfg.levels),
        p.zero_skips,
        p.resized_up,
        f"Step {i + 1} of {len(ts)} (t = {ts[i]}): {r_t}² → {r_s}², {kind}",
    )
    mf = [f / 1e6 for f in c["flexi_per_step"]]
    flops = plots.flops_figure(
        ts, mf, [f / 1e6 for f in c["baseline_per_step"]], ts[i], f"Network work per step ({v.steps} steps)"
    )
    caption = (
        f"This step runs {len(p.blocks(net.cfg.levels))} blocks: **{mf[i]:.1f} MFLOPs** per image vs "
        f"{c['baseline_per_step'][i] / 1e6:.1f} for the full network"
        + (f"; the decoder level(s) {p.zero_skips} get zero-filled skips" if p.zero_skips else "")
        + ("; the input is resized up to 32² first (output on the top grid)" if p.resized_up else "")
        + f". Whole trajectory: **{c['flexi_gflops']:.2f}** vs {c['baseline_gflops']:.2f} GFLOPs per image "
        f"({c['flop_ratio']:.2f}× fewer)."
    )
    return fig, flops, caption
