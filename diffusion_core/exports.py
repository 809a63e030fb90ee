"""Write exported data (CSV, JSON, TOML, GIF, ...) into the app's own export folder only."""

from __future__ import annotations

import csv
import json
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

EXPORT_DIR = Path(tempfile.gettempdir()) / "difflab-exports"


def export_path(stem: str, suffix: str) -> Path:
    """A fresh file name inside EXPORT_DIR; `stem` is sanitised so it cannot leave the folder."""
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60] or "export"
    return EXPORT_DIR / f"{safe}-{time.strftime('%Y%m%d-%H%M%S')}-{time.perf_counter_ns() % 10**6}{suffix}"


def write_csv(stem: str, columns: Mapping[str, Sequence[Any]]) -> Path:
    """Columns of equal length -> CSV with a header row."""
    path = export_path(stem, ".csv")
    names = list(columns)
    n = max((len(v) for v in columns.values()), default=0)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for i in range(n):
            w.writerow([columns[k][i] if i < len(columns[k]) else "" for k in names])
    return path


def write_text(stem: str, suffix: str, text: str) -> Path:
    path = export_path(stem, suffix)
    path.write_text(text)
    return path


def write_json(stem: str, data: Any) -> Path:
    return write_text(stem, ".json", json.dumps(data, indent=2))
