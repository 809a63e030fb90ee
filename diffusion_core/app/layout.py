"""The app: every tab in one gr.Blocks. Each tab is a folder under diffusion_core/app/ (its view dataclass,
plain handlers and a `layout.py` exposing `build(demo)`, called inside `gr.Tab`); shared widgets live in
app/widgets/. Gradio is imported by layout modules and app/widgets/ only.
"""

from __future__ import annotations

import importlib

import gradio as gr
import torch

from .widgets.atomic_cache import install
from .widgets.live import LIVE_CSS

# (tab label, tab folder under diffusion_core.app: its layout.py builds it), in display order.
TABS: tuple[tuple[str, str], ...] = (
    ("Spectrum", "spectrum"),
    ("Schedules & bounds", "schedules"),
    ("Increments", "increments"),
    ("Bases & component schedules", "bases"),
    ("Scale space", "scale_space"),
    ("Samplers", "samplers"),
    ("Workshop", "workshop"),
)

INTRO = (
    "# Diffusion Lab\n"
    "An offline lab for the design space of diffusion models. Time runs **t = 0 (data) → t = 1 (noise)**; "
    "the noise level is the logSNR **λ** (VP: α² = sigmoid(λ), σ² = sigmoid(−λ); VE: σ = e^(−λ/2))."
)


def build_app() -> gr.Blocks:
    """All tabs in one Blocks app (image outputs written once and atomically: atomic_cache)."""
    install()
    with gr.Blocks(title="Diffusion Lab", fill_width=True) as demo:
        gr.Markdown(INTRO)
        with gr.Tabs() as tabs:
            for label, module in TABS:
                with gr.Tab(label, id=module):
                    importlib.import_module(f"{__package__}.{module}.layout").build(demo)
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
        server_name=host, server_port=port, show_error=False, max_file_size="100mb", css=LIVE_CSS
    )


def launch(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Build and serve the app."""
    serve(build_app(), host, port)
