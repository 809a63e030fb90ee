"""Spectrum tab handlers: a clean image's spectrum, and what noise at logSNR lam does to it."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ... import data
from ...caching import frozen_cache
from ...exports import write_csv
from ...noise.conventions import stream_generator
from ...plotting import spectrum as plots
from ...plotting.static import export_png_svg
from ...spectral import spectrum as spectral
from ...validation import check_range
from .view import SpectrumView


@dataclass(frozen=True)
class CleanSpectrum:
    images: torch.Tensor  # [B, 1, H, W]
    rapsd: spectral.RadialPSD  # batch-averaged
    fit: spectral.PowerLawFit
    notes: tuple[str, ...]


@dataclass
class SpectrumResult:
    noisy_image: np.ndarray  # uint8 [H, W] (a mosaic in data-set mode)
    log_spectrum: object  # plotly figures
    psd: object
    snr: object
    explanation: str  # markdown with the live numbers
    numbers: dict  # the numbers in the explanation, for tests and the API


# ---------------------------------------------------------------------------------------------


def _load(view: SpectrumView, upload: str | None) -> tuple[torch.Tensor, tuple[str, ...]]:
    if view.source == "dataset":
        if view.dataset == "digits":
            return data.load_digits(), ()
        return data.load_photos(view.size), ()
    if view.source == "upload":
        x, notes = data.load_upload_with_notes(upload or "", view.size, gray=True)
        return x[:1], tuple(notes)
    return data.load_image(view.source, view.photo, view.size, True, view.beta, view.seed), ()


@frozen_cache(maxsize=16)
def _clean_cached(
    source: str,
    photo: str,
    dataset: str,
    beta: float,
    seed: int,
    size: int,
    window: bool,
    upload: str | None,
    upload_mtime: float,
) -> CleanSpectrum:
    view = SpectrumView(source=source, photo=photo, dataset=dataset, beta=beta, seed=seed, size=size)  # type: ignore[arg-type]
    x, notes = _load(view, upload)
    r = spectral.mean_radial_psd(spectral.radial_psd(x, window))
    fit = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(x.shape[-1]))
    return CleanSpectrum(x, r, fit, notes)


def clean_spectrum(view: SpectrumView, upload: str | None = None) -> CleanSpectrum:
    """Load the image(s) and compute the clean RAPSD and power-law fit (cached per source)."""
    mtime = os.path.getmtime(upload) if (view.source == "upload" and upload and os.path.isfile(upload)) else 0.0
    return _clean_cached(
        view.source,
        view.photo,
        view.dataset,
        view.beta,
        view.seed,
        view.size,
        view.window,
        upload if view.source == "upload" else None,
        mtime,
    )


def _mosaic(x: torch.Tensor, n: int = 16) -> np.ndarray:
    """First n images [n, 1, H, W] tiled into a square grid, uint8."""
    x = x[:n]
    k = math.ceil(math.sqrt(len(x)))
    pad = torch.full((k * k - len(x), *x.shape[1:]), -1.0)
    g = torch.cat([x, pad]).reshape(k, k, *x.shape[-2:])  # [k, k, H, W]
    g = g.permute(0, 2, 1, 3).reshape(1, 1, k * x.shape[-2], k * x.shape[-1])
    return data.to_display(g)


def explain(view: SpectrumView, c: CleanSpectrum, f_cross: float, counts: dict[str, int]) -> str:
    """The few sentences beside the plots, with the live numbers."""
    alpha, sigma = spectral.vp_alpha_sigma(view.lam)
    what = {
        "photo": f"**{view.photo}**",
        "field": f"a Gaussian field with β = {view.beta:g}",
        "upload": "your upload",
        "dataset": f"the mean over **{view.dataset}** ({len(c.images)} images)",
    }[view.source]
    lines = [
        f"The spectrum of {what} falls like a power law, P(f) ≈ {c.fit.amplitude:.3g}·f^-**{c.fit.beta:.2f}** "
        f"(fit over f ∈ [{c.fit.band[0]:.3g}, {c.fit.band[1]:.3g}] cycles/pixel).",
        f"At logSNR λ = **{view.lam:.2f}** (VP α = {alpha:.3f}, σ = {sigma:.3f}; VE σ = {spectral.ve_sigma(view.lam):.3g}) "
        f"white noise adds a flat floor e^-λ = {spectral.noise_floor(view.lam):.3g} to every frequency: the noisy spectrum "
        "follows the image at low f and the floor at high f (the hinge).",
        f"Frequencies below f* = **{f_cross:.3g}** cycles/pixel are still above the noise (SNR > 1); with "
        f"τ_lo = {view.tau_lo:g} and τ_hi = {view.tau_hi:g}, {counts['resolved']} rings are resolved, "
        f"{counts['ambiguous']} ambiguous and {counts['destroyed']} destroyed. Lower λ and f* moves to coarser "
        "scales: denoising reveals the image coarse to fine.",
    ]
    if view.source in ("photo", "upload") or (view.source == "dataset" and view.dataset == "photos"):
        lines.append(resampler_sentence(view.size))
    if c.notes:
        lines.append("Note: " + "; ".join(c.notes) + ".")
    return "\n\n".join(lines)


def resampler_sentence(size: int) -> str:
    """Which resampler brought the image to size², and that β and the bounds depend on it."""
    return (
        f"Resampler: the centre crop is brought to {size}² with {data.RESIZE_LABELS['prefilter']}; β and the noise "
        f"bounds depend on it (`difflab spectrum` / `difflab bounds` take `--resize box` for "
        f"{data.RESIZE_LABELS['box']})."
    )


def spectrum_view(view: SpectrumView, upload: str | None = None) -> SpectrumResult:
    """The Spectrum tab's main computation (api_name `spectrum`)."""
    c = clean_spectrum(view, upload)
    g = stream_generator(view.seed, "noise")
    single = c.images[:1] if view.source != "dataset" else c.images[:16]
    noisy_vp = spectral.add_noise_vp(single.to(torch.float64), view.lam, g)  # [b, 1, H, W]
    alpha, _ = spectral.vp_alpha_sigma(view.lam)
    noisy_data_units = noisy_vp / alpha  # x0 + e^{-lam/2} eps
    r_noisy = spectral.mean_radial_psd(spectral.radial_psd(noisy_data_units, view.window))
    clean_psd = c.rapsd.psd[0]
    floor = spectral.noise_floor(view.lam)
    f_cross = spectral.crossing_frequency(c.rapsd.freqs, clean_psd, view.lam, 1.0)
    snr = spectral.snr_per_frequency(clean_psd, view.lam)
    classes = spectral.snr_classes(snr, view.tau_lo, view.tau_hi)
    counts = {n: int((classes == i).sum()) for i, n in enumerate(plots.CLASS_NAMES)}
    logp = spectral.log_spectrum_centered(noisy_vp[:1]).numpy()[0]
    img = _mosaic(noisy_vp.float().clamp(-1, 1)) if view.source == "dataset" else data.to_display(noisy_vp.float())
    numbers = {
        "beta": c.fit.beta,
        "amplitude": c.fit.amplitude,
        "crossing_frequency": f_cross,
        "noise_floor": floor,
        "dc_power": float(c.rapsd.dc_power[0]),
        **counts,
    }
    return SpectrumResult(
        noisy_image=img,
        log_spectrum=plots.log_spectrum_figure(logp, f"2-D log spectrum of the noisy image (λ = {view.lam:.2f})"),
        psd=plots.radial_psd_figure(
            c.rapsd.freqs,
            clean_psd,
            r_noisy.psd[0],
            floor,
            f_cross,
            (c.fit.beta, c.fit.amplitude),
            "Radially averaged power spectrum",
        ),
        snr=plots.snr_figure(
            c.rapsd.freqs, snr, classes, view.tau_lo, view.tau_hi, f"Per-frequency SNR at λ = {view.lam:.2f}"
        ),
        explanation=explain(view, c, f_cross, counts),
        numbers=numbers,
    )


