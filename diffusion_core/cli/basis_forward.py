"""`difflab basis-forward [view options] [--frames N] [--reverse] --out DIR|F.gif|F.mp4|- --json`:
the forward (or reverse) component-wise process of one image, written as frames (PNG files in a
folder, or an animation) of the data-space image next to its component-space magnitude map."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from PIL import Image

from ..animate import frames_to_gif, frames_to_mp4
from ..gud import active
from ..gud.setup import build
from ..gud.view import forward_run, reverse_run
from ..plotting.bases import process_frames
from ..validation import InputError
from .component_schedule import view_from_args
from .main import emit
from .stdio import STDIO, output_path, summary_stream


def write_frames(frames: list, out: str) -> list[str]:
    path = Path(out)
    if path.suffix == ".gif":
        return [str(frames_to_gif(frames, path, fps=4))]
    if path.suffix == ".mp4":
        return [str(frames_to_mp4(frames, path, fps=4))]
    if path.suffix:
        raise InputError(f"--out must be a folder, a .gif or a .mp4 file, got {out!r}")
    path.mkdir(parents=True, exist_ok=True)
    files = []
    for i, f in enumerate(frames):
        files.append(str(path / f"frame_{i:03d}.png"))
        Image.fromarray(f).save(files[-1])
    return files


def run(args: argparse.Namespace) -> int:

    torch.set_num_threads(1)  # this CLI process only: per-step small solves thrash on 2 threads
    view = view_from_args(args, frames=args.frames, denoiser=args.denoiser, method=args.method, steps=args.steps)
    setup = build(view, files=True)
    res = reverse_run(setup, view) if args.reverse else forward_run(setup, view)
    frames = process_frames(res["frames"], res["maps"], res["times"])
    with output_path(args.out, ".gif") as out:
        files = write_frames(frames, str(out))
    files = ["-"] if args.out == STDIO else files
    emit(
        {
            "direction": "reverse" if args.reverse else "forward",
            "basis": setup.basis.name,
            "components": int(setup.schedule.labels.numel()),
            "model": setup.model,
            "times": res["times"],
            "active_counts": [int(active(setup.schedule, t).sum()) for t in res["times"]],
            "steps": res.get("steps"),
            "files": files,
        },
        args.json,
        summary_stream(args.out),
    )
    return 0
