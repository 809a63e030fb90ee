"""Resolution figures: industrial flow-shift rules against the spectral law (numbers arrive computed)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import COLORS, TIME_AXIS, base_figure


def offsets_figure(sides: list[int], curves: dict[str, list[float]]) -> go.Figure:
    """logSNR offset relative to the first side against image side (log2 axis), one line per rule."""
    fig = base_figure(
        "How far each rule moves λ as the image grows (0 at 256²)",
        "image side (pixels, one tick per doubling)",
        "Δλ relative to 256²",
        height=420,
    )
    x = np.log2(sides)
    for k, (name, y) in enumerate(curves.items()):
        spectral = name.startswith("spectral")
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=name,
                mode="lines+markers" if not spectral else "lines",
                line={
                    "color": "black" if spectral else COLORS[k % len(COLORS)],
                    "dash": "dash" if spectral else "solid",
                    "width": 3 if spectral else 2,
                },
            )
        )
    fig.update_xaxes(tickvals=x, ticktext=[f"{s}²" for s in sides])
    return fig


def lam_t_figure(t: np.ndarray, curves: dict[str, np.ndarray], lam_lo: dict[str, float]) -> go.Figure:
    """lam(t) of shifted flow schedules; dotted lines: the spectral lam_lo at the same sides (same colours)."""
    fig = base_figure(
        "λ(t) of Flux's schedule as resolution grows, against the spectral λ_lo (dotted)", TIME_AXIS, "logSNR λ"
    )
    for k, (name, lam) in enumerate(curves.items()):
        c = COLORS[k % len(COLORS)]
        fig.add_trace(go.Scatter(x=t, y=lam, name=name, mode="lines", line={"color": c}))
        if name in lam_lo:
            fig.add_hline(y=lam_lo[name], line={"color": c, "dash": "dot", "width": 1})
    fig.update_yaxes(range=[-14, 10])
    return fig
