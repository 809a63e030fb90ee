"""Training the Flexi-UNet for scale-space diffusion (reference scale-space.md §4), from a preset with
`objective = "scale-space"`, by the same `difflab train` command (torchrun/DDP, seeded, safetensors).

Per step, on data padded to R x R (MNIST 28 -> 32 with the background value -1):
    band    t0 ~ U{0..T-1} picks the level l = l(t0); the whole batch draws t ~ U(band of l), so it
            shares one shape (the official rule: a batch never mixes resolutions)
    path    resolution-preserving (x0 at r(t)), or with probability p_up when l > 0 the
            resolution-increasing step (x0 at 2 r(t)); the official code meets the latter only at the
            switch t itself, drawing it across the band lets any sampling stride hit a trained switch
    x_t     = sqrt(abar_t) M_{0:t} x0 + sqrt(1 - abar_t) eps,  eps white at r(t)
    loss    min(SNR_t, min_snr) |x0_hat - M_{0:s} x0|^2 (x0 prediction, min-SNR-gamma weighting,
            Hang et al. 2023), SNR_t = abar_t / (1 - abar_t); DDPM linear betas, T steps
levels = 1 is plain full-resolution diffusion with the same network (path 32 -> 32 always): the
baseline. Band and path come from a generator seeded by `seed` alone (every rank takes the same
path); data, t and noise from seed * 1009 + rank, as in models/training.py.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import scale_space as ss
from ..presets import from_dict, parse_toml, resolve_preset_path
from ..validation import InputError, check_choice, check_int, check_range
from .datasets import DATASETS, rank_batches
from .flexi_unet import FlexiConfig, FlexiUNet, c_noise_of
from ..devices import local_rank, rank_device
from .training import (TrainPreset, all_mean, ema_update, fit_evaluate_save, init_distributed, lr_at,
                       sha256_of, write_weights)
from .unet import param_count

Tensor = torch.Tensor


@dataclass(frozen=True)
class ScaleSpacePreset:
    """One `presets/train/*.toml` file with objective = "scale-space" (unknown keys are errors)."""

    name: str
    objective: Literal["scale-space"] = "scale-space"
    dataset: str = "mnist"                 # models/datasets.py; padded to pad_to x pad_to
    pad_to: int = 32                       # R: the top resolution (MNIST 28 -> 32, background -1)
    levels: int = 3                        # level schedule R, R/2, ..., R/2^(L-1); 1 = full-resolution baseline
    family: Literal["convex", "equal", "sigmoid", "tanh"] = "convex"
    gamma: float = 0.5                     # ConvexDecay_gamma
    T: int = 1000                          # DDPM linear betas 1e-4 -> 0.02
    min_snr: float = 5.0                   # min-SNR-gamma weight of the x0 loss
    p_up: float = 0.25                     # share of coarse-band batches on the resolution-increasing path
    steps: int = 2000
    batch_size: int = 64
    lr: float = 2e-3                       # Adam, linear warm-up, cosine decay to lr / 20
    warmup: int = 100
    seed: int = 0
    ema: float = 0.999
    width: int = 32                        # Flexi-UNet width at level 0
    mults: tuple[int, ...] = (1, 1, 1)     # one per network level (>= levels)
    emb: int = 64
    padding: Literal["circular", "zeros"] = "zeros"
    threads: int = 1
    nproc: int = 1
    log_every: int = 100

    def __post_init__(self) -> None:
        if not self.name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits, '-' or '_', got {self.name!r}")
        check_choice("dataset", self.dataset, DATASETS)
        check_int("steps", self.steps, 1, 1_000_000)
        check_int("batch_size", self.batch_size, 1, 4096)
        check_int("warmup", self.warmup, 0, 1_000_000)
        check_int("seed", self.seed, 0, 2**20)
        check_int("threads", self.threads, 1, 64)
        check_int("nproc", self.nproc, 1, 64)
        check_int("log_every", self.log_every, 1, 1_000_000)
        check_range("lr", self.lr, 0.0, 1.0, lo_open=True)
        check_range("ema", self.ema, 0.0, 1.0)
        check_range("min_snr", self.min_snr, 0.0, 1e6, lo_open=True)
        check_range("p_up", self.p_up, 0.0, 1.0)
        side = DATASETS[self.dataset].shape[-1]
        if side > self.pad_to:
            raise InputError(f"pad_to must be at least the data side {side}, got {self.pad_to}")
        self.schedule()                                                    # size / levels / family / T
        cfg = self.flexi_config()
        if self.levels > cfg.levels:
            raise InputError(f"levels {self.levels} needs at least {self.levels} network levels (mults), "
                             f"got {cfg.levels}")

    def schedule(self) -> ss.ResolutionSchedule:
        return ss.resolution_schedule(self.pad_to, self.levels, self.family, self.gamma, self.T)

    def flexi_config(self) -> FlexiConfig:
        return FlexiConfig(channels=DATASETS[self.dataset].shape[0], size=self.pad_to, width=self.width,
                           mults=self.mults, emb=self.emb, padding=self.padding)

    def schedule_json(self) -> dict[str, Any]:
        return {"size": self.pad_to, "levels": self.levels, "family": self.family, "gamma": self.gamma, "T": self.T}


def load_train_preset(path: str) -> "ScaleSpacePreset | TrainPreset":
    """A presets/train file as ScaleSpacePreset when it says objective = "scale-space", else TrainPreset."""
    raw = parse_toml(resolve_preset_path(path).read_text())
    return from_dict(raw, ScaleSpacePreset if raw.get("objective") == "scale-space" else TrainPreset)


# ---------------------------------------------------------------------------------------------
# Data, bands, the loss


def pad_to(x: Tensor, side: int) -> Tensor:
    """Centre x [B, C, h, w] on a side x side canvas of the background value -1."""
    ph, pw = side - x.shape[-2], side - x.shape[-1]
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), value=-1.0) if ph or pw else x


def min_snr_weight(abar: Tensor, gamma: float) -> Tensor:
    """min(SNR_t, gamma), SNR_t = abar_t / (1 - abar_t) (min-SNR weighting of an x0 loss)."""
    return torch.clamp(abar / (1.0 - abar), max=gamma)


def bands(sched: ss.ResolutionSchedule) -> list[tuple[int, int]]:
    """[first t, last t] of each level (level 0 first)."""
    return [(int(np.flatnonzero(sched.level == l)[0]), int(np.flatnonzero(sched.level == l)[-1]))
            for l in range(sched.levels)]


@dataclass(frozen=True)
class Batch:
    t: Tensor              # [B] timesteps
    x_t: Tensor            # [B, C, r(t), r(t)]
    target: Tensor         # [B, C, r_out, r_out]: M_{0:s} x0
    weight: Tensor         # [B] min-SNR weights
    lam: Tensor            # [B] logSNR

    def to(self, dev: torch.device) -> "Batch":
        """Drawn on the CPU from the rank's generator (device-independent draws), computed on `dev`."""
        return Batch(*(getattr(self, f).to(dev) for f in ("t", "x_t", "target", "weight", "lam")))


