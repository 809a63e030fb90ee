"""Issue 26, Samplers tab: one message per mistake (the samples event and the quality sweep do not both
warn), the steps slider's range is the view's, and no Fréchet real-vs-real floor where n makes it meaningless."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest
import torch
from gradio.context import LocalContext

from diffusion_core.app.samplers import layout
from diffusion_core.app.samplers import view as V
from diffusion_core.app.widgets import guard


def test_one_warning_per_bad_input(monkeypatch):
    """Run as the app's own page would (x-gradio-user: app) and count the warning toasts."""
    shown: list[str] = []
    monkeypatch.setattr(gr, "Warning", lambda message, **kw: shown.append(message))
    token = LocalContext.request.set(SimpleNamespace(headers={"x-gradio-user": "app"}))
    try:
        guard(layout.sample_compare)(progress=lambda *a, **k: None, steps=0)
        guard(layout.sweep)(progress=lambda *a, **k: None, steps=0)
    finally:
        LocalContext.request.reset(token)
    assert len(shown) == 1 and "steps" in shown[0]


def test_sweep_still_refuses_api_callers():
    with pytest.raises(gr.Error, match="steps"):
        guard(layout.sweep)(progress=lambda *a, **k: None, steps=0)


def test_steps_slider_range_is_the_views():
    with gr.Blocks() as demo:
        layout.build(demo)
    steps = [b for b in demo.blocks.values() if str(getattr(b, "label", "")).startswith("Steps N (heun")]
    assert len(steps) == 1 and steps[0].maximum == V.MAX_VIEW_STEPS == 256


@pytest.mark.slow
def test_no_frechet_floor_at_small_n():
    from diffusion_core import data
    from diffusion_core.evaluation.metrics import FD_MIN_N
    from diffusion_core.evaluation.truth import DigitTruth

    x = data.load_mnist("train")[0][-FD_MIN_N:]  # real digits, [n, 1, 28, 28]
    t = DigitTruth()
    small = t.score_samples(torch.as_tensor(x[:16]))
    assert small.cells[2] == f"— (n < {FD_MIN_N})"
    assert "not shown at n = 16" in t.explain(16, {"a": {"all_seconds": 1.0, "workers": 1}}, "cpu")
    full = t.score_samples(torch.as_tensor(x))
    assert full.cells[2][0].isdigit() and "(" in full.cells[2]
