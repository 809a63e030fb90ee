"""`difflab bench NAME [--quick] [--device auto|cpu|cuda|mps] --json`: speed and quality benchmarks (JSON).

--device reaches the benchmarks that run networks (their run() takes `device`); the others measure
CPU work (exact denoisers, the app's latency) and refuse any device but the CPU."""
from __future__ import annotations

import argparse
import importlib
import inspect

from .main import emit
from ..devices import resolve_device
from ..validation import InputError, check_choice

# name -> "module:function"; each function is run(quick: bool) -> dict.
BENCHMARKS: dict[str, str] = {
    "latency": "diffusion_core.bench.latency:run",
    "increments": "diffusion_core.bench.increments:run",
    "quality": "diffusion_core.bench.quality:run",
    "gud-covariance": "diffusion_core.bench.gud_covariance:run",
    "sampling": "diffusion_core.bench.sampling:run",
    "scale-space": "diffusion_core.bench.scale_space:run",
    "spectral": "diffusion_core.bench.spectral:run",
    "resolution": "diffusion_core.bench.resolution:run",
    "slider-latency": "diffusion_core.bench.slider_latency:run",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run a benchmark: " + ", ".join(BENCHMARKS))
    p.add_argument("name", help="one of: " + ", ".join(BENCHMARKS))
    p.add_argument("--quick", action="store_true", help="short form (as used by the tests)")
    p.add_argument("--device", default="auto", help="auto|cpu|cuda|mps for benchmarks that run networks (sampling)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_choice("benchmark", args.name, BENCHMARKS)
    dev = resolve_device(args.device)
    module, name = BENCHMARKS[args.name].split(":")
    fn = getattr(importlib.import_module(module), name)
    if "device" in inspect.signature(fn).parameters:
        emit(fn(args.quick, device=dev), args.json)
        return 0
    if dev.type != "cpu" and args.device != "auto":
        raise InputError(f"bench {args.name} measures CPU work only; --device {args.device} applies to: "
                         + ", ".join(k for k, v in BENCHMARKS.items() if _takes_device(v)))
    emit(fn(args.quick), args.json)
    return 0


def _takes_device(target: str) -> bool:
    module, name = target.split(":")
    return "device" in inspect.signature(getattr(importlib.import_module(module), name)).parameters
