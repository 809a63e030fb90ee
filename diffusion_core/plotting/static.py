"""Static export of the app's plotly figures as PNG and SVG, drawn with matplotlib.

Handles the trace kinds the app uses (scatter lines/markers, bars, heatmaps) and log axes, so a
figure looks the same on paper as in the browser without a headless-browser image exporter.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib
import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure
from PIL import Image

from ..exports import export_path


def _text(obj) -> str:
    return (getattr(obj, "text", None) or "") if obj is not None else ""


def _draw_image(ax, tr) -> None:
    """An image trace with a data: URI source (pixel centres at x0 + i dx, y0 + j dy)."""

    im = np.asarray(Image.open(io.BytesIO(base64.b64decode(tr.source.split(",", 1)[1]))).convert("RGB"))
    h, w = im.shape[:2]
    x0, dx, y0, dy = (float(v if v is not None else d) for v, d in ((tr.x0, 0), (tr.dx, 1), (tr.y0, 0), (tr.dy, 1)))
    ax.imshow(
        im,
        extent=(x0 - dx / 2, x0 + (w - 0.5) * dx, y0 + (h - 0.5) * dy, y0 - dy / 2),
        interpolation="nearest",
        aspect="equal",
    )


def _draw_colorbar(ax, tr) -> None:
    """A marker-only trace that carries a colour bar (the scale of an image trace)."""
    m = tr.marker
    sm = matplotlib.cm.ScalarMappable(matplotlib.colors.Normalize(m.cmin, m.cmax), "viridis")
    ax.figure.colorbar(sm, ax=ax, label=_text(getattr(m.colorbar, "title", None)))


def _draw_trace(ax, tr) -> None:
    if tr.type == "image":
        _draw_image(ax, tr)
        return
    if tr.type == "scatter" and getattr(tr.marker, "showscale", None):
        _draw_colorbar(ax, tr)
        return
    if tr.type == "heatmap":
        z = np.asarray(tr.z, dtype=float)
        x = np.asarray(tr.x) if tr.x is not None else np.arange(z.shape[1])
        y = np.asarray(tr.y) if tr.y is not None else np.arange(z.shape[0])
        m = ax.pcolormesh(x, y, z, shading="auto", cmap="viridis")
        ax.figure.colorbar(m, ax=ax)
        return
    if tr.type == "histogram":
        density = tr.histnorm in ("probability density", "density")
        ax.hist(
            np.asarray(tr.x, dtype=float),
            bins=tr.nbinsx or "auto",
            density=density,
            alpha=tr.opacity or 0.7,
            label=tr.name if tr.showlegend is not False and tr.name else None,
        )
        return
    x = np.asarray(tr.x if tr.x is not None else np.arange(len(tr.y)))
    y = np.asarray(tr.y)
    color = (
        getattr(getattr(tr, "marker", None), "color", None) if tr.type != "scatter" or tr.mode == "markers" else None
    )
    color = color or getattr(getattr(tr, "line", None), "color", None)
    color = color if isinstance(color, str) else None
    label = tr.name if tr.showlegend is not False and tr.name else None
    if tr.type == "bar":
        ax.bar(x, y, label=label, color=color, alpha=0.7)
    elif tr.type in ("scatter", "scattergl"):
        dash = getattr(getattr(tr, "line", None), "dash", None)
        style = {"dash": "--", "dot": ":", "dashdot": "-."}.get(dash or "", "-")
        if tr.mode == "markers":
            ax.plot(x, y, "o", ms=3, label=label, color=color)
        else:
            ax.plot(x, y, style, label=label, color=color)


def to_matplotlib(fig: go.Figure) -> Figure:
    """Redraw a plotly figure (scatter, bar, histogram, heatmap, image; log axes; shapes as lines) with matplotlib.
    A pyplot-free Figure: no global backend switch, nothing kept open (a notebook's inline backend stays)."""
    mfig = Figure(figsize=(6.4, 4.2), dpi=150)
    ax = mfig.subplots()
    for tr in fig.data:
        _draw_trace(ax, tr)
    lay = fig.layout
    for shape in lay.shapes or ():
        if shape.type == "line":
            yfull = shape.yref in ("paper", "y domain")
            xfull = shape.xref in ("paper", "x domain")
            if shape.xref == "x" and yfull:
                ax.axvline(shape.x0, color="k", ls="--", lw=1)
            elif shape.yref == "y" and xfull:
                ax.axhline(shape.y0, color="gray", ls=":", lw=1)
    if lay.xaxis.type == "log":
        ax.set_xscale("log")
    if lay.yaxis.type == "log":
        ax.set_yscale("log")
    if lay.yaxis.autorange == "reversed":
        ax.invert_yaxis()
    ax.set_title(_text(lay.title), fontsize=10)
    ax.set_xlabel(_text(lay.xaxis.title))
    ax.set_ylabel(_text(lay.yaxis.title))
    if any(t.name and t.type not in ("heatmap", "image") and t.showlegend is not False for t in fig.data):
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    mfig.tight_layout()
    return mfig


def export_png_svg(fig: go.Figure, stem: str) -> list[str]:
    """Write `fig` as PNG and SVG into the export folder; returns both paths."""
    mfig = to_matplotlib(fig)
    paths = []
    for suffix in (".png", ".svg"):
        p: Path = export_path(stem, suffix)
        mfig.savefig(p)
        paths.append(str(p))
    return paths
