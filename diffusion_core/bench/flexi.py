"""The shipped Flexi-UNet (SSD, 3 levels 32 -> 16 -> 8) against its full-resolution baseline (the same
network trained as plain DDPM with x0 prediction): sampling wall time at the same number of steps and
batch 64 in one process, network FLOPs per trajectory, and the digit quality of both (MNIST classifier:
confident share, Frechet distance in its features with the real-vs-real floor at the same n).

Batches alternate baseline / Flexi with the same seed per batch, so load on the machine hits both alike;
`speedup` = baseline seconds / Flexi seconds summed over the batches (wall clock; `speedup_cpu` the same
in process CPU time). One torch thread, as the app serves.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from .. import scale_space as ss
from ..models.registry import SCALE_SPACE, SIDECARS, load_flexi
from ..networks.flexi_unet import FlexiDenoiser, FlexiUNet
from ..scale_space.sampler import ssd_sample
from ..training.flexi_quality import BASELINE, FLEXI, crop_to, digit_scores, schedule_for, trajectory_flops

PAPER_SPEEDUP = 1.58  # 64 px, 4 levels, wall clock (reference scale-space.md §8)
PAPER_MULTS = ((1, 2, 3), (1, 2, 4))  # paper-like widening with depth (64 px: 1, 2, 3, 4), cut to 3 levels
BATCH = 64


def flop_ratio_with(mults: tuple[int, ...], steps: int) -> float:
    """FLOP ratio (full resolution / Flexi) on the shipped Flexi trajectory for the shipped architecture with
    other channel multipliers (untrained: FLOPs depend on the shapes only). The shipped one has (1, 1, 1)."""
    side = SIDECARS[FLEXI]
    den = load_flexi(FLEXI)
    cfg = replace(den.net.cfg, mults=tuple(mults))
    flops = trajectory_flops(FlexiDenoiser(FlexiUNet(cfg), side["schedule"]), schedule_for(FLEXI), steps)
    return len(flops["per_step"]) * flops["full_step"] / flops["total"]


def paper_bound() -> float:
    """The pixel-work bound of the paper's 64 px, 4-level schedule (convex 0.5, T = 1000): 1 / 0.529."""
    return 1.0 / ss.pixel_work_fraction(ss.resolution_schedule(64, 4))


def timed(name: str, steps: int, seed: int, transition: str = "exact") -> tuple[torch.Tensor, float, float]:
    """(samples [64, 1, 32, 32], wall s, CPU s) of one batch."""
    den = load_flexi(name)
    w0, c0 = time.perf_counter(), time.process_time()
    x = ssd_sample(
        den, schedule_for(name), BATCH, torch.Generator().manual_seed(seed), steps=steps, transition=transition
    )
    return x, time.perf_counter() - w0, time.process_time() - c0


def run(quick: bool = False) -> dict[str, Any]:
    """speedup, flop_ratio and the quality rows (quick: 1 batch of 20 steps, no quality)."""
    if not {FLEXI, BASELINE} <= set(SCALE_SPACE):
        return {"flexi": f"models {FLEXI} and {BASELINE} are not shipped"}
    torch.set_num_threads(1)
    steps, batches = (20, 1) if quick else (100, 4)
    out: dict[str, dict[str, Any]] = {m: {"wall": [], "cpu": [], "x": []} for m in (BASELINE, FLEXI)}
    timed(FLEXI, 10, 0)  # warm-up: caches, lambda_max
    for b in range(batches):
        for m in (BASELINE, FLEXI):
            x, wall, cpu = timed(m, steps, 10_000 + b)
            out[m]["wall"].append(wall)
            out[m]["cpu"].append(cpu)
            out[m]["x"].append(x)
    rows = {}
    for m, o in out.items():
        side = SIDECARS[m]
        flops = trajectory_flops(load_flexi(m), schedule_for(m), steps)
        x = torch.cat(o["x"])
        rows[m] = {
            "sampling_seconds": round(sum(o["wall"]), 2),
            "sampling_cpu_seconds": round(sum(o["cpu"]), 2),
            "seconds_per_batch": [round(w, 2) for w in o["wall"]],
            "gflops_per_image": flops["total"] / 1e9,
            "train_time": side["train_time"],
            "params": side["params"],
            "quality": None if quick else digit_scores(crop_to(x, side["data_shape"][-1]), side["dataset"]),
        }
    f, bl = rows[FLEXI], rows[BASELINE]
    work = ss.pixel_work_fraction(schedule_for(FLEXI))
    return {
        "flexi_vs_baseline": {
            "steps": steps,
            "batch": BATCH,
            "batches": batches,
            "transition": "exact",
            "threads": 1,
            "speedup": bl["sampling_seconds"] / f["sampling_seconds"],
            "speedup_cpu": bl["sampling_cpu_seconds"] / f["sampling_cpu_seconds"],
            "flop_ratio": bl["gflops_per_image"] / f["gflops_per_image"],
            "pixel_work_bound": 1.0 / work,
            "paper_speedup_64px_4L": PAPER_SPEEDUP,
            "paper_pixel_work_bound_64px_4L": paper_bound(),
            "mults": list(load_flexi(FLEXI).net.cfg.mults),
            "flop_ratio_with_mults": {"-".join(map(str, m)): flop_ratio_with(m, steps) for m in PAPER_MULTS},
            "fd_ratio": (f["quality"]["fd"] / bl["quality"]["fd"]) if f["quality"] and bl["quality"] else None,
            FLEXI: f,
            BASELINE: bl,
        }
    }


def write(out_dir: str) -> None:
    """benchmarks/scale-space-flexi.json (the README's row reads it)."""
    Path(out_dir, "scale-space-flexi.json").write_text(json.dumps(run(False), indent=1) + "\n")


if __name__ == "__main__":  # python -m diffusion_core.bench.flexi benchmarks
    import sys

    write(sys.argv[1] if len(sys.argv) > 1 else "benchmarks")
