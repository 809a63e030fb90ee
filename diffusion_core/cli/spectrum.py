"""`difflab spectrum IMAGE [--size N] [--window] --json`: radially averaged PSD and power-law fit."""
from __future__ import annotations

import argparse

from .. import data
from ..spectral.report import spectrum_json
from .main import emit
from .stdio import image_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spectrum", help="radially averaged power spectrum and power-law fit of an image")
    p.add_argument("image", help="image file (PNG, JPEG, TIFF, WebP, GIF, NPY), a bundled photo name "
                                 f"({', '.join(data.PHOTOS[:4])}, ...), field:BETA[:SEED], or - (read from stdin)")
    p.add_argument("--size", type=int, default=256, help="centre crop resized to SIZE x SIZE (default 256)")
    p.add_argument("--window", action="store_true", help="apply a Hann window before the FFT")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    emit(spectrum_json(image_arg(args.image), args.size, args.window), args.json)
    return 0
