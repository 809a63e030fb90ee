"""Sampling speed of the trained networks against diffusers, in one run (`difflab bench sampling`).

For each MNIST model (models/weights/mnist-*.json) at NFE 10 and 50, batch 64, on one device:
- images/s of DPM-Solver++(2M) (`dpmpp_2m`, karras sigmas) and of the pair's ancestral sampler;
- sampler overhead = total wall time / time inside the network's forward (forward hooks; CUDA synchronised),
  target <= 1.10: everything the project adds (preconditioning, solver arithmetic, noise draws);
- the same batch and NFE through a diffusers `UNet2DModel` with the parameter count closest to ours
  (same widths family, no attention) under `DPMSolverMultistepScheduler` (its default, DPM-Solver++ 2nd
  order), with diffusers' own step loop; ratio = our images/s / diffusers' images/s (target >= 1.0).
Each timing is the median of `repeats` runs, ours and diffusers' interleaved, after one warm-up run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ..app.samplers.handlers import SamplersView, sample_compare
from ..models.registry import SIDECARS, SPECS, get_model
from ..sampling import run as S
from ..training.vp_chain import STEP_LAW

Tensor = torch.Tensor
NFES = (10, 50)
BATCH = 64


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class ForwardTimer:
    """Seconds spent inside `module.forward`, summed over calls (forward pre/post hooks)."""

    def __init__(self, module: torch.nn.Module, device: torch.device):
        self.device, self.inside, self._t0 = device, 0.0, 0.0
        self._hooks = [module.register_forward_pre_hook(self._pre), module.register_forward_hook(self._post)]

    def _pre(self, *_: Any) -> None:
        _sync(self.device)
        self._t0 = time.perf_counter()

    def _post(self, *_: Any) -> None:
        _sync(self.device)
        self.inside += time.perf_counter() - self._t0

    def close(self) -> None:
        for h in self._hooks:
            h.remove()


def timed(run: Callable[[], Any], net: torch.nn.Module, device: torch.device) -> tuple[float, float]:
    """(total seconds, seconds inside net.forward) of one call of `run`."""
    timer = ForwardTimer(net, device)
    try:
        _sync(device)
        t0 = time.perf_counter()
        run()
        _sync(device)
        return time.perf_counter() - t0, timer.inside
    finally:
        timer.close()


def diffusers_unet(target_params: int, channels: int, size: int, search: bool = True) -> Any:
    """UNet2DModel, three levels of DownBlock2D / UpBlock2D (no attention, 1 or 2 ResNets per block), widths
    w x (1, 2, 2), (1, 2, 3), (1, 2, 4) or (1, 4, 4), w a multiple of 8: the parameter count closest to target
    (search=False: the smallest, w = 8, (1, 2, 2), one ResNet per block; for smoke runs)."""
    from diffusers import UNet2DModel

    best: tuple[int, dict[str, Any]] | None = None
    families = itertools.product(((1, 2, 2), (1, 2, 3), (1, 2, 4), (1, 4, 4)), (1, 2)) if search else [((1, 2, 2), 1)]
    for mult, lpb in families:
        for w in range(8, 257, 8):
            cfg = dict(
                sample_size=size,
                in_channels=channels,
                out_channels=channels,
                layers_per_block=lpb,
                block_out_channels=tuple(w * m for m in mult),
                down_block_types=("DownBlock2D",) * len(mult),
                up_block_types=("UpBlock2D",) * len(mult),
                norm_num_groups=8,
            )
            with torch.device("meta"):  # counting only: no init work
                n = sum(p.numel() for p in UNet2DModel(**cfg).parameters())
            if best is None or abs(n - target_params) < abs(best[0] - target_params):
                best = (n, cfg)
            if n > target_params or not search:
                break
    torch.manual_seed(0)
    return UNet2DModel(**best[1]).eval()


def diffusers_run(unet: Any, nfe: int, batch: int, device: torch.device) -> Callable[[], Tensor]:
    """diffusers' own loop: DPMSolverMultistepScheduler.set_timesteps(nfe), one unet call per step."""
    from diffusers import DPMSolverMultistepScheduler

    sched = DPMSolverMultistepScheduler(num_train_timesteps=1000)
    c, h, w = unet.config.in_channels, unet.config.sample_size, unet.config.sample_size

    @torch.no_grad()
    def run() -> Tensor:
        sched.set_timesteps(nfe, device=device)
        x = torch.randn(batch, c, h, w, generator=torch.Generator().manual_seed(0)).to(device)
        for t in sched.timesteps:
            x = sched.step(unet(x, t).sample, t, x).prev_sample
        return x

    return run


