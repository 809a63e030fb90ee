"""The app's Plot (widgets/plot.py) sends the figure gr.Plot would send: for every figure of the light views'
default answers, its JSON decodes to gr.Plot's (base64 typed arrays decoded to lists), and every plot of the app
is this Plot."""

from __future__ import annotations

import base64
import json
from typing import Any

import gradio as gr
import numpy as np
import plotly.graph_objects as go
import pytest

from diffusion_core.app.bases import layout as bases
from diffusion_core.app.increments import layout as increments
from diffusion_core.app.scale_space import layout as scale_space
from diffusion_core.app.schedules import layout as schedules
from diffusion_core.app.spectrum import layout as spectrum
from diffusion_core.app.widgets.plot import Plot

VIEWS = {
    "spectrum": spectrum.spectrum,
    "bounds": schedules.bounds,
    "schedules": schedules.schedules,
    "increments": increments.increments,
    "component_schedule": bases.component_schedule,
    "scale_space": scale_space.scale_space,
}


def decoded(x: Any) -> Any:
    """JSON with plotly's typed arrays ({"dtype", "bdata", "shape"}) replaced by nested lists."""
    if isinstance(x, dict):
        if set(x) >= {"dtype", "bdata"}:
            a = np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"]))
            shape = x.get("shape")
            if shape is not None:
                a = a.reshape([int(s) for s in str(shape).split(",")])
            return a.tolist()
        return {k: decoded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [decoded(v) for v in x]
    return x


def figures(out: Any) -> list[go.Figure]:
    values = out if isinstance(out, (tuple, list)) else [out]
    return [v for v in values if isinstance(v, go.Figure)]


@pytest.mark.parametrize("name", VIEWS)
def test_the_browser_gets_the_figure_gr_plot_would_send(name):
    figs = figures(VIEWS[name]())
    assert figs, f"{name} answers no figure"
    for fig in figs:
        ours, theirs = Plot().postprocess(fig), gr.Plot().postprocess(fig)
        assert ours is not None and theirs is not None and ours.type == theirs.type == "plotly"
        assert decoded(json.loads(ours.plot)) == decoded(json.loads(theirs.plot))


def test_typed_arrays_are_decoded_and_compared_for_real():
    fig = go.Figure(go.Scatter(x=np.arange(3.0), y=np.array([1.0, 2.0, 4.0])))
    theirs = json.loads(gr.Plot().postprocess(fig).plot)
    assert "bdata" in json.dumps(theirs["data"][0]["x"])  # gr.Plot writes base64 here ...
    assert (
        decoded(theirs)["data"][0]["y"] == [1.0, 2.0, 4.0] == json.loads(Plot().postprocess(fig).plot)["data"][0]["y"]
    )
    other = go.Figure(go.Scatter(x=np.arange(3.0), y=np.array([1.0, 2.0, 5.0])))
    assert decoded(json.loads(Plot().postprocess(other).plot)) != decoded(theirs)  # ... and a change is seen


def test_a_figure_with_frames_keeps_them():
    fig = go.Figure(go.Scatter(y=[1, 2]), frames=[go.Frame(data=[go.Scatter(y=[2, 1])])])
    assert json.loads(Plot().postprocess(fig).plot)["frames"]


def test_every_plot_of_the_app_is_the_apps_plot():
    from diffusion_core.app.layout import build_app

    blocks = build_app().blocks.values()
    assert sum(type(b) is Plot for b in blocks) >= 30
    assert not [b for b in blocks if isinstance(b, gr.Plot)]  # gradio's Plot would load the whole of plotly.js
