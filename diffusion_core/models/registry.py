"""Named models: exact denoisers and trained safetensors networks, one interface.

Every entry is a `ModelSpec` (plain metadata, JSON-able) plus a constructor that returns a `Model`:
the `Denoiser` D(x, lam) -> x0_hat (protocols.py), a way to draw true data samples, and one `truth`
(evaluation/truth.py) its samples are scored against: the exact Gaussian, the mixture, the empirical
training set, the exact law a network was trained on, MNIST digits via the classifier, or none.
Trained entries (kind "trained") are read from the JSON sidecars `difflab train` writes next to their
weights in models/weights/ (<name>.json + <name>.safetensors) and carry `weights`, `sha256`, `params`,
`train_time` and `increment_law` (None for the exact denoisers). The catalogue reads the sidecars on first
use, not at import; the listing's descriptions are written by models/descriptions.py.
Loading never unpickles: weights go through networks/weights.py (sha256 check, then safetensors).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import torch

from .. import data
from ..bases.pca import PCABasis
from ..denoisers.empirical import EmpiricalDenoiser
from ..denoisers.gaussian import GaussianDenoiser, fourier_denoiser
from ..denoisers.mixture import GaussianMixture
from ..devices import resolve_device
from ..evaluation.truth import EmpiricalTruth, GaussianTruth, MixtureTruth, NoTruth, Truth
from ..networks.arch import net_from_arch
from ..networks.flexi_unet import FlexiConfig, FlexiDenoiser, FlexiUNet
from ..networks.unet import NetDenoiser, UNet, UNetConfig
from ..networks.weights import read_weights
from ..protocols import Denoiser
from ..validation import InputError, check_choice
from .datasets import DATASETS
from .descriptions import loss_form_of, scale_space_description, thread_description, trained_description

Tensor = torch.Tensor
Kind = Literal[
    "analytic-gaussian",
    "empirical-optimal",
    "gaussian-mixture",
    "trained",
    "diffusers",
    "scale-space",
    "gud",
    "spectral-instance",
]
OWN_KINDS = ("gud", "spectral-instance")  # networks with their own sampler (sampling/threads.py)
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@dataclass(frozen=True)
class ModelSpec:
    """What `difflab models --json` lists for one model."""

    name: str
    kind: Kind
    dataset: str
    shape: tuple[int, int, int]  # [C, H, W]
    description: str
    sigma_min: float = 0.002  # default sampling range (VE sigma), EDM's for data in [-1, 1]
    sigma_max: float = 80.0
    weights: str | None = None  # safetensors file under models/weights/ (trained models)
    sha256: str | None = None
    params: int | None = None
    train_time: float | None = None  # seconds
    increment_law: str | None = None  # the law of the forward noise a trained model was trained with
    pair: str | None = None  # Li's construction: the (q, p) increment pair of the loss
    quality: dict[str, Any] | None = dataclasses.field(default=None, compare=False, hash=False)  # sidecar's
    thread: str | None = None  # the paper thread of a trained network: spectral, gud, nonnormal, scale-space, field
    backbone: str | None = None  # trained networks: "unet" (networks/unet.py) or "unet2d" (diffusers UNet2DModel)
    loss_form: str | None = None  # pair networks: "coordinate" (KL of the sampled laws) or "paper" (printed form)
    likelihood: dict[str, Any] | None = dataclasses.field(default=None, compare=False, hash=False)  # bench likelihood
    default_schedule: str | None = None  # the schedule `difflab sample` uses when none is given (None: karras)
    tight: dict[str, Any] | None = dataclasses.field(default=None, compare=False, hash=False)  # data-set tight params

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["shape"] = list(self.shape)
        return d


@dataclass(frozen=True)
class Model:
    """A ready-to-sample model and the truth its samples are scored against."""

    spec: ModelSpec
    denoiser: Denoiser
    draw_data: Callable[[int, torch.Generator], Tensor] | None  # n true samples [n, C, H, W]
    truth: Truth = dataclasses.field(default_factory=NoTruth)  # what its samples are scored against
    net: torch.nn.Module | None = None  # the network of a trained or wrapped model (None: exact)
    scheduler: Any = None  # a diffusers folder's scheduler (models/schedulers.FolderScheduler): its default sampling

    @property
    def device(self) -> torch.device:
        """Where the denoiser computes: the network's device; exact denoisers run on the CPU (float64)."""
        return getattr(self.denoiser, "device", torch.device("cpu"))

    def to(self, device: torch.device) -> Model:
        """The same model with a copy of its network on `device` (exact models are returned unchanged)."""
        if self.net is None or self.device == device:
            return self
        den = self.denoiser.to(device)  # type: ignore[attr-defined]
        return dataclasses.replace(self, denoiser=den, net=den.net)


