"""Plotly figures in notebooks that render everywhere: JupyterLab draws the interactive figure from its JSON
with its bundled plotly.js (nothing fetched), and nbconvert HTML, GitHub and nbviewer, which ignore that JSON,
show the static PNG stored beside it (drawn by matplotlib, plotting/static.py: no kaleido, no browser)."""

from __future__ import annotations

import base64
import io
import json
import sys
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from .common import PLOT_CONFIG
from .static import to_matplotlib

PLOTLY_MIME = "application/vnd.plotly.v1+json"


class NotebookFigure:
    """A plotly figure with a mime bundle of both forms; Jupyter picks the richest its front end can draw."""

    def __init__(self, fig: go.Figure) -> None:
        self.fig = fig

    def png(self) -> bytes:
        """The figure as PNG bytes (matplotlib redraw, 150 dpi)."""
        mfig = to_matplotlib(self.fig)
        buf = io.BytesIO()
        mfig.savefig(buf, format="png")
        return buf.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        spec = json.loads(pio.to_json(self.fig, validate=False))
        title = self.fig.layout.title.text or "plotly figure"
        return {
            PLOTLY_MIME: {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": PLOT_CONFIG},
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": f"<{title}: {len(self.fig.data)} traces>",
        }


def show(fig: go.Figure) -> None:
    """Display a plotly figure in a notebook as interactive JSON plus a static PNG (renders in JupyterLab offline,
    nbconvert HTML, GitHub and nbviewer); outside an IPython kernel, plotly's own `fig.show()`."""
    display = getattr(sys.modules.get("IPython.display"), "display", None)  # loaded only inside IPython
    if display is None:
        fig.show()
    else:
        display(NotebookFigure(fig))
