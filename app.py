"""Diffusion Lab app: layout and wiring only (each tab in diffusion_core/app/<tab>/, built by app/layout.py).

Run: `make run`, `python app.py [--host 127.0.0.1] [--port 7860]`, or `gradio app.py` (hot reload).
`demo` is built at import, as `gradio app.py` and hosted Spaces expect. The host is --host, else
$GRADIO_SERVER_NAME (Spaces sets 0.0.0.0), else 127.0.0.1; the port likewise with $GRADIO_SERVER_PORT. The
workshop's teacher link (`/?teacher=KEY`) is printed at launch: --teacher-key / $DIFFLAB_TEACHER_KEY, else random.
"""

from __future__ import annotations

import argparse
import os

from diffusion_core.app.layout import build_app, serve
from diffusion_core.app.workshop.room import Room

demo = build_app()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Launch the Diffusion Lab app.")
    p.add_argument(
        "--host",
        default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
        help="interface to bind (default: $GRADIO_SERVER_NAME, else 127.0.0.1 only)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=os.environ.get("GRADIO_SERVER_PORT") or 7860,
        help="port (default: $GRADIO_SERVER_PORT, else 7860)",
    )
    p.add_argument("--teacher-key", help="the workshop's teacher key (default: $DIFFLAB_TEACHER_KEY, else random)")
    p.add_argument(
        "--room-db", help="the room's SQLite file (default: $DIFFLAB_ROOM_DB, else ./difflab-data/room.sqlite)"
    )
    args = p.parse_args(argv)
    built = (
        demo
        if args.teacher_key is None and args.room_db is None
        else build_app(Room.from_env(args.room_db, args.teacher_key))
    )
    serve(built, args.host, args.port)


if __name__ == "__main__":
    main()