def draw_batch(x0: Tensor, sched: ss.ResolutionSchedule, p_up: float, gamma: float, g_path: torch.Generator,
               g: torch.Generator) -> Batch:
    """One band, one path, per-sample t and noise (module docstring)."""
    abar = ss.ddpm_alpha_bar(sched.T)
    t0 = int(torch.randint(0, sched.T, (1,), generator=g_path))
    lvl = int(sched.level[t0])
    up = lvl > 0 and float(torch.rand(1, generator=g_path)) < p_up
    lo, hi = bands(sched)[lvl]
    t = torch.randint(lo, hi + 1, (x0.shape[0],), generator=g)
    ab = abar[t].to(torch.float32)                                         # [B]
    r_in = sched.size >> lvl
    r_out = r_in * 2 if up else r_in
    m = ss.to_size(x0, r_in)
    eps = torch.randn(m.shape, generator=g)
    x_t = ab.sqrt().reshape(-1, 1, 1, 1) * m + (1 - ab).sqrt().reshape(-1, 1, 1, 1) * eps
    lam = torch.log(ab / (1 - ab))
    return Batch(t, x_t, ss.to_size(x0, r_out), min_snr_weight(ab, gamma), lam)


def batch_loss(net: nn.Module, b: Batch) -> Tensor:
    """mean_b w_b mean_pixels (x0_hat - target)^2."""
    out = net(b.x_t, c_noise_of(b.lam), b.target.shape[-1])
    return (b.weight * (out - b.target).pow(2).mean(dim=(1, 2, 3))).mean()


# ---------------------------------------------------------------------------------------------
# The loop


def new_flexi(p: ScaleSpacePreset) -> FlexiUNet:
    """The initial network, from torch.manual_seed(p.seed) in a forked RNG."""
    with torch.random.fork_rng():
        torch.manual_seed(p.seed)
        return FlexiUNet(p.flexi_config())


