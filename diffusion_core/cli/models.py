"""`difflab models [--json]`: the model registry (name, kind, data set, shape, description, ...).

`difflab models --export NAME --out DIR` writes a trained model as a hub folder (config.json,
model.safetensors with the registry's sha256, README.md model card; models/folders.py).
"""
from __future__ import annotations

import argparse

from ..models.registry import list_models
from ..validation import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the registered models, or --export one as a hub folder")
    p.add_argument("--export", metavar="NAME", help="write trained model NAME as config.json + model.safetensors + README.md")
    p.add_argument("--out", help="the folder --export writes (created if missing)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .main import emit
    if args.export:
        from ..models.folders import export_folder

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
