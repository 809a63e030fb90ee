"""`difflab bounds IMAGE [--size N] [--tau-lo 0.1] [--tau-hi 10] [--dc include|exclude] --json`."""
from __future__ import annotations

import argparse

from .. import data
from .main import emit
from .stdio import image_arg
from ..spectral.report import bounds_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bounds", help="spectrum-derived useful noise range (sigma_min, sigma_max) of an image")
    p.add_argument("image", help="image file (PNG, JPEG, TIFF, WebP, NPY), a bundled photo name "
                                 f"({', '.join(data.PHOTOS[:4])}, ...), field:BETA[:SEED], or - (read from stdin)")
    p.add_argument("--size", default=256, help="centre crop resized to SIZE x SIZE (default 256)")
    p.add_argument("--tau-lo", default=0.1, help="SNR below which a frequency is destroyed (default 0.1)")
    p.add_argument("--tau-hi", default=10.0, help="SNR above which a frequency is resolved (default 10)")
    p.add_argument("--dc", default="include", help="include: sigma_max from max(DC, lowest ring); "
                                                   "exclude: lowest non-DC ring only (default include)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    emit(bounds_json(image_arg(args.image), args.size, args.tau_lo, args.tau_hi, args.dc), args.json)
    return 0