def fit(p: ScaleSpacePreset, log: Any = print, device: str = "cpu") -> tuple[FlexiUNet, dict[str, Any]]:
    """Train this rank's share on `device`; returns the EMA network (on the CPU) and the run's numbers."""
    dev = rank_device(device, local_rank())
    rank, world = init_distributed(dev)
    torch.set_num_threads(p.threads)
    if p.batch_size % world:
        raise InputError(f"batch_size {p.batch_size} is not divisible by the {world} processes")
    ds, sched, net = DATASETS[p.dataset], p.schedule(), new_flexi(p).to(dev)
    ema = new_flexi(p).to(dev)
    ema.load_state_dict(net.state_dict())
    ids = [dev.index] if dev.type == "cuda" else None
    model = nn.parallel.DistributedDataParallel(net, device_ids=ids, find_unused_parameters=True) if world > 1 else net
    opt = torch.optim.Adam(net.parameters(), lr=p.lr)
    g, g_path = torch.Generator().manual_seed(p.seed * 1009 + rank), torch.Generator().manual_seed(p.seed)
    batches = rank_batches(ds, p.batch_size, rank, world, p.seed, g)
    losses, levels_seen, t0 = [], [0] * p.levels, time.perf_counter()
    for step in range(p.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, p)                                  # type: ignore[arg-type]
        b = draw_batch(pad_to(next(batches), p.pad_to), sched, p.p_up, p.min_snr, g_path, g)
        levels_seen[int(sched.level[int(b.t[0])])] += 1
        loss = batch_loss(model, b.to(dev))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema_update(ema, net, min(p.ema, (1 + step) / (10 + step)))
        losses.append(float(loss.detach()))
        if rank == 0 and ((step + 1) % p.log_every == 0 or step + 1 == p.steps):
            el = time.perf_counter() - t0
            log(f"step {step + 1}/{p.steps} loss {sum(losses[-p.log_every:]) / len(losses[-p.log_every:]):.5f} "
                f"lr {lr_at(step, p):.2e} {el:.0f}s ({(step + 1) / el:.2f} steps/s)", flush=True)  # type: ignore[arg-type]
    tail = losses[-max(1, p.steps // 10):]
    run = {"train_time": round(time.perf_counter() - t0, 1), "world_size": world, "device": dev.type,
           "first_loss": all_mean(sum(losses[:10]) / len(losses[:10]), world, dev),
           "final_loss": all_mean(sum(tail) / len(tail), world, dev), "batches_per_level": levels_seen,
           "loss_curve": [round(sum(losses[i:i + p.log_every]) / len(losses[i:i + p.log_every]), 6)
                          for i in range(0, len(losses), p.log_every)]}
    return ema.cpu().eval(), run


# ---------------------------------------------------------------------------------------------
# Output: safetensors (state dict only) + JSON sidecar, the registry's format


def save_flexi(net: FlexiUNet, p: ScaleSpacePreset, run: dict[str, Any], out_dir: Path, preset_path: str | None,
               quality: dict[str, Any] | None) -> dict[str, Any]:
    """Write <name>.safetensors and <name>.json (kind "scale-space"); returns the sidecar dict."""
    path = write_weights(net, out_dir, p.name)
    ds = DATASETS[p.dataset]
    side = {"name": p.name, "kind": "scale-space", "dataset": p.dataset, "dataset_label": ds.label,
            "shape": [ds.shape[0], p.pad_to, p.pad_to], "data_shape": list(ds.shape), "weights": path.name,
            "sha256": sha256_of(path), "params": param_count(net), "increment_law": "gaussian",
            "loss": f"x0 mse, min-SNR-{p.min_snr:g}", "preset": preset_path, "steps": p.steps,
            "batch_size": p.batch_size, "seed": p.seed, "p_up": p.p_up, "schedule": p.schedule_json(),
            "arch": p.flexi_config().to_json(), **run, "quality": quality}
    (out_dir / f"{p.name}.json").write_text(json.dumps(side, indent=1) + "\n")
    return side


def evaluate(net: FlexiUNet, p: ScaleSpacePreset, quick: bool = False) -> dict[str, Any] | None:
    """Sample quality of the trained network (models/flexi_quality.py), None when the data set has no metric."""
    from .flexi_quality import flexi_quality

    return flexi_quality(net, p.schedule(), p.dataset, quick=quick)


def train(p: ScaleSpacePreset, out_dir: Path, preset_path: str | None = None, quick_eval: bool = False,
          log: Any = print, device: str = "cpu") -> dict[str, Any] | None:
    """fit (on `device`) + (rank 0) evaluate on the CPU + save; returns the sidecar on rank 0, None on the others."""
    return fit_evaluate_save(lambda: fit(p, log, device), lambda net: evaluate(net, p, quick_eval),
                             lambda net, run, quality: save_flexi(net, p, run, out_dir, preset_path, quality))


def seconds_per_step(p: ScaleSpacePreset, n: int = 5) -> float:
    """Measured CPU seconds of one training step (process time; for budgeting a run)."""
    ds, sched, net = DATASETS[p.dataset], p.schedule(), new_flexi(p)
    opt = torch.optim.Adam(net.parameters(), lr=p.lr)
    g, gp = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
    t0 = time.process_time()
    for _ in range(n):
        loss = batch_loss(net, draw_batch(pad_to(ds.draw(p.batch_size, g), p.pad_to), sched, p.p_up, p.min_snr, gp, g))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.process_time() - t0) / n
