"""Named models: exact denoisers today, trained safetensors networks later, one interface.

Every entry is a `ModelSpec` (plain metadata, JSON-able) plus a constructor that returns a `Model`:
the `Denoiser` D(x, lam) -> x0_hat (protocols.py), a way to draw true data samples, and the exact
ground truth the samples are scored against (the Gaussian's basis and variances, or the training
set of the empirical denoiser). Trained entries (kind "trained") are read from the JSON sidecars
`difflab train` writes next to their weights in models/weights/ (<name>.json + <name>.safetensors)
and carry `weights`, `sha256`, `params`, `train_time` and `increment_law` (None for the exact
denoisers); their `reference` is the exact denoiser of the data law they were trained on.
Loading never unpickles: weights go through `safetensors.torch.load_file` after a hash check.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Literal

import torch

from .. import data
from ..denoisers.empirical import EmpiricalDenoiser
from ..denoisers.gaussian import GaussianDenoiser, fourier_denoiser
from ..denoisers.mixture import GaussianMixture
from ..protocols import Denoiser
from ..validation import InputError, check_choice

Tensor = torch.Tensor
Kind = Literal["analytic-gaussian", "empirical-optimal", "gaussian-mixture", "trained", "diffusers", "scale-space"]
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@dataclass(frozen=True)
class ModelSpec:
    """What `difflab models --json` lists for one model."""

    name: str
    kind: Kind
    dataset: str
    shape: tuple[int, int, int]            # [C, H, W]
    description: str
    sigma_min: float = 0.002               # default sampling range (VE sigma), EDM's for data in [-1, 1]
    sigma_max: float = 80.0
    weights: str | None = None             # safetensors file under models/weights/ (trained models)
    sha256: str | None = None
    params: int | None = None
    train_time: float | None = None        # seconds
    increment_law: str | None = None       # the law of the forward noise a trained model was trained with
    pair: str | None = None                # Li's construction: the (q, p) increment pair of the loss
    quality: dict[str, Any] | None = dataclasses.field(default=None, compare=False, hash=False)  # sidecar's

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["shape"] = list(self.shape)
        return d


@dataclass(frozen=True)
class Model:
    """A ready-to-sample model and its exact ground truth (where there is one)."""

    spec: ModelSpec
    denoiser: Denoiser
    draw_data: Callable[[int, torch.Generator], Tensor] | None   # n true samples [n, C, H, W]
    gaussian: GaussianDenoiser | None = None    # exact data law N(decode(mean), decode diag(v) encode)
    train: Tensor | None = None                 # training set of an empirical denoiser [N, C, H, W]
    mixture: GaussianMixture | None = None      # exact data law of a Gaussian-mixture model
    reference: GaussianDenoiser | None = None   # trained model: exact denoiser of its training data law
    net: torch.nn.Module | None = None          # the network of a trained or wrapped model (None: exact)

    @property
    def device(self) -> torch.device:
        """Where the denoiser computes: the network's device; exact denoisers run on the CPU (float64)."""
        return getattr(self.denoiser, "device", torch.device("cpu"))

    def to(self, device: torch.device) -> "Model":
        """The same model with a copy of its network on `device` (exact models are returned unchanged)."""
        if self.net is None or self.device == device:
            return self
        den = self.denoiser.to(device)                                 # type: ignore[attr-defined]
        return dataclasses.replace(self, denoiser=den, net=den.net)


# ---------------------------------------------------------------------------------------------
# Constructors of the exact models


def _field(beta: float, size: int) -> Callable[[ModelSpec], Model]:
    def make(spec: ModelSpec) -> Model:
        den = fourier_denoiser(data.power_law_variance(size, beta))      # v: [size, size], FFT layout
        return Model(spec, den, lambda n, g: data.gaussian_field(beta, size, n, g), gaussian=den)
    return make


@lru_cache(maxsize=1)
def _digits() -> Tensor:
    return data.load_digits()                                             # [1797, 1, 8, 8]


