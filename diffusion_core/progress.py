"""Progress bars for long work in the CLI (tqdm on stderr, so `--json` output stays clean).

Shown when stderr is a terminal or when DIFFLAB_PROGRESS=1; off otherwise (pipes, tests, the app,
which reports progress through its own callbacks)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def enabled() -> bool:
    if os.environ.get("RANK", "0") != "0":  # torchrun: rank 0 draws the bar
        return False
    flag = os.environ.get("DIFFLAB_PROGRESS")
    return flag == "1" if flag is not None else sys.stderr.isatty()


def bar(total: int | None, desc: str, unit: str = "it") -> Any:
    """A tqdm bar on stderr (a no-op bar when progress is off)."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not enabled(),
        leave=True,
        dynamic_ncols=True,
        mininterval=0.2,
    )


def track(items: Iterable[T], desc: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """Iterate `items` with a bar (total from len() when it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with bar(total, desc, unit) as b:
        for x in items:
            yield x
            b.update(1)
