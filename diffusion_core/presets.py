"""Presets: TOML files validated into frozen dataclasses; views round-trip through a file and a link.

Unknown keys, wrong types and out-of-folder paths are errors with one line saying what to fix. Every setting,
whether it comes from a TOML preset, a link's text or an app control, reaches its field's type through one
converter, `to_field`.
Preset files are the package resource `diffusion_core/preset_files` (a link to the repository's top-level
`presets/` folder, copied into the wheel at build time), found through importlib.resources; nothing else is read.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlencode

import tomlkit

from .validation import InputError

T = TypeVar("T")
PRESET_ROOT = Path(str(importlib.resources.files("diffusion_core") / "preset_files")).resolve()
MAX_PRESET_BYTES = 64 * 1024


Source = Literal["preset", "link", "control"]
NO_DEFAULT: Any = object()


def to_field(name: str, value: Any, typ: Any, source: Source = "preset", default: Any = NO_DEFAULT) -> Any:
    """The one converter from a setting as it arrives to its field's type (bool, int, float, str, tuple[...],
    Literal, X | None). source "preset": a TOML value, checked strictly (one-line InputError); "link": a link's
    text, parsed, then checked as a preset value; "control": a control's value, None meaning `default`, numbers
    turned into the field's type and the rest left for the view's own validation."""
    origin = typing.get_origin(typ)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(typ)
        if value is None and type(None) in args:
            return None
        return to_field(name, value, next(a for a in args if a is not type(None)), source, default)
    if source == "control":
        return _from_control(value, typ, origin, default)
    if source == "link":
        value = _from_text(name, value, typ, origin)
    return _checked(name, value, typ, origin)


def _checked(name: str, value: Any, typ: Any, origin: Any) -> Any:
    """A preset value checked against its (non-optional) field type."""
    if origin is typing.Literal:
        if value not in typing.get_args(typ):
            raise InputError(f"preset key {name!r} must be one of {list(typing.get_args(typ))}, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise InputError(f"preset key {name!r} must be a list, got {type(value).__name__}")
        return tuple(to_field(name, v, typing.get_args(typ)[0]) for v in value)
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if typ in (bool, int, float, str) and not (isinstance(value, typ) and not (typ is int and isinstance(value, bool))):
        raise InputError(f"preset key {name!r} must be {typ.__name__}, got {type(value).__name__} {value!r}")
    return value


def _from_text(name: str, text: str, typ: Any, origin: Any) -> Any:
    """A link's text -> a value of the (non-optional) field type: lists comma-separated, bools 1/true/yes/on."""
    if origin is tuple:
        inner = typing.get_args(typ)[0]
        return tuple(to_field(name, t, inner, "link") for t in text.split(",") if t)
    if origin is typing.Literal:
        return text
    try:
        if typ is bool:
            return text.lower() in ("1", "true", "yes", "on")
        return typ(text) if typ in (int, float) else text
    except ValueError:
        raise InputError(f"link parameter {name!r} must be {typ.__name__}, got {text!r}") from None


def _from_control(value: Any, typ: Any, origin: Any, default: Any) -> Any:
    """A control's value (Number boxes give floats or None, checkbox groups lists) -> the field's type."""
    if value is None:  # an emptied box means the default
        return default
    if origin is tuple:
        return tuple(value)
    if typ is bool:
        return bool(value)
    if typ is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value  # the view's __post_init__ validates the rest


