"""Increments-tab figures: x_N histogram vs Gaussian limit, moments for every law, Euler vs DDPM form,
kurtosis against N, loss shapes, 2-D reverse samples with trajectories. No maths here."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .common import COLORS, LEGEND, TIME_AXIS, assemble, base_figure, base_layout, panel_axes, two_panels, vline

LAW_COLORS = {
    "gaussian": COLORS[0],
    "laplace": COLORS[1],
    "uniform": COLORS[2],
    "rademacher": COLORS[3],
    "student-t": COLORS[4],
}
PAIR_COLORS = {
    "gaussian-gaussian": COLORS[0],
    "laplace-laplace": COLORS[1],
    "uniform-gaussian": COLORS[2],
    "uniform-laplace": COLORS[4],
}


def histogram_figure(
    x: np.ndarray, gx: np.ndarray, gpdf: np.ndarray, label: str, steps: int, kurt: float, ks: float
) -> go.Figure:
    """Density histogram of x_N with the Gaussian of the same (exact) mean and variance."""
    fig = base_figure(
        f"x_N after N = {steps} {label} steps: excess kurtosis {kurt:+.3f}, KS {ks:.4f}", "x_N", "density"
    )
    fig.add_trace(
        go.Histogram(
            x=x,
            histnorm="probability density",
            nbinsx=120,
            name=f"x_N ({label})",
            marker={"color": COLORS[1], "line": {"width": 0}},
            opacity=0.6,
        )
    )
    fig.add_trace(
        go.Scatter(x=gx, y=gpdf, name="Gaussian limit N(E x_N, Var x_N)", line={"color": "black", "width": 2})
    )
    fig.update_layout(bargap=0.0)
    return fig


def moments_figure(
    sim: dict[str, tuple],
    t: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    t_fine: np.ndarray,
    alpha: np.ndarray,
    sigma2: np.ndarray,
    steps: int,
) -> go.Figure:
    """Mean and variance of x_t for every law (markers) on the exact Theorem 3.1 curves (lines)."""
    traces = []
    for col, (exact, cont, idx) in enumerate(((mean, alpha, 1), (var, sigma2, 2)), start=1):
        axes = panel_axes(col)
        traces += [
            {"type": "scatter", "x": t_fine, "y": cont, "name": "continuum SDE", **axes}
            | {"line": {"color": "lightgray", "width": 6}, "showlegend": col == 1},
            {"type": "scatter", "x": t, "y": exact, "name": f"exact, N = {steps}", "mode": "lines", **axes}
            | {"line": {"color": "black", "width": 1.5}, "showlegend": col == 1},
        ]
        traces += [
            {"type": "scatter", "x": vals[0], "y": vals[idx], "name": law, "mode": "markers", **axes}
            | {"marker": {"color": LAW_COLORS[law], "size": 8 - k, "symbol": k}, "showlegend": col == 1}
            for k, (law, vals) in enumerate(sim.items())
        ]
    lay = two_panels(("mean E[x_t] (x0 = 1)", "variance Var(x_t)"), TIME_AXIS)
    return assemble(_styled(lay, "Moments are the same for every law (Theorem 3.1)"), traces)


def forms_figure(
    forms: dict, paths: dict[str, np.ndarray], t_fine: np.ndarray, sigma2: np.ndarray, steps: int
) -> go.Figure:
    """Euler vs DDPM form at N steps: exact variance against t, and a few sample paths of each."""
    left, right = panel_axes(1), panel_axes(2)
    traces = [
        {"type": "scatter", "x": t_fine, "y": sigma2, "name": "continuum", **left}
        | {"line": {"color": "lightgray", "width": 6}}
    ]
    for form, m in forms.items():
        color = COLORS[5] if form == "euler" else COLORS[0]
        traces.append(  # log axis: skip Var(x_0) = 0
            {"type": "scatter", "x": m.t[1:], "y": m.var[1:], "name": f"{form} form", "mode": "lines+markers", **left}
            | {"line": {"color": color}}
        )
        traces += [
            {"type": "scatter", "x": m.t, "y": p, "mode": "lines", "name": form, **right}
            | {"line": {"color": color, "width": 1}, "opacity": 0.6, "showlegend": False}
            for p in paths[form]
        ]
    lay = two_panels((f"Var(x_t), N = {steps}", "sample paths (x0 = 1)"), TIME_AXIS)
    lay["yaxis"] |= {"type": "log", "minorloglabels": "none", "exponentformat": "power"}
    return assemble(_styled(lay, "Euler x + fΔt + g√Δt z vs DDPM √(1−b) x + √b z"), traces)


def kurtosis_figure(
    steps_list: tuple[int, ...], kurt: dict, law: str, form: str, steps: int, mc: float, mc_se: float
) -> go.Figure:
    """Exact excess kurtosis of x_N against N for every law (DDPM solid, Euler dotted), MC point."""
    # 480 px: its seven legend rows (one a row at a projector's 800 px) leave the axes ~180 px, not ~80.
    base = base_layout(
        "Excess kurtosis of x_N: κ₄ Σc⁴/(Σc²)² → 0 as N grows", "steps N", "excess kurtosis", logx=True, height=480
    )
    traces = [
        {"type": "scatter", "x": list(steps_list), "y": vals, "mode": "lines", "name": f"{name} ({f})"}
        | {"line": {"color": LAW_COLORS[name], "dash": "dot" if f == "euler" else "solid"}}
        | {"showlegend": f == "ddpm" or name == "laplace"}
        for name, per_form in kurt.items()
        for f, vals in per_form.items()
    ]
    traces.append(
        {
            "type": "scatter",
            "x": [steps],
            "y": [mc],
            "mode": "markers",
            "name": f"Monte Carlo: {law}, {form}, N = {steps}",
        }
        | {
            "error_y": {"type": "data", "array": [2 * mc_se]},
            "marker": {"color": "black", "size": 10, "symbol": "diamond"},
        }
    )
    return assemble(base, traces)


def loss_figure(r: np.ndarray, curves: dict[str, np.ndarray], t: float, steps: int, kink: float) -> go.Figure:
    """Per-step loss against the residual r = ε − ε_θ for the four (q, p) pairs (it follows the t slider, so it
    is built from plain dicts: plotting.common.assemble)."""
    base = base_layout(f"Per-step loss L_k(r) at t = {t:.3f}, N = {steps}", "residual r = ε − ε_θ", "loss L_k")
    traces = [
        {
            "type": "scatter",
            "x": r,
            "y": y,
            "name": pair,
            "line": {"color": PAIR_COLORS[pair], "dash": "dash" if pair.startswith("uniform") else "solid"},
        }
        for pair, y in curves.items()
    ]
    note = {
        "x": kink,
        "y": 0,
        "text": f"uniform–Laplace kink |r| = {kink:.3g}",
        "showarrow": False,
        "yanchor": "bottom",
        "xanchor": "left",
    }
    return assemble(base, traces, [vline(s, color="gray", dash="dot") for s in (-kink, kink)], [note])


def reverse_figure(out: dict[str, tuple[np.ndarray, np.ndarray]], means: np.ndarray) -> go.Figure:
    """One panel per law: final samples (points) and a few VP-scaled trajectories (lines)."""
    fig = make_subplots(rows=1, cols=len(out), subplot_titles=list(out), horizontal_spacing=0.02)
    for c, (law, (x, paths)) in enumerate(out.items(), start=1):
        fig.add_trace(
            go.Scatter(
                x=x[:, 0],
                y=x[:, 1],
                mode="markers",
                name=law,
                showlegend=False,
                marker={"size": 2.5, "color": LAW_COLORS[law], "opacity": 0.5},
            ),
            row=1,
            col=c,
        )
        for p in paths:
            fig.add_trace(
                go.Scatter(
                    x=p[:, 0],
                    y=p[:, 1],
                    mode="lines",
                    showlegend=False,
                    line={"color": "black", "width": 0.6},
                    opacity=0.45,
                ),
                row=1,
                col=c,
            )
        fig.add_trace(
            go.Scatter(
                x=means[:, 0],
                y=means[:, 1],
                mode="markers",
                showlegend=False,
                marker={"symbol": "x", "color": "black", "size": 7},
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(range=[-2.6, 2.6], row=1, col=c, showticklabels=False)
        fig.update_yaxes(range=[-2.6, 2.6], row=1, col=c, showticklabels=c == 1, scaleanchor=f"x{c if c > 1 else ''}")
    _style(fig, "Reverse sampling of the 2-D mixture, each law as sampling noise (× = component means)")
    fig.update_layout(height=330, margin={"l": 40, "r": 10, "t": 60, "b": 20})
    return fig


GRID = {"showgrid": True, "gridcolor": "#e5e5e5", "zeroline": False, "automargin": True}  # every axis of the tab


def _title_style(title: str) -> dict:
    """The tab's figure style, the axes' grid aside."""
    return {
        "template": "none",
        "title": {"text": title, "x": 0.02, "font": {"size": 14}},
        "height": 380,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 20},
        "uirevision": "keep",
        "legend": dict(LEGEND),
    }


def _styled(layout: dict, title: str) -> dict:
    """The style as a layout dict, for figures built with `assemble` (every x and y axis gets the grid)."""
    axes = {k: v | GRID for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))}
    return layout | axes | _title_style(title)


def _style(fig: go.Figure, title: str) -> None:
    """The style applied to a figure built through plotly (every x and y axis gets the grid)."""
    fig.update_layout(**_title_style(title))
    fig.update_xaxes(**GRID)
    fig.update_yaxes(**GRID)
