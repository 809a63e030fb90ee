"""`difflab spectrum IMAGE [--size N] [--window] --json`: radially averaged PSD and power-law fit."""

from __future__ import annotations

import argparse

from ..spectral.report import spectrum_json
from .main import emit
from .stdio import image_arg


def run(args: argparse.Namespace) -> int:
    emit(spectrum_json(image_arg(args.image), args.size, args.window, args.resize), args.json)
    return 0
