"""`difflab bench NAME [--quick] --json`: speed and quality benchmarks (results printed as JSON)."""
from __future__ import annotations

import argparse
import importlib

from .main import emit
from ..validation import check_choice

# name -> "module:function"; each function is run(quick: bool) -> dict.
BENCHMARKS: dict[str, str] = {
    "latency": "diffusion_core.bench.latency:run",
    "increments": "diffusion_core.bench.increments:run",
    "quality": "diffusion_core.bench.quality:run",
    "gud-covariance": "diffusion_core.bench.gud_covariance:run",
    "sampling": "diffusion_core.bench.sampling:run",
    "scale-space": "diffusion_core.bench.scale_space:run",
    "spectral": "diffusion_core.bench.spectral:run",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run a benchmark: " + ", ".join(BENCHMARKS))
    p.add_argument("name", help="one of: " + ", ".join(BENCHMARKS))
    p.add_argument("--quick", action="store_true", help="short form (as used by the tests)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_choice("benchmark", args.name, BENCHMARKS)
    module, fn = BENCHMARKS[args.name].split(":")
    emit(getattr(importlib.import_module(module), fn)(args.quick), args.json)
    return 0
