"""A memo for shared results that never shares mutable state between callers (many users, one server).

`frozen_cache(maxsize)` is functools.lru_cache whose hits hand out private copies of tensors and
read-only numpy arrays, looking inside tuples, lists, dicts and dataclasses; a caller that edits its
result in place cannot change what the next caller gets. `frozen_memo(maxsize, ignore)` is the same memo
keyed without callback arguments (progress), and can say whether a result is there without computing it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
from collections import OrderedDict
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
        return dataclasses.replace(
            value, **{f.name: thaw(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    return value


def frozen_cache(maxsize: int = 16) -> Callable[[F], F]:
    """functools.lru_cache(maxsize) whose results are frozen once and thawed (tensors cloned) per call."""

    def deco(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(lambda *a, **k: freeze(fn(*a, **k)))

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return thaw(cached(*args, **kwargs))

        wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        wrapper.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco


class _Memo:
    """The store behind `frozen_memo`: an LRU of frozen results under one lock (many users, one server)."""

    def __init__(self, fn: Callable[..., Any], maxsize: int, ignore: tuple[str, ...]) -> None:
        self.fn, self.maxsize, self.ignore = fn, maxsize, ignore
        self.signature = inspect.signature(fn)
        self.store: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def key(self, args: tuple, kwargs: dict) -> tuple:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple((k, v) for k, v in bound.arguments.items() if k not in self.ignore)

    def lookup(self, key: tuple) -> tuple[bool, Any]:
        with self.lock:
            if key not in self.store:
                return False, None
            self.store.move_to_end(key)
            return True, self.store[key]

    def remember(self, key: tuple, value: Any) -> None:
        with self.lock:
            self.store[key] = value
            self.store.move_to_end(key)
            while len(self.store) > self.maxsize:
                self.store.popitem(last=False)


def frozen_memo(maxsize: int = 16, ignore: tuple[str, ...] = ("progress",)) -> Callable[[F], F]:
    """`frozen_cache` keyed by the bound arguments minus those named in `ignore` (callbacks such as
    progress, which a miss still receives), thread-safe, with two reads that never compute:
    `fn.cached(*args)` (is the result there?) and `fn.peek(*args)` (the result, thawed, or None)."""

    def deco(fn: F) -> F:
        memo = _Memo(fn, maxsize, ignore)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = memo.key(args, kwargs)
            hit, value = memo.lookup(key)
            if not hit:
                value = freeze(fn(*args, **kwargs))
                memo.remember(key, value)
            return thaw(value)

        def peek(*args: Any, **kwargs: Any) -> Any:
            hit, value = memo.lookup(memo.key(args, kwargs))
            return thaw(value) if hit else None

        wrapper.cached = lambda *a, **k: memo.lookup(memo.key(a, k))[0]  # type: ignore[attr-defined]
        wrapper.peek = peek  # type: ignore[attr-defined]
        wrapper.cache_clear = lambda: memo.store.clear()  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco
