"""`difflab app [--host 127.0.0.1] [--port 7860]`: launch the browser app."""
from __future__ import annotations

import argparse
import os

from ..validation import check_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="launch the Gradio app (binds 127.0.0.1 unless asked)")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
                   help="interface to bind (default: $GRADIO_SERVER_NAME, else 127.0.0.1)")
    p.add_argument("--port", type=int, default=os.environ.get("GRADIO_SERVER_PORT") or 7860,
                   help="port (default: $GRADIO_SERVER_PORT, else 7860)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..app.layout import launch

    launch(args.host, check_int("--port", args.port, 1, 65535))
    return 0
