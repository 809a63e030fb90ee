"""The one training loop: `fit(run, net, objective)` under torchrun/DDP, seeded, with an EMA of the weights.

Randomness: rank r draws its batches' noise (and an endless data set's batches) from torch.Generator seeded
seed * 1009 + r; a finite data set goes in epochs split disjointly between the ranks (models/datasets.rank_batches);
the network comes in built (from torch.manual_seed(seed), the same on every rank; DDP broadcasts it anyway)
and the EMA starts as a copy of it. The same preset and world size give the same weights.
Devices (devices.py): each rank trains on `rank_device(device, LOCAL_RANK)` (cuda:LOCAL_RANK on a GPU
machine, one GPU per rank; DDP over nccl there, gloo on the CPU). Batches and noise are drawn on the CPU
from the rank's generator and copied to the device, so the draws do not depend on it.
Learning rate: linear warm-up to lr, then cosine decay to lr / 20; EMA decay min(ema, (1 + k) / (10 + k)).
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable
from typing import Any, Protocol

import torch
from torch import nn

from ..devices import dist_backend, local_rank, rank_device
from ..models.datasets import DATASETS, rank_batches
from ..validation import InputError

Tensor = torch.Tensor


class Run(Protocol):
    """The settings `fit` reads from a training preset (training/edm.TrainPreset, training/scale_space.ScaleSpacePreset)."""

    dataset: str
    steps: int
    batch_size: int
    lr: float
    warmup: int
    seed: int
    ema: float
    threads: int
    log_every: int


class Objective(Protocol):
    """objective(net, x0, g) -> the batch's loss (training/loss.py); record() -> extra numbers for the run."""

    find_unused: bool

    def __call__(self, net: nn.Module, x0: Tensor, g: torch.Generator) -> Tensor: ...

    def record(self) -> dict[str, Any]: ...


def lr_at(step: int, p: Run) -> float:
    """Linear warm-up to lr, then cosine decay to lr / 20."""
    if step < p.warmup:
        return p.lr * (step + 1) / p.warmup
    frac = (step - p.warmup) / max(1, p.steps - p.warmup)
    return p.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))


# ---------------------------------------------------------------------------------------------
# Distributed set-up (torchrun sets RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT)


def under_torchrun() -> bool:
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def init_distributed(device: torch.device) -> tuple[int, int]:
    """(rank, world): initialise the process group when world > 1 (nccl for CUDA ranks, gloo on the CPU)."""
    if not under_torchrun():
        return 0, 1
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    if world > 1 and not torch.distributed.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        torch.distributed.init_process_group(dist_backend(device))
    return rank, world


def all_mean(x: float, world: int, device: torch.device = torch.device("cpu")) -> float:
    if world == 1:
        return x
    t = torch.tensor([x], dtype=torch.float64 if device.type == "cpu" else torch.float32, device=device)
    torch.distributed.all_reduce(t)
    return float(t[0]) / world


# ---------------------------------------------------------------------------------------------
# The loop


@torch.no_grad()
def ema_update(ema: nn.Module, net: nn.Module, decay: float) -> None:
    """theta_ema <- decay theta_ema + (1 - decay) theta."""
    for e, q in zip(ema.parameters(), net.parameters()):
        e.lerp_(q, 1.0 - decay)


def fit(
    run: Run, net: nn.Module, objective: Objective, log: Any = print, device: str = "cpu"
) -> tuple[nn.Module, dict[str, Any]]:
    """Train (this rank's share of) `run` on `device` by `objective`, starting from `net`; returns the EMA
    network (on the CPU) and the run's numbers."""
    dev = rank_device(device, local_rank())
    rank, world = init_distributed(dev)
    torch.set_num_threads(run.threads)
    if run.batch_size % world:
        raise InputError(f"batch_size {run.batch_size} is not divisible by the {world} processes")
    net = net.to(dev)
    ema = copy.deepcopy(net)  # the same start, read once (init: one hash check)
    ids = [dev.index] if dev.type == "cuda" else None
    model = (
        nn.parallel.DistributedDataParallel(net, device_ids=ids, find_unused_parameters=objective.find_unused)
        if world > 1
        else net
    )
    opt = torch.optim.Adam(net.parameters(), lr=run.lr)
    g = torch.Generator().manual_seed(run.seed * 1009 + rank)
    batches = rank_batches(DATASETS[run.dataset], run.batch_size, rank, world, run.seed, g)
    losses, t0 = [], time.perf_counter()
    for step in range(run.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, run)
        loss = objective(model, next(batches), g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema_update(ema, net, min(run.ema, (1 + step) / (10 + step)))
        losses.append(float(loss.detach()))
        if rank == 0 and ((step + 1) % run.log_every == 0 or step + 1 == run.steps):
            el = time.perf_counter() - t0
            last = losses[-run.log_every :]
            log(
                f"step {step + 1}/{run.steps} loss {sum(last) / len(last):.5f} "
                f"lr {lr_at(step, run):.2e} {el:.0f}s ({(step + 1) / el:.2f} steps/s)",
                flush=True,
            )
    tail = losses[-max(1, run.steps // 10) :]
    record = {
        "train_time": round(time.perf_counter() - t0, 1),
        "world_size": world,
        "device": dev.type,
        "first_loss": all_mean(sum(losses[:10]) / len(losses[:10]), world, dev),
        "final_loss": all_mean(sum(tail) / len(tail), world, dev),
        **objective.record(),
        "loss_curve": [
            round(sum(losses[i : i + run.log_every]) / len(losses[i : i + run.log_every]), 6)
            for i in range(0, len(losses), run.log_every)
        ],
    }
    return ema.cpu().eval(), record


def fit_evaluate_save(
    fit_fn: Callable[[], tuple[Any, dict[str, Any]]],
    evaluate_fn: Callable[[Any], Any],
    save_fn: Callable[[Any, dict[str, Any], Any], dict[str, Any]],
) -> dict[str, Any] | None:
    """The body every `train` shares: fit, then on rank 0 evaluate (timed into run["eval_time"]) and save,
    then a barrier and the end of the process group. The sidecar on rank 0, None on the others."""
    net, run = fit_fn()
    rank = torch.distributed.get_rank() if torch.distributed.is_initialized() else 0
    side = None
    if rank == 0:
        t0 = time.perf_counter()
        quality = evaluate_fn(net)
        run["eval_time"] = round(time.perf_counter() - t0, 1)
        side = save_fn(net, run, quality)
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return side
