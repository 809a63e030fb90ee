"""Shared widgets of every tab: the event guard (events.py), `ViewIO` binding a view dataclass to its controls
with presets and links (viewio.py), the typed slider (slider.py), the live channel (live.py), the point editor
(point_editor.py), atomic image outputs (atomic_cache.py) and the view <-> controls conversion (views.py).
Gradio lives here and in each tab's layout modules only."""

from __future__ import annotations

import gradio as gr  # noqa: F401 (tests patch gr.Warning/gr.Info through this package)

from .events import from_the_page, guard, log, refuse, reporter
from .slider import EMPTY, Clamped, Slider
from .viewio import ViewIO, export_controls, link_for, request_url, wire_upload

__all__ = [
    "EMPTY",
    "Clamped",
    "Slider",
    "ViewIO",
    "export_controls",
    "from_the_page",
    "guard",
    "link_for",
    "log",
    "refuse",
    "reporter",
    "request_url",
    "wire_upload",
]
