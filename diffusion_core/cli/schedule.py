"""`difflab schedule NAME --steps N [--set key=value ...] [--image IMAGE] [--diffusers-config] --json`.

`--diffusers-config` prints JSON that `EulerDiscreteScheduler.from_config(json.loads(text))` loads."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from .. import data
from ..noise.discretization import diffusers_config
from ..noise.inspector import load
from ..noise.schedule_diff import diff
from ..noise.scheduler_config import MAX_TEXT
from ..noise.schedules import FAMILIES
from ..spectral.schedule import build_schedule
from ..validation import InputError, check_choice, check_int
from .main import emit
from .stdio import image_arg


def parse_sets(items: list[str]) -> dict[str, Any]:
    """['a=1', 'b=x'] -> {'a': '1', 'b': 'x'}; values are typed by the family's defaults."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def schedule_json(
    name: str,
    steps: int,
    sets: list[str] | None = None,
    image: str | None = None,
    size: int = 256,
    as_diffusers: bool = False,
) -> dict:
    """The `schedule` contract: sigmas, logsnr (+ timesteps, alphas_cumprod for discrete families)."""
    check_choice("schedule", name, FAMILIES)
    steps = check_int("--steps", steps, 1, 10_000)
    x = None
    if image is not None:
        x = data.image_from_arg(image, check_int("--size", size, data.MIN_SIZE, data.MAX_SIZE), gray=True)[:1]
    res = build_schedule(name, steps, parse_sets(sets or []), image=x)
    return diffusers_config(res) if as_diffusers else res.to_json()


def _read_config(arg: str) -> str | dict:
    """A diff operand: a scheduler_config.json path (read, <= 100 kB), else the spec text itself."""
    if arg.endswith(".json"):
        if not os.path.isfile(arg):
            raise InputError(f"config file {arg!r} not found")
        if os.path.getsize(arg) > MAX_TEXT:
            raise InputError(f"config file {arg!r} is larger than {MAX_TEXT} bytes; a scheduler_config.json is small")
        with open(arg, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    return arg


def diff_json(a: str, b: str, steps: int) -> dict:
    """`difflab schedule diff A B --steps N`: per-step table of both and the findings, each config's name
    (`label_a`, `label_b`) and notes (`notes_a`, `notes_b`: keys diffusers ignores, its surprises)."""
    steps = check_int("--steps", steps, 1, 10_000)
    la, lb = load(_read_config(a), steps), load(_read_config(b), steps)
    return {
        "a": a,
        "b": b,
        "steps": steps,
        "label_a": la.label,
        "label_b": lb.label,
        "notes_a": list(la.notes),
        "notes_b": list(lb.notes),
        **diff(la.result, lb.result),
    }


def run(args: argparse.Namespace) -> int:
    if args.name == "diff":
        if len(args.configs) != 2:
            raise InputError("schedule diff needs two configs: difflab schedule diff A B --steps N")
        emit(diff_json(args.configs[0], args.configs[1], args.steps), args.json)
        return 0
    if args.configs:
        raise InputError(f"unexpected argument(s) {' '.join(args.configs)}; only `schedule diff A B` takes two configs")
    result = schedule_json(args.name, args.steps, args.set, image_arg(args.image), args.size, args.diffusers_config)
    if args.diffusers_config:  # always JSON: a config file is meant to be loaded
        print(json.dumps(result, indent=2))
        return 0
    emit(result, args.json)
    return 0