# ---------------------------------------------------------------------------------------------
# Constructors of the exact models


def _field(beta: float, size: int) -> Callable[[ModelSpec], Model]:
    def make(spec: ModelSpec) -> Model:
        den = fourier_denoiser(data.power_law_variance(size, beta))  # v: [size, size], FFT layout
        return Model(spec, den, lambda n, g: data.gaussian_field(beta, size, n, g), GaussianTruth(den, spec.shape))

    return make


@lru_cache(maxsize=1)
def _digits() -> Tensor:
    return data.load_digits()  # [1797, 1, 8, 8]


def _digits_pca(spec: ModelSpec) -> Model:
    basis = PCABasis(spec.shape, _digits())
    mean = basis.encode(basis.mean.reshape(1, *spec.shape))[0]  # [64] coefficient mean
    den = GaussianDenoiser(basis.encode, basis.decode, basis.eigenvalues, mean)

    def draw(n: int, g: torch.Generator) -> Tensor:
        z = torch.randn(n, basis.eigenvalues.numel(), generator=g, dtype=torch.float64)  # [n, 64]
        return basis.decode(mean + z * basis.eigenvalues.sqrt()).to(torch.float32)

    return Model(spec, den, draw, GaussianTruth(den, spec.shape))


def _digits_empirical(spec: ModelSpec) -> Model:
    train = _digits()

    def draw(n: int, g: torch.Generator) -> Tensor:
        return train[torch.randint(0, len(train), (n,), generator=g)]

    return Model(spec, EmpiricalDenoiser(train), draw, EmpiricalTruth(train))


def _digits_gmm(spec: ModelSpec) -> Model:
    """One full-covariance Gaussian per digit class (weights = class frequencies), variance floor 1e-4."""
    from sklearn.datasets import load_digits as sk_digits  # lazy: scikit-learn takes a second to import

    x = _digits().reshape(-1, 64).to(torch.float64)  # [1797, 64]
    y = torch.from_numpy(sk_digits().target)  # [1797] class labels
    eye = torch.eye(64, dtype=torch.float64)
    means = torch.stack([x[y == k].mean(0) for k in range(10)])  # [10, 64]
    covs = torch.stack([torch.cov(x[y == k].T) + 1e-4 * eye for k in range(10)])  # [10, 64, 64]
    gmm = GaussianMixture(torch.bincount(y, minlength=10).to(torch.float64), means, covs)

    def draw(n: int, g: torch.Generator) -> Tensor:
        return gmm.sample(n, g).reshape(n, *spec.shape).to(torch.float32)

    return Model(spec, gmm, draw, MixtureTruth(gmm, draw))


# ---------------------------------------------------------------------------------------------
# The registry

EXACT: tuple[ModelSpec, ...] = (
    ModelSpec(
        "field-beta2-32",
        "analytic-gaussian",
        "power-law Gaussian field (beta=2, pixel var 0.25)",
        (1, 32, 32),
        "Exact posterior mean (Wiener filter per Fourier mode) of a stationary field with P(f) ~ f^-2.",
    ),
    ModelSpec(
        "digits-pca-gaussian",
        "analytic-gaussian",
        "scikit-learn digits, PCA-Gaussian fit",
        (1, 8, 8),
        "Exact posterior mean of the Gaussian with the digits' mean and covariance (diagonal in PCA).",
    ),
    ModelSpec(
        "digits-empirical",
        "empirical-optimal",
        "scikit-learn digits (1,797 images)",
        (1, 8, 8),
        "Exact posterior mean over the 1,797 training digits: every sample is a copy (memorisation).",
    ),
    ModelSpec(
        "digits-gmm10",
        "gaussian-mixture",
        "scikit-learn digits, one Gaussian per class (10)",
        (1, 8, 8),
        "Exact posterior mean of a 10-component Gaussian mixture (full covariances): nonlinear, with modes.",
    ),
)

