"""Shared figure style for every tab (plotly), and the time-axis label the design asks for."""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go

TIME_AXIS = "t (0 = data, 1 = noise)"
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
CLASS_COLORS = {"destroyed": "#d62728", "ambiguous": "#ff7f0e", "resolved": "#2ca02c"}

# Modebar: PNG download at 2x; SVG via the same button when format is switched in `png_config`.
PLOT_CONFIG = {"toImageButtonOptions": {"format": "png", "scale": 2}, "displaylogo": False}


# Legend in a row along the figure's bottom edge (container coordinates): plotly reserves the rows it needs
# below the axis title, so it never overlaps the title or the tick labels, however many rows a narrow plot
# (a 1024-px projector) wraps it into. Paper coordinates (y = -0.3) put it where the title is on short plots.
LEGEND = {
    "orientation": "h",
    "xref": "container",
    "yref": "container",
    "x": 0.01,
    "xanchor": "left",
    "y": 0.01,
    "yanchor": "bottom",
}


def _axis(title: str, log: bool) -> dict:
    """Axis style; log axes label decades only (plotly's default writes bare digits 2, 5 at minor ticks)."""
    return {
        "title": {"text": title},
        "type": "log" if log else "linear",
        "showgrid": True,
        "automargin": True,
        "gridcolor": "#e5e5e5",
        "zeroline": False,
        "linecolor": "#444",
        "ticks": "outside",
        **({"minorloglabels": "none", "exponentformat": "power"} if log else {}),
    }


def base_layout(
    title: str, xaxis: str, yaxis: str, *, logx: bool = False, logy: bool = False, height: int = 380
) -> dict:
    """The house style as a plain layout dict (for `assemble`; `base_figure` wraps it)."""
    return {
        "template": "none",
        "title": {"text": title, "x": 0.02, "font": {"size": 14}},
        "height": height,
        "margin": {"l": 64, "r": 20, "t": 40, "b": 20},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"size": 12},
        "legend": dict(LEGEND),
        "uirevision": "keep",  # keeps zoom/pan while sliders move (no flicker)
        "xaxis": _axis(xaxis, logx),
        "yaxis": _axis(yaxis, logy),
    }


def base_figure(
    title: str, xaxis: str, yaxis: str, *, logx: bool = False, logy: bool = False, height: int = 380
) -> go.Figure:
    """An empty figure with the house style (a light hand-made style: templates cost ~10 ms each)."""
    return go.Figure(layout=base_layout(title, xaxis, yaxis, logx=logx, logy=logy, height=height))


def data_revision(*arrays: object) -> str:
    """A digest of the arrays a figure's traces are drawn from, for `layout.datarevision`: when it is unchanged,
    plotly.react in the browser keeps every trace and redraws only what changed in the layout (a time marker
    that moved) instead of recomputing all traces (48 curves per Bases figure)."""
    h = hashlib.blake2b(digest_size=8)
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def vline(x: float, **line: object) -> dict:
    """A vertical line across the plot at x, as plotly's add_vline writes it (without its ~14 ms of validation)."""
    return {"type": "line", "xref": "x", "yref": "y domain", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def hline(y: float, **line: object) -> dict:
    """A horizontal line across the plot at y, as plotly's add_hline writes it."""
    return {"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}


def panel_axes(col: int) -> dict:
    """A trace's axes in panel `col` (1, 2) of `two_panels`."""
    return {"xaxis": "x", "yaxis": "y"} if col == 1 else {"xaxis": f"x{col}", "yaxis": f"y{col}"}


def two_panels(titles: tuple[str, str], xtitle: str) -> dict:
    """make_subplots(rows=1, cols=2, subplot_titles=titles) as a plain layout dict (axes side by side, each panel's
    title above it), both x axes titled `xtitle`; for `assemble`."""
    domains = ([0.0, 0.45], [0.55, 1.0])
    lay: dict = {"annotations": []}
    for k, (dom, title) in enumerate(zip(domains, titles), start=1):
        s = "" if k == 1 else str(k)
        lay[f"xaxis{s}"] = {"anchor": f"y{s}", "domain": dom, "title": {"text": xtitle}}
        lay[f"yaxis{s}"] = {"anchor": f"x{s}", "domain": [0.0, 1.0]}
        lay["annotations"].append(
            {"text": title, "x": sum(dom) / 2, "y": 1.0, "xref": "paper", "yref": "paper", "showarrow": False}
            | {"xanchor": "center", "yanchor": "bottom", "font": {"size": 16}}
        )
    return lay


def assemble(
    base: dict,
    traces: list[dict],
    shapes: list[dict] | tuple = (),
    annotations: list[dict] | tuple = (),
    **layout: object,
) -> go.Figure:
    """A figure from a `base_layout` dict (plus `layout`, `shapes`, `annotations`) and traces given as plain dicts,
    built without plotly's validation: 64 validated traces cost ~1.4 s on the loaded 2-core CPU, unvalidated
    ~25 ms, and the JSON sent to the browser is the same. For the figures that follow a slider; the dicts must
    be valid plotly (tests re-validate them with go.Figure(fig.to_dict()))."""
    lay = {**base, **layout}
    lay["shapes"] = [*base.get("shapes", []), *shapes]
    lay["annotations"] = [*base.get("annotations", []), *annotations]
    return go.Figure(data=traces, layout=lay, _validate=False)
