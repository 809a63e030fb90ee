"""Input validation shared by the core, the CLI and the app.

Every check raises `InputError` with one line that names the parameter, what it got and what
would be valid, so the message the user reads is ours, not a framework's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


class InputError(ValueError):
    """Bad user input; the message is one line that says what to fix."""


class MissingInput(InputError):
    """Something the user has not chosen yet (e.g. a file): the app shows it as a hint, not an error."""


def check_finite(name: str, value: float) -> float:
    """Reject NaN, inf and non-numbers."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    return v


def check_range(
    name: str,
    value: float,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Finite and inside [lo, hi] (or the open ends); the message gives the valid range."""
    v = check_finite(name, value)
    bad_lo = lo is not None and (v <= lo if lo_open else v < lo)
    bad_hi = hi is not None and (v >= hi if hi_open else v > hi)
    if bad_lo or bad_hi:
        left = "-inf" if lo is None else f"{lo:g}"
        right = "inf" if hi is None else f"{hi:g}"
        lb = "(" if lo_open or lo is None else "["
        rb = ")" if hi_open or hi is None else "]"
        raise InputError(f"{name} must be in {lb}{left}, {right}{rb}, got {v:g}")
    return v


def check_int(name: str, value: object, lo: int | None = None, hi: int | None = None) -> int:
    """An integer (floats with no fractional part are accepted) inside [lo, hi]."""
    if isinstance(value, bool):
        raise InputError(f"{name} must be an integer, got {value!r}")
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an integer, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise InputError(f"{name} must be an integer, got {value!r}")
    check_range(name, f, lo, hi)
    return int(f)


def check_choice(name: str, value: str, choices: Iterable[str]) -> str:
    """One of a fixed set of names; the message lists them."""
    options = list(choices)
    if value not in options:
        raise InputError(f"unknown {name} {value!r}; choose one of: {', '.join(options)}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """A bool, or its spelling as text from --set / JSON: true|1|yes or false|0|no."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise InputError(f"{name} must be true or false, got {value!r}")
