"""`difflab spectrum IMAGE [--size N] [--window] --json`: radially averaged PSD and power-law fit."""
from __future__ import annotations

import argparse

from .. import data
from ..spectral import spectrum as spectral
from .main import emit
from .stdio import image_arg
from ..validation import check_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spectrum", help="radially averaged power spectrum and power-law fit of an image")
    p.add_argument("image", help="image file (PNG, JPEG, TIFF, WebP, GIF, NPY), a bundled photo name "
                                 f"({', '.join(data.PHOTOS[:4])}, ...), field:BETA[:SEED], or - (read from stdin)")
    p.add_argument("--size", type=int, default=256, help="centre crop resized to SIZE x SIZE (default 256)")
    p.add_argument("--window", action="store_true", help="apply a Hann window before the FFT")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def spectrum_json(image: str, size: int, window: bool = False) -> dict:
    """The `spectrum` contract: freqs, psd, beta, fit_band, dc_power (grayscale, data in [-1, 1])."""
    size = check_int("--size", size, data.MIN_SIZE, data.MAX_SIZE)
    x = data.image_from_arg(image, size, gray=True)[:1]
    r = spectral.radial_psd(x, window)
    fit = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(size))
    return {"freqs": r.freqs.tolist(), "psd": r.psd[0].tolist(), "beta": fit.beta,
            "amplitude": fit.amplitude, "fit_band": list(fit.band), "dc_power": float(r.dc_power[0])}


def run(args: argparse.Namespace) -> int:
    emit(spectrum_json(image_arg(args.image), args.size, args.window), args.json)
    return 0
