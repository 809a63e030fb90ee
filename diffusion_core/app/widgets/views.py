"""Views bound from their dataclasses: a tab's controls are the view's fields, in field order, and
each control value is converted to its field's type by the one converter presets.to_field (which presets
and links pass through too). No gradio here (the widgets bind it).

Also the address a link is built from: the request's host, port and root path, not a fixed one.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ...presets import to_field, to_query

T = TypeVar("T")


def field_names(cls: type) -> tuple[str, ...]:
    """The view's settings in declaration order: the order of the tab's controls and API parameters."""
    return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def from_controls(cls: type[T], values: Mapping[str, Any], make: Callable[..., T] | None = None) -> T:
    """Control values by field name -> the validated view (`make` defaults to the dataclass itself)."""
    hints = typing.get_type_hints(cls)
    defaults = cls()
    names = field_names(cls)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise TypeError(f"{cls.__name__} has no setting(s) {unknown}")
    kw = {k: to_field(k, values[k], hints[k], "control", getattr(defaults, k)) for k in names if k in values}
    return (make or cls)(**kw)


def to_controls(view: Any) -> list:
    """The view -> control values in field order (tuples as lists, as checkbox groups expect)."""
    return [list(v) if isinstance(v, tuple) else v for v in (getattr(view, n) for n in field_names(type(view)))]


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def page_url(headers: Mapping[str, str], url: str = "", root_path: str = "") -> str:
    """The app's public address from one request, with a trailing slash: behind a proxy the
    X-Forwarded-Proto/Host/Prefix headers, else the Host header and the request's scheme, plus the
    root path the app is served under."""
    h = {k.lower(): v for k, v in headers.items()}
    parts = urlsplit(url or "")
    host = _first(h.get("x-forwarded-host")) or h.get("host") or parts.netloc or "127.0.0.1:7860"
    scheme = _first(h.get("x-forwarded-proto")) or parts.scheme or "http"
    prefix = _first(h.get("x-forwarded-prefix")) or root_path or ""
    prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
    return f"{scheme}://{host}{prefix}/"


def view_link(base: str, tab: str, view: Any) -> str:
    """A link that opens `tab` with this view's settings, from the app's address `base`."""
    return f"{base}?tab={tab}&{to_query(view)}"
