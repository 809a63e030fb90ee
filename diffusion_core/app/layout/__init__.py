"""Gradio layer: the only package (with app.py) that imports gradio. Each tab module exposes
`build() -> None`, called inside `gr.Tab`, and wires its events to handlers in `diffusion_core.app`.
"""
from __future__ import annotations

import functools
import importlib
import logging
import traceback
from collections.abc import Callable
from typing import Any

import gradio as gr

from ...exports import write_text
from ...presets import dump_preset, from_query, load_uploaded_preset, to_query
from ...validation import InputError

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


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn InputError into a one-line gr.Error; log anything unexpected and report it briefly."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except InputError as e:
            raise gr.Error(str(e), duration=8) from None
        except Exception as e:  # noqa: BLE001 - the server must keep serving
            log.error("handler %s failed:\n%s", fn.__name__, traceback.format_exc())
            raise gr.Error(f"internal error in {fn.__name__}: {type(e).__name__}: {e}") from None

    return wrapper


def link_for(request: gr.Request | None, tab: str, query: str) -> str:
    """A shareable link to this view: the page URL with the tab and settings as query string."""
    base = "http://127.0.0.1:7860/"
    if request is not None and getattr(request, "headers", None):
        host = request.headers.get("host")
        if host:
            base = f"http://{host}/"
    return f"{base}?tab={tab}&{query}"


class ViewIO:
    """Preset files and links for one tab's view dataclass: the same round-trip in every tab."""

    def __init__(self, tab: str, cls: type, make: Callable[..., Any], values: Callable[[Any], list]) -> None:
        self.tab, self.cls, self.make, self.values = tab, cls, make, values   # make: controls -> view

    def save(self, *settings: Any, request: gr.Request = None) -> tuple[str, str]:
        """The tab's controls -> a TOML preset file and a link to the same view."""
        view = self.make(*settings)
        path = write_text(f"{self.tab}-preset", ".toml", dump_preset(view))
        return str(path), link_for(request, self.tab, to_query(view))

    def _unchanged(self) -> list:
        return [gr.update()] * len(self.values(self.cls()))

    def load_file(self, path: str | None) -> list:
        """An uploaded .toml preset -> the tab's control values (unchanged if no file)."""
        return self.values(load_uploaded_preset(path, self.cls)) if path else self._unchanged()

    def load_link(self, request: gr.Request) -> list:
        """`?tab=<this tab>&key=value...` -> the tab's control values (unchanged for other tabs)."""
        params = dict(request.query_params) if request is not None else {}
        if params.get("tab") != self.tab:
            return self._unchanged()
        return self.values(from_query(params, self.cls))


def export_controls(multiple: bool = True) -> tuple[gr.File, gr.Textbox, gr.File]:
    """The download box, the link box and the preset upload every tab's export panel ends with."""
    out_file = gr.File(label="Download", interactive=False, file_count="multiple" if multiple else "single")
    link = gr.Textbox(label="Link to this view", buttons=["copy"])
    preset_in = gr.File(label="Load a preset (.toml)", type="filepath", file_types=[".toml"])
    return out_file, link, preset_in


def build_app() -> gr.Blocks:
    """All tabs in one Blocks app."""
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


def launch(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the app. One torch thread per request: on a 2-core laptop, concurrent users each get a
    core instead of fighting over a thread pool (small-tensor work is ~5x slower under contention)."""
    import torch

    torch.set_num_threads(1)
    build_app().queue(default_concurrency_limit=4).launch(
        server_name=host, server_port=port, show_error=False, max_file_size="100mb")
