"""Samplers tab figures: quality against NFE, one line per sampler (reads results, no maths)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from .common import COLORS, base_figure

METRIC_LABELS = {
    "cov_rel_fro": "covariance error ‖ΔC‖_F / ‖C‖_F (exact)",
    "confident": "share of samples (classifier, n per sampler)",
    "sample_cov_rel_fro": "sample-covariance error ‖S − C‖_F / ‖C‖_F",
    "memorisation_rate": "fraction of samples (memorised; distinct)",
    "mode_tv": "mode-weight TV distance (Monte Carlo)",
}
TITLES = {
    "cov_rel_fro": "Exact covariance error",
    "confident": "Confident ≥ 0.9 (solid), class TV (dotted)",
    "memorisation_rate": "Memorised fraction (solid) and distinct copies / n (dotted)",
    "mode_tv": "Mode-weight TV distance",
}
BOUNDED = ("confident", "memorisation_rate", "mode_tv")
SECONDARY = {"memorisation_rate": ("distinct", "distinct copies / n"), "confident": ("class_tv", "class TV")}


def quality_vs_nfe_figure(
    rows: Sequence[Mapping[str, Any]], metric: str, current: Mapping[str, tuple[int, float]], title: str
) -> go.Figure:
    """rows: {sampler, nfe, value}; current: sampler -> (nfe, value) of the run shown beside the plot."""
    log = metric == "cov_rel_fro"
    fig = base_figure(
        title,
        "NFE (denoiser evaluations)",
        METRIC_LABELS.get(metric, metric or "quality"),
        logx=True,
        logy=log,
        height=400,
    )
    names = list(dict.fromkeys(r["sampler"] for r in rows))
    for k, name in enumerate(names):
        pts = [(r["nfe"], r["value"]) for r in rows if r["sampler"] == name and r["value"] is not None]
        if log:
            pts = [(x, y) for x, y in pts if y > 0]
        color = COLORS[k % len(COLORS)]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in pts],
                y=[p[1] for p in pts],
                mode="lines+markers",
                name=name,
                line={"color": color},
                marker={"size": 6},
            )
        )
        key, label = SECONDARY.get(metric, ("", ""))
        dist = [(r["nfe"], r[key]) for r in rows if r["sampler"] == name and r.get(key) is not None]
        if dist:
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in dist],
                    y=[p[1] for p in dist],
                    mode="lines+markers",
                    name=f"{name}: {label}",
                    line={"color": color, "dash": "dot"},
                    marker={"size": 5, "symbol": "diamond"},
                )
            )
        perf = [(r["nfe"], r["perfect"]) for r in rows if r["sampler"] == name and r.get("perfect") is not None]
        if perf and k == 0:
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in perf],
                    y=[p[1] for p in perf],
                    mode="lines",
                    name="perfect sampler",
                    line={"color": "#888", "dash": "dot"},
                )
            )
        if name in current and current[name][1] is not None and (not log or current[name][1] > 0):
            x, y = current[name]
            fig.add_trace(
                go.Scatter(
                    x=[x],
                    y=[y],
                    mode="markers",
                    showlegend=False,
                    hoverinfo="text",
                    text=[f"{name}: this run, NFE {x}, {y:.3g}"],
                    marker={"size": 14, "symbol": "star", "color": color, "line": {"width": 1, "color": "#222"}},
                )
            )
    ticks = [t for t in (2, 4, 8, 16, 32, 64, 128, 256) if any(t / 2 < r["nfe"] < 2 * t for r in rows)]
    fig.update_xaxes(tickvals=ticks, ticktext=[str(t) for t in ticks])
    if metric in BOUNDED:  # shares and TV distances live in [0, 1]; errors may exceed 1
        fig.update_yaxes(range=[-0.05, 1.05])
    return fig


def captioned_row(panels: Sequence[Any], captions: Sequence[tuple[str, str]], gap: int = 12) -> Any:
    """uint8 grids [H, W] or [H, W, 3] side by side, two caption lines above each. uint8 [H', W', 3]"""
    rgb = [np.repeat(p[..., None], 3, -1) if p.ndim == 2 else p for p in panels]
    h = max(p.shape[0] for p in rgb)
    margin, head = 30, 40  # margin: room for the image component's label badge
    width = sum(p.shape[1] for p in rgb) + gap * (len(rgb) - 1)
    canvas = Image.new("RGB", (width, margin + head + h), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=14)
    x = 0
    for p, (top, bottom) in zip(rgb, captions):
        canvas.paste(Image.fromarray(p), (x, margin + head))
        draw.text((x + 2, margin + 2), top, fill="#111", font=font)
        draw.text((x + 2, margin + 20), bottom, fill="#444", font=font)
        x += p.shape[1] + gap
    return np.asarray(canvas)


def labelled_grid(
    tiles: Sequence[Sequence[Any]],
    row_labels: Sequence[tuple[str, str]],
    col_labels: Sequence[str],
    scale: int = 3,
    gap: int = 4,
    label_w: int = 230,
    margin: int = 0,
) -> Any:
    """Rows of uint8 tiles [h, w] (or [h, w, 3]), each enlarged `scale`x (nearest), with two-line row labels on the
    left and column labels on top: the "pair x seed" grid. `margin`: white rows above the column labels (room for
    an image component's label badge). uint8 [H, W, 3]"""
    h, w = np.asarray(tiles[0][0]).shape[:2]
    th, tw = h * scale, w * scale
    top = 26 + margin
    canvas = Image.new("RGB", (label_w + len(col_labels) * (tw + gap), top + len(tiles) * (th + gap)), "white")
    draw = ImageDraw.Draw(canvas)
    font, small = ImageFont.load_default(size=14), ImageFont.load_default(size=12)
    for j, c in enumerate(col_labels):
        draw.text((label_w + j * (tw + gap) + 2, 6 + margin), c, fill="#444", font=small)
    for i, row in enumerate(tiles):
        y = top + i * (th + gap)
        draw.text((4, y + th // 2 - 18), row_labels[i][0], fill="#111", font=font)
        draw.text((4, y + th // 2 + 2), row_labels[i][1], fill="#555", font=small)
        for j, t in enumerate(row):
            a = np.asarray(t)
            a = np.repeat(a[..., None], 3, -1) if a.ndim == 2 else a
            canvas.paste(Image.fromarray(a).resize((tw, th), Image.NEAREST), (label_w + j * (tw + gap), y))
    return np.asarray(canvas)
