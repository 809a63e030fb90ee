"""Spectrum-derived noise bounds and tight schedules (Esteves & Makadia 2026; reference sec. 4-6).

Per-frequency SNR: logSNR(k) = lam + log P(k) with P the orthonormal-DFT power (spectral.py).
  sigma_max = sqrt(P_max / tau_lo)   (P_max: DC and lowest ring, or lowest ring only)
  sigma_min = max(sqrt(P_min / tau_hi), Delta / sqrt(12))   (P_min: highest ring; Delta = 2/255)
Tight schedules [derived] run between lam_lo = -2 log sigma_max and lam_hi = -2 log sigma_min, in
two forms of the same frequency coordinate f(u), u = 1 - t:
  affine   (tight-KIND):          lam(u) = lam_lo + (lam_hi - lam_lo) (log f(u) - log e_0) / (log e_K - log e_0),
           -log P(f) of the fitted power law (linear in log f) stretched onto the bounds;
  crossing (tight-KIND-crossing): lam(u) = clip(-log P(f(u)), lam_lo, lam_hi) = clip(-log A + beta log f(u)),
           reference sec. 6 as written: at progress u the level where frequency f(u) has SNR 1.
f(u) is uniform in f (frequency), the quantile of the cumulative spectral energy sum_r A f_r^-beta n_r
(power), or the mean of the two lam's (mixed). e_0, e_K are the outer ring edges 0.5/n and
(n/2 + 0.5)/n. A schedule is a function of (beta, lam_lo, lam_hi, n) and, crossing form, log A.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from ..noise.schedules import LamFn
from ..validation import InputError, check_choice, check_int, check_range
from .spectrum import default_fit_band, fit_power_law, power_spectrum, radial_frequency

Tensor = torch.Tensor
QUANT_STEP = 2.0 / 255.0
TIGHT_KINDS = ("frequency", "power", "mixed")
TIGHT_FORMS = ("affine", "crossing")

# ---------------------------------------------------------------------------------------------
# Ring averages of a power spectrum (same rings as spectral.radial_psd: round(|k| n), 1..n/2)


def quantization_floor(step: float = QUANT_STEP) -> float:
    """sigma_q = Delta / sqrt(12): std of uniform rounding error (0.0022641 for 8-bit data in [-1, 1])."""
    return step / math.sqrt(12.0)


@lru_cache(maxsize=16)
def ring_layout(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ring index per bin [n*n], ring frequencies r/n [K], bin counts [K]) for an n x n grid."""
    ring = torch.round(radial_frequency(n, n) * n).long().reshape(-1).numpy()
    k = n // 2
    counts = np.bincount(ring, minlength=k + 1)[1 : k + 1]
    return ring, np.arange(1, k + 1) / n, counts


@dataclass(frozen=True)
class RingSpectrum:
    """One spectrum: DC power, ring-averaged power [K] at freqs [K], bin counts [K], side n."""

    n: int
    dc: float
    freqs: np.ndarray
    psd: np.ndarray
    counts: np.ndarray


def ring_spectrum(power: Tensor) -> RingSpectrum:
    """Ring-average a power spectrum [H, W] (unshifted, H = W = n) with DC kept separately."""
    if power.ndim != 2 or power.shape[0] != power.shape[1]:
        raise InputError(f"power spectrum must be square [n, n], got {tuple(power.shape)}")
    n = power.shape[0]
    ring, freqs, counts = ring_layout(n)
    p = power.to(torch.float64).reshape(-1).numpy()  # [n*n]
    k = len(freqs)
    sums = np.bincount(ring, weights=p, minlength=k + 1)[1 : k + 1]
    return RingSpectrum(n, float(p[0]), freqs, sums / counts, counts)


def image_spectrum(image: Tensor) -> RingSpectrum:
    """RingSpectrum of one image [1, C, n, n] (channel-averaged)."""
    if image.ndim != 4 or image.shape[0] != 1:
        raise InputError(f"image must have shape [1, C, H, W], got {tuple(image.shape)}")
    if image.shape[-1] != image.shape[-2]:
        raise InputError(f"image must be square, got {image.shape[-2]}x{image.shape[-1]}")
    return ring_spectrum(power_spectrum(image)[0].mean(dim=0))


