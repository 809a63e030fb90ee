"""`difflab component-schedule [view options] [--times N] [--out table.csv|-] --json`: the GUD
component-wise schedule of a view (gamma_i(t), sigma_i^2, beta_i, true log-SNR_i, windows, overlap)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import sys
from pathlib import Path

from ..gud.setup import BasesView, build
from ..gud.view import ScheduleTable, compute_table, schedule_columns
from ..presets import load_preset
from .main import emit
from .parsers import VIEW_ARGS
from .stdio import STDIO, image_arg, summary_stream


def view_from_args(args: argparse.Namespace, **extra: object) -> BasesView:
    """Preset (or defaults) overridden by the flags that were given."""
    view = load_preset(args.preset, BasesView) if args.preset else BasesView()
    changes = {field: getattr(args, field) for _, field, _, _ in VIEW_ARGS if getattr(args, field) is not None}
    if "image" in changes:
        changes["image"] = image_arg(changes["image"])
    if args.color:
        changes["gray"] = False
    if args.clip:
        changes["clip"] = True
    changes.update({k: v for k, v in extra.items() if v is not None})
    return dataclasses.replace(view, **changes)


def write_csv(table: ScheduleTable, path: str) -> None:
    with contextlib.nullcontext(sys.stdout) if path == STDIO else Path(path).open("w", newline="") as f:
        cols = schedule_columns(table)
        w = csv.writer(f)
        w.writerow(cols)
        w.writerows(zip(*cols.values(), strict=True))


def run(args: argparse.Namespace) -> int:
    view = view_from_args(args)
    computed = compute_table(build(view, files=True), args.times)
    table = computed.to_json()
    if args.out:
        write_csv(computed, args.out)
        table["out"] = args.out
        if args.out == STDIO and not args.json:  # the CSV is the output; the summary would only repeat it
            return 0
    emit(table, args.json, summary_stream(args.out))
    return 0
