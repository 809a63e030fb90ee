"""The app's plot component: gradio's Plot (the same frontend component, a gradio template of it) whose answer is
the figure's JSON written straight from the figure's own dicts. gr.Plot sends `fig.to_json()`, and plotly's
`to_dict` under it deep-copies every trace and re-encodes every array as base64: 18 ms of server CPU per Bases
view (five figures, 165 traces), about a third of that request, against 0.9 ms here. The browser draws the same
figure: the same keys and values, numpy arrays as JSON lists instead of base64 typed arrays (both are plotly.js
input; tests/app/test_plot_payload.py compares the two decoded)."""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go
from gradio.components.plot import PlotData
from plotly.io.json import to_json_plotly


def figure_json(fig: go.Figure) -> str:
    """A figure's JSON from its data and layout dicts as they are (no copy, no base64 pass)."""
    return to_json_plotly({"data": fig._data, "layout": fig._layout})


class Plot(gr.Plot):
    """gr.Plot with `figure_json` for plotly figures (figures with animation frames go through gr.Plot)."""

    is_template = True  # gradio then renders it with its parent's frontend component, "plot"

    def postprocess(self, value: Any) -> PlotData | None:
        if isinstance(value, go.Figure) and not value.frames:
            return PlotData(type="plotly", plot=figure_json(value))
        return super().postprocess(value)