def network_rows(
    models: list[str],
    nfes: tuple[int, ...] = NFES,
    batch: int = BATCH,
    repeats: int = 3,
    device: torch.device = torch.device("cpu"),
    match: bool = True,
) -> dict[str, Any]:
    """The table of the module docstring (one diffusers baseline per NFE: the models share one architecture)."""
    rows: list[dict[str, Any]] = []
    base: dict[int, dict[str, float]] = {}
    unet = None
    for name in models:
        m = get_model(name, device)
        params = sum(p.numel() for p in m.net.parameters())
        if unet is None:
            unet = diffusers_unet(params, m.spec.shape[0], m.spec.shape[1], search=match).to(device)
        law = STEP_LAW.get(m.spec.pair or "", "gaussian")  # the pair's q, else Gaussian
        for nfe in nfes:
            sig = S.model_sigmas(m, "karras", nfe)
            ours = {
                s: (lambda s=s, lw=lw, m=m, sig=sig: S.run_sampler(m, s, sig, batch, 0, lw))
                for s, lw in (("dpmpp_2m", "gaussian"), ("ddpm_ancestral", law))
            }
            theirs = diffusers_run(unet, nfe, batch, device)
            if nfe == nfes[0]:
                for f in (*ours.values(), theirs):
                    f()  # warm-up (once per model)
            t: dict[str, list[tuple[float, float]]] = {k: [] for k in (*ours, "diffusers")}
            for _ in range(repeats):
                for k, f in ours.items():
                    t[k].append(timed(f, m.net, device))
                t["diffusers"].append(timed(theirs, unet, device))
            med = {
                k: (statistics.median(a for a, _ in v), statistics.median(a / b for a, b in v)) for k, v in t.items()
            }
            base[nfe] = {"images_per_s": batch / med["diffusers"][0], "overhead": med["diffusers"][1]}
            for k in ours:
                rows.append(
                    {
                        "model": name,
                        "sampler": k,
                        "noise_law": "gaussian" if k == "dpmpp_2m" else law,
                        "nfe": nfe,
                        "batch": batch,
                        "seconds": med[k][0],
                        "images_per_s": batch / med[k][0],
                        "overhead": med[k][1],
                        "ratio_vs_diffusers": (batch / med[k][0]) / base[nfe]["images_per_s"],
                    }
                )
    dparams = sum(p.numel() for p in unet.parameters()) if unet is not None else None
    return {
        "device": str(device),
        "threads": torch.get_num_threads(),
        "repeats": repeats,
        "rows": rows,
        "diffusers": {
            "model": "UNet2DModel",
            "scheduler": "DPMSolverMultistepScheduler",
            "params": dparams,
            "config": dict(unet.config) if unet is not None else None,
            "per_nfe": {str(k): v for k, v in base.items()},
        },
    }


def mnist_models() -> list[str]:
    """The trained MNIST networks of the registry (their sidecars say dataset mnist)."""
    return [n for n, side in SIDECARS.items() if side.get("dataset") == "mnist" and n in SPECS]  # not scale-space


def click_latency(
    model: str,
    repeats: int = 3,
    n: int = 16,
    steps: int = 10,
    samplers: tuple[str, ...] = ("euler", "dpmpp_2m", "ddpm_ancestral"),
) -> dict[str, Any]:
    """Seconds of one Samplers-tab click (handler `sample_compare`, 3 samplers x n samples at NFE `steps`, the
    classifier numbers included, the NFE sweep not: it follows the samples), one torch thread as the app serves."""

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        view = SamplersView(model=model, samplers=samplers, steps=steps, n=n, device="cpu")
        sample_compare(SamplersView(model=model, samplers=samplers[:2], steps=1, n=2, device="cpu"))  # warm-up
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            sample_compare(view)
            ts.append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(threads)
    return {
        "model": model,
        "samplers": list(samplers),
        "n": n,
        "nfe": steps,
        "repeats": repeats,
        "seconds_median": statistics.median(ts),
        "seconds_min": min(ts),
        "target_seconds": 3.0,
        "load_avg_1min": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m diffusion_core.bench.network_speed benchmarks [--repeats N] [--models M ...]`:
    benchmarks/sampling-networks.json (the speed table and one click; the README's row reads it)."""
    ap = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--models", nargs="*", default=None, help="default: every MNIST model")
    a = ap.parse_args(argv)
    models = a.models or mnist_models()
    res = network_rows(models, repeats=a.repeats)
    res["click"] = click_latency(models[0], repeats=a.repeats)
    res["load_avg_1min_end"] = os.getloadavg()[0]
    (a.out / "sampling-networks.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