EXACT_CONSTRUCTORS: dict[str, Callable[[ModelSpec], Model]] = {
    "field-beta2-32": _field(2.0, 32),
    "digits-pca-gaussian": _digits_pca,
    "digits-empirical": _digits_empirical,
    "digits-gmm10": _digits_gmm,
}


# ---------------------------------------------------------------------------------------------
# Trained networks: one JSON sidecar per safetensors file (written by `difflab train`)


def spec_from_sidecar(side: dict[str, Any]) -> ModelSpec:
    return ModelSpec(
        side["name"],
        "trained",
        DATASETS[side["dataset"]].label,
        tuple(side["shape"]),  # type: ignore[arg-type]
        thread_description(side) if side.get("sigma_schedule") == "tight" else trained_description(side),
        weights=side["weights"],
        sha256=side["sha256"],
        params=side["params"],
        train_time=side["train_time"],
        increment_law=side["increment_law"],
        pair=side.get("pair"),
        quality=side.get("quality"),
        thread=side.get("thread") or ("field" if side["dataset"].startswith("field") else "nonnormal"),
        backbone=side["arch"].get("backbone", "unet"),
        loss_form=loss_form_of(side),
        likelihood=side.get("likelihood"),
        default_schedule=f"tight-{side['tight']['kind']}" if side.get("sigma_schedule") == "tight" else None,
        tight=side.get("tight") if side.get("sigma_schedule") == "tight" else None,
    )


def own_kind(side: dict[str, Any]) -> str | None:
    """ "gud" or "spectral-instance" for a network sampled by its own sampler, else None."""
    if side.get("kind") == "gud":
        return "gud"
    return "spectral-instance" if side.get("sigma_schedule") == "instance" else None


def own_spec(side: dict[str, Any]) -> ModelSpec:
    """The listing of a GUD or per-instance spectral network (sampling/threads.py samples it)."""
    return ModelSpec(
        side["name"],
        own_kind(side),  # type: ignore[arg-type]
        side["dataset_label"],
        tuple(side["shape"]),  # type: ignore[arg-type]
        thread_description(side),
        weights=side["weights"],
        sha256=side["sha256"],
        params=side["params"],
        train_time=side["train_time"],
        increment_law=side["increment_law"],
        quality=side.get("quality"),
        thread=side.get("thread"),
        backbone="unet",
    )


def scale_space_spec(side: dict[str, Any]) -> ModelSpec:
    """The listing of a scale-space network (kind "scale-space"; `load_flexi` builds it)."""
    return ModelSpec(
        side["name"],
        "scale-space",
        side["dataset_label"],
        tuple(side["shape"]),  # type: ignore[arg-type]
        scale_space_description(side),
        weights=side["weights"],
        sha256=side["sha256"],
        params=side["params"],
        train_time=side["train_time"],
        increment_law=side["increment_law"],
        thread="scale-space",
        backbone="flexi-unet",
    )


def _trained(spec: ModelSpec) -> Model:
    """Hash-checked weights -> UNet -> Denoiser; data and truth from models/datasets.py."""
    side = SIDECARS[spec.name]
    net = net_from_arch(side["arch"])
    net.load_state_dict(load_weights(spec), strict=True)
    ds = DATASETS[side["dataset"]]
    return Model(spec, NetDenoiser(net), ds.draw, ds.truth(), net=net)


@cache
def catalogue(weights_dir: Path = WEIGHTS_DIR) -> dict[str, dict[str, Any]]:
    """The registry, read once on first use: "specs" and "constructors" (the exact models, then every trained
    <name>.json sidecar in `weights_dir`), "sidecars" (every sidecar), "scale_space" (Flexi-UNets and their
    full-resolution baselines, sampled by the scale-space sampler only) and "own" (GUD and per-instance spectral
    networks, sampled by their own samplers in sampling/threads.py)."""
    specs: dict[str, ModelSpec] = {s.name: s for s in EXACT}
    makers: dict[str, Callable[[ModelSpec], Model]] = dict(EXACT_CONSTRUCTORS)
    sides: dict[str, dict[str, Any]] = {}
    scale: dict[str, ModelSpec] = {}
    own: dict[str, ModelSpec] = {}
    for path in sorted(weights_dir.glob("*.json"), key=lambda q: q.stem.split("-")):  # a-b before a-b-c
        side = json.loads(path.read_text())
        sides[side["name"]] = side
        if side.get("kind") == "scale-space":  # x0 at r(s) from x_t at r(t): the SSD sampler only
            scale[side["name"]] = scale_space_spec(side)
            continue
        if own_kind(side):  # component-wise or per-sample noise levels: their own samplers
            own[side["name"]] = own_spec(side)
            continue
        specs[side["name"]] = spec_from_sidecar(side)
        makers[side["name"]] = _trained
    return {"specs": specs, "constructors": makers, "sidecars": sides, "scale_space": scale, "own": own}


