"""Training a small UNet denoiser from a preset (EDM recipe), under torchrun/DDP, seeded.

Per step (Karras et al. 2022, Sec. 5 and Table 1):
    sigma = exp(P_mean + P_std xi), xi ~ N(0, 1)            log-normal noise levels
    n ~ increment law (unit variance, increments.noise_sampler), x = x0 + sigma n
    u = sqrt(lambda(sigma)) (D(x; sigma) - x0),  lambda = 1 / c_out^2 = (sigma^2 + sd^2) / (sigma sd)^2
    loss = mean rho(u)       (u = F - F_target, the network-output error, unit scale)
rho = u^2 ("mse": EDM's loss, the Gaussian-Gaussian pair) or (2 / v^2) soft_l1(v |u|) ("soft-l1": the
Laplace-Laplace pair's d(v|r|) of losses.py, scaled to equal u^2 for small residuals and to grow
like (2 / v)|u| for large ones).
Randomness: rank r draws its sigmas and noise (and an endless data set's batches) from torch.Generator seeded
seed * 1009 + r; a finite data set goes in epochs split disjointly between the ranks (datasets.rank_batches);
the network starts from torch.manual_seed(seed) (the same on every rank; DDP broadcasts it anyway).
The same preset and world size give the same weights.
Devices (devices.py): each rank trains on `rank_device(device, LOCAL_RANK)` (cuda:LOCAL_RANK on a GPU
machine, one GPU per rank; DDP over nccl there, gloo on the CPU). Batches, sigmas and noise are drawn
on the CPU from the rank's generator and copied to the device, so the draws do not depend on it.
A preset with `pair` set trains Li's construction instead (Gaussian marginal, the pair's per-step loss in
r = eps - eps_theta with the w_k, v_k of `chain_steps` steps; models/vp_chain.py).
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from ..devices import dist_backend, local_rank, rank_device
from ..nonnormal.laws import LAWS, noise_sampler
from ..nonnormal.losses import soft_l1
from .datasets import DATASETS, rank_batches
from .unet import NetDenoiser, UNet, UNetConfig, param_count, precond
from .vp_chain import TRAINED_PAIRS, li_loss
from ..validation import InputError, check_choice, check_int, check_range

Tensor = torch.Tensor
LOSSES = ("mse", "soft-l1")


@dataclass(frozen=True)
class TrainPreset:
    """One `presets/train/*.toml` file (unknown keys are errors)."""

    name: str                              # output: models/weights/<name>.safetensors + <name>.json
    dataset: str = "field-beta2-32"        # models/datasets.py
    steps: int = 1000                      # optimiser steps
    batch_size: int = 64                   # global batch (split across ranks)
    lr: float = 2e-3                       # Adam peak learning rate (linear warm-up, cosine decay to lr/20)
    warmup: int = 100                      # warm-up steps
    seed: int = 0
    p_mean: float = -1.2                   # EDM log-normal sigma: ln sigma ~ N(p_mean, p_std^2)
    p_std: float = 1.2
    sigma_data: float = 0.5                # expected std of the data
    increment_law: str = "gaussian"        # law of the forward noise n (increments.LAWS)
    loss: Literal["mse", "soft-l1"] = "mse"
    loss_v: float = 1.0                    # v of the soft-l1 loss (residual scale of the L2 -> L1 switch)
    ema: float = 0.999                     # EMA decay of the saved weights (0 = last iterate)
    width: int = 24                        # UNet feature channels at full resolution
    mults: tuple[int, ...] = (1, 2, 2)
    emb: int = 64
    blocks: int = 1                        # ResBlocks per UNet level
    attention: bool = False                # self-attention at the UNet's lowest resolution
    padding: Literal["circular", "zeros"] = "circular"
    threads: int = 1                       # torch threads per process
    nproc: int = 1                         # processes per node (torchrun --nproc-per-node)
    log_every: int = 100
    pair: str = ""                         # Li's construction (models/vp_chain.py): "" = the EDM loss above
    chain_steps: int = 50                  # N of the discrete chain whose w_k, v_k shape the pair's loss
    init: str = ""                         # start from this shipped model's weights (same architecture); "" = seed

    def __post_init__(self) -> None:
        if not self.name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits, '-' or '_', got {self.name!r}")
        check_choice("dataset", self.dataset, DATASETS)
        check_choice("increment law", self.increment_law, LAWS)
        check_int("steps", self.steps, 1, 1_000_000)
        check_int("batch_size", self.batch_size, 1, 4096)
        check_int("warmup", self.warmup, 0, 1_000_000)
        check_int("seed", self.seed, 0, 2**20)
        check_int("width", self.width, 4, 256)
        check_int("blocks", self.blocks, 1, 4)
        check_int("threads", self.threads, 1, 64)
        check_int("nproc", self.nproc, 1, 64)
        check_int("log_every", self.log_every, 1, 1_000_000)
        check_range("lr", self.lr, 0.0, 1.0, lo_open=True)
        check_range("p_std", self.p_std, 0.0, 10.0, lo_open=True)
        check_range("loss_v", self.loss_v, 0.0, 100.0, lo_open=True)
        check_range("ema", self.ema, 0.0, 1.0)
        check_range("sigma_data", self.sigma_data, 0.0, 10.0, lo_open=True)
        check_int("chain_steps", self.chain_steps, 1, 100_000)
        if self.pair:
            check_choice("pair", self.pair, TRAINED_PAIRS)
            if (self.increment_law, self.loss) != ("gaussian", "mse"):
                raise ValueError("a pair preset keeps the Gaussian marginal: leave increment_law and loss unset")
        if not self.mults or any(m < 1 or m > 8 for m in self.mults) or len(self.mults) > 4:
            raise ValueError(f"mults must be 1 to 4 integers in 1..8, got {list(self.mults)}")
        if self.init:
            init_sidecar(self)

    def unet_config(self) -> UNetConfig:
        return UNetConfig(channels=DATASETS[self.dataset].shape[0], width=self.width, mults=self.mults,
                          emb=self.emb, padding=self.padding, sigma_data=self.sigma_data, blocks=self.blocks,
                          attention=self.attention)


# ---------------------------------------------------------------------------------------------
# The loss


def edm_weight(sigma: Tensor, sigma_data: float) -> Tensor:
    """lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2 (EDM Table 1)."""
    return (sigma**2 + sigma_data**2) / (sigma * sigma_data) ** 2


def residual_loss(r: Tensor, kind: str, v: float) -> Tensor:
    """rho(r) per element: r^2 (mse) or (2 / v^2) soft_l1(v |r|) (soft-l1)."""
    return r**2 if kind == "mse" else 2.0 * soft_l1(v * r.abs()) / v**2


def lr_at(step: int, p: TrainPreset) -> float:
    """Linear warm-up to lr, then cosine decay to lr / 20."""
    if step < p.warmup:
        return p.lr * (step + 1) / p.warmup
    frac = (step - p.warmup) / max(1, p.steps - p.warmup)
    return p.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))


def batch_loss(net: nn.Module, p: TrainPreset, x0: Tensor, g: torch.Generator, noise: Any) -> Tensor:
    """One EDM training loss on a batch x0 [B, C, H, W] (drawn on the CPU; computed on the net's device)."""
    dev = next(net.parameters()).device
    sigma = torch.exp(p.p_mean + p.p_std * torch.randn(x0.shape[0], generator=g)).to(dev)      # [B]
    n = noise(x0.shape, g, torch.float32).to(dev)
    x0 = x0.to(dev)
    x = x0 + sigma.reshape(-1, 1, 1, 1) * n
    d = precond(net, x, sigma, p.sigma_data)                               # net: UNet or DDP(UNet)
    if p.pair:
        return li_loss(d, x0, sigma, p.pair, p.chain_steps, p.sigma_data)
    u = (d - x0) * edm_weight(sigma, p.sigma_data).sqrt().reshape(-1, 1, 1, 1)     # = F - F_target
    return residual_loss(u, p.loss, p.loss_v).mean()


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


def new_net(p: TrainPreset) -> UNet:
    """The initial network: the weights of the shipped model `p.init` (hash-checked, same architecture), else
    torch.manual_seed(p.seed) in a forked RNG (the global state is untouched)."""
    if p.init:
        return init_net(p)
    with torch.random.fork_rng():
        torch.manual_seed(p.seed)
        return UNet(p.unet_config())


def init_sidecar(p: TrainPreset) -> dict[str, Any]:
    """The sidecar of the shipped trained model `p.init`, when its architecture is the preset's."""
    from .registry import SIDECARS

    side = SIDECARS.get(p.init)
    if side is None or side.get("kind") != "trained":
        raise ValueError(f"init must name a shipped trained model (difflab models), got {p.init!r}")
    want = p.unet_config().to_json()
    if side["arch"] != want:
        diff = ", ".join(f"{k} {side['arch'].get(k)} (preset: {v})" for k, v in want.items()
                         if side["arch"].get(k) != v)
        raise ValueError(f"init {p.init} has another architecture: {diff}")
    return side


def init_net(p: TrainPreset) -> UNet:
    """The shipped trained model `p.init` as a fresh UNet (weights hash-checked, never unpickled)."""
    from .registry import SPECS, load_weights

    init_sidecar(p)
    net = UNet(p.unet_config())
    net.load_state_dict(load_weights(SPECS[p.init]), strict=True)
    return net


def init_record(p: TrainPreset) -> dict[str, Any]:
    """The sidecar's provenance of a continued run: the model it started from and that model's own budget."""
    if not p.init:
        return {}
    side = init_sidecar(p)
    return {"init": {"name": p.init, "sha256": side["sha256"], "steps": side["steps"],
                     "train_time": side["train_time"]}}


@torch.no_grad()
def ema_update(ema: nn.Module, net: nn.Module, decay: float) -> None:
    """theta_ema <- decay theta_ema + (1 - decay) theta."""
    for e, q in zip(ema.parameters(), net.parameters()):
        e.lerp_(q, 1.0 - decay)


def fit(p: TrainPreset, log: Any = print, device: str = "cpu") -> tuple[UNet, dict[str, Any]]:
    """Train (this rank's share of) the preset on `device`; returns the EMA network (on the CPU) and the run's numbers."""
    dev = rank_device(device, local_rank())
    rank, world = init_distributed(dev)
    torch.set_num_threads(p.threads)
    if p.batch_size % world:
        raise InputError(f"batch_size {p.batch_size} is not divisible by the {world} processes")
    ds, net = DATASETS[p.dataset], new_net(p).to(dev)
    ema = copy.deepcopy(net)                         # the same start, read once (init: one hash check)
    ids = [dev.index] if dev.type == "cuda" else None
    model = nn.parallel.DistributedDataParallel(net, device_ids=ids) if world > 1 else net
    opt = torch.optim.Adam(net.parameters(), lr=p.lr)
    g, noise = torch.Generator().manual_seed(p.seed * 1009 + rank), noise_sampler(p.increment_law)
    batches, losses, t0 = rank_batches(ds, p.batch_size, rank, world, p.seed, g), [], time.perf_counter()
    for step in range(p.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, p)
        loss = batch_loss(model, p, next(batches), g, noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema_update(ema, net, min(p.ema, (1 + step) / (10 + step)))
        losses.append(float(loss.detach()))
        if rank == 0 and ((step + 1) % p.log_every == 0 or step + 1 == p.steps):
            el = time.perf_counter() - t0
            log(f"step {step + 1}/{p.steps} loss {sum(losses[-p.log_every:]) / len(losses[-p.log_every:]):.5f} "
                f"lr {lr_at(step, p):.2e} {el:.0f}s ({(step + 1) / el:.2f} steps/s)", flush=True)
    tail = losses[-max(1, p.steps // 10):]
    run = {"train_time": round(time.perf_counter() - t0, 1), "world_size": world, "device": dev.type,
           "first_loss": all_mean(sum(losses[:10]) / len(losses[:10]), world, dev),
           "final_loss": all_mean(sum(tail) / len(tail), world, dev),
           "loss_curve": [round(sum(losses[i:i + p.log_every]) / len(losses[i:i + p.log_every]), 6)
                          for i in range(0, len(losses), p.log_every)]}
    return ema.cpu().eval(), run


# ---------------------------------------------------------------------------------------------
# Output: safetensors (state dict only) + JSON sidecar


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_weights(net: nn.Module, out_dir: Path, name: str) -> Path:
    """<out_dir>/<name>.safetensors: the state dict only (never a pickle); returns its path."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.safetensors"
    save_file({k: v.detach().contiguous().clone() for k, v in net.state_dict().items()}, str(path))
    return path


def save_model(net: UNet, p: TrainPreset, run: dict[str, Any], out_dir: Path, preset_path: str | None,
               quality: dict[str, Any] | None) -> dict[str, Any]:
    """Write <name>.safetensors and <name>.json; returns the sidecar dict."""
    path = write_weights(net, out_dir, p.name)
    ds = DATASETS[p.dataset]
    side = {"name": p.name, "kind": "trained", "dataset": p.dataset, "dataset_label": ds.label,
            "shape": list(ds.shape), "weights": path.name, "sha256": sha256_of(path), "params": param_count(net),
            "increment_law": p.increment_law, "loss": p.loss, "preset": preset_path, "steps": p.steps,
            "batch_size": p.batch_size, "seed": p.seed, "arch": p.unet_config().to_json(), **run,
            **({"pair": p.pair, "chain_steps": p.chain_steps} if p.pair else {}), **init_record(p),
            "quality": quality}
    (out_dir / f"{p.name}.json").write_text(json.dumps(side, indent=1) + "\n")
    return side


def evaluate(net: UNet, p: TrainPreset, quick: bool = False) -> dict[str, Any] | None:
    """Quality against the exact answer (data sets with one), models/evaluate.py."""
    from .evaluate import field_quality

    ds = DATASETS[p.dataset]
    if ds.exact is None:
        return None
    n_d, n_s = (64, 32) if quick else (512, 256)
    return field_quality(NetDenoiser(net), ds.exact(), ds.draw, ds.shape, n_denoise=n_d, n_samples=n_s)


def fit_evaluate_save(fit_fn: Callable[[], tuple[Any, dict[str, Any]]], evaluate_fn: Callable[[Any], Any],
                      save_fn: Callable[[Any, dict[str, Any], Any], dict[str, Any]]) -> dict[str, Any] | None:
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


def train(p: TrainPreset, out_dir: Path, preset_path: str | None = None, quick_eval: bool = False,
          log: Any = print, device: str = "cpu") -> dict[str, Any] | None:
    """fit (on `device`) + (rank 0) evaluate + save; returns the sidecar on rank 0, None on the others."""
    return fit_evaluate_save(lambda: fit(p, log, device), lambda net: evaluate(net, p, quick_eval),
                             lambda net, run, quality: save_model(net, p, run, out_dir, preset_path, quality))
