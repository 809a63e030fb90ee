"""Gradio layer: the only package (with app.py) that imports gradio. Each tab module exposes
`build() -> None`, called inside `gr.Tab`, and wires its events to handlers in `diffusion_core.app`.
"""
from __future__ import annotations

import functools
import importlib
import logging
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import gradio as gr

from ...exports import write_text
from ...presets import dump_preset, from_query_lenient, load_uploaded_preset, to_query
from ...validation import InputError, MissingInput
from ..views import field_names, from_controls, page_url, to_controls
from .slider import EMPTY, Clamped, Slider  # noqa: F401 (Slider: every tab builds its sliders with it)
from gradio.context import LocalContext
from .atomic_cache import install
import torch
from .live import LIVE_CSS


log = logging.getLogger("difflab.app")

# (tab label, module under diffusion_core.app.layout), in display order.
TABS: list[tuple[str, str]] = [
    ("Spectrum", "spectrum"),
    ("Schedules & bounds", "schedules"),
    ("Increments", "increments"),
    ("Bases & component schedules", "bases"),
    ("Scale space", "scale_space"),
    ("Samplers", "samplers"),
    ("Workshop", "workshop"),
]

INTRO = (
    "# Diffusion Lab\n"
    "An offline lab for the design space of diffusion models. Time runs **t = 0 (data) → t = 1 (noise)**; "
    "the noise level is the logSNR **λ** (VP: α² = sigmoid(λ), σ² = sigmoid(−λ); VE: σ = e^(−λ/2))."
)


def from_the_page() -> bool:
    """True when the running event came from the app's own page (its client sends `x-gradio-user: app`),
    False for gradio_client / REST callers (`api`) and for direct calls without a request."""
    request = LocalContext.request.get(None)
    headers = getattr(request, "headers", None) or {}
    return headers.get("x-gradio-user") == "app"


def refuse(message: str, title: str) -> Any:
    """Stop an event with one message. On the page: one warning toast and every output left as it is
    (a raised gr.Error would put an error badge on each output of the event). For API callers: an error."""
    if from_the_page():
        gr.Warning(message, duration=12, title=title)
        return gr.skip()
    raise gr.Error(message, duration=8, print_exception=False)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One message per failure, never a wall of red: a slider value typed outside its range is computed
    at the nearest end with one warning (see layout/slider.py); a missing choice (no file yet) is a hint and
    leaves the outputs as they are; a user mistake is one message and one log line; an internal error
    logs its traceback under an id and shows the user one line with that id (see `refuse`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        typed = [*args, *kwargs.values()]
        if any(v is EMPTY for v in typed):
            return gr.skip()                                  # an emptied slider box: still typing
        clamped = [v for v in typed if isinstance(v, Clamped)]
        if clamped:
            log.info("slider value clamped in %s: %s", fn.__name__, clamped[0].message())
            if not from_the_page():
                raise gr.Error("; ".join(c.refusal() for c in clamped), duration=8, print_exception=False)
            gr.Warning(" ".join(c.message() for c in clamped), duration=12, title="Out of range")
            args = tuple(float(a) if isinstance(a, Clamped) else a for a in args)
            kwargs = {k: float(v) if isinstance(v, Clamped) else v for k, v in kwargs.items()}
        try:
            return fn(*args, **kwargs)
        except gr.Error as e:
            if not from_the_page():
                raise
            return refuse(str(e.message), "Error")
        except MissingInput as e:
            gr.Info(str(e))
            return gr.skip()
        except InputError as e:
            log.info("input refused by %s: %s", fn.__name__, e)
            return refuse(str(e), "Input refused")
        except Exception as e:  # noqa: BLE001 - the server must keep serving
            eid = uuid.uuid4().hex[:8]
            log.error("internal error %s in %s:\n%s", eid, fn.__name__, traceback.format_exc())
            return refuse(f"internal error {eid} in {fn.__name__} ({type(e).__name__}); the server log "
                          f"has the details under this id", "Internal error")

    return wrapper


def reporter(progress: Any) -> Callable[[float, str], None]:
    """A gr.Progress as the handlers' `progress(fraction, text)` callback (handlers know no gradio)."""
    return lambda frac, text: progress(frac, desc=text)


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
        for event in (preset_in.upload(guard(self.load_file), preset_in, settings, **quiet),
                      demo.load(guard(self.load_link), None, settings, **quiet)):
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
            gr.Warning("This link has settings the app cannot use; they stay at their defaults: "
                       + "; ".join(problems), duration=12)
        return self.values(view)


def export_controls(multiple: bool = True) -> tuple[gr.File, gr.Textbox, gr.File]:
    """The download box, the link box and the preset upload every tab's export panel ends with."""
    out_file = gr.File(label="Download", interactive=False, file_count="multiple" if multiple else "single")
    link = gr.Textbox(label="Link to this view", buttons=["copy"])
    preset_in = gr.File(label="Load a preset (.toml)", type="filepath", file_types=[".toml"])
    return out_file, link, preset_in


def build_app() -> gr.Blocks:
    """All tabs in one Blocks app (image outputs written once and atomically: atomic_cache)."""
    install()
    with gr.Blocks(title="Diffusion Lab", fill_width=True) as demo:
        gr.Markdown(INTRO)
        with gr.Tabs() as tabs:
            for label, module in TABS:
                with gr.Tab(label, id=module):
                    importlib.import_module(f"{__name__}.{module}").build(demo)
        demo.load(select_linked_tab, None, tabs, api_visibility="private")
    return demo


def select_linked_tab(request: gr.Request):
    """A link `?tab=NAME&...` opens on that tab (each tab's own load handler reads its settings)."""
    tab = dict(request.query_params).get("tab") if request is not None else None
    return gr.Tabs(selected=tab) if tab in {m for _, m in TABS} else gr.Tabs()


def serve(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve a built app. One torch thread per request: on a 2-core laptop, concurrent users each get a
    core instead of fighting over a thread pool (small-tensor work is ~5x slower under contention)."""

    torch.set_num_threads(1)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host, server_port=port, show_error=False, max_file_size="100mb", css=LIVE_CSS)


def launch(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Build and serve the app."""
    serve(build_app(), host, port)