# ---------------------------------------------------------------------------------------------
# Bounds


@dataclass(frozen=True)
class Bounds:
    sigma_min: float
    sigma_max: float
    logsnr_min: float  # lam_lo = -2 log sigma_max
    logsnr_max: float  # lam_hi = -2 log sigma_min
    quantization_floor: float
    sigma_max_dc: float  # sqrt(P_DC / tau_lo)
    sigma_max_ring: float  # sqrt(P_ring1 / tau_lo)
    sigma_min_spectral: float  # sqrt(P_top / tau_hi), before the quantisation floor

    def to_json(self) -> dict[str, float]:
        return asdict(self)


def check_taus(tau_lo: float, tau_hi: float) -> tuple[float, float]:
    tau_lo = check_range("tau_lo", tau_lo, 0, None, lo_open=True)
    tau_hi = check_range("tau_hi", tau_hi, 0, None, lo_open=True)
    if tau_lo >= tau_hi:
        raise InputError(f"tau_lo must be < tau_hi, got tau_lo={tau_lo:g}, tau_hi={tau_hi:g}")
    return tau_lo, tau_hi


def bounds(
    spec: RingSpectrum,
    tau_lo: float = 0.1,
    tau_hi: float = 10.0,
    dc: str = "include",
    quant_step: float | None = QUANT_STEP,
) -> Bounds:
    """sigma_max = sqrt(P_max / tau_lo), sigma_min = max(sqrt(P_top / tau_hi), Delta/sqrt(12)) (ref. 4.1-4.2)."""
    tau_lo, tau_hi = check_taus(tau_lo, tau_hi)
    check_choice("dc", dc, ("include", "exclude"))
    s_dc, s_ring = math.sqrt(spec.dc / tau_lo), math.sqrt(spec.psd[0] / tau_lo)
    s_max = max(s_dc, s_ring) if dc == "include" else s_ring
    s_spec = math.sqrt(spec.psd[-1] / tau_hi)
    q = quantization_floor(quant_step) if quant_step else 0.0
    s_min = max(s_spec, q)
    if not 0 < s_min < s_max:
        raise InputError(
            f"the image has no usable noise range (sigma_min={s_min:g}, sigma_max={s_max:g}); "
            "is it constant? use an image with structure or lower tau_hi"
        )
    return Bounds(s_min, s_max, -2 * math.log(s_max), -2 * math.log(s_min), q, s_dc, s_ring, s_spec)


# ---------------------------------------------------------------------------------------------
# Tight schedules: functions of (beta, lam_lo, lam_hi, n)


@dataclass(frozen=True)
class TightParams:
    beta: float  # fitted spectral slope, psd ~ A f^-beta
    logsnr_min: float  # lam_lo
    logsnr_max: float  # lam_hi
    n: int  # image side
    log_amplitude: float = math.nan  # log A of psd ~ A f^-beta (crossing form only)


