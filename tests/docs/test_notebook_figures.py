"""`dl.show(fig)` (plotting/notebook.py): a plotly figure stored as its JSON (JupyterLab draws it with its own
plotly.js, offline) and a PNG beside it, which nbconvert's HTML, GitHub and nbviewer show. Checked on a real
kernel (nbclient) and nbconvert's HTMLExporter, and the PNG against the figure (the bars' pixels)."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from diffusion_core.plotting.notebook import PLOTLY_MIME, NotebookFigure


def test_bundle_holds_the_figure_json_and_a_png_of_it():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1.0, 3.0], marker_color="#d62728"))
    bundle = NotebookFigure(fig)._repr_mimebundle_()
    assert bundle[PLOTLY_MIME]["data"][0]["y"] == [1.0, 3.0] and bundle[PLOTLY_MIME]["data"][0]["type"] == "bar"
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))).convert("RGB")).astype(int)
    assert img.shape[:2] == (630, 960)  # 6.4 x 4.2 inches at 150 dpi
    red = (img[..., 0] - img[..., 1] > 80) & (img[..., 0] - img[..., 2] > 80)  # the bars' colour at alpha 0.7
    heights = sorted({int(red[:, c].sum()) for c in np.flatnonzero(red.sum(0) > 20)})
    assert heights[-1] / heights[0] == pytest.approx(3.0, rel=0.05)  # bars of 1 and 3 on an axis from 0


def test_histogram_traces_are_drawn():
    fig = go.Figure(
        go.Histogram(x=np.random.default_rng(0).normal(size=500), nbinsx=20, histnorm="probability density")
    )
    png = NotebookFigure(fig).png()
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_a_kernel_displays_it_and_nbconvert_html_shows_the_png(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import plotly.graph_objects as go\nimport diffusion_core as dl\n"
            "dl.show(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2], name='line')))\n"
            "import matplotlib\nprint(matplotlib.get_backend())"
        )
    ]
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    (shown,) = [o for o in outputs if o.output_type == "display_data"]
    assert shown.data[PLOTLY_MIME]["data"][0]["y"] == [1, 3, 2]
    assert "inline" in "".join(o.get("text", "") for o in outputs if o.output_type == "stream")  # backend kept
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert f'src="data:image/png;base64,{shown.data["image/png"][:100]}' in html
    assert "cdn.plot.ly" not in html
