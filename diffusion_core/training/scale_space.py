"""Training the Flexi-UNet for scale-space diffusion (reference scale-space.md §4), from a preset with
`objective = "scale-space"`, by the same `difflab train` command (torchrun/DDP, seeded, safetensors).

The objective is training/loss.ScaleSpaceLoss (one band and path per batch, min-SNR x0 loss); levels = 1 is
plain full-resolution diffusion with the same network (path 32 -> 32 always): the baseline. The loop is
training/loop.fit, as for every preset; rank 0 then scores the samples (training/flexi_quality.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch

from .. import scale_space as ss
from ..models.datasets import DATASETS
from ..networks.flexi_unet import FlexiConfig, FlexiUNet
from ..networks.weights import save_with_sidecar
from ..presets import from_dict, parse_toml, resolve_preset_path
from ..validation import InputError, check_choice, check_int, check_range
from .edm import TrainPreset
from .flexi_quality import flexi_quality
from .gud import GUDPreset
from .loop import fit, fit_evaluate_save
from .loss import ScaleSpaceLoss, batch_loss, draw_batch, pad_to

Tensor = torch.Tensor


@dataclass(frozen=True)
class ScaleSpacePreset:
    """One `presets/train/*.toml` file with objective = "scale-space" (unknown keys are errors)."""

    name: str
    objective: Literal["scale-space"] = "scale-space"
    dataset: str = "mnist"  # models/datasets.py; padded to pad_to x pad_to
    pad_to: int = 32  # R: the top resolution (MNIST 28 -> 32, background -1)
    levels: int = 3  # level schedule R, R/2, ..., R/2^(L-1); 1 = full-resolution baseline
    family: Literal["convex", "equal", "sigmoid", "tanh"] = "convex"
    gamma: float = 0.5  # ConvexDecay_gamma
    T: int = 1000  # DDPM linear betas 1e-4 -> 0.02
    min_snr: float = 5.0  # min-SNR-gamma weight of the x0 loss
    p_up: float = 0.25  # share of coarse-band batches on the resolution-increasing path
    steps: int = 2000
    batch_size: int = 64
    lr: float = 2e-3  # Adam, linear warm-up, cosine decay to lr / 20
    warmup: int = 100
    seed: int = 0
    ema: float = 0.999
    width: int = 32  # Flexi-UNet width at level 0
    mults: tuple[int, ...] = (1, 1, 1)  # one per network level (>= levels)
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
        self.schedule()  # size / levels / family / T
        cfg = self.flexi_config()
        if self.levels > cfg.levels:
            raise InputError(
                f"levels {self.levels} needs at least {self.levels} network levels (mults), got {cfg.levels}"
            )

    def schedule(self) -> ss.ResolutionSchedule:
        return ss.resolution_schedule(self.pad_to, self.levels, self.family, self.gamma, self.T)

    def flexi_config(self) -> FlexiConfig:
        return FlexiConfig(
            channels=DATASETS[self.dataset].shape[0],
            size=self.pad_to,
            width=self.width,
            mults=self.mults,
            emb=self.emb,
            padding=self.padding,
        )

    def build_objective(self) -> ScaleSpaceLoss:
        return ScaleSpaceLoss(self.schedule(), self.pad_to, self.p_up, self.min_snr, self.seed)

    def schedule_json(self) -> dict[str, Any]:
        return {"size": self.pad_to, "levels": self.levels, "family": self.family, "gamma": self.gamma, "T": self.T}


def load_train_preset(path: str) -> ScaleSpacePreset | TrainPreset | GUDPreset:
    """A presets/train file as ScaleSpacePreset (objective = "scale-space"), GUDPreset (objective = "gud"), else
    TrainPreset."""
    raw = parse_toml(resolve_preset_path(path).read_text())
    kinds: dict[Any, type] = {"scale-space": ScaleSpacePreset, "gud": GUDPreset}
    return from_dict(raw, kinds.get(raw.get("objective"), TrainPreset))


# ---------------------------------------------------------------------------------------------
# The initial network


def new_flexi(p: ScaleSpacePreset) -> FlexiUNet:
    """The initial network, from torch.manual_seed(p.seed) in a forked RNG."""
    with torch.random.fork_rng():
        torch.manual_seed(p.seed)
        return FlexiUNet(p.flexi_config())


# ---------------------------------------------------------------------------------------------
# Output: safetensors (state dict only) + JSON sidecar, the registry's format


def save_flexi(
    net: FlexiUNet,
    p: ScaleSpacePreset,
    run: dict[str, Any],
    out_dir: Path,
    preset_path: str | None,
    quality: dict[str, Any] | None,
) -> dict[str, Any]:
    """Write <name>.safetensors and <name>.json (kind "scale-space"); returns the sidecar dict."""
    ds = DATASETS[p.dataset]
    head = {
        "name": p.name,
        "kind": "scale-space",
        "dataset": p.dataset,
        "dataset_label": ds.label,
        "shape": [ds.shape[0], p.pad_to, p.pad_to],
        "data_shape": list(ds.shape),
    }
    rest = {
        "increment_law": "gaussian",
        "loss": f"x0 mse, min-SNR-{p.min_snr:g}",
        "preset": preset_path,
        "steps": p.steps,
        "batch_size": p.batch_size,
        "seed": p.seed,
        "p_up": p.p_up,
        "schedule": p.schedule_json(),
        "arch": p.flexi_config().to_json(),
        **run,
        "quality": quality,
    }
    return save_with_sidecar(net, out_dir, head, rest)


def evaluate(net: FlexiUNet, p: ScaleSpacePreset, quick: bool = False) -> dict[str, Any] | None:
    """Sample quality of the trained network (training/flexi_quality.py), None when the data set has no metric."""
    return flexi_quality(net, p.schedule(), p.dataset, quick=quick)


def train(
    p: ScaleSpacePreset,
    out_dir: Path,
    preset_path: str | None = None,
    quick_eval: bool = False,
    log: Any = print,
    device: str = "cpu",
) -> dict[str, Any] | None:
    """fit (on `device`) + (rank 0) evaluate on the CPU + save; returns the sidecar on rank 0, None on the others."""
    return fit_evaluate_save(
        lambda: fit(p, new_flexi(p), p.build_objective(), log, device),
        lambda net: evaluate(net, p, quick_eval),
        lambda net, run, quality: save_flexi(net, p, run, out_dir, preset_path, quality),
    )


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
