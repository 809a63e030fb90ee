"""Sample quality and sampling cost of a scale-space network (Flexi-UNet or its full-resolution baseline).

Samples come from the SSD sampler (scale_space/sampler.py, exact transitions) from one seed, are cropped
from the padded R x R canvas back to the data's side, and are scored by the data set's digit metrics
(the MNIST classifier's confident share, class TV and Frechet distance with its real-vs-real floor)
when the data set has them. FLOPs per trajectory come from the Flexi-UNet path costs.
"""

from __future__ import annotations

import time
from typing import Any

import torch

from .. import scale_space as ss
from ..evaluation import metrics  # the models thread's MNIST metrics
from ..models.datasets import DATASETS
from ..models.registry import SIDECARS
from ..networks.flexi_unet import FlexiDenoiser, FlexiUNet, path_flops
from ..scale_space.sampler import ssd_sample, timesteps

Tensor = torch.Tensor
EVAL_SEED = 1_000_003
FLEXI, BASELINE = "mnist-ssd3-flexi", "mnist-ddpm-baseline"  # the shipped pair (presets/train/*.toml)


def schedule_for(name: str) -> ss.ResolutionSchedule:
    """The level schedule a shipped scale-space checkpoint was trained for."""
    s = SIDECARS[name]["schedule"]
    return ss.resolution_schedule(s["size"], s["levels"], s["family"], s["gamma"], s["T"])


def crop_to(x: Tensor, side: int) -> Tensor:
    """The centred side x side window of x [B, C, R, R] (inverse of training/loss.pad_to)."""
    o = (x.shape[-1] - side) // 2
    return x[..., o : o + side, o : o + side] if o else x


def trajectory_flops(den: FlexiDenoiser, sched: ss.ResolutionSchedule, steps: int | None) -> dict[str, Any]:
    """Network FLOPs per image for each step of the strided trajectory and their sum."""
    ts = timesteps(sched.T, steps)
    per = []
    for i, t in enumerate(ts):
        size_s = sched.res(ts[i + 1]) if i + 1 < len(ts) else sched.size
        per.append(path_flops(den.net.cfg, sched.res(t), size_s))
    return {"per_step": per, "total": int(sum(per)), "full_step": path_flops(den.net.cfg, sched.size, sched.size)}


def timed_samples(
    den: FlexiDenoiser, sched: ss.ResolutionSchedule, n: int, steps: int, seed: int, transition: str = "exact"
) -> tuple[Tensor, float]:
    """(samples [n, C, R, R], wall seconds) from torch.Generator(seed)."""
    t0 = time.perf_counter()
    x = ssd_sample(den, sched, n, torch.Generator().manual_seed(seed), steps=steps, transition=transition)
    return x, time.perf_counter() - t0


def digit_scores(x: Tensor, dataset: str) -> dict[str, Any] | None:
    """The data set's sample metrics of x [n, C, h, w] (cropped), or None when it has none."""
    score = getattr(metrics, "digit_quality", None)
    return score(x.to(torch.float32)) if dataset == "mnist" and score is not None else None


def flexi_quality(
    net: FlexiUNet, sched: ss.ResolutionSchedule, dataset: str, quick: bool = False, n: int = 500, steps: int = 100
) -> dict[str, Any] | None:
    """Samples from the held-out seed, their metrics, the wall time and FLOPs of the trajectory."""
    side = {"size": sched.size, "levels": sched.levels, "family": sched.family, "gamma": sched.gamma, "T": sched.T}
    den = FlexiDenoiser(net, side)
    n, steps = (16, 10) if quick else (n, steps)
    x, wall = timed_samples(den, sched, n, steps, EVAL_SEED)
    try:
        scores = digit_scores(crop_to(x, DATASETS[dataset].shape[-1]), dataset)
    except ImportError:  # metrics not on this branch yet
        scores = None
    flops = trajectory_flops(den, sched, steps)
    return {
        "n": n,
        "steps": steps,
        "seed": EVAL_SEED,
        "transition": "exact",
        "sampling_seconds": round(wall, 2),
        "flops_per_image": flops["total"],
        "metrics": scores,
    }
