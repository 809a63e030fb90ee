"""The app: every tab in one gr.Blocks. Each tab is a folder under diffusion_core/app/ (its view dataclass,
plain handlers and a `layout.py` exposing `build(page)`, called inside `gr.Tab`); shared widgets live in
app/widgets/. Gradio is imported by layout modules and app/widgets/ only.

Tabs are lazy: a tab is mounted and computes when it is first opened, not at page load. Each tab is built with a
`TabPage` whose `load` is the tab's opening. Every tab but the first is built twice (widgets/lazy_tabs.py): its
API copy outside the layout (its endpoints, which the page never mounts) and, when a session first selects the
tab (a per-session flag that flips once), the tab the page draws, by a gr.render whose load events (the tab's
link or preset restore and first drawing) run as it mounts; so a page load mounts and runs only the first tab's.
The page opens on the first tab, drawn from the default view's answer its config carries
(computed once, when the app is built: no event runs for it); the one load event then selects a linked tab
(`?tab=NAME`, whose opening reads its settings from the link; a link to the first tab opens it the same way),
the Workshop for a teacher's link (`?teacher=KEY`), and does nothing for a plain address.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
import torch

from .widgets.atomic_cache import install
from .widgets.concurrency import Limits, apply_limits
from .widgets.keys import keys_script
from .widgets.lazy_tabs import LabBlocks, api_copy, drawn_when_opened
from .widgets.live import LIVE_CSS
from .widgets.plot import HEAD, PLOT_CSS
from .workshop.room import Room

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
# Gradio's queue summarises the timings of the last 10,000 finished events with pandas after every event, for its
# /monitoring page: under a class's load that was 11% of the server's CPU per light request, and it grows with the
# events kept. The app turns /monitoring off, so the summary is computed once per NEVER events (never, in practice).
GRADIO_SUMMARY_EVERY, NEVER = "GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9)

INTRO = (
    "# Diffusion Lab\n"
    "An offline lab for the design space of diffusion models. Time runs **t = 0 (data) → t = 1 (noise)**; "
    "the noise level is the logSNR **λ** (VP: α² = sigmoid(λ), σ² = sigmoid(−λ); VE: σ = e^(−λ/2))."
)

# Projector (800 px) and laptop (1280 px) widths: the tab buttons wrap onto a second row instead of hiding
# behind a "⋯" menu; table cells do not wrap (a browser breaks "5.96e-08" and "shifted-cosine" at the hyphen, and
# the dataframe's narrow columns broke "NFE" and "1.6777e+07"): a wide table scrolls sideways instead;
# dropdown lists are as wide as their longest choice; a figure is never narrower than 380 px (two figures in a row
# stack when the row is narrower than two of them, instead of shrinking to an empty axis); an accordion holding a
# figure is not a figure (flex-basis 380 px in a column clipped the accordion to a 380-px scroll box). A figure's
# block has its width before plotly draws in it (the rule names the Plot's own class: one on `:has(.js-plotly-plot)`
# applied only once plotly had drawn, the box then changed and the figure was drawn again), and the page keeps
# the scrollbar's room, so a page growing past the window does not narrow every figure drawn so far.
PAGE_CSS = """
html { scrollbar-gutter: stable; }
.difflab-tabs > .tab-wrapper { height: auto; }
.difflab-tabs .tab-container { flex-wrap: wrap; height: auto; }
table td, table th { white-space: nowrap; overflow-wrap: normal; word-break: keep-all; }
.prose table { display: block; max-width: 100%; overflow-x: auto; }
ul.options { min-width: max-content; }
.block.difflab-plot { min-width: min(380px, 100%) !important; flex: 1 1 380px; }
"""
CSS = LIVE_CSS + PLOT_CSS + PAGE_CSS  # given to launch() (gradio 6 takes page CSS there)


@dataclass(frozen=True)
class TabPage:
    """What a tab's `build` is given: `load` fires once per page, when the tab is first opened (use it as
    `demo.load` is used: `page.load(fn, inputs, outputs, ...)` or as a trigger in `gr.on`); `room` is the
    workshop's room (its answers' file and the teacher's key); `first`: the page opens on this tab, so its outputs
    start with the default view's answer (computed once when the app is built, the same for every visitor: the
    page draws it as it mounts, before any event has run), and its `load` fires only for a link that names it."""

    blocks: gr.Blocks
    load: Any
    room: Room
    first: bool = False


def build_app(room: Room | None = None, tabs: tuple[tuple[str, str], ...] = TABS) -> gr.Blocks:
    """All tabs in one Blocks app (image outputs written once and atomically: atomic_cache). `room`: where the
    workshop's answers live and the teacher's key (default: Room.from_env()); `tabs`: which of TABS (the page-load
    benchmark builds the first alone, to weigh the others)."""
    install()
    room = room or Room.from_env()
    with LabBlocks(title="Diffusion Lab", fill_width=True, analytics_enabled=False) as demo:  # offline: no calls out
        gr.Markdown(INTRO)
        keys_script()  # outside the tabs: it mounts with the page, whichever tab the page opens on
        # Per page: the first tab opens (reads the link, redraws) only for a link that names it; every other tab
        # the first time it is selected (the select flips its flag, whose .change is its load; later selects
        # leave it as is). The first tab's flag is set by the load event, which runs outside the queue, and only
        # the queue reports a gr.State's change to the page: a hidden checkbox's value is the page's own.
        linked_first = gr.Checkbox(False, visible=False, container=False)
        opened = [gr.State(False) for _ in tabs[1:]]
        with gr.Tabs(selected=tabs[0][1], overflow_behavior="wrap", elem_classes="difflab-tabs") as tab_bar:
            for k, (label, module) in enumerate(tabs):
                build = importlib.import_module(f"{__package__}.{module}.layout").build
                with gr.Tab(label, id=module) as tab:
                    if k == 0:
                        build(TabPage(demo, linked_first.change, room, first=True))
                    else:  # its endpoints now, its page when a session opens it (widgets/lazy_tabs.py)
                        tab_page = functools.partial(_build_page, build, demo, room)
                        api_copy(tab_page)
                        drawn_when_opened(demo, opened[k - 1], tab_page)
                if k:
                    tab.select(_opened, None, opened[k - 1], api_visibility="private", show_progress="hidden")
        demo.load(linked_tab_opener(tabs), None, [tab_bar, linked_first], api_visibility="private", queue=False)
    apply_limits(demo, Limits.from_env())  # sampling and light views queue apart (widgets/concurrency.py)
    demo.difflab_room = room  # type: ignore[attr-defined]  # serve() prints the teacher's address
    return demo


def _opened() -> bool:
    return True


def _build_page(build: Callable[[TabPage], None], demo: gr.Blocks, room: Room, load: Any) -> None:
    build(TabPage(demo, load, room))


def linked_tab(params: dict, tabs: tuple[tuple[str, str], ...] = TABS) -> str | None:
    """The tab a page address asks for: `?tab=NAME` (one of `tabs`), the Workshop for `?teacher=KEY`, else None."""
    names = [m for _, m in tabs]
    tab = params.get("tab")
    if tab in names:
        return tab
    return "workshop" if params.get("teacher") and "workshop" in names else None


def linked_tab_opener(tabs: tuple[tuple[str, str], ...] = TABS):
    """The page's load event: (the tab selection, the first tab's opening flag). A link to another tab selects it
    (its select opens it); a link to the first tab, already shown, opens it (reads the link, redraws); a plain
    address changes nothing: the first tab shows the default view its config carries."""

    def select_linked_tab(request: gr.Request):
        tab = linked_tab(dict(request.query_params) if request is not None else {}, tabs)
        if tab is None:
            return gr.skip(), gr.skip()
        if tab == tabs[0][1]:
            return gr.skip(), True
        return gr.Tabs(selected=tab), gr.skip()

    return select_linked_tab


def teacher_banner(room: Room, host: str, port: int) -> str:
    """The lines printed at launch: where the room's answers are kept and the teacher's link."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return (
        f"Workshop room: answers kept in {room.db.resolve()}\n"
        f"Teacher's view: http://{shown}:{port}/?teacher={room.key}  (keep this key to yourself; "
        f"set it with --teacher-key or ${'DIFFLAB_TEACHER_KEY'})"
    )


