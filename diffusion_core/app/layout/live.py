"""Figures that follow a slider, drawn past gradio's Plot component (issue 12 item 12).

gradio's gr.Plot draws every new value with Plotly.react and then Plotly.Plots.resize: in chromium on the
2-core box that is ~130 ms of main-thread work per figure, ~105 ms of it the resize, so three figures
following a slider cost ~400 ms a move. A slider move instead returns its figures as one JSON string into
an empty gr.HTML, whose script reacts them into the plots already on the page (LIVE_JS: Plotly.react
alone, 15-30 ms a figure). The channel is an output of the slider's own event, not a `.then` step: every
event gradio dispatches walks its whole component tree once per loading status (~100 ms a dispatch on
this page). The plots stay gr.Plot components: they draw the first figure and every figure of
the other events (which the server computes at the current slider value, so they never go back to an old
one). The figures are addressed by the gr.Plot's elem_id.
"""
from __future__ import annotations

import json

import gradio as gr
import plotly.graph_objects as go
import plotly.io as pio

# The channel's script (gr.HTML js_on_load): on each new value {elem_id: figure JSON}, react the figures into
# the plots with those elem_ids; the layout keeps what gradio's Plot adds (autosize, the top margin it reserves
# for the block label) so a live figure sits where gradio drew one.
LIVE_JS = """
function draw() {
  const P = window.Plotly, payload = props.value;
  if (!payload || !P) return;
  for (const [id, fig] of Object.entries(JSON.parse(payload))) {
    const gd = document.querySelector(`#${id} .js-plotly-plot`);
    if (!gd || !gd.layout) continue;
    const lay = fig.layout || {};
    lay.autosize = true;
    lay.margin = {...(lay.margin || {}), t: (gd.layout.margin || {}).t, autoexpand: true};
    P.react(gd, fig.data || [], lay);
  }
}
watch('value', draw);
"""


# The channel draws nothing itself; hidden so that its empty block leaves no gap in the column (page CSS, given
# to launch() in layout.serve; the script runs all the same).
LIVE_CSS = ".live-channel { display: none !important; }"


def live_box() -> gr.HTML:
    """The channel a slider's live figures travel in: an empty gr.HTML whose script draws them."""
    return gr.HTML("", html_template="", js_on_load=LIVE_JS, apply_default_css=False, container=False,
                   padding=False, elem_classes="live-channel")


def live_figures(figs: dict[str, go.Figure]) -> str:
    """{elem_id: figure} as one JSON string (plotly's encoder, no re-validation)."""
    return "{" + ",".join(f"{json.dumps(k)}:{pio.to_json(f, validate=False)}" for k, f in figs.items()) + "}"
