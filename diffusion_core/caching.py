"""A memo for shared results that never shares mutable state between callers (many users, one server).

`frozen_cache(maxsize)` is functools.lru_cache whose hits hand out private copies of tensors and
read-only numpy arrays, looking inside tuples, lists, dicts and dataclasses; a caller that edits its
result in place cannot change what the next caller gets.
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch

F = TypeVar("F", bound=Callable[..., Any])


def freeze(value: Any) -> Any:
    """Mark numpy arrays read-only (in place, recursively); tensors are left for `thaw` to copy."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for v in value:
            freeze(v)
    elif isinstance(value, dict):
        for v in value.values():
            freeze(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name))
    return value


def thaw(value: Any) -> Any:
    """A copy of `value` in which every tensor is a private clone (arrays stay shared, read-only)."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(thaw(v) for v in value)
    if isinstance(value, list):
        return [thaw(v) for v in value]
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: thaw(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value


def frozen_cache(maxsize: int = 16) -> Callable[[F], F]:
    """functools.lru_cache(maxsize) whose results are frozen once and thawed (tensors cloned) per call."""
    def deco(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(lambda *a, **k: freeze(fn(*a, **k)))

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return thaw(cached(*args, **kwargs))
        wrapper.cache_clear = cached.cache_clear          # type: ignore[attr-defined]
        wrapper.cache_info = cached.cache_info            # type: ignore[attr-defined]
        return wrapper                                    # type: ignore[return-value]
    return deco