def spectrum_csv(view: SpectrumView, upload: str | None = None) -> str:
    """The plotted data as CSV: frequency, clean PSD, ring size, SNR and class at the current λ."""
    c = clean_spectrum(view, upload)
    psd = c.rapsd.psd[0]
    snr = spectral.snr_per_frequency(psd, view.lam)
    cls = spectral.snr_classes(snr, view.tau_lo, view.tau_hi)
    return str(
        write_csv(
            "spectrum",
            {
                "freq_cycles_per_pixel": c.rapsd.freqs.tolist(),
                "psd_clean": psd.tolist(),
                "bins_in_ring": c.rapsd.counts.tolist(),
                "noise_floor": [spectral.noise_floor(view.lam)] * len(psd),
                "snr": snr.tolist(),
                "class": [plots.CLASS_NAMES[i] for i in cls],
            },
        )
    )


def spectrum_figures(
    view: SpectrumView, upload: str | None = None, progress: Callable[[float, str], None] | None = None
) -> list[str]:
    """The three figures as PNG + SVG files (matplotlib redraw of the plotly figures);
    progress(fraction, text) after the computation and after each figure's two files."""
    tick = progress or (lambda frac, text: None)
    r = spectrum_view(view, upload)
    figs = ((r.psd, "radial-psd"), (r.snr, "snr"), (r.log_spectrum, "log-spectrum"))
    tick(1 / (1 + len(figs)), "spectra computed")
    paths = []
    for k, (fig, stem) in enumerate(figs, 1):
        paths += export_png_svg(fig, stem)
        tick((1 + k) / (1 + len(figs)), f"figure {k}/{len(figs)} ({stem}.png + .svg)")
    return paths


def sigma_label(lam: float) -> str:
    """The sigmas that go with a logSNR, shown beside the slider."""
    alpha, sigma = spectral.vp_alpha_sigma(check_range("logSNR", lam, -20.0, 20.0))
    return f"VE σ = e^(−λ/2) = **{spectral.ve_sigma(lam):.4g}** · VP α = {alpha:.4f}, σ = {sigma:.4f}"
