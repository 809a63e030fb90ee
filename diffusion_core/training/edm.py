"""Training a small UNet denoiser from a preset: EDM's recipe or Li's construction (presets/train/*.toml).

The preset picks the objective (training/loss.py: EDMLoss with the preset's increment law and rho, or
LiPairLoss when `pair` is set), the UNet (networks/unet.py; from torch.manual_seed(seed), or the shipped
weights of the model named by `init`) and the data set (models/datasets.py); training/loop.fit trains it,
then rank 0 scores it against the exact answer (evaluation/denoising.py) and writes the weights
(networks/weights.py) and the JSON sidecar the registry reads.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from ..evaluation.denoising import field_quality
from ..models.datasets import DATASETS
from ..models.registry import SIDECARS, SPECS, load_weights
from ..networks.arch import net_from_config
from ..networks.unet import NetDenoiser, UNetConfig
from ..networks.unet2d import UNet2DConfig
from ..networks.weights import save_with_sidecar
from ..noise.schedules import TIGHT_DEFAULTS
from ..nonnormal.laws import LAWS
from ..nonnormal.losses import LOSS_FORMS
from ..spectral.tight import TIGHT_KINDS, Bounds, TightParams, dataset_params, dataset_tight_params, fit_gmm
from ..validation import check_choice, check_int, check_range
from .loop import fit, fit_evaluate_save
from .loss import EDMLoss, InstanceTightLoss, LiPairLoss, TightLoss
from .vp_chain import TRAINED_PAIRS

Tensor = torch.Tensor
LOSSES = ("mse", "soft-l1")
SIGMA_SCHEDULES = ("lognormal", "tight", "instance")
GMM_COMPONENTS = 4  # the per-instance network's mixture over (beta, lam_lo, lam_hi)


@dataclass(frozen=True)
class TrainPreset:
    """One `presets/train/*.toml` file (unknown keys are errors)."""

    name: str  # output: models/weights/<name>.safetensors + <name>.json
    dataset: str = "field-beta2-32"  # models/datasets.py
    steps: int = 1000  # optimiser steps
    batch_size: int = 64  # global batch (split across ranks)
    lr: float = 2e-3  # Adam peak learning rate (linear warm-up, cosine decay to lr/20)
    warmup: int = 100  # warm-up steps
    seed: int = 0
    p_mean: float = -1.2  # EDM log-normal sigma: ln sigma ~ N(p_mean, p_std^2)
    p_std: float = 1.2
    sigma_data: float = 0.5  # expected std of the data
    increment_law: str = "gaussian"  # law of the forward noise n (increments.LAWS)
    loss: Literal["mse", "soft-l1"] = "mse"
    loss_v: float = 1.0  # v of the soft-l1 loss (residual scale of the L2 -> L1 switch)
    ema: float = 0.999  # EMA decay of the saved weights (0 = last iterate)
    width: int = 24  # UNet feature channels at full resolution
    mults: tuple[int, ...] = (1, 2, 2)
    emb: int = 64
    blocks: int = 1  # ResBlocks per UNet level
    attention: bool = False  # self-attention at the UNet's lowest resolution
    padding: Literal["circular", "zeros"] = "circular"
    threads: int = 1  # torch threads per process
    nproc: int = 1  # processes per node (torchrun --nproc-per-node)
    log_every: int = 100
    pair: str = ""  # Li's construction (training/vp_chain.py): "" = the EDM loss above
    chain_steps: int = 50  # N of the discrete chain whose w_k, v_k shape the pair's loss
    loss_form: Literal["coordinate", "paper"] = (
        "coordinate"  # pair loss: KL of the sampled laws, or the paper's printed form
    )
    backbone: Literal["unet", "unet2d"] = "unet"  # networks/unet.py, or diffusers' UNet2DModel (networks/unet2d.py)
    init: str = ""  # start from this shipped model's weights (same architecture); "" = seed
    sigma_schedule: Literal["lognormal", "tight", "instance"] = (
        "lognormal"  # training sigmas: EDM's log-normal, the data set's tight schedule, or each image's own
    )
    tight_kind: str = "mixed"  # tight schedule family (spectral/tight.TIGHT_KINDS), affine form
    thread: str = ""  # the paper thread the network answers for ("" = field or nonnormal, from the data set)

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
        check_choice("loss_form", self.loss_form, LOSS_FORMS)
        check_choice("backbone", self.backbone, ("unet", "unet2d"))
        check_choice("sigma_schedule", self.sigma_schedule, SIGMA_SCHEDULES)
        check_choice("tight_kind", self.tight_kind, TIGHT_KINDS)
        if self.sigma_schedule != "lognormal" and (self.pair or self.backbone != "unet" or self.dataset != "mnist"):
            raise ValueError("tight and instance sigma schedules train the project's UNet on mnist without a pair")
        if self.backbone == "unet2d" and (self.padding != "zeros" or any(self.width * m % 8 for m in self.mults)):
            raise ValueError("the unet2d backbone pads with zeros and needs width * mults divisible by 8 (GroupNorm)")
        if self.pair:
            check_choice("pair", self.pair, TRAINED_PAIRS)
            if (self.increment_law, self.loss) != ("gaussian", "mse"):
                raise ValueError("a pair preset keeps the Gaussian marginal: leave increment_law and loss unset")
        if not self.mults or any(m < 1 or m > 8 for m in self.mults) or len(self.mults) > 4:
            raise ValueError(f"mults must be 1 to 4 integers in 1..8, got {list(self.mults)}")
        if self.init:
            init_sidecar(self)

    def unet_config(self) -> UNetConfig | UNet2DConfig:
        if self.backbone == "unet2d":
            return UNet2DConfig(
                channels=DATASETS[self.dataset].shape[0],
                size=DATASETS[self.dataset].shape[-1],
                block_out_channels=tuple(self.width * m for m in self.mults),
                layers_per_block=self.blocks,
                attention=self.attention,
                sigma_data=self.sigma_data,
            )
        return UNetConfig(
            channels=DATASETS[self.dataset].shape[0],
            width=self.width,
            mults=self.mults,
            emb=self.emb,
            padding=self.padding,
            sigma_data=self.sigma_data,
            blocks=self.blocks,
            attention=self.attention,
            cond=2 if self.sigma_schedule == "instance" else 0,
        )

    def build_objective(self) -> EDMLoss:
        """EDM's loss with the preset's increment law and rho, Li's pair loss when `pair` is set, or EDM's loss
        over the data set's (tight) or each image's (instance) tight schedule."""
        if self.sigma_schedule == "tight":
            return TightLoss(data_tight(self.dataset)[0], self.tight_kind, self.sigma_data)
        if self.sigma_schedule == "instance":
            return InstanceTightLoss(data_tight(self.dataset)[0], self.tight_kind, self.sigma_data)
        if self.pair:
            return LiPairLoss(self.pair, self.chain_steps, self.p_mean, self.p_std, self.sigma_data, self.loss_form)
        return EDMLoss(self.p_mean, self.p_std, self.sigma_data, self.increment_law, self.loss, self.loss_v)


def data_tight(dataset: str) -> tuple[TightParams, Bounds]:
    """The data set's tight-schedule parameters (spectral/tight.dataset_tight_params, default thresholds)."""
    ds = DATASETS[dataset]
    assert ds.items is not None
    return dataset_tight_params(ds.items())


