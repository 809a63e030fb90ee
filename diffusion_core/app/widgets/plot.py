"""The app's plot component: a plotly figure drawn in the page by plotly.js's cartesian bundle, in a gradio 6
custom HTML component. Its value is what gr.Plot's is, {"type": "plotly", "plot": the figure's JSON}, so
gradio_client and the API see a plot as before.

Why not gr.Plot: its frontend imports the whole of plotly.js (4.6 MB, 48 trace types) when the first figure
arrives, and evaluating it took ~1 s of the page's main thread, half of a page load here (benchmarks/page_load.py:
gradio with three gr.Plot figures took 2.1-2.9 s to draw them, with this component 1.3-1.6 s, same run). Every
trace the app draws (scatter, heatmap, bar, histogram) is in the cartesian bundle (1.5 MB), from the npm package
plotly.js-cartesian-dist-min, at the plotly.js version plotly.py ships (tests/app/test_plot_bundle.py checks
the version and sha256 of the copy in static/; `make plotly-bundle` fetches it again).

The figure's JSON is written straight from the figure's own dicts: gr.Plot sends `fig.to_json()`, and plotly's
`to_dict` under it deep-copies every trace and re-encodes every array as base64: 18 ms of server CPU per Bases
view (five figures, 165 traces) against 0.9 ms here (tests/app/test_plot_payload.py compares the two decoded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr
import plotly.graph_objects as go
from gradio.components.plot import PlotData
from plotly.io.json import to_json_plotly

from ...plotting.common import PLOT_CONFIG

PLOTLY_VERSION = "4.1.1"
PLOTLY_JS = Path(__file__).with_name("static") / f"plotly-cartesian-{PLOTLY_VERSION}.min.js"
PLOTLY_SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"
gr.set_static_paths([PLOTLY_JS.parent])  # served at gradio_api/file=...; the folder holds the bundle and its licence

# Drawn as gradio's Plot draws a plotly value (autosize, margins that grow for tick labels), then resized only if
# the box is not the size plotly drew (a figure drawn as its tab mounts). The element gets the figure's height:
# a responsive plotly figure without a layout height fills its element's height, and an element sized by its
# content then collapses on the first resize (figures stacked at 800 px ran ~370 px past their boxes). A value
# whose JSON is the one drawn last is not drawn again; the live channel (live.py) and the Bases t markers redraw
# the element themselves and clear `drawnPlot`. A value waits for plotly.js: the app's page head starts loading it
# before any component mounts (HEAD), and a component then finds the script in the page and does not wait
# for it, so its script polls until `Plotly` is defined.
JS = f"""
const gd = element.querySelector('.difflab-figure');
const config = {json.dumps({**PLOT_CONFIG, "responsive": True})};
function draw() {{
  const v = props.value;
  if (!v || !v.plot) {{ if (gd.data) Plotly.purge(gd); gd.drawnPlot = null; return; }}
  if (gd.drawnPlot === v.plot) return;
  gd.drawnPlot = v.plot;
  const fig = JSON.parse(v.plot);
  const layout = fig.layout || {{}};
  layout.autosize = true;
  layout.margin = Object.assign({{}}, layout.margin, {{autoexpand: true}});
  gd.style.height = (layout.height || 450) + 'px';  // plotly's default height; see the note above
  Plotly.react(gd, {{data: fig.data || [], layout, frames: fig.frames, config}}).then(() => {{
    if (Math.abs(gd.getBoundingClientRect().width - gd._fullLayout.width) > 1) Plotly.Plots.resize(gd);
  }});
}}
function whenLoaded() {{ if (window.Plotly) draw(); else setTimeout(whenLoaded, 10); }}
whenLoaded();
watch('value', whenLoaded);
"""
HEAD = f'<script src="gradio_api/file={PLOTLY_JS}"></script>'  # relative: the page's own address and root path
# Given to launch() too (layout.serve): gradio adds the page's head as the config is read, so plotly.js is
# fetched while gradio mounts the components (~0.7 s of the page's main thread for the app's 520), not after
# the first figure has mounted (a component's head is added then).
# gr.HTML's block label carries a code icon ("</>"): a figure's label shows its text only (given to launch()).
# An empty plot keeps some height, as gr.Plot's empty state does, so a figure still to come has its place.
PLOT_CSS = (
    '.difflab-plot > label[data-testid="block-label"] > span:has(svg) { display: none; }\n'
    ".difflab-figure:empty { min-height: 160px; }\n"
)


def figure_json(fig: go.Figure) -> str:
    """A figure's JSON from its data and layout dicts as they are (no copy, no base64 pass)."""
    if fig.frames:
        return fig.to_json()
    return to_json_plotly({"data": fig._data, "layout": fig._layout})


class Plot(gr.HTML):
    """A plotly figure (go.Figure) drawn with the cartesian bundle; None clears it."""

    def __init__(
        self,
        label: str | None = None,
        *,
        value: go.Figure | None = None,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        visible: bool = True,
        **kwargs: Any,
    ):
        classes = [elem_classes] if isinstance(elem_classes, str) else list(elem_classes or [])
        super().__init__(
            value=value,
            label=label,
            show_label=label is not None,
            html_template='<div class="difflab-figure"></div>',
            js_on_load=JS,
            head=HEAD,
            container=True,
            apply_default_css=False,  # the page's prose styles are not for plotly's SVG
            elem_id=elem_id,
            elem_classes=["difflab-plot", *classes],
            visible=visible,
            **kwargs,
        )

    def postprocess(self, value: Any) -> PlotData | None:  # type: ignore[override]
        if value is None:
            return None
        if isinstance(value, go.Figure):
            return PlotData(type="plotly", plot=figure_json(value))
        raise TypeError(f"Plot shows a plotly go.Figure, got {type(value).__name__}")

    def api_info(self) -> dict[str, Any]:
        return gr.Plot().api_info()
