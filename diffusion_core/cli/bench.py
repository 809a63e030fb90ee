"""`difflab bench NAME [--quick] [--device auto|cpu|cuda|mps] --json`: speed and quality benchmarks (JSON).

--device reaches the benchmarks that run networks (their run() takes `device`); the others measure
CPU work (exact denoisers, the app's latency) and refuse any device but the CPU."""

from __future__ import annotations

import argparse
import importlib
import inspect

from ..devices import resolve_device
from ..validation import InputError, check_choice
from .main import emit
from .parsers import BENCHMARKS


def run(args: argparse.Namespace) -> int:
    check_choice("benchmark", args.name, BENCHMARKS)
    dev = resolve_device(args.device)
    module, name = BENCHMARKS[args.name].split(":")
    fn = getattr(importlib.import_module(module), name)
    if "device" in inspect.signature(fn).parameters:
        emit(fn(args.quick, device=dev), args.json)
        return 0
    if dev.type != "cpu" and args.device != "auto":
        raise InputError(
            f"bench {args.name} measures CPU work only; --device {args.device} applies to: "
            + ", ".join(k for k, v in BENCHMARKS.items() if _takes_device(v))
        )
    emit(fn(args.quick), args.json)
    return 0


def _takes_device(target: str) -> bool:
    module, name = target.split(":")
    return "device" in inspect.signature(getattr(importlib.import_module(module), name)).parameters
