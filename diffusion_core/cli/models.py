"""`difflab models [--json]`: the model registry (name, kind, data set, shape, description, ...)."""
from __future__ import annotations

import argparse

from ..models.registry import list_models


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the registered models: exact denoisers and trained networks")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .main import emit
    models = list_models()
    if args.json:
        emit({"models": models}, True)
    else:
        for m in models:
            print(f"{m['name']:<22} {m['kind']:<18} {'x'.join(map(str, m['shape'])):<8} {m['dataset']}")
    return 0
