"""Schedules-tab figures: logSNR / sigma per step, steps per logSNR bin, bounds vs resolution,
data-set parameter cloud, and ring-class frames for the spectral-autoregression animation.
Plotting only: every number arrives computed.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import CLASS_COLORS, COLORS, base_figure

STEP_AXIS = "sampling step i / (N − 1)  (0 = pure noise, t = 1; 1 = last step, t → 0)"


def _band(fig: go.Figure, lo: float, hi: float, horizontal: bool = True) -> None:
    """Shade the useful range [lam_lo, lam_hi] of the chosen image."""
    kw = {"fillcolor": "#2ca02c", "opacity": 0.10, "line_width": 0}
    if horizontal:
        fig.add_hrect(y0=lo, y1=hi, annotation_text="useful range [λ_lo, λ_hi]", annotation_position="top left", **kw)
    else:
        fig.add_vrect(x0=lo, x1=hi, annotation_text="[λ_lo, λ_hi]", annotation_position="top left", **kw)


def logsnr_figure(curves: dict[str, np.ndarray], lam_lo: float, lam_hi: float) -> go.Figure:
    """lam_i against normalised step for every schedule; band = the image's useful range."""
    fig = base_figure("logSNR λ at each sampling step", STEP_AXIS, "logSNR λ (higher = cleaner)")
    _band(fig, lam_lo, lam_hi)
    for k, (name, lam) in enumerate(curves.items()):
        x = np.linspace(0, 1, len(lam)) if len(lam) > 1 else np.zeros(1)
        fig.add_trace(
            go.Scatter(
                x=x, y=lam, name=name, mode="lines+markers", marker={"size": 5}, line={"color": COLORS[k % len(COLORS)]}
            )
        )
    return fig


def sigma_figure(curves: dict[str, np.ndarray], sigma_min: float, sigma_max: float) -> go.Figure:
    """VE sigma_i (log scale) against normalised step; the final sigma = 0 is not drawn."""
    fig = base_figure("VE σ at each sampling step (final σ = 0 not drawn)", STEP_AXIS, "σ (VE, log scale)", logy=True)
    fig.add_hrect(y0=sigma_min, y1=sigma_max, fillcolor="#2ca02c", opacity=0.10, line_width=0)
    for k, (name, sig) in enumerate(curves.items()):
        x = np.linspace(0, 1, len(sig)) if len(sig) > 1 else np.zeros(1)
        fig.add_trace(
            go.Scatter(
                x=x, y=sig, name=name, mode="lines+markers", marker={"size": 5}, line={"color": COLORS[k % len(COLORS)]}
            )
        )
    return fig


def histogram_figure(edges: np.ndarray, counts: dict[str, np.ndarray], lam_lo: float, lam_hi: float) -> go.Figure:
    """Steps per logSNR bin (grouped bars); band = the useful range."""
    fig = base_figure("Steps per logSNR bin", "logSNR λ bin", "number of steps")
    _band(fig, lam_lo, lam_hi, horizontal=False)
    centres = 0.5 * (edges[1:] + edges[:-1])
    for k, (name, c) in enumerate(counts.items()):
        fig.add_trace(go.Bar(x=centres, y=c, name=name, marker={"color": COLORS[k % len(COLORS)]}))
    fig.update_layout(barmode="group", bargap=0.15, bargroupgap=0.0)
    return fig


def resolution_figure(
    sizes: list[int], lam_lo: list[float], lam_hi: list[float], current: int, slope: float
) -> go.Figure:
    """lam_lo and lam_hi against image side (log2 axis) with the fitted shift per doubling."""
    fig = base_figure(
        f"Bounds vs resolution: λ_lo moves by {slope:+.3f} per doubling (−2 ln 2 = −1.386)",
        "image side (pixels, doubling per tick)",
        "logSNR λ",
    )
    x = np.log2(sizes)
    fig.add_trace(go.Scatter(x=x, y=lam_lo, name="λ_lo (σ_max)", mode="lines+markers", line={"color": COLORS[1]}))
    fig.add_trace(go.Scatter(x=x, y=lam_hi, name="λ_hi (σ_min)", mode="lines+markers", line={"color": COLORS[0]}))
    fig.add_vline(x=float(np.log2(current)), line={"color": "gray", "dash": "dot"}, annotation_text=f"{current}²")
    fig.update_xaxes(tickvals=x, ticktext=[f"{s}²" for s in sizes])
    return fig


def dataset_figure(params: np.ndarray, samples: np.ndarray) -> go.Figure:
    """(beta, lam_lo) and (beta, lam_hi) per image, with draws from the fitted mixture."""
    fig = base_figure("Per-image schedule parameters and GMM draws", "spectral slope β", "logSNR bound")
    fig.add_trace(
        go.Scatter(
            x=params[:, 0],
            y=params[:, 1],
            mode="markers",
            name="images: λ_lo",
            marker={"color": COLORS[1], "size": 5, "opacity": 0.5},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=params[:, 0],
            y=params[:, 2],
            mode="markers",
            name="images: λ_hi",
            marker={"color": COLORS[0], "size": 5, "opacity": 0.5},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=samples[:, 0],
            y=samples[:, 1],
            mode="markers",
            name="GMM draws: λ_lo",
            marker={"color": COLORS[1], "symbol": "x", "size": 9},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=samples[:, 0],
            y=samples[:, 2],
            mode="markers",
            name="GMM draws: λ_hi",
            marker={"color": COLORS[0], "symbol": "x", "size": 9},
        )
    )
    return fig


def sampled_schedules_figure(curves: list[np.ndarray], mean_curve: np.ndarray) -> go.Figure:
    """Schedules drawn from the mixture (thin) and the one from the mean parameters (thick)."""
    fig = base_figure("Tight schedules sampled from the data-set mixture", STEP_AXIS, "logSNR λ")
    for k, lam in enumerate(curves):
        fig.add_trace(
            go.Scatter(
                x=np.linspace(0, 1, len(lam)),
                y=lam,
                mode="lines",
                showlegend=k == 0,
                name="sampled",
                line={"color": COLORS[3], "width": 1},
                opacity=0.6,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=np.linspace(0, 1, len(mean_curve)),
            y=mean_curve,
            mode="lines",
            name="mean parameters",
            line={"color": "black", "width": 3},
        )
    )
    return fig


CLASS_RGB = {name: tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for name, c in CLASS_COLORS.items()}
OUTSIDE_RGB = (235, 235, 235)


def ring_frame(classes: np.ndarray) -> np.ndarray:
    """Per-bin class map [n, n] (0 destroyed, 1 ambiguous, 2 resolved, -1 beyond Nyquist) -> uint8 RGB."""
    palette = np.array(
        [CLASS_RGB["destroyed"], CLASS_RGB["ambiguous"], CLASS_RGB["resolved"], OUTSIDE_RGB], dtype=np.uint8
    )
    return palette[np.where(classes < 0, 3, classes)]


def training_density_figure(lam: np.ndarray, curves: dict[str, np.ndarray], lam_lo: float, lam_hi: float) -> go.Figure:
    """Training-noise densities p(lam); band = the image's useful range."""
    fig = base_figure("Where training puts its weight: p(λ) of each training-noise sampler", "logSNR λ", "density p(λ)")
    _band(fig, lam_lo, lam_hi, horizontal=False)
    for k, (name, p) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=lam, y=p, name=name, mode="lines", line={"color": COLORS[k % len(COLORS)]}))
    return fig
