"""Issue 26: clearing an upload returns the tab to its default view (no "your upload" left, no "no file given"
message): the tabs' events are not triggered by the upload's change; a file uploaded switches the source to
"upload" and redraws; a clear sets the source back to the view's default, whose change redraws."""

from __future__ import annotations

import importlib

import gradio as gr
import pytest

TABS = ("spectrum", "schedules", "scale_space")


def _built(tab: str):
    layout = importlib.import_module(f"diffusion_core.app.{tab}.layout")
    with gr.Blocks() as demo:
        layout.build(demo)
    upload = next(b for b in demo.blocks.values() if isinstance(b, gr.File) and str(b.label).startswith("Upload (PNG"))
    return layout, demo, upload


@pytest.mark.parametrize("tab", TABS)
def test_clear_returns_to_the_default_source(tab):
    layout, demo, upload = _built(tab)
    deps = demo.fns.values()
    on = {
        ev: [d for d in deps if any(t[0] == upload._id and t[1] == ev for t in d.targets)]
        for ev in ("change", "clear", "upload")
    }
    assert on["change"] == []  # a clear fires change with no file: nothing computes from it
    (clear,) = on["clear"]
    source = demo.blocks[clear.outputs[0]._id] if hasattr(clear.outputs[0], "_id") else clear.outputs[0]
    assert isinstance(source, gr.Radio) and "upload" in [c[1] for c in source.choices]
    assert clear.fn() == layout.D.source == "photo"
    (up,) = on["upload"]
    assert up.fn() == "upload"
