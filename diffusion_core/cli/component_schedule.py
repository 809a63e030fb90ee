"""`difflab component-schedule [view options] [--times N] [--out table.csv|-] --json`: the GUD
component-wise schedule of a view (gamma_i(t), sigma_i^2, beta_i, true log-SNR_i, windows, overlap)."""
from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import sys
from pathlib import Path

from .main import emit
from .stdio import STDIO, image_arg, summary_stream
from ..gud.setup import BasesView, build
from ..gud.view import ScheduleTable, compute_table, schedule_columns
from ..presets import load_preset

# (flag, field, type, help)
VIEW_ARGS = [
    ("--image", "image", str, "digit:N (8x8 digits), a bundled photo name, field:BETA[:SEED], a file or - (stdin)"),
    ("--size", "size", int, "image size (digits: 8)"),
    ("--basis", "basis", str, "pixel | fourier | dct | wavelet | pca"),
    ("--wavelet", "wavelet", str, "orthogonal wavelet family (haar, db2, sym4, ...)"),
    ("--levels", "levels", int, "wavelet levels (size must be divisible by 2^levels)"),
    ("--r", "r", float, "prior exponent: 0 white prior, 1 data-matched (whitened)"),
    ("--kind", "kind", str, "soft | sequential | level-column"),
    ("--ordering", "ordering", str, "variance | frequency | level | column | row | random | custom"),
    ("--a", "a", float, "inverse softness a >= 0 of the soft-conditioning schedule"),
    ("--softness", "softness", float, "sequential schedules: softness b > 0 (tau_max = min(1/b, 0.99))"),
    ("--column-weight", "column_weight", float, "level-column schedule: l = level + w * column, w in [0, 1]"),
    ("--gamma-denoise", "gamma_denoise", float, "clean edge of the band (default -7)"),
    ("--gamma-noise", "gamma_noise", float, "noisy edge of the band (default 3)"),
    ("--seed", "seed", int, "seed (noise, random ordering, fields)"),
    ("--custom-labels", "custom_labels", str, "ordering custom: comma-separated labels, one per component"),
]


def add_view_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", help="a preset under presets/ (e.g. bases/standard.toml); flags override it")
    for flag, _, typ, text in VIEW_ARGS:
        p.add_argument(flag, type=typ, default=None, help=text)
    p.add_argument("--color", action="store_true", default=None, help="keep colour (3 channels)")
    p.add_argument("--clip", action="store_true", default=None, help="clip gamma to the band (beta = 0 outside)")
    p.add_argument("--json", action="store_true", help="print JSON")


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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("component-schedule", help="GUD component-wise schedule table of a view")
    add_view_args(p)
    p.add_argument("--times", type=int, default=11, help="number of time points t = 0 .. 1 (default 11)")
    p.add_argument("--out", help="write the table as CSV (one row per component); - writes it to stdout")
    p.set_defaults(func=run)


def write_csv(table: ScheduleTable, path: str) -> None:
    with (contextlib.nullcontext(sys.stdout) if path == STDIO else Path(path).open("w", newline="")) as f:
        cols = schedule_columns(table)
        w = csv.writer(f)
        w.writerow(cols)
        w.writerows(zip(*cols.values()))


def run(args: argparse.Namespace) -> int:
    view = view_from_args(args)
    computed = compute_table(build(view, files=True), args.times)
    table = computed.to_json()
    if args.out:
        write_csv(computed, args.out)
        table["out"] = args.out
        if args.out == STDIO and not args.json:     # the CSV is the output; the summary would only repeat it
            return 0
    emit(table, args.json, summary_stream(args.out))
    return 0
