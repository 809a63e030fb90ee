"""Schedule-inspector figure: logSNR per step of two configs, the steps where they differ marked."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import COLORS, base_figure

LAM_T1 = -2 * float(np.log(2.0**24 - 1))  # logSNR of the VE stand-in for a flow schedule's t = 1


def diff_figure(lam_a: np.ndarray, lam_b: np.ndarray, differs: list[int], first: int | None) -> go.Figure:
    """lam_i of A and B against step index i (the final sigma = 0, lam = +inf, is not drawn)."""
    fig = base_figure(
        "logSNR λ per step: A vs B (× = the configs differ; t = 1, λ = −∞, not drawn)",
        "step i (0 = noisiest, t = 1 side)",
        "logSNR λ (higher = cleaner)",
    )
    for lam, name, c in ((lam_a, "A", COLORS[0]), (lam_b, "B", COLORS[1])):
        k = np.arange(len(lam))
        ok = np.isfinite(lam) & (lam > LAM_T1 + 1e-9)
        fig.add_trace(
            go.Scatter(x=k[ok], y=lam[ok], name=name, mode="lines+markers", marker={"size": 5}, line={"color": c})
        )
    n = min(len(lam_a), len(lam_b))
    idx = [i for i in differs if i < n and np.isfinite(lam_b[i]) and lam_b[i] > LAM_T1 + 1e-9]
    if idx:
        fig.add_trace(
            go.Scatter(
                x=idx,
                y=lam_b[idx],
                name="differs",
                mode="markers",
                marker={"symbol": "x", "size": 10, "color": "black"},
            )
        )
    if first is not None:
        fig.add_vline(x=first, line={"color": "gray", "dash": "dot"}, annotation_text=f"first divergence: step {first}")
    return fig
