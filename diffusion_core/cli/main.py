"""`difflab` command line. Each command has a parser in `cli/parsers.py` (light: no torch) and a module
`diffusion_core/cli/<module>.py` exposing `run(args) -> int`, imported only when that command runs.

Every command validates its input and exits non-zero with a one-line error on bad input.
`main(argv)` returns the exit code (it never calls sys.exit), so tests call it in-process.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, TextIO

from .. import __version__
from ..validation import InputError
from .parsers import PARSERS

# The lazy-import entry point of the CLI: command -> the module under diffusion_core.cli that runs it,
# imported on dispatch, so `difflab --version` and every `--help` load no torch, scipy, plotly or gradio.
COMMANDS: dict[str, str] = {
    "app": "app",
    "spectrum": "spectrum",
    "bench": "bench",
    "increments": "increments",
    "bounds": "bounds",
    "schedule": "schedule",
    "basis-forward": "basis_forward",
    "component-schedule": "component_schedule",
    "sample": "sample",
    "models": "models",
    "train": "train",
}


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
    parser = argparse.ArgumentParser(
        prog="difflab",
        description="Diffusion Lab: spectra, schedules, bases, increments, scale space, sampling.",
        epilog="`difflab COMMAND --help` shows each command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"difflab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in PARSERS.values():
        add(sub)
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    for name, p in sub.choices.items():  # `difflab X --help`: the one-line summary and an example
        p.description = p.description or (helps[name][:1].upper() + helps[name][1:] + ".")
        if name in EXAMPLES and not p.epilog:
            p.epilog = f"example: {EXAMPLES[name]}"
            p.formatter_class = argparse.RawDescriptionHelpFormatter  # the example stays on one line
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace | int:
    """The parsed arguments, or argparse's exit code (0 after --help / --version, 2 on a usage error)."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit as e:  # argparse exits; main() returns the code instead
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)


def main(argv: list[str] | None = None) -> int:
    """Run `difflab ARGV` (default sys.argv[1:]) and return the exit code; output goes to sys.stdout/stderr."""
    args = parse(argv)
    if isinstance(args, int):
        return args
    try:
        run = importlib.import_module(f"{__package__}.{COMMANDS[args.command]}").run
        return int(run(args) or 0)
    except InputError as e:
        print(f"difflab {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except FileNotFoundError as e:
        print(f"difflab {args.command}: error: file not found: {e.filename or e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
