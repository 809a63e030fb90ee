"""`difflab app [--host 127.0.0.1] [--port 7860]`: launch the browser app."""

from __future__ import annotations

import argparse

from ..validation import check_int


def run(args: argparse.Namespace) -> int:
    from ..app.layout import launch

    launch(args.host, check_int("--port", args.port, 1, 65535))
    return 0
