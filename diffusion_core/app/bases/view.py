"""The Bases & component schedules tab's view: gud's BasesView (validated there) at the sizes the tab offers."""

from __future__ import annotations

import dataclasses

from ... import data
from ...gud.setup import BasesView
from ...validation import InputError

IMAGES = tuple(f"digit:{i}" for i in range(10)) + data.PHOTOS + ("field:2.0",)
SIZES = (8, 16, 32, 64)


def make_view(**kw) -> BasesView:
    """The tab's settings as a BasesView (which validates itself); the tab offers the sizes in SIZES."""
    v = dataclasses.replace(BasesView(), **kw)
    if v.size not in SIZES:
        raise InputError(f"size must be one of {list(SIZES)}, got {v.size!r}")
    return v
