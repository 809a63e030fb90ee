"""Tabs whose components mount when a session first opens them (issue 26: page load -> first tab in <= 2 s).

gradio's page mounts every component of its config, drawn or not: ~1 ms of the page's main thread each on this
2-core machine, 0.6 s for the six tabs behind the first (480 components). So each of those tabs is built twice:

- `api_copy`: at the top level, outside the layout. Its events are the tab's endpoints as before (api_names,
  named parameters, schemas; gradio_client and the live channel call them); the page mounts none of its
  components (`LabBlocks` marks them hidden: gradio's page waits for every component not marked hidden to mount).
- `drawn_when_opened`: a gr.render run once per session, when the tab is first opened, builds the tab the page
  draws, with its own events (the session's, run by the page); its load events run as it mounts.

gradio's page decides a rendered component's interactivity from the events of the page's first config, which
holds none of the render's: a rendered output with no value became an upload box and a dropdown with a value a
static one. `settle_rendered` sets it as gradio infers it for the page's own components (an event input is
interactive, an output only is not) and puts the render's events in their concurrency groups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.context import LocalContext

from .concurrency import Limits, limit

Build = Callable[[Any], None]  # builds a tab, given its load trigger (used as demo.load is)


class LabBlocks(gr.Blocks):
    """gr.Blocks whose page config marks every component outside its layout hidden: the tabs' API copies."""

    def get_config_file(self):  # type: ignore[no-untyped-def]
        config = super().get_config_file()
        drawn = drawn_ids(config)
        for component in config["components"]:
            if component["id"] not in drawn:
                component["props"]["visible"] = False
        return config


def drawn_ids(config: dict) -> set[int]:
    """The ids of the blocks a page config lays out: the components the page mounts."""
    drawn: set[int] = set()
    stack = [config["layout"]]
    while stack:
        node = stack.pop()
        drawn.add(node["id"])
        stack.extend(node.get("children", []))
    return drawn


def api_copy(build: Build) -> None:
    """The tab's components and events outside the page's layout; its load is a trigger that never fires."""
    with gr.Column(render=False):
        build(gr.State(False).change)


def drawn_when_opened(demo: gr.Blocks, opened: gr.State, build: Build) -> None:
    """The tab the page draws, built for a session when `opened` turns True (once: the tab's first select)."""

    @gr.render(inputs=opened, triggers=[opened.change], show_progress="hidden")
    def page(is_open: bool) -> None:
        if is_open:
            build(demo.load)  # demo.load inside a render: runs as the render mounts
            settle_rendered(demo)


def settle_rendered(demo: gr.Blocks) -> None:
    """Inside a gr.render: its components' interactivity as gradio infers it, its events in their concurrency
    groups with `demo`'s limits (widgets/concurrency.py)."""
    renderable, config = LocalContext.renderable.get(None), LocalContext.blocks_config.get(None)
    if renderable is None or config is None:
        raise RuntimeError("settle_rendered is called inside a gr.render function")
    fns = [fn for fn in config.fns.values() if fn.rendered_in is renderable]
    inputs = {block._id for fn in fns for block in fn.inputs}
    outputs = {block._id for fn in fns for block in fn.outputs}
    for block in config.blocks.values():
        if block.rendered_in is renderable and getattr(block, "interactive", False) is None:
            if block._id in inputs:
                block.interactive = True
            elif block._id in outputs:
                block.interactive = False
    limit(fns, getattr(demo, "difflab_limits", None) or Limits.from_env())
