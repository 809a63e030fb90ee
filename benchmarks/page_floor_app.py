"""The floor of a page load here: a gradio page with nothing but what the app's first tab must draw, three plotly
figures (and one slider), filled by one load event. benchmarks/page_load.py loads it beside the app in the same
run, so the app's time reads against what gradio and plotly.js take on this machine before any app code.
With `gr-plot`, the figures are gradio's own gr.Plot (the whole of plotly.js) instead of the app's Plot (plotly.js's
cartesian bundle, widgets/plot.py): the two floors, same run, weigh that choice.

    .venv/bin/python benchmarks/page_floor_app.py PORT [gr-plot]
"""

from __future__ import annotations

import sys

import gradio as gr
import numpy as np
import plotly.graph_objects as go

from diffusion_core.app.widgets.plot import PLOT_CSS, Plot


def figures() -> list[go.Figure]:
    x = np.arange(1, 129)
    return [go.Figure(go.Scatter(x=x, y=x ** -float(k + 1), mode="lines")) for k in range(3)]


def build(gr_plot: bool = False) -> gr.Blocks:
    with gr.Blocks(title="page-load floor", analytics_enabled=False) as demo:
        with gr.Tabs():
            with gr.Tab("Floor"):
                with gr.Row():
                    plots = [(gr.Plot if gr_plot else Plot)(elem_id=f"floor-{k}") for k in range(3)]
                gr.Slider(0, 1, label="a slider")
        demo.load(figures, None, plots)
    return demo


if __name__ == "__main__":
    build(gr_plot=sys.argv[2:] == ["gr-plot"]).launch(
        server_name="127.0.0.1", server_port=int(sys.argv[1]), show_error=False, css=PLOT_CSS
    )
