"""Schedules tab, the `custom` schedule's drag editor: what the page draws, and the text a drag writes.

Plain functions (no gradio). The page only moves points and sends them back as [t, lam] pairs; the core
writes the text (noise.custom.format_points) and, through the view, parses, validates and resamples it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...noise.custom import curve_samples, format_points, parse_points
from ...plotting.point_editor import editor_figure


def editor_view(points: str) -> dict:
    """The editor's figure for the typed points (InputError if they do not parse)."""
    t, lam = parse_points(points)
    ct, cl = curve_samples(points)
    return editor_figure(t, lam, ct, cl)


def dragged(points: object, schedules: Sequence[str]) -> tuple[str, tuple[str, ...] | None]:
    """A drag's [[t, lam], ...] -> (the points text, the schedules with `custom` added, or None if it is there)."""
    text = format_points(points)
    return text, None if "custom" in schedules else (*schedules, "custom")
