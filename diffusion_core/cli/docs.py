"""`python -m diffusion_core.cli.docs [--check]` (`make readme`): rewrite every generated page (README.md's
blocks, docs/cli.md, docs/api.md, docs/benchmarks.md, docs/models.md's and docs/classroom.md's blocks,
benchmarks/models.md, benchmarks/mnist_models.md) from benchmarks/*.json, the sidecars, this CLI's parser and the public API.
With --check, only list the stale pages and exit 1 if there are any. Not a `difflab` command: it lives in
the CLI shell because the CLI reference needs the parser, and the report layer below may not import it."""

from __future__ import annotations

import sys

import diffusion_core

from ..reports import pages
from .main import build_parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        stale = pages.stale(build_parser(), diffusion_core)
        for rel in stale:
            print(f"{rel} is stale: run `make readme`")
        return 1 if stale else 0
    for rel in pages.write(build_parser(), diffusion_core):
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