def schedule_record(p: TrainPreset) -> dict[str, Any]:
    """The sidecar's record of the training sigmas: the data set's tight parameters and bounds (tight); the same
    plus a Gaussian mixture over the training images' own (beta, lam_lo, lam_hi), for sampling (instance)."""
    if p.sigma_schedule == "lognormal":
        return {}
    tp, b = data_tight(p.dataset)
    rec: dict[str, Any] = {
        "sigma_schedule": p.sigma_schedule,
        "tight": {"kind": p.tight_kind, "form": "affine", **asdict(tp), "bounds": b.to_json(), **TIGHT_DEFAULTS},
    }
    if p.sigma_schedule == "instance":
        items = DATASETS[p.dataset].items
        assert items is not None
        params = dataset_params(items())
        gmm = fit_gmm(params, GMM_COMPONENTS, p.seed)
        rec["gmm"] = {
            "columns": ["beta", "logsnr_min", "logsnr_max"],
            "weights": gmm.weights_.tolist(),
            "means": gmm.means_.tolist(),
            "covariances": gmm.covariances_.tolist(),
            "images": len(params),
            "spread": {
                c: [float(q) for q in np.percentile(params[:, i], [5, 50, 95])]
                for i, c in enumerate(("beta", "logsnr_min", "logsnr_max"))
            },
        }
    return rec


