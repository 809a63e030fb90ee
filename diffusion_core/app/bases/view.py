"""The Bases & component schedules tab's view: gud's BasesView (validated there) at the sizes the tab offers,
and the choices that agree with each other: an ordering by frequency, level, row or column needs a basis whose
atoms carry that label; a sequential schedule orders by column or row; level-column needs wavelet levels."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from ... import data
from ...gud.orderings import KINDS, ORDERINGS
from ...gud.setup import BasesView
from ...validation import InputError

IMAGES = tuple(f"digit:{i}" for i in range(10)) + data.PHOTOS + ("field:2.0",)
SIZES = (8, 16, 32, 64)
# The ordering labels each basis's atoms carry (bases' labels(); tests compare them with the bases).
BASIS_ORDERINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "pixel": ("row", "column"),
        "fourier": ("frequency",),
        "dct": ("frequency",),
        "wavelet": ("level", "row", "column"),
        "pca": (),
    }
)
SEQUENTIAL = ("column", "row")


def kind_choices(basis: str) -> tuple[str, ...]:
    """The schedules this basis supports: soft always; sequential with row/column atoms; level-column with levels."""
    have = BASIS_ORDERINGS.get(basis, ())
    ok = {"soft": True, "sequential": any(o in have for o in SEQUENTIAL), "level-column": "level" in have}
    return tuple(k for k in KINDS if ok[k])


def ordering_choices(basis: str, kind: str) -> tuple[str, ...]:
    """The orderings that apply: sequential orders by column or row; otherwise variance, random, custom and
    the labels of the basis (level-column takes its labels from the levels and columns, not the ordering)."""
    have = BASIS_ORDERINGS.get(basis, ())
    if kind == "sequential":
        return tuple(o for o in SEQUENTIAL if o in have)
    return tuple(o for o in ORDERINGS if o in ("variance", "random", "custom") or o in have)


def agree(basis: str, kind: str, ordering: str) -> tuple[str, str]:
    """(kind, ordering) made valid for `basis`: a valid choice is kept, else the first valid one."""
    kind = kind if kind in kind_choices(basis) else "soft"
    options = ordering_choices(basis, kind)
    return kind, ordering if ordering in options else options[0]


def make_view(**kw) -> BasesView:
    """The tab's settings as a BasesView (which validates itself); the tab offers the sizes in SIZES and the
    schedule and ordering choices above."""
    v = dataclasses.replace(BasesView(), **kw)
    if v.size not in SIZES:
        raise InputError(f"size must be one of {list(SIZES)}, got {v.size!r}")
    if v.kind not in kind_choices(v.basis):
        raise InputError(
            f"schedule {v.kind!r} does not apply to basis {v.basis!r}; choose one of: {', '.join(kind_choices(v.basis))}"
        )
    options = ordering_choices(v.basis, v.kind)
    if v.ordering not in options:
        raise InputError(
            f"ordering {v.ordering!r} does not apply to basis {v.basis!r} with a {v.kind} schedule; "
            f"choose one of: {', '.join(options)}"
        )
    return v