def from_dict(data: dict[str, Any], cls: type[T], source: Source = "preset") -> T:
    """Validate a plain dict (TOML values, or a link's texts with source="link") into the frozen dataclass `cls`
    through `to_field`; unknown keys are errors."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InputError(f"unknown preset key(s) {', '.join(unknown)}; valid keys: {', '.join(fields)}")
    values = {k: to_field(k, v, hints[k], source) for k, v in data.items()}
    try:
        return cls(**values)
    except InputError:
        raise
    except (TypeError, ValueError) as e:
        raise InputError(f"preset is invalid: {e}") from None


def resolve_preset_path(path: str | Path) -> Path:
    """A .toml file inside presets/ (relative names are taken from there); path tricks refused."""
    p = Path(path)
    p = (PRESET_ROOT / p if not p.is_absolute() else p).resolve()
    if p.suffix != ".toml":
        raise InputError(f"preset must be a .toml file, got {Path(path).name!r}")
    if PRESET_ROOT not in p.parents:
        raise InputError(f"preset must be inside {PRESET_ROOT}, got {path!s}")
    if not p.is_file():
        raise InputError(f"preset not found: {path!s}")
    return p


def parse_toml(text: str) -> dict[str, Any]:
    """TOML text -> dict, with a one-line message on syntax errors."""
    if len(text.encode()) > MAX_PRESET_BYTES:
        raise InputError(f"preset is larger than {MAX_PRESET_BYTES // 1024} KB")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"preset is not valid TOML: {e}") from None


def load_preset(source: str | Path, cls: type[T], *, text: bool = False) -> T:
    """Load TOML text (text=True) or a preset file under presets/ into `cls`."""
    raw = str(source) if text else resolve_preset_path(source).read_text()
    return from_dict(parse_toml(raw), cls)


def load_uploaded_preset(path: str, cls: type[T]) -> T:
    """A preset file the user uploaded (the app's own temp copy): size-checked, then validated."""
    p = Path(path)
    if p.suffix != ".toml":
        raise InputError(f"preset must be a .toml file, got {p.name!r}")
    if p.stat().st_size > MAX_PRESET_BYTES:
        raise InputError(f"preset is larger than {MAX_PRESET_BYTES // 1024} KB")
    return from_dict(parse_toml(p.read_text(errors="replace")), cls)


def dump_preset(obj: Any) -> str:
    """Frozen dataclass -> TOML text, written by tomlkit so any string round-trips (None fields left out)."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"{type(obj).__name__} preset, written by Diffusion Lab"))
    for k, v in dataclasses.asdict(obj).items():
        if v is not None:
            doc[k] = list(v) if isinstance(v, tuple) else v
    return tomlkit.dumps(doc)


def to_query(obj: Any) -> str:
    """Frozen dataclass -> URL query string (for a shareable link)."""
    return urlencode(
        {
            k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
            for k, v in dataclasses.asdict(obj).items()
            if v is not None
        }
    )


def from_query(params: dict[str, str] | str, cls: type[T]) -> T:
    """URL query (dict or string) -> `cls`, converting text to each field's type; other keys ignored."""
    items = dict(parse_qsl(params)) if isinstance(params, str) else dict(params)
    data: dict[str, Any] = {}
    for name in (f.name for f in dataclasses.fields(cls)):  # type: ignore[arg-type]
        if name in items:
            data[name] = items[name]
    return from_dict(data, cls, source="link")


def from_query_lenient(params: dict[str, str], cls: type[T]) -> tuple[T, list[str]]:
    """A link's settings -> (`cls`, problems): a value that does not parse or validate is left at its
    default with one message per key; if the valid values clash with each other, all stay default."""
    good: dict[str, Any] = {}
    problems: list[str] = []
    for name in (f.name for f in dataclasses.fields(cls)):  # type: ignore[arg-type]
        if name not in params:
            continue
        try:
            from_dict({name: params[name]}, cls, source="link")  # this value alone, every other setting default
            good[name] = params[name]
        except InputError as e:
            problems.append(f"{name}={params[name]!r} ignored ({e})")
    try:
        return from_dict(good, cls, source="link"), problems
    except InputError as e:
        return cls(), [*problems, f"link settings ignored ({e})"]


def workshop_exercises() -> list[dict[str, Any]]:
    """The shipped workshop exercises (presets/workshop/*.toml) as plain dicts, in file order."""
    return [parse_toml(f.read_text()) for f in sorted((PRESET_ROOT / "workshop").glob("*.toml"))]