def _digits_pca(spec: ModelSpec) -> Model:
    from ..bases.pca import PCABasis

    basis = PCABasis(spec.shape, _digits())
    mean = basis.encode(basis.mean.reshape(1, *spec.shape))[0]                  # [64] coefficient mean
    den = GaussianDenoiser(basis.encode, basis.decode, basis.eigenvalues, mean)

    def draw(n: int, g: torch.Generator) -> Tensor:
        z = torch.randn(n, basis.eigenvalues.numel(), generator=g, dtype=torch.float64)   # [n, 64]
        return basis.decode(mean + z * basis.eigenvalues.sqrt()).to(torch.float32)
    return Model(spec, den, draw, gaussian=den)


def _digits_empirical(spec: ModelSpec) -> Model:
    train = _digits()

    def draw(n: int, g: torch.Generator) -> Tensor:
        return train[torch.randint(0, len(train), (n,), generator=g)]
    return Model(spec, EmpiricalDenoiser(train), draw, train=train)


def _digits_gmm(spec: ModelSpec) -> Model:
    """One full-covariance Gaussian per digit class (weights = class frequencies), variance floor 1e-4."""
    from sklearn.datasets import load_digits as sk_digits

    x = _digits().reshape(-1, 64).to(torch.float64)                      # [1797, 64]
    y = torch.from_numpy(sk_digits().target)                              # [1797] class labels
    eye = torch.eye(64, dtype=torch.float64)
    means = torch.stack([x[y == k].mean(0) for k in range(10)])           # [10, 64]
    covs = torch.stack([torch.cov(x[y == k].T) + 1e-4 * eye for k in range(10)])   # [10, 64, 64]
    gmm = GaussianMixture(torch.bincount(y, minlength=10).to(torch.float64), means, covs)

    def draw(n: int, g: torch.Generator) -> Tensor:
        return gmm.sample(n, g).reshape(n, *spec.shape).to(torch.float32)
    return Model(spec, gmm, draw, mixture=gmm)


# ---------------------------------------------------------------------------------------------
# The registry

SPECS: dict[str, ModelSpec] = {s.name: s for s in [
    ModelSpec("field-beta2-32", "analytic-gaussian", "power-law Gaussian field (beta=2, pixel var 0.25)", (1, 32, 32),
              "Exact posterior mean (Wiener filter per Fourier mode) of a stationary field with P(f) ~ f^-2."),
    ModelSpec("digits-pca-gaussian", "analytic-gaussian", "scikit-learn digits, PCA-Gaussian fit", (1, 8, 8),
              "Exact posterior mean of the Gaussian with the digits' mean and covariance (diagonal in PCA)."),
    ModelSpec("digits-empirical", "empirical-optimal", "scikit-learn digits (1,797 images)", (1, 8, 8),
              "Exact posterior mean over the 1,797 training digits: every sample is a copy (memorisation)."),
    ModelSpec("digits-gmm10", "gaussian-mixture", "scikit-learn digits, one Gaussian per class (10)", (1, 8, 8),
              "Exact posterior mean of a 10-component Gaussian mixture (full covariances): nonlinear, with modes."),
]}

CONSTRUCTORS: dict[str, Callable[[ModelSpec], Model]] = {
    "field-beta2-32": _field(2.0, 32),
    "digits-pca-gaussian": _digits_pca,
    "digits-empirical": _digits_empirical,
    "digits-gmm10": _digits_gmm,
}


# ---------------------------------------------------------------------------------------------
# Trained networks: one JSON sidecar per safetensors file (written by `difflab train`)

SIDECARS: dict[str, dict[str, Any]] = {}
SCALE_SPACE: dict[str, ModelSpec] = {}     # Flexi-UNets and their full-resolution baselines (scale-space sampler)


def run_totals(side: dict[str, Any]) -> tuple[int, float]:
    """(steps, seconds) of training behind a network: its own run plus the run it was continued from (`init`)."""
    init = side.get("init") or {"steps": 0, "train_time": 0.0}
    return side["steps"] + init["steps"], side["train_time"] + init["train_time"]


