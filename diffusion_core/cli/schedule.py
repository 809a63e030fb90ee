"""`difflab schedule NAME --steps N [--set key=value ...] [--image IMAGE] [--diffusers-config] --json`."""
from __future__ import annotations

import argparse
from typing import Any

from .. import data
from .main import emit
from ..noise.discretization import build_schedule, diffusers_config
from ..noise.schedules import FAMILIES
from ..validation import InputError, check_choice, check_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="sigmas / logSNR / timesteps of a noise schedule cut into N steps")
    p.add_argument("name", help=f"schedule family: {', '.join(FAMILIES)}")
    p.add_argument("--steps", required=True, help="number of sampling steps N (N + 1 sigmas)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="family parameter, e.g. sigma_min=0.002, rho=7, timestep_spacing=trailing (repeatable)")
    p.add_argument("--image", default=None, help="image for tight-* schedules: file, photo name or field:BETA")
    p.add_argument("--size", default=256, help="image side for tight-* schedules (default 256)")
    p.add_argument("--diffusers-config", action="store_true", help="print a diffusers EulerDiscreteScheduler config")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def parse_sets(items: list[str]) -> dict[str, Any]:
    """['a=1', 'b=x'] -> {'a': '1', 'b': 'x'}; values are typed by the family's defaults."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def schedule_json(name: str, steps: int, sets: list[str] | None = None, image: str | None = None,
                  size: int = 256, as_diffusers: bool = False) -> dict:
    """The `schedule` contract: sigmas, logsnr (+ timesteps, alphas_cumprod for discrete families)."""
    check_choice("schedule", name, FAMILIES)
    steps = check_int("--steps", steps, 1, 10_000)
    x = None
    if image is not None:
        x = data.image_from_arg(image, check_int("--size", size, data.MIN_SIZE, data.MAX_SIZE), gray=True)[:1]
    res = build_schedule(name, steps, parse_sets(sets or []), image=x)
    return diffusers_config(res) if as_diffusers else res.to_json()


def run(args: argparse.Namespace) -> int:
    emit(schedule_json(args.name, args.steps, args.set, args.image, args.size, args.diffusers_config), args.json)
    return 0