# ---------------------------------------------------------------------------------------------
# The initial network


def new_net(p: TrainPreset) -> nn.Module:
    """The initial network: the weights of the shipped model `p.init` (hash-checked, same architecture), else
    torch.manual_seed(p.seed) in a forked RNG (the global state is untouched)."""
    if p.init:
        return init_net(p)
    with torch.random.fork_rng():
        torch.manual_seed(p.seed)
        return net_from_config(p.unet_config())


def init_sidecar(p: TrainPreset) -> dict[str, Any]:
    """The sidecar of the shipped trained model `p.init`, when its architecture is the preset's."""
    side = SIDECARS.get(p.init)
    if side is None or side.get("kind") != "trained":
        raise ValueError(f"init must name a shipped trained model (difflab models), got {p.init!r}")
    want = p.unet_config().to_json()
    if side["arch"] != want:
        diff = ", ".join(
            f"{k} {side['arch'].get(k)} (preset: {v})" for k, v in want.items() if side["arch"].get(k) != v
        )
        raise ValueError(f"init {p.init} has another architecture: {diff}")
    return side


def init_net(p: TrainPreset) -> nn.Module:
    """The shipped trained model `p.init` as a fresh UNet (weights hash-checked, never unpickled)."""
    init_sidecar(p)
    net = net_from_config(p.unet_config())
    net.load_state_dict(load_weights(SPECS[p.init]), strict=True)
    return net


def init_record(p: TrainPreset) -> dict[str, Any]:
    """The sidecar's provenance of a continued run: the model it started from and that model's own budget."""
    if not p.init:
        return {}
    side = init_sidecar(p)
    return {
        "init": {"name": p.init, "sha256": side["sha256"], "steps": side["steps"], "train_time": side["train_time"]}
    }


# ---------------------------------------------------------------------------------------------
# Output: safetensors (state dict only) + JSON sidecar


def save_model(
    net: nn.Module,
    p: TrainPreset,
    run: dict[str, Any],
    out_dir: Path,
    preset_path: str | None,
    quality: dict[str, Any] | None,
) -> dict[str, Any]:
    """Write <name>.safetensors and <name>.json; returns the sidecar dict."""
    ds = DATASETS[p.dataset]
    head = {"name": p.name, "kind": "trained", "dataset": p.dataset, "dataset_label": ds.label, "shape": list(ds.shape)}
    rest = {
        "increment_law": p.increment_law,
        "loss": p.loss,
        "preset": preset_path,
        "steps": p.steps,
        "batch_size": p.batch_size,
        "seed": p.seed,
        "arch": p.unet_config().to_json(),
        **run,
        **({"pair": p.pair, "chain_steps": p.chain_steps, "loss_form": p.loss_form} if p.pair else {}),
        **init_record(p),
        **({"thread": p.thread} if p.thread else {}),
        **schedule_record(p),
        "quality": quality,
    }
    return save_with_sidecar(net, out_dir, head, rest)


def evaluate(net: nn.Module, p: TrainPreset, quick: bool = False) -> dict[str, Any] | None:
    """Quality against the exact answer (data sets with one), evaluation/denoising.py."""
    ds = DATASETS[p.dataset]
    if ds.exact is None:
        return None
    n_d, n_s = (64, 32) if quick else (512, 256)
    return field_quality(NetDenoiser(net), ds.exact(), ds.draw, ds.shape, n_denoise=n_d, n_samples=n_s)


def train(
    p: TrainPreset,
    out_dir: Path,
    preset_path: str | None = None,
    quick_eval: bool = False,
    log: Any = print,
    device: str = "cpu",
) -> dict[str, Any] | None:
    """fit (on `device`) + (rank 0) evaluate + save; returns the sidecar on rank 0, None on the others."""
    return fit_evaluate_save(
        lambda: fit(p, new_net(p), p.build_objective(), log, device),
        lambda net: evaluate(net, p, quick_eval),
        lambda net, run, quality: save_model(net, p, run, out_dir, preset_path, quality),
    )