def budget_text(side: dict[str, Any]) -> str:
    """Steps, batch and wall time of a run; a continued run (`init`) also names its start and the totals."""
    text = (f"{side['steps']} steps, batch {side['batch_size']}, {side['train_time'] / 60:.0f} min on "
            f"{side['world_size']} CPU process(es)")
    if side.get("init"):
        steps, seconds = run_totals(side)
        text += f", continued from {side['init']['name']}'s weights: {steps:,} steps and {seconds / 60:.0f} min in all"
    return text


def pair_description(side: dict[str, Any]) -> str:
    """One paragraph for a model of Li's construction (models/vp_chain.py) and its digit quality."""
    text = (f"UNet ({side['params']:,} parameters, EDM preconditioning) trained by `difflab train {side['preset']}` "
            f"({budget_text(side)}): Li's construction, Gaussian VP marginal, the {side['pair']} "
            f"pair's per-step loss with the w_k, v_k of N = {side['chain_steps']} steps.")
    q = side.get("quality") or {}
    if q:
        text += (f" {q['sampler']} at NFE {q['nfe']}, {q['n']} samples: {100 * q['confident']:.0f}% classified with "
                 f"confidence >= 0.9, Frechet distance {q['fd']:.1f} (real-vs-real floor {q['fd_floor']:.1f}).")
    return text


def trained_description(side: dict[str, Any]) -> str:
    """One paragraph: what was trained, how, and its quality against the exact answer."""
    if side.get("pair"):
        return pair_description(side)
    text = (f"UNet ({side['params']:,} parameters, EDM preconditioning) trained by `difflab train "
            f"{side['preset']}` ({budget_text(side)}), {side['increment_law']} forward noise, {side['loss']} loss.")
    q = side.get("quality") or {}
    rows = {r["sigma"]: r for r in q.get("denoising", [])}
    if rows:
        ex = ", ".join(f"σ={s:g}: {100 * r['excess_rel']:+.2f}%" for s, r in rows.items())
        text += f" Denoising MSE above the exact Wiener filter's (held-out fields): {ex}."
    smp = q.get("sampling")
    if smp:
        text += (f" {smp['sampler']} at NFE {smp['nfe']}, {smp['n']} samples: sample-covariance error "
                 f"{100 * smp['net']['sample_cov_rel_fro']:.1f}% (exact denoiser, same noise: "
                 f"{100 * smp['exact_mc_floor']['sample_cov_rel_fro']:.1f}%, the Monte Carlo floor); per-mode power "
                 f"error {100 * smp['net']['mode_power_rel']:.1f}% (exact {100 * smp['exact_mc_floor']['mode_power_rel']:.1f}%).")
    return text


def spec_from_sidecar(side: dict[str, Any]) -> ModelSpec:
    from .datasets import DATASETS

    return ModelSpec(side["name"], "trained", DATASETS[side["dataset"]].label, tuple(side["shape"]),  # type: ignore[arg-type]
                     trained_description(side), weights=side["weights"], sha256=side["sha256"],
                     params=side["params"], train_time=side["train_time"], increment_law=side["increment_law"],
                     pair=side.get("pair"), quality=side.get("quality"))


def scale_space_spec(side: dict[str, Any]) -> ModelSpec:
    """The listing of a scale-space network (kind "scale-space"; `load_flexi` builds it)."""
    from .flexi_unet import schedule_label

    q = side.get("quality") or {}
    text = (f"Flexi-UNet ({side['params']:,} parameters, x0 prediction, {side['loss']}) trained by `difflab train "
            f"{side['preset']}` ({side['steps']} steps, batch {side['batch_size']}, {side['train_time'] / 60:.0f} min on "
            f"{side['world_size']} CPU process(es)) for {schedule_label(side['schedule'])}.")
    m = q.get("metrics") or {}
    if m:
        text += (f" SSD sampler, {q['steps']} steps, exact transitions, {q['n']} samples: {100 * m['confident']:.0f}% "
                 f"classified with confidence >= 0.9, Frechet distance {m['fd']:.1f} (real-vs-real floor "
                 f"{m['fd_floor']:.1f}); sampling {q['sampling_seconds']:.0f} s.")
    return ModelSpec(side["name"], "scale-space", side["dataset_label"], tuple(side["shape"]),  # type: ignore[arg-type]
                     text, weights=side["weights"], sha256=side["sha256"], params=side["params"],
                     train_time=side["train_time"], increment_law=side["increment_law"])


