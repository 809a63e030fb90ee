"""`difflab bench NAME [--quick] [--device auto|cpu|cuda|mps] --json`: speed and quality benchmarks (JSON).
`difflab bench likelihood --model NAME [--n 1000] [--steps 50] [--pair PAIR] --json`: a pair network's bpd.

--device reaches the benchmarks that run networks (their run() takes `device`); the others measure
CPU work (exact denoisers, the app's latency) and refuse any device but the CPU."""

from __future__ import annotations

import argparse
import importlib
import inspect

from ..devices import resolve_device
from ..validation import InputError, check_choice, check_int
from .main import emit
from .parsers import BENCH_OPTIONS, BENCHMARKS


def options(args: argparse.Namespace) -> dict[str, object]:
    """The benchmark-specific options given (BENCH_OPTIONS), as run() keywords; others' options are an error."""
    given = {k: getattr(args, k) for k in ("model", "n", "steps", "pair", "seed") if getattr(args, k, None) is not None}
    allowed = BENCH_OPTIONS.get(args.name, ())
    if extra := [k for k in given if k not in allowed]:
        raise InputError(f"bench {args.name} takes no --{', --'.join(extra)}")
    ints = {k: check_int(k, v, 0, 1_000_000) for k, v in given.items() if k in ("n", "steps", "seed")}
    return {**given, **ints}


def run(args: argparse.Namespace) -> int:
    check_choice("benchmark", args.name, BENCHMARKS)
    dev = resolve_device(args.device)
    module, name = BENCHMARKS[args.name].split(":")
    fn = getattr(importlib.import_module(module), name)
    if "device" in inspect.signature(fn).parameters:
        emit(fn(args.quick, device=dev, **options(args)), args.json)
        return 0
    if dev.type != "cpu" and args.device != "auto":
        raise InputError(
            f"bench {args.name} measures CPU work only; --device {args.device} applies to: "
            + ", ".join(k for k, v in BENCHMARKS.items() if _takes_device(v))
        )
    emit(fn(args.quick, **options(args)), args.json)
    return 0


def _takes_device(target: str) -> bool:
    module, name = target.split(":")
    return "device" in inspect.signature(getattr(importlib.import_module(module), name)).parameters
