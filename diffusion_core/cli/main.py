"""`difflab` command line. Each command lives in `diffusion_core/cli/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`.

Every command validates its input and exits non-zero with a one-line error on bad input.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, TextIO

from ..validation import InputError

# Command modules, in the order `difflab --help` lists them.
COMMAND_MODULES = [
    "app", "spectrum", "bench", "increments", "bounds", "schedule", "basis_forward", "component_schedule", "sample", "models", "train",
]


# One example per command, shown at the end of `difflab COMMAND --help` (tests run each through the parser).
EXAMPLES: dict[str, str] = {
    "app": "difflab app --host 0.0.0.0 --port 7860        # serve a room of laptops",
    "spectrum": "difflab spectrum camera --size 256 --json     # or a file, field:2, or - for stdin",
    "bench": "difflab bench latency --quick --json",
    "increments": "difflab increments --law laplace --steps 50 --paths 20000 --seed 0 --json",
    "bounds": "difflab bounds astronaut --tau-lo 0.1 --tau-hi 10 --json",
    "schedule": "difflab schedule scaled-linear --steps 30 --set timestep_spacing=trailing --diffusers-config",
    "basis-forward": "difflab basis-forward --preset bases/standard.toml --frames 9 --out frames.gif",
    "component-schedule": "difflab component-schedule --basis dct --a 2 --out - > table.csv",
    "sample": "difflab sample --model field-beta2-32 --sampler dpmpp_2m --steps 16 --seed 0 --n 16 --out s.png",
    "models": "difflab models --json",
    "train": "difflab train train/smoke.toml --nproc 1 --out-dir runs/",
}


def emit(result: dict[str, Any], as_json: bool, file: TextIO | None = None) -> None:
    """Print a result dict as JSON (with --json) or as aligned `key: value` lines (to `file`, default stdout)."""
    file = file or sys.stdout
    if as_json:
        print(json.dumps(result), file=file)
        return
    for key, value in result.items():
        text = json.dumps(value) if isinstance(value, (list, dict)) else str(value)
        print(f"{key}: {text if len(text) < 200 else text[:197] + '...'}", file=file)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="difflab", description="Diffusion Lab: spectra, schedules, bases, increments, scale space, sampling.",
        epilog="`difflab COMMAND --help` shows each command's options and an example.")
    parser.add_argument("--version", action="version", version=f"difflab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"diffusion_core.cli.{name}").register(sub)
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, p in sub.choices.items():          # `difflab X --help`: the one-line summary and an example
        p.description = p.description or (helps[name][:1].upper() + helps[name][1:] + ".")
        if name in EXAMPLES and not p.epilog:
            p.epilog = f"example: {EXAMPLES[name]}"
            p.formatter_class = argparse.RawDescriptionHelpFormatter    # the example stays on one line
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as e:
        print(f"difflab {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:               # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except FileNotFoundError as e:
        print(f"difflab {args.command}: error: file not found: {e.filename or e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