@lru_cache(maxsize=4)
def load_flexi(name: str) -> Any:
    """A shipped scale-space network as the SSD sampler's denoiser (FlexiDenoiser), hash-checked."""
    from .flexi_unet import FlexiConfig, FlexiDenoiser, FlexiUNet

    check_choice("scale-space model", name, SCALE_SPACE)
    side = SIDECARS[name]
    net = FlexiUNet(FlexiConfig.from_json(side["arch"]))
    net.load_state_dict(load_weights(SCALE_SPACE[name]), strict=True)
    return FlexiDenoiser(net, side["schedule"], name)


def _trained(spec: ModelSpec) -> Model:
    """Hash-checked weights -> UNet -> Denoiser; data and exact reference from models/datasets.py."""
    from .datasets import DATASETS
    from .unet import NetDenoiser, UNet, UNetConfig

    side = SIDECARS[spec.name]
    net = UNet(UNetConfig.from_json(side["arch"]))
    net.load_state_dict(load_weights(spec), strict=True)
    ds = DATASETS[side["dataset"]]
    return Model(spec, NetDenoiser(net), ds.draw, reference=ds.exact() if ds.exact else None, net=net)


def register_trained(weights_dir: Path = WEIGHTS_DIR) -> None:
    """Add every <name>.json sidecar in `weights_dir` to SPECS / CONSTRUCTORS (scale-space ones to SCALE_SPACE)."""
    for path in sorted(weights_dir.glob("*.json"), key=lambda q: q.stem.split("-")):     # a-b before a-b-c
        side = json.loads(path.read_text())
        SIDECARS[side["name"]] = side
        if side.get("kind") == "scale-space":            # x0 at r(s) from x_t at r(t): the SSD sampler only
            SCALE_SPACE[side["name"]] = scale_space_spec(side)
            continue
        SPECS[side["name"]] = spec_from_sidecar(side)
        CONSTRUCTORS[side["name"]] = _trained


register_trained()


def list_models() -> list[dict[str, Any]]:
    """The registry as JSON-able dicts (`difflab models --json`), scale-space networks last."""
    return [s.to_json() for s in [*SPECS.values(), *SCALE_SPACE.values()]]


def get_model(name: str, device: str | torch.device = "cpu") -> Model:
    """The model called `name` with its network on `device` (auto|cpu|cuda|mps; devices.py); built once."""
    from ..devices import resolve_device

    return _model_on(name, resolve_device(device))


@lru_cache(maxsize=8)
def _model_on(name: str, device: torch.device) -> Model:
    if device.type == "cpu":
        check_choice("model", name, SPECS)
        return CONSTRUCTORS[name](SPECS[name])
    return _model_on(name, torch.device("cpu")).to(device)


def load_weights(spec: ModelSpec) -> dict[str, Tensor]:
    """Tensors of a trained model: sha256 checked, then safetensors (never pickle)."""
    from safetensors.torch import load_file

    if spec.weights is None or spec.sha256 is None:
        raise InputError(f"model {spec.name} has no weights file and hash in the registry")
    root = WEIGHTS_DIR.resolve()
    path = (root / spec.weights).resolve()
    if root not in path.parents or path.suffix != ".safetensors" or not path.is_file():
        raise InputError(f"weights of {spec.name} must be a .safetensors file in {WEIGHTS_DIR}, got {spec.weights}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != spec.sha256:
        raise InputError(f"weights of {spec.name} have sha256 {digest[:12]}..., registry says {spec.sha256[:12]}...")
    return load_file(str(path))
