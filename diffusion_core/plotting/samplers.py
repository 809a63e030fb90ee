"""Samplers tab figures: quality against NFE, one line per sampler (reads results, no maths)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from .common import COLORS, base_figure

METRIC_LABELS = {
    "cov_rel_fro": "covariance error ‖ΔC‖_F / ‖C‖_F (exact)",
    "memorisation_rate": "memorisation rate (copies)",
}


def quality_vs_nfe_figure(rows: Sequence[Mapping[str, Any]], metric: str, current: Mapping[str, tuple[int, float]],
                          title: str) -> go.Figure:
    """rows: {sampler, nfe, value}; current: sampler -> (nfe, value) of the run shown beside the plot."""
    log = metric == "cov_rel_fro"
    fig = base_figure(title, "NFE (denoiser evaluations)", METRIC_LABELS.get(metric, metric or "quality"),
                      logx=True, logy=log, height=400)
    names = list(dict.fromkeys(r["sampler"] for r in rows))
    for k, name in enumerate(names):
        pts = [(r["nfe"], r["value"]) for r in rows if r["sampler"] == name and r["value"] is not None]
        if log:
            pts = [(x, y) for x, y in pts if y > 0]
        color = COLORS[k % len(COLORS)]
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers",
                                 name=name, line={"color": color}, marker={"size": 6}))
        if name in current and current[name][1] is not None and (not log or current[name][1] > 0):
            x, y = current[name]
            fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", showlegend=False, hoverinfo="text",
                                     text=[f"{name}: this run, NFE {x}, {y:.3g}"],
                                     marker={"size": 14, "symbol": "star", "color": color,
                                             "line": {"width": 1, "color": "#222"}}))
    if not log:
        fig.update_yaxes(range=[-0.05, 1.05])
    return fig
