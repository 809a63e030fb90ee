"""`difflab` command line. Each command lives in `diffusion_core/cli/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`.

Every command validates its input and exits non-zero with a one-line error on bad input.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

from ..validation import InputError

# Command modules, in the order `difflab --help` lists them.
COMMAND_MODULES = [
    "app", "spectrum", "bench", "increments", "bounds", "schedule", "basis_forward", "component_schedule", "sample", "models", "train",
]


def emit(result: dict[str, Any], as_json: bool) -> None:
    """Print a result dict as JSON (with --json) or as aligned `key: value` lines."""
    if as_json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        text = json.dumps(value) if isinstance(value, (list, dict)) else str(value)
        print(f"{key}: {text if len(text) < 200 else text[:197] + '...'}")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(prog="difflab", description="Diffusion Lab: spectra, schedules, bases, increments.")
    parser.add_argument("--version", action="version", version=f"difflab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"diffusion_core.cli.{name}").register(sub)
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