def ring_edges(n: int) -> np.ndarray:
    """Ring edges e_r = (r + 0.5) / n, r = 0..n/2. [K + 1]"""
    return (np.arange(0, n // 2 + 1) + 0.5) / n


def f_frequency(u: Tensor, n: int) -> Tensor:
    """f(u) = e_0 + u (e_K - e_0): uniform in radial frequency."""
    e = ring_edges(n)
    return e[0] + u * (e[-1] - e[0])


def f_power(u: Tensor, n: int, beta: float) -> Tensor:
    """f(u) = F^-1(u), F the cumulative energy sum_r f_r^-beta n_r over ring edges (piecewise linear)."""
    _, freqs, counts = ring_layout(n)
    energy = freqs ** (-beta) * counts  # [K]
    cum = np.concatenate([[0.0], np.cumsum(energy) / energy.sum()])  # [K + 1] at the edges
    e = ring_edges(n)
    out = np.interp(u.detach().cpu().numpy(), cum, e)
    return torch.as_tensor(out, dtype=torch.float64)


def lam_of_frequency(f: Tensor, tp: TightParams) -> Tensor:
    """lam = lam_lo + (lam_hi - lam_lo) (log f - log e_0) / (log e_K - log e_0)."""
    e = ring_edges(tp.n)
    w = (torch.log(f) - math.log(e[0])) / (math.log(e[-1]) - math.log(e[0]))
    return tp.logsnr_min + (tp.logsnr_max - tp.logsnr_min) * w


def lam_crossing(f: Tensor, tp: TightParams) -> Tensor:
    """lam*(f) = -log P(f) = -log A + beta log f, the level where SNR(f) = 1, clipped to [lam_lo, lam_hi] (ref. 6)."""
    if not math.isfinite(tp.log_amplitude):
        raise InputError("the crossing form needs the spectrum's amplitude A: fit it from an image (tight_params)")
    lam = -tp.log_amplitude + tp.beta * torch.log(f)
    return lam.clamp(tp.logsnr_min, tp.logsnr_max)


def split_name(name: str) -> tuple[str, str]:
    """'tight-power' -> ('power', 'affine'); 'tight-power-crossing' -> ('power', 'crossing')."""
    rest = name.removeprefix("tight-")
    kind, form = (rest.removesuffix("-crossing"), "crossing") if rest.endswith("-crossing") else (rest, "affine")
    check_choice("tight schedule", kind, TIGHT_KINDS)
    return kind, form


def tight_lam_fn(kind: str, tp: TightParams, form: str = "affine") -> LamFn:
    """lam(t), t = 0 data -> 1 noise, for kind in frequency / power / mixed, form affine / crossing."""
    check_choice("tight kind", kind, TIGHT_KINDS)
    check_choice("tight form", form, TIGHT_FORMS)
    if not tp.logsnr_min < tp.logsnr_max:
        raise InputError(f"logsnr_min must be < logsnr_max, got {tp.logsnr_min:g} >= {tp.logsnr_max:g}")
    lam_of = lam_of_frequency if form == "affine" else lam_crossing
    if form == "crossing":
        lam_crossing(torch.ones(1, dtype=torch.float64), tp)  # amplitude present

    def fn(t: Tensor) -> Tensor:
        u = 1 - torch.as_tensor(t, dtype=torch.float64).clamp(0, 1)
        lam_f = lam_of(f_frequency(u, tp.n), tp)
        if kind == "frequency":
            return lam_f
        lam_p = lam_of(f_power(u, tp.n, tp.beta), tp)
        return lam_p if kind == "power" else 0.5 * (lam_f + lam_p)

    return fn


def tight_params(
    spec: RingSpectrum,
    tau_lo: float = 0.1,
    tau_hi: float = 10.0,
    dc: str = "include",
    band: tuple[float, float] | None = None,
) -> tuple[TightParams, Bounds]:
    """Fit beta (and A) over `band` (default: spectral.default_fit_band) and compute the bounds of one spectrum."""
    b = bounds(spec, tau_lo, tau_hi, dc)
    fit = fit_power_law(spec.freqs, spec.psd, band or default_fit_band(spec.n))
    return TightParams(fit.beta, b.logsnr_min, b.logsnr_max, spec.n, math.log(fit.amplitude)), b


def tight_lam_fn_for_image(name: str, image: Tensor, p: dict[str, Any]) -> LamFn:
    """lam(t) of schedule `name` (tight-KIND or tight-KIND-crossing, KIND frequency / power / mixed) for one image."""
    tp, _ = tight_params(image_spectrum(image), p["tau_lo"], p["tau_hi"], p["dc"])
    kind, form = split_name(name)
    return tight_lam_fn(kind, tp, form)


def field_spectrum(variance: Tensor) -> RingSpectrum:
    """Expected RingSpectrum of a Gaussian field with E|F x(k)|^2 = variance [n, n]."""
    return ring_spectrum(variance)


# ---------------------------------------------------------------------------------------------
# Data-set mode: per-image (beta, lam_lo, lam_hi), a Gaussian mixture over them, sampled schedules


def fit_band_for(n: int) -> tuple[float, float]:
    """spectral.default_fit_band, widened to all rings for small images (n < 32)."""
    return default_fit_band(n) if n >= 32 else (1.0 / n, 0.5)


def image_params(images: Tensor, tau_lo: float = 0.1, tau_hi: float = 10.0, dc: str = "include") -> np.ndarray:
    """Per-image (beta, logsnr_min, logsnr_max) over a batch [B, C, n, n], one row per image in order; a row of
    NaN for an image without a usable range (e.g. a zero-mean checkerboard). [B, 3]"""
    if images.ndim != 4 or images.shape[0] < 1:
        raise InputError(f"images must have shape [B, C, H, W] with B >= 1, got {tuple(images.shape)}")
    n = images.shape[-1]
    power = power_spectrum(images).mean(dim=1)  # [B, n, n]
    rows = np.full((len(power), 3), np.nan)
    for i, p in enumerate(power):
        try:
            tp, _ = tight_params(ring_spectrum(p), tau_lo, tau_hi, dc, fit_band_for(n))
        except InputError:
            continue
        rows[i] = (tp.beta, tp.logsnr_min, tp.logsnr_max)
    return rows


def dataset_params(images: Tensor, tau_lo: float = 0.1, tau_hi: float = 10.0, dc: str = "include") -> np.ndarray:
    """Per-image (beta, logsnr_min, logsnr_max) over a batch [B, C, n, n]; images without a usable
    range (e.g. a zero-mean checkerboard) are skipped. [B', 3]"""
    rows = image_params(images, tau_lo, tau_hi, dc)
    rows = rows[np.isfinite(rows).all(axis=1)]
    if not len(rows):
        raise InputError("no image in the data set has a usable noise range; lower tau_hi or raise tau_lo")
    return rows


def dataset_tight_params(
    images: Tensor, tau_lo: float = 0.1, tau_hi: float = 10.0, dc: str = "include"
) -> tuple[TightParams, Bounds]:
    """The data set's slope and bounds, from its mean power spectrum over [B, C, n, n] (one schedule for all)."""
    power = power_spectrum(images).mean(dim=(0, 1))  # [n, n]
    return tight_params(ring_spectrum(power), tau_lo, tau_hi, dc, fit_band_for(images.shape[-1]))


def fit_gmm(params: np.ndarray, components: int = 2, seed: int = 0) -> Any:
    """sklearn GaussianMixture (full covariance) on the [B, 3] parameter cloud; seeded."""
    from sklearn.mixture import GaussianMixture

    components = check_int("components", components, 1, 10)
    if len(params) < 2 * components:
        raise InputError(f"components must be <= {len(params) // 2} for {len(params)} images, got {components}")
    return GaussianMixture(components, covariance_type="full", reg_covar=1e-4, random_state=seed).fit(params)


def sample_tight_params(gmm: Any, count: int, n: int, seed: int = 0) -> list[TightParams]:
    """Draw schedule parameters from the mixture; draws with lam_lo >= lam_hi or beta <= 0 are redrawn."""
    count = check_int("count", count, 1, 10_000)
    rng = np.random.default_rng(seed)
    out: list[TightParams] = []
    for _ in range(100):
        idx = rng.choice(len(gmm.weights_), size=4 * count, p=gmm.weights_)
        for i in idx:
            b, lo, hi = rng.multivariate_normal(gmm.means_[i], gmm.covariances_[i])
            if b > 0 and lo < hi and len(out) < count:
                out.append(TightParams(float(b), float(lo), float(hi), n))
        if len(out) == count:
            return out
    raise InputError("the fitted mixture rarely gives a valid schedule; use more images or fewer components")


# ---------------------------------------------------------------------------------------------
# The per-instance network's schedule: its noise levels and the conditioning c = (lam(0), lam(1))


def instance_lams(params: np.ndarray, t: Tensor, n: int, kind: str = "mixed") -> Tensor:
    """lam_b(t_b) of each image's own tight schedule, params [B, 3] = (beta, lam_lo, lam_hi), t [B]. [B] float64"""
    t = torch.as_tensor(t, dtype=torch.float64).reshape(-1)
    return torch.cat(
        [
            tight_lam_fn(kind, TightParams(float(b), float(lo), float(hi), n))(t[i : i + 1])
            for i, (b, lo, hi) in enumerate(params)
        ]
    )


def instance_condition(params: np.ndarray) -> Tensor:
    """c = (lam(0), lam(1)) / 10 = (lam_hi, lam_lo) / 10 per image, the network's extra input. [B, 2] float32"""
    p = torch.as_tensor(np.asarray(params), dtype=torch.float32).reshape(-1, 3)
    return torch.stack([p[:, 2], p[:, 1]], dim=1) / 10.0
