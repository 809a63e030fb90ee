"""`difflab app [--host 127.0.0.1] [--port 7860] [--teacher-key KEY] [--room-db FILE]`: launch the browser app
(the teacher's link with its key is printed at launch)."""

from __future__ import annotations

import argparse

from ..validation import check_int


def run(args: argparse.Namespace) -> int:
    from ..app.layout import launch
    from ..app.workshop.room import Room

    port = check_int("--port", args.port, 1, 65535)
    launch(args.host, port, Room.from_env(getattr(args, "room_db", None), getattr(args, "teacher_key", None)))
    return 0
