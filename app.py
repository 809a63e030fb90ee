"""Diffusion Lab app: layout and wiring only (tabs live in diffusion_core/ui/layout/).

Run: `make run`, or `python app.py [--host 127.0.0.1] [--port 7860]`.
"""
from __future__ import annotations

import argparse

from diffusion_core.app.layout import launch


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Launch the Diffusion Lab app.")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1 only)")
    p.add_argument("--port", type=int, default=7860)
    args = p.parse_args(argv)
    launch(args.host, args.port)


if __name__ == "__main__":
    main()
