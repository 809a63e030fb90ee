"""`difflab basis-forward [view options] [--frames N] [--reverse] --out DIR|F.gif|F.mp4|- --json`:
the forward (or reverse) component-wise process of one image, written as frames (PNG files in a
folder, or an animation) of the data-space image next to its component-space magnitude map."""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from ..animate import frames_to_gif, frames_to_mp4
from .main import emit
from .stdio import STDIO, output_path, summary_stream
from ..gud import active
from ..gud.setup import build
from ..gud.view import forward_run, reverse_run
from ..plotting.bases import process_frames
from ..validation import InputError
from .component_schedule import add_view_args, view_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("basis-forward", help="GUD forward (or --reverse) process of one image in a basis")
    add_view_args(p)
    p.add_argument("--frames", type=int, default=None, help="number of frames (default 9)")
    p.add_argument("--reverse", action="store_true", help="run the reverse process with the exact denoiser")
    p.add_argument("--denoiser", default=None, help="gaussian | empirical (digits)")
    p.add_argument("--method", default=None, help="sde (Euler-Maruyama) | ode (probability flow)")
    p.add_argument("--steps", type=int, default=None, help="reverse steps (default 0 = fast: 2 x slope, >= 50; -1 = accurate: 8 x slope, >= 200)")
    p.add_argument("--out", required=True, help="a folder (PNG frames), a .gif / .mp4 file, or - (a GIF on stdout)")
    p.set_defaults(func=run)


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
    import torch

    torch.set_num_threads(1)         # this CLI process only: per-step small solves thrash on 2 threads
    view = view_from_args(args, frames=args.frames, denoiser=args.denoiser, method=args.method, steps=args.steps)
    setup = build(view, files=True)
    res = reverse_run(setup, view) if args.reverse else forward_run(setup, view)
    frames = process_frames(res["frames"], res["maps"], res["times"])
    with output_path(args.out, ".gif") as out:
        files = write_frames(frames, str(out))
    files = ["-"] if args.out == STDIO else files
    emit({"direction": "reverse" if args.reverse else "forward", "basis": setup.basis.name,
          "components": int(setup.schedule.labels.numel()), "model": setup.model, "times": res["times"],
          "active_counts": [int(active(setup.schedule, t).sum()) for t in res["times"]],
          "steps": res.get("steps"), "files": files}, args.json, summary_stream(args.out))
    return 0
