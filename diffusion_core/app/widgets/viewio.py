"""A tab's view dataclass bound to its controls (`ViewIO`): the preset and link round-trip every tab shares,
links built from the request's own address, and the export panel's closing controls."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from ...exports import write_text
from ...presets import dump_preset, from_query_lenient, load_uploaded_preset, to_query
from .events import guard
from .views import field_names, from_controls, page_url, to_controls

log = logging.getLogger("difflab.app")


def request_url(request: gr.Request | None) -> str:
    """The app's address as this request reached it (host, port, root path behind a proxy)."""
    if request is None or not getattr(request, "headers", None):
        return "http://127.0.0.1:7860/"
    inner = getattr(request, "request", None)
    scope = getattr(inner, "scope", None) or {}
    url = str(getattr(inner, "url", "") or "")
    return page_url(dict(request.headers), url, scope.get("root_path", "") or "")


def link_for(request: gr.Request | None, tab: str, query: str) -> str:
    """A shareable link to this view: the page URL with the tab and settings as query string."""
    return f"{request_url(request)}?tab={tab}&{query}"


class ViewIO:
    """One tab's view dataclass bound to its controls: the controls are the view's fields in field
    order (so the API's parameters carry the field names), and the same preset/link round-trip
    serves every tab. `make` builds the view from coerced values (default: the dataclass)."""

    def __init__(self, tab: str, cls: type, make: Callable[..., Any] | None = None) -> None:
        self.tab, self.cls, self.make = tab, cls, make
        self.fields = field_names(cls)

    def view(self, **values: Any) -> Any:
        """Control values by field name -> the validated view."""
        return from_controls(self.cls, values, self.make)

    def values(self, view: Any) -> list:
        """The view -> control values in field order."""
        return to_controls(view)

    def named(self, settings: list, before: dict | None = None, after: dict | None = None) -> dict:
        """`inputs_kwargs` for an event: field name -> control, with extra named inputs around them."""
        if len(settings) != len(self.fields):
            raise ValueError(f"{self.tab}: {len(settings)} controls for {len(self.fields)} fields")
        return {**(before or {}), **dict(zip(self.fields, settings)), **(after or {})}

    def save(self, *values: Any, request: gr.Request | None = None, **named: Any) -> tuple[str, str]:
        """The tab's controls (in field order, or by name) -> a TOML preset file and a link to the view."""
        view = self.view(**dict(zip(self.fields, values)), **named)
        path = write_text(f"{self.tab}-preset", ".toml", dump_preset(view))
        return str(path), link_for(request, self.tab, to_query(view))

    def save_event(self) -> Callable[..., tuple[str, str]]:
        """`save` with the request first, as gradio injects it (the settings arrive by name)."""

        def save(request: gr.Request, **settings: Any) -> tuple[str, str]:
            return self.save(request=request, **settings)

        save.__name__ = f"{self.tab}_preset"
        return save

    def _unchanged(self) -> list:
        return [gr.update()] * len(self.fields)

    def load_file(self, path: str | None) -> list:
        """An uploaded .toml preset -> the tab's control values (unchanged if no file)."""
        return self.values(load_uploaded_preset(path, self.cls)) if path else self._unchanged()

    def wire_restore(self, demo: gr.Blocks, preset_in: gr.File, settings: list, *redraws: dict) -> None:
        """A preset upload and a page link (`?tab=...`) set the controls quietly, then run each event of
        `redraws` (dicts of event arguments, e.g. the main computation) once, in order, privately."""
        quiet = dict(api_visibility="private", show_progress="hidden")
        for event in (
            preset_in.upload(guard(self.load_file), preset_in, settings, **quiet),
            demo.load(guard(self.load_link), None, settings, **quiet),
        ):
            for redraw in redraws:
                event = event.then(api_visibility="private", **redraw)

    def load_link(self, request: gr.Request) -> list:
        """`?tab=<this tab>&key=value...` -> the tab's control values (unchanged for other tabs). A value
        that does not parse or validate stays at its default, with ONE warning for the whole link."""
        params = dict(request.query_params) if request is not None else {}
        if params.get("tab") != self.tab:
            return self._unchanged()
        view, problems = from_query_lenient(params, self.cls)
        if problems:
            log.info("link refused in %s: %s", self.tab, "; ".join(problems))
            gr.Warning(
                "This link has settings the app cannot use; they stay at their defaults: " + "; ".join(problems),
                duration=12,
            )
        return self.values(view)


def export_controls(multiple: bool = True) -> tuple[gr.File, gr.Textbox, gr.File]:
    """The download box, the link box and the preset upload every tab's export panel ends with."""
    out_file = gr.File(label="Download", interactive=False, file_count="multiple" if multiple else "single")
    link = gr.Textbox(label="Link to this view", buttons=["copy"])
    preset_in = gr.File(label="Load a preset (.toml)", type="filepath", file_types=[".toml"])
    return out_file, link, preset_in


def wire_upload(upload: gr.File, source: gr.Radio, default: str, *redraws: dict) -> None:
    """An image upload beside a source choice: a file uploaded is shown (source "upload", then each redraw,
    since a source already on "upload" fires no change); a cleared upload returns the source to `default`,
    whose change redraws the default view (no "your upload" label left, no "no file given" message). The
    tab's events take the upload as an input but are not triggered by its change."""
    quiet = dict(api_visibility="private", show_progress="hidden")
    event = upload.upload(lambda: "upload", None, source, **quiet)
    for redraw in redraws:
        event = event.then(api_visibility="private", **redraw)
    upload.clear(lambda: default, None, source, **quiet)
