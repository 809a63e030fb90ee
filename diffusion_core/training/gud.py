"""Training a GUD network from a preset (objective = "gud"): the project's UNet in a chosen basis, prior and
soft-conditioning schedule (gud/learned.py), on the data set's training split. training/loop.fit trains it with
`GUDLoss`; rank 0 writes the weights and the sidecar (kind "gud") with the space's settings, which the registry
reads to rebuild the same space and schedule from the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch

from ..gud.learned import (
    EDM_P_MEAN,
    EDM_P_STD,
    GAMMA_NOISE_RANGE,
    LEARNED_BASES,
    PREDICTIONS,
    TIME_SAMPLINGS,
    LearnedGUD,
)
from ..gud.orderings import overlap_fraction, threshold_a
from ..gud.schedules import GAMMA_NOISE
from ..models.datasets import DATASETS
from ..models.gud_space import SETTINGS, fitted_gud
from ..networks.unet import UNet, UNetConfig
from ..networks.weights import save_with_sidecar
from ..validation import check_choice, check_int, check_range
from .loop import fit, fit_evaluate_save
from .loss import GUDLoss


@dataclass(frozen=True)
class GUDPreset:
    """One `presets/train/*.toml` file with objective = "gud" (unknown keys are errors)."""

    name: str
    objective: Literal["gud"] = "gud"
    thread: str = "gud"
    dataset: str = "mnist"  # a finite data set (the space is fitted on all of it)
    basis: str = "pixel"  # gud/learned.LEARNED_BASES
    r: float = 0.0  # prior exponent: S = Sigma^(r/2); 0 = white prior, 1 = whitened (data-matched prior)
    a: float = 1.0  # inverse softness of the variance-ordered soft-conditioning line
    prediction: Literal["eps", "v"] = "eps"  # the network's output (gud/learned.py)
    gamma_noise: float = GAMMA_NOISE  # the band's noise end in true gamma (official code: 3.0)
    time_sampling: Literal["uniform", "edm-variance"] = "uniform"  # training times (gud/learned.train_times)
    p_mean: float = EDM_P_MEAN  # edm-variance: ln sigma ~ N(p_mean, p_std^2) (EDM's -1.2, 1.2 by default)
    p_std: float = EDM_P_STD
    steps: int = 4000
    batch_size: int = 64
    lr: float = 2e-3  # Adam, linear warm-up, cosine decay to lr / 20
    warmup: int = 200
    seed: int = 0
    ema: float = 0.999
    width: int = 16
    mults: tuple[int, ...] = (1, 4, 4)
    emb: int = 64
    padding: Literal["circular", "zeros"] = "zeros"
    threads: int = 1
    nproc: int = 1
    log_every: int = 100

    def __post_init__(self) -> None:
        if not self.name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits, '-' or '_', got {self.name!r}")
        check_choice("dataset", self.dataset, DATASETS)
        if DATASETS[self.dataset].items is None:
            raise ValueError(f"a GUD network needs a finite data set to fit its space, {self.dataset} is endless")
        check_choice("basis", self.basis, LEARNED_BASES)
        check_range("r", self.r, 0.0, 1.0)
        check_range("a", self.a, 0.0, 100.0)
        check_choice("prediction", self.prediction, PREDICTIONS)
        check_range("gamma_noise", self.gamma_noise, *GAMMA_NOISE_RANGE)
        check_choice("time_sampling", self.time_sampling, TIME_SAMPLINGS)
        check_range("p_mean", self.p_mean, -10.0, 10.0)
        check_range("p_std", self.p_std, 0.0, 10.0, lo_open=True)
        check_int("steps", self.steps, 1, 1_000_000)
        check_int("batch_size", self.batch_size, 1, 4096)
        check_int("threads", self.threads, 1, 64)
        check_int("nproc", self.nproc, 1, 64)
        check_range("lr", self.lr, 0.0, 1.0, lo_open=True)
        check_range("ema", self.ema, 0.0, 1.0)

    def unet_config(self) -> UNetConfig:
        return UNetConfig(
            channels=DATASETS[self.dataset].shape[0],
            width=self.width,
            mults=self.mults,
            emb=self.emb,
            padding=self.padding,
            sigma_data=1.0,  # unused: the GUD network is not EDM-preconditioned
        )


def space_of(p: GUDPreset) -> LearnedGUD:
    """The space and schedule of a preset's GUD network, fitted on the whole finite data set."""
    return fitted_gud(p.dataset, **{k: getattr(p, k) for k in SETTINGS})


def gud_record(g: LearnedGUD) -> dict[str, Any]:
    """The sidecar's `gud` entry: settings (to rebuild the space) and readouts of the schedule."""
    s = g.schedule
    return {
        "basis": g.basis,
        "r": g.r,
        "a": g.a,
        "prediction": g.prediction,
        "time_sampling": g.time_sampling,
        "p_mean": g.p_mean,
        "p_std": g.p_std,
        "ordering": "variance",
        "band": list(s.band),
        "slope": s.slope,
        "overlap_fraction": overlap_fraction(s),
        "threshold_a": threshold_a(s.labels, *s.band),
        "label_range": float(s.labels.max() - s.labels.min()),
    }


def new_unet(p: GUDPreset) -> UNet:
    with torch.random.fork_rng():
        torch.manual_seed(p.seed)
        return UNet(p.unet_config())


def save_gud(
    net: UNet, p: GUDPreset, g: LearnedGUD, run: dict[str, Any], out: Path, preset: str | None
) -> dict[str, Any]:
    ds = DATASETS[p.dataset]
    head = {"name": p.name, "kind": "gud", "dataset": p.dataset, "dataset_label": ds.label, "shape": list(ds.shape)}
    rest = {
        "increment_law": "gaussian",
        "loss": f"{p.prediction} mse in whitened components",
        "preset": preset,
        "steps": p.steps,
        "batch_size": p.batch_size,
        "seed": p.seed,
        "thread": p.thread,
        "gud": gud_record(g),
        "arch": p.unet_config().to_json(),
        **run,
        "quality": None,
    }
    return save_with_sidecar(net, out, head, rest)


def train(
    p: GUDPreset, out_dir: Path, preset_path: str | None = None, log: Any = print, device: str = "cpu"
) -> dict[str, Any] | None:
    """fit + (rank 0) save; the sample quality comes from `difflab bench thread-networks`."""
    g = space_of(p)
    return fit_evaluate_save(
        lambda: fit(p, new_unet(p), GUDLoss(g), log, device),
        lambda net: None,
        lambda net, run, quality: save_gud(net, p, g, run, out_dir, preset_path),
    )