def serve(
    demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, *, limits: Limits | None = None, block: bool = True
) -> None:
    """Serve a built app (the tests serve it through here too, with `block=False`, so they test what a user gets).
    `limits`: how many sampling runs and light views run at once (default: Limits.from_env()). One torch thread
    per request: on a 2-core laptop, concurrent users each get a core instead of fighting over a thread pool
    (small-tensor work is ~5x slower under contention)."""
    torch.set_num_threads(1)
    limits = limits or Limits.from_env()
    apply_limits(demo, limits)
    room = getattr(demo, "difflab_room", None)
    if room is not None:
        print(teacher_banner(room, host, port), flush=True)
    print(f"Queue: {limits.sampling} sampling run(s) and {limits.light} light views at a time", flush=True)
    os.environ.setdefault(GRADIO_SUMMARY_EVERY, NEVER)  # read by demo.queue(): see GRADIO_SUMMARY_EVERY
    demo.queue(default_concurrency_limit=limits.light).launch(
        server_name=host,
        server_port=port,
        show_error=False,
        max_file_size="100mb",
        css=CSS,
        head=HEAD,  # plotly.js loads as gradio mounts the page (widgets/plot.py)
        prevent_thread_lock=not block,
        enable_monitoring=False,  # gradio's /monitoring dashboard: nothing a room needs (and its summary is off)
    )


def launch(host: str = "127.0.0.1", port: int = 7860, room: Room | None = None) -> None:
    """Build and serve the app."""
    serve(build_app(room), host, port)
