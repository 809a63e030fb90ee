"""`difflab bounds IMAGE [--size N] [--tau-lo 0.1] [--tau-hi 10] [--dc include|exclude] --json`."""

from __future__ import annotations

import argparse

from ..spectral.report import bounds_json
from .main import emit
from .stdio import image_arg


def run(args: argparse.Namespace) -> int:
    emit(bounds_json(image_arg(args.image), args.size, args.tau_lo, args.tau_hi, args.dc, args.resize), args.json)
    return 0
