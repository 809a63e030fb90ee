"""Bases-tab figures (plotly) and animation frames (uint8): display only, no maths."""

from __future__ import annotations

import functools

import matplotlib
import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from ..animate import upscale_nearest
from .common import COLORS, TIME_AXIS, assemble, base_figure, base_layout, data_revision, hline, vline

SCALE = "Viridis"


def _label_colors(labels: np.ndarray) -> list[str]:
    return list(_colors(np.asarray(labels, dtype=np.float64).tobytes()))


@functools.lru_cache(maxsize=64)
def _colors(labels: bytes) -> tuple[str, ...]:
    """Viridis colours of labels scaled to [0, 1] (cached: plotly's sampler takes ~10 ms per 64 labels)."""
    lab = np.frombuffer(labels, dtype=np.float64)
    span = float(lab.max() - lab.min()) or 1.0
    return tuple(sample_colorscale(SCALE, list((lab - lab.min()) / span)))


def atoms_figure(atoms: np.ndarray, titles: list[str], title: str) -> go.Figure:
    """Basis images [k, H, W] tiled in one row-major mosaic (1-pixel gaps), symmetric colour scale."""
    k, h, w = atoms.shape
    cols = min(k, 8)
    rows = -(-k // cols)
    mosaic = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for i, a in enumerate(atoms):
        r, c = divmod(i, cols)
        mosaic[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = a / (np.abs(a).max() or 1.0)
    fig = base_figure(title, "", "", height=80 + 70 * rows)
    fig.add_trace(go.Heatmap(z=mosaic, colorscale="RdBu", zmid=0, zmin=-1, zmax=1, showscale=False, hoverinfo="skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, title={"text": f"{title}: {', '.join(titles)}"})
    return fig


def variance_figure(x: np.ndarray, var: np.ndarray, labels: np.ndarray, xlabel: str, title: str) -> go.Figure:
    """Per-component data variance (log) against index or |k|, coloured by schedule label."""
    fig = base_figure(title, xlabel, "variance Σ_i", logy=True)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=var,
            mode="markers",
            name="components",
            marker={"color": labels, "colorscale": SCALE, "size": 6, "colorbar": {"title": "label l_i"}},
        )
    )
    return fig


T_MARKER = "t marker"  # the shape's name: the page moves it when the readout time slider moves


def t_marker(t: float) -> dict:
    """The dashed vertical line at the readout time t, named so the page can find it."""
    return {**vline(t, color="black", dash="dash"), "name": T_MARKER}


def curves_figure(
    times: np.ndarray,
    values: np.ndarray,
    labels: np.ndarray,
    ylabel: str,
    title: str,
    band: tuple[float, float] | None = None,
    t_mark: float | None = None,
) -> go.Figure:
    """One line per component [T, K] coloured by label; optional band lines and a time marker."""
    traces = [
        {
            "type": "scatter",
            "x": times,
            "y": values[:, i],
            "mode": "lines",
            "line": {"color": col, "width": 1.3},
            "name": f"l={labels[i]:.3g}",
            "showlegend": False,
        }
        for i, col in enumerate(_label_colors(labels))
    ]
    traces.append(
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "showlegend": False,
            "hoverinfo": "skip",
            "marker": {
                "color": [labels.min(), labels.max()],
                "colorscale": SCALE,
                "showscale": True,
                "colorbar": {"title": {"text": "label"}},
            },
        }
    )
    shapes = [hline(y, color="gray", dash="dot") for y in band or ()]
    if t_mark is not None:
        shapes.append(t_marker(t_mark))
    return assemble(
        base_layout(title, TIME_AXIS, ylabel, height=340),
        traces,
        shapes,
        datarevision=data_revision(times, values, labels),
    )  # a moved t marker redraws only itself


def windows_figure(start: np.ndarray, end: np.ndarray, labels: np.ndarray, t_mark: float, title: str) -> go.Figure:
    """Active window [start, end] of each label group as a horizontal bar (label on y)."""
    traces = [
        {
            "type": "scatter",
            "x": [s, e],
            "y": [lab, lab],
            "mode": "lines",
            "line": {"color": col, "width": 4},
            "showlegend": False,
            "hovertemplate": f"l={lab:.3g}: [{s:.3f}, {e:.3f}]<extra></extra>",
        }
        for s, e, lab, col in zip(start, end, labels, _label_colors(labels))
    ]
    base = base_layout(title, TIME_AXIS, "label l_i (generated first at the bottom)", height=340)
    base["xaxis"]["range"] = [0, 1]
    return assemble(base, traces, [t_marker(t_mark)], datarevision=data_revision(start, end, labels))


def snr_plane_figure(
    x: np.ndarray, y: np.ndarray, names: tuple[str, str], band: tuple[float, float], title: str
) -> go.Figure:
    """Path (log SNR_i, log SNR_j) over t; diagonal = standard diffusion, L-shape = autoregressive."""
    lo, hi = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    traces = [
        {
            "type": "scatter",
            "x": [lo, hi],
            "y": [lo, hi],
            "mode": "lines",
            "name": "diagonal (same SNR)",
            "line": {"color": "lightgray", "dash": "dash"},
        },
        {
            "type": "scatter",
            "x": x,
            "y": y,
            "mode": "lines+markers",
            "name": "path, t = 0 → 1",
            "line": {"color": COLORS[0]},
            "marker": {"size": 4},
        },
        {
            "type": "scatter",
            "x": [x[0]],
            "y": [y[0]],
            "mode": "markers",
            "name": "t = 0",
            "marker": {"size": 10, "color": COLORS[2]},
        },
    ]
    shapes = [s for v in band for s in (hline(-v, color="gray", dash="dot"), vline(-v, color="gray", dash="dot"))]
    base = base_layout(title, f"log SNR of {names[0]}", f"log SNR of {names[1]}", height=360)
    return assemble(base, traces, shapes)


def _to_uint8(img: np.ndarray) -> np.ndarray:
    """[C, H, W] in [-1, 1] -> uint8 [H, W, 3]."""
    a = ((np.clip(img, -1, 1) + 1) * 127.5).round().astype(np.uint8).transpose(1, 2, 0)
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a


def _map_uint8(m: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """log-magnitude map [H, W] -> viridis uint8 [H, W, 3] on the fixed range [lo, hi]."""
    u = np.clip((m - lo) / ((hi - lo) or 1.0), 0, 1)
    return (matplotlib.colormaps["viridis"](u)[..., :3] * 255).round().astype(np.uint8)


def process_frames(frames, maps, times: list[float], min_side: int = 192) -> list[np.ndarray]:
    """Data-space image | component magnitude map, per frame (same colour range for all frames)."""
    f = np.asarray(frames, dtype=np.float64)
    m = np.asarray(maps, dtype=np.float64)
    lo, hi = np.percentile(m, 2), np.percentile(m, 99.5)
    out = []
    for img, mp in zip(f, m):
        left, right = upscale_nearest(_to_uint8(img), min_side), upscale_nearest(_map_uint8(mp, lo, hi), min_side)
        gap = np.full((left.shape[0], 8, 3), 255, np.uint8)
        h = min(left.shape[0], right.shape[0])
        out.append(np.concatenate([left[:h], gap[:h], right[:h]], axis=1))
    return out


def resolved_share_figure(times: np.ndarray, shares: np.ndarray, groups: list[str], title: str) -> go.Figure:
    """Share of each component group resolved [K, G] at the snapshot times [K] (columns in the order the reverse
    run visits them, t = 1 first); rows are the groups in generation order, first generated at the top."""
    cols = [f"t = {t:.2f}" for t in times]
    z = np.asarray(shares, dtype=np.float64).T  # [G, K]
    fig = base_figure(
        title, f"snapshot, {TIME_AXIS}", "component group (generation order)", height=120 + 28 * len(groups)
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=cols,
            y=groups,
            zmin=0,
            zmax=1,
            colorscale=[[0.0, "#f7f7f7"], [1.0, "#2ca02c"]],
            colorbar={"title": {"text": "resolved"}, "tickformat": ".0%"},
            text=[[f"{v:.0%}" for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: %{text} resolved<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_xaxes(type="category", showgrid=False)
    return fig
