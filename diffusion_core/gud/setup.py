"""A GUD view: image + data model + basis + space + schedule, shared by the Bases tab, the CLI
(`basis-forward`, `component-schedule`) and the presets in presets/bases/.

Data models (for the component variances Sigma_i and the exact denoisers):
- `digit:N` (8x8): the 1,797 scikit-learn digits; Gaussian model N(mean, Cov + 1e-4 I), or the
  empirical optimal denoiser over the digits.
- a photo / `field:BETA[:SEED]` / file: the stationary power-law Gaussian field fitted to the image
  (beta from its radial spectrum, its variance and channel means); channels independent.
- uploaded images (any set): size x size patches of every upload (loaded at 4 x size, stride size/4,
  169 patches per image); the image shown is the first upload. PCA is fitted on these patches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache

import torch

from .. import data
from ..bases import Basis, dims, make_basis
from ..bases.fourier import FourierBasis
from ..bases.wavelet import ORTHOGONAL
from ..caching import frozen_cache
from ..denoisers.empirical import EmpiricalDenoiser
from ..spectral import spectrum as spectral
from ..validation import InputError, check_choice, check_int, check_range
from .orderings import KINDS, ORDERINGS, ScheduleSpec, build_schedule
from .process import ComponentGaussianDenoiser, GUDSpace, make_space, to_white, white_covariance, working_variances
from .schedules import ComponentSchedule

Tensor = torch.Tensor
MAX_COMPONENTS = 4096  # 64 x 64 gray: forward process and schedules
MAX_MODEL_COMPONENTS = 1024  # exact Gaussian model with a full D x D covariance (reverse process, PCA)


@dataclass(frozen=True)
class BasesView:
    """Every setting of the Bases tab (also the preset format of presets/bases/*.toml)."""

    image: str = "digit:0"  # digit:N | photo name | field:BETA[:SEED]
    size: int = 8
    gray: bool = True
    basis: str = "fourier"
    wavelet: str = "haar"
    levels: int = 3
    r: float = 0.0  # prior exponent: 0 white prior, 1 data-matched (whitened)
    kind: str = "soft"  # soft | sequential | level-column
    ordering: str = "variance"
    a: float = 1.0
    softness: float = 1.0
    column_weight: float = 0.5
    gamma_denoise: float = -7.0
    gamma_noise: float = 3.0
    clip: bool = False
    denoiser: str = "gaussian"  # gaussian | empirical (digits only)
    method: str = "sde"  # sde (Euler-Maruyama) | ode (probability flow, Euler)
    steps: int = 0  # reverse steps; 0 = fast (2 x slope, >= 50), -1 = accurate (8 x slope, >= 200)
    frames: int = 9
    seed: int = 0
    custom_labels: str = ""  # ordering "custom": D (or H*W, shared by channels) comma-separated labels

    def __post_init__(self) -> None:
        """The one place a view is validated (the app, the CLI and presets all construct one)."""
        check_int("size", self.size, 8, 64)
        check_choice("kind", self.kind, KINDS)
        check_choice("ordering", self.ordering, ORDERINGS)
        check_range("r", self.r, 0.0, 1.0)
        check_range("a", self.a, 0.0, 1e4)
        check_choice("denoiser", self.denoiser, ("gaussian", "empirical"))
        check_choice("method", self.method, ("sde", "ode"))
        check_choice("wavelet", self.wavelet, ORTHOGONAL)
        check_int("steps", self.steps, -1, 100_000)
        check_int("frames", self.frames, 2, 200)
        check_int("seed", self.seed, 0, 2**31 - 1)

    @property
    def spec(self) -> ScheduleSpec:
        """The schedule part of the view: the ScheduleSpec fields, read by name."""
        return ScheduleSpec(**{f.name: getattr(self, f.name) for f in fields(ScheduleSpec)})


@dataclass(frozen=True)
class Setup:
    x0: Tensor  # [1, C, H, W]
    basis: Basis
    space: GUDSpace
    schedule: ComponentSchedule
    model: str  # "digits" | "power-law field (beta=...)" | "patches of ..."
    beta: float | None  # fitted spectral exponent (field models)
    data: Tensor | None  # the data set (digits, upload patches); None for field models


# ---------------------------------------------------------------------------------------------
# Data models


@frozen_cache(maxsize=4)
def _digits() -> Tensor:
    return data.load_digits().double()


def _digit(image: str, size: int, gray: bool) -> Tensor:
    if size != 8 or not gray:
        raise InputError(f"digits are 8x8 gray: set size 8 and gray on (got size {size}, gray={gray})")
    try:
        n = int(image.split(":", 1)[1])
    except ValueError:
        raise InputError(f"digit image must be written digit:N, got {image!r}") from None
    return _digits()[check_int("digit index", n, 0, 1796)][None]


def fitted_beta(x0: Tensor) -> float:
    """Power-law exponent of the image's radial spectrum, clipped to [0.5, 4]."""
    r = spectral.radial_psd(x0.float().mean(1, keepdim=True))
    fit = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(x0.shape[-1]))
    return min(max(fit.beta, 0.5), 4.0)


def field_samples(x0: Tensor, beta: float, n: int, seed: int) -> Tensor:
    """n fields [n, C, H, W] with the image's spectrum slope, variance and channel means."""
    c, size = x0.shape[1], x0.shape[-1]
    var = float(x0.var()) if float(x0.var()) > 0 else 0.25
    g = torch.Generator().manual_seed(seed)
    f = data.gaussian_field(beta, size, n * c, g, var=var).double().reshape(n, c, size, size)
    return f + x0.double().mean(dim=(2, 3), keepdim=True)


def field_covariance(shape: tuple[int, int, int], beta: float, var: float) -> Tensor:
    """Exact data covariance [D, D] of the stationary field: U_F^T diag(P) U_F, channels independent."""
    fb = FourierBasis(shape)
    p = data.power_law_variance(shape[1], beta, var).reshape(-1)[fb.mode].repeat(shape[0])  # [D]
    u = fb.decode(torch.eye(dims(fb), dtype=torch.float64)).reshape(dims(fb), -1)  # [D, D]
    return u.T @ (p[:, None] * u)


def upload_patches(paths: tuple[str, ...], size: int, gray: bool) -> tuple[Tensor, Tensor]:
    """First upload [1, C, size, size] and all size x size patches of every upload [N, C, size, size]."""
    patches = []
    for p in paths:
        x = data.load_upload(p, 4 * size, gray).double()  # [B, C, 4s, 4s]
        u = x.unfold(2, size, max(1, size // 4)).unfold(3, size, max(1, size // 4))  # [B, C, nh, nw, s, s]
        patches.append(u.permute(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1], size, size))
    return data.load_upload(paths[0], size, gray).double()[:1], torch.cat(patches)


@lru_cache(maxsize=16)
def _model(
    image: str, size: int, gray: bool, seed: int, uploads: tuple[tuple[str, float], ...] = (), files: bool = False
) -> tuple[Tensor, Tensor, float | None, str]:
    """x0, data set (variances, PCA, denoisers), beta (field models only), model name.
    `files`: the image may name a file (the CLI); the app passes names only."""
    if uploads:
        size = check_int("size", size, 8, 32)
        x0, ds = upload_patches(tuple(p for p, _ in uploads), size, gray)
        return x0, ds, None, f"{ds.shape[0]} patches of {len(uploads)} uploaded image(s)"
    if image.startswith("digit:"):
        return _digit(image, size, gray), _digits(), None, "digits"
    size = check_int("size", size, 8, 64)
    x0 = (data.image_from_arg if files else data.image_from_name)(image, size, gray).double()[:1]
    beta = fitted_beta(x0)
    d = x0.shape[1] * size * size
    return x0, field_samples(x0, beta, max(512, d + 64), seed), beta, f"power-law field (beta={beta:.2f})"


@lru_cache(maxsize=16)
def _space(
    image: str,
    size: int,
    gray: bool,
    seed: int,
    basis: str,
    wavelet: str,
    levels: int,
    r: float,
    uploads: tuple[tuple[str, float], ...] = (),
    files: bool = False,
) -> tuple[Basis, GUDSpace]:
    x0, ds, _, _ = _model(image, size, gray, seed, uploads, files)
    shape = tuple(x0.shape[1:])
    opts = {"wavelet": wavelet, "levels": levels} if basis == "wavelet" else {}
    if basis == "pca":
        if x0.shape[1] * size * size > MAX_MODEL_COMPONENTS:
            raise InputError(
                f"PCA is limited to {MAX_MODEL_COMPONENTS} components (32x32 gray); "
                f"got {x0.shape[1]}x{size}x{size}: use a smaller size or gray"
            )
        opts = {"data": ds}
    b = make_basis(basis, shape, **opts)
    return b, make_space(b, ds, r=r)


def parse_labels(text: str, shape: tuple[int, int, int]) -> Tensor:
    """'l0, l1, ...': D = C*H*W labels, or H*W labels repeated over the channels. [D]"""
    c, h, w = shape
    try:
        vals = torch.tensor([float(v) for v in text.replace(";", ",").split(",") if v.strip()], dtype=torch.float64)
    except ValueError:
        raise InputError("custom labels must be numbers separated by commas, e.g. 0, 1, 2, ...") from None
    if vals.numel() == h * w and c > 1:
        vals = vals.repeat(c)
    if vals.numel() != c * h * w:
        raise InputError(
            f"custom ordering needs {c * h * w} labels (one per component) or {h * w} (one per pixel "
            f"position), got {vals.numel()}"
        )
    return vals


def build(view: BasesView, uploads: list[str] | None = None, files: bool = False) -> Setup:
    """Validate the view and assemble image, basis, space and schedule (cached by data settings).
    `uploads`: image files whose patches form the data set (overrides view.image); `files`: view.image
    may be a file path (the CLI only: the app's text inputs never name server files)."""
    ups = tuple((p, os.path.getmtime(p)) for p in (uploads or []) if p and os.path.isfile(p))
    if not (files or ups):
        data.check_image_name(view.image)
    x0, ds, beta, model = _model(view.image, view.size, view.gray, view.seed, ups, files)
    b, sp = _space(
        view.image, view.size, view.gray, view.seed, view.basis, view.wavelet, view.levels, view.r, ups, files
    )
    custom = parse_labels(view.custom_labels, tuple(x0.shape[1:])) if view.ordering == "custom" else None
    s = build_schedule(view.spec, b.labels(), sp.variances, working_variances(sp), view.basis, custom)
    return Setup(x0.clone(), b, sp, s, model, beta, ds.clone() if beta is None else None)  # private copies


# ---------------------------------------------------------------------------------------------
# Exact denoisers and the reverse start for a view


def model_white_covariance(setup: Setup) -> Tensor:
    """Covariance of chi_hat(0) under the Gaussian model: [D] when diagonal, else [D, D]."""
    d = setup.space.variances.numel()
    if d > MAX_MODEL_COMPONENTS:
        raise InputError(
            f"the exact Gaussian model is limited to {MAX_MODEL_COMPONENTS} components (32x32 gray); "
            f"got {d}: use a smaller size for the reverse process"
        )
    if setup.data is not None:
        xf = setup.data.reshape(-1, d)
        cov = torch.cov(xf.T) + 1e-4 * torch.eye(d, dtype=torch.float64)
    else:
        cov = field_covariance(tuple(setup.x0.shape[1:]), setup.beta, float(setup.x0.var()))
    cw = white_covariance(setup.space, cov)
    off = (cw - torch.diag(torch.diag(cw))).abs().max()
    return torch.diag(cw) if off <= 1e-9 * torch.diag(cw).abs().max() else cw


def view_denoiser(setup: Setup, view: BasesView):
    """Exact denoiser in whitened components: Gaussian model, or empirical over the digits."""
    if view.denoiser == "empirical":
        if setup.data is None:
            raise InputError("the empirical denoiser needs a data set: use a digit image (digit:N) or upload images")
        return EmpiricalDenoiser(to_white(setup.space, setup.data))
    return ComponentGaussianDenoiser(model_white_covariance(setup))
