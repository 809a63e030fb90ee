"""The plotly.js the page draws with (widgets/plot.py): the shipped copy is the cartesian bundle at the version
plotly.py targets, byte for byte what `make plotly-bundle` fetches (sha256); it holds every trace type the app's
figures use; a served app hands it to the page at the address the component's head names; the app's page head
starts it early."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from pathlib import Path

import gradio as gr
import plotly
import plotly.graph_objects as go
import pytest

from diffusion_core.app.widgets.plot import HEAD, PLOTLY_JS, PLOTLY_SHA256, PLOTLY_VERSION, Plot

PLOTTING = Path(__file__).parents[2] / "diffusion_core"


def bundle_traces() -> set[str]:
    """The trace types the bundle registers (each trace module declares moduleType "trace" and its name)."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', PLOTLY_JS.read_text()))


def test_the_shipped_bundle_is_the_pinned_one():
    assert hashlib.sha256(PLOTLY_JS.read_bytes()).hexdigest() == PLOTLY_SHA256
    head = PLOTLY_JS.read_text()[:200]
    assert f"plotly.js (cartesian - minified) v{PLOTLY_VERSION}" in head
    assert PLOTLY_VERSION == plotly.offline.get_plotlyjs_version()  # the plotly.js plotly.py writes figures for
    assert (PLOTLY_JS.parent / "plotly-LICENSE").read_text().startswith("MIT License")


def test_every_trace_type_the_app_draws_is_in_the_bundle():
    have = bundle_traces()
    assert {"scatter", "heatmap", "bar", "histogram"} <= have and "scattergl" not in have and "surface" not in have
    used = set()
    for path in PLOTTING.rglob("*.py"):
        for name in re.findall(r"\bgo\.([A-Z]\w+)\(", path.read_text()):
            cls = getattr(go, name)
            if issubclass(cls, plotly.basedatatypes.BaseTraceType):
                used.add(cls().type)
    assert used >= {"scatter", "heatmap"}
    assert used <= have, f"not in the cartesian bundle: {sorted(used - have)}"


def test_a_served_app_hands_the_bundle_to_the_page():
    src = re.search(r'src="([^"]+)"', HEAD).group(1)
    assert not src.startswith("/")  # relative: the page's own address, behind a proxy's root path too
    with gr.Blocks() as demo:
        Plot(label="p")
    _, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    try:
        with urllib.request.urlopen(url + src, timeout=30) as r:
            assert r.status == 200 and r.read() == PLOTLY_JS.read_bytes()
    finally:
        demo.close()


def test_a_plot_sends_a_figure_and_clears_with_none():
    plot = Plot(label="p")
    out = plot.postprocess(go.Figure(go.Bar(y=[1, 2])))
    assert out is not None and out.type == "plotly" and '"type":"bar"' in out.plot
    assert plot.postprocess(None) is None
    with pytest.raises(TypeError, match="go.Figure"):
        plot.postprocess("<b>not a figure</b>")
    assert plot.api_info() == gr.Plot().api_info()


def test_the_app_page_starts_plotly_before_its_components_mount(app_url):
    """The app's own head names the bundle (layout.serve): gradio adds it as the page reads its config, before it
    mounts the 520 components, so the fetch runs beside that work instead of after the first figure mounts."""
    with urllib.request.urlopen(app_url + "config", timeout=60) as r:
        config = json.load(r)
    assert config["head"] == HEAD
