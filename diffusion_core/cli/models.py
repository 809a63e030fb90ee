"""`difflab models [--json]`: the model registry (name, kind, data set, shape, description, ...).

`difflab models --export NAME --out DIR` writes a trained network as a folder plain diffusers loads (unet/,
scheduler/ with EDMEulerScheduler's config, README.md model card; models/export.py).
"""

from __future__ import annotations

import argparse

from ..models.export import export_diffusers
from ..models.registry import list_models
from ..validation import InputError
from .main import emit


def run(args: argparse.Namespace) -> int:
    if args.export:
        if not args.out:
            raise InputError("--export needs --out DIR (the folder to write)")
        emit({"model": args.export, "folder": str(export_diffusers(args.export, args.out))}, args.json)
        return 0
    models = list_models()
    if args.json:
        emit({"models": models}, True)
    else:
        for m in models:
            print(f"{m['name']:<22} {m['kind']:<18} {'x'.join(map(str, m['shape'])):<8} {m['dataset']}")
    return 0
