"""`difflab models [--json]`: the model registry (name, kind, data set, shape, description, ...).

`difflab models --export NAME --out DIR` writes a trained model as a hub folder (config.json,
model.safetensors with the registry's sha256, README.md model card; models/folders.py).
"""

from __future__ import annotations

import argparse

from ..models.folders import export_folder
from ..models.registry import list_models
from ..validation import InputError
from .main import emit


def run(args: argparse.Namespace) -> int:
    if args.export:
        if not args.out:
            raise InputError("--export needs --out DIR (the folder to write)")
        emit({"model": args.export, "folder": str(export_folder(args.export, args.out))}, args.json)
        return 0
    models = list_models()
    if args.json:
        emit({"models": models}, True)
    else:
        for m in models:
            print(f"{m['name']:<22} {m['kind']:<18} {'x'.join(map(str, m['shape'])):<8} {m['dataset']}")
    return 0