class OnFirstUse(MutableMapping):
    """One part of `catalogue()` as a dict that reads the weights folder the first time it is looked at."""

    def __init__(self, part: str) -> None:
        self.part = part

    def _d(self) -> dict[str, Any]:
        return catalogue()[self.part]

    def __getitem__(self, key: str) -> Any:
        return self._d()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._d()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._d()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d())

    def __len__(self) -> int:
        return len(self._d())

    def __repr__(self) -> str:
        return f"OnFirstUse({self.part!r})"


SPECS: MutableMapping[str, ModelSpec] = OnFirstUse("specs")
CONSTRUCTORS: MutableMapping[str, Callable[[ModelSpec], Model]] = OnFirstUse("constructors")
SIDECARS: MutableMapping[str, dict[str, Any]] = OnFirstUse("sidecars")
SCALE_SPACE: MutableMapping[str, ModelSpec] = OnFirstUse("scale_space")
OWN_SAMPLER: MutableMapping[str, ModelSpec] = OnFirstUse("own")


def list_models() -> list[dict[str, Any]]:
    """The registry as JSON-able dicts (`difflab models --json`), the networks with their own samplers last."""
    return [s.to_json() for s in [*SPECS.values(), *OWN_SAMPLER.values(), *SCALE_SPACE.values()]]


def get_model(name: str, device: str | torch.device = "cpu") -> Model:
    """The model called `name` with its network on `device` (auto|cpu|cuda|mps; devices.py); built once."""
    return _model_on(name, resolve_device(device))


@lru_cache(maxsize=8)
def _model_on(name: str, device: torch.device) -> Model:
    if device.type == "cpu":
        check_choice("model", name, SPECS)
        return CONSTRUCTORS[name](SPECS[name])
    return _model_on(name, torch.device("cpu")).to(device)


@lru_cache(maxsize=4)
def load_flexi(name: str) -> FlexiDenoiser:
    """A shipped scale-space network as the SSD sampler's denoiser (FlexiDenoiser), hash-checked."""
    check_choice("scale-space model", name, SCALE_SPACE)
    side = SIDECARS[name]
    net = FlexiUNet(FlexiConfig.from_json(side["arch"]))
    net.load_state_dict(load_weights(SCALE_SPACE[name]), strict=True)
    return FlexiDenoiser(net, side["schedule"], name)


@lru_cache(maxsize=4)
def load_own(name: str) -> tuple[UNet, dict[str, Any]]:
    """A shipped GUD or per-instance spectral network (hash-checked) and its sidecar."""
    check_choice("model", name, OWN_SAMPLER)
    side = SIDECARS[name]
    net = UNet(UNetConfig.from_json(side["arch"]))
    net.load_state_dict(load_weights(OWN_SAMPLER[name]), strict=True)
    return net.eval(), side


def load_weights(spec: ModelSpec) -> dict[str, Tensor]:
    """Tensors of a trained model: a file in models/weights/, sha256 checked, then safetensors (never pickle)."""
    if spec.weights is None or spec.sha256 is None:
        raise InputError(f"model {spec.name} has no weights file and hash in the registry")
    root = WEIGHTS_DIR.resolve()
    path = (root / spec.weights).resolve()
    if root not in path.parents or path.suffix != ".safetensors" or not path.is_file():
        raise InputError(f"weights of {spec.name} must be a .safetensors file in {WEIGHTS_DIR}, got {spec.weights}")
    return read_weights(path, spec.sha256, f"weights of {spec.name} have", "registry")
