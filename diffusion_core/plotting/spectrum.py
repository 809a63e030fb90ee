"""Spectrum-tab figures: 2-D log spectrum, radial PSD with noise floor, per-frequency SNR."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go
from PIL import Image

from .common import CLASS_COLORS, COLORS, assemble, base_layout

CLASS_NAMES = ("destroyed", "ambiguous", "resolved")


def _palette(colorscale: tuple[str, ...] | list[str]) -> bytes:
    """256 RGB entries interpolated between a plotly colour scale's evenly spaced stops."""
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colorscale], dtype=float)  # [k, 3]
    u = np.linspace(0.0, 1.0, 256)
    at = np.linspace(0.0, 1.0, len(stops))
    rgb = np.stack([np.interp(u, at, stops[:, j]) for j in range(3)], axis=1)  # [256, 3]
    return np.rint(rgb).astype(np.uint8).tobytes()


VIRIDIS = _palette(pc.sequential.Viridis)


def png_data_uri(z: np.ndarray, lo: float, hi: float, palette: bytes = VIRIDIS) -> str:
    """A [H, W] array as an 8-bit palette PNG (lo..hi over the palette), inlined as a data: URI."""
    idx = np.clip(np.rint(255.0 * (z - lo) / max(hi - lo, 1e-12)), 0, 255).astype(np.uint8)
    im = Image.frombytes("P", (idx.shape[1], idx.shape[0]), np.ascontiguousarray(idx).tobytes())
    im.putpalette(palette)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=False, compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def log_spectrum_figure(logp: np.ndarray, title: str) -> go.Figure:
    """Centred log10 power spectrum [H, W] as a PNG image on axes in cycles/pixel, with a colour bar.

    An image, not a heatmap: 256² values are ~0.9 MB of JSON per slider move as a heatmap and ~60 kB as
    a palette PNG, and the browser redraws an image without re-tracing a heatmap (issue 12 item 12).
    The figures of this tab follow every λ move, so they are built from plain dicts (plotting.common.assemble)."""
    h, w = logp.shape
    lo, hi = float(np.min(logp)), float(np.max(logp))
    base = base_layout(title, "f_x (cycles/pixel)", "f_y (cycles/pixel)", height=360)
    base["xaxis"].update(range=[-0.5 - 0.5 / w, 0.5 - 0.5 / w], showgrid=False)
    base["yaxis"].update(range=[0.5 - 0.5 / h, -0.5 - 0.5 / h], showgrid=False, scaleanchor="x")
    traces = [
        {
            "type": "image",
            "source": png_data_uri(logp, lo, hi),
            "x0": -(w // 2) / w,
            "dx": 1.0 / w,
            "y0": -(h // 2) / h,
            "dy": 1.0 / h,
            "hoverinfo": "x+y",
            "name": "log10 P",
        },
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "showlegend": False,
            "hoverinfo": "skip",
            "marker": {
                "colorscale": "Viridis",
                "cmin": lo,
                "cmax": hi,
                "color": [lo],
                "showscale": True,
                "colorbar": {"title": {"text": "log10 P"}},
            },
        },
    ]
    return assemble(base, traces)


def radial_psd_figure(
    freqs: np.ndarray,
    clean: np.ndarray,
    noisy: np.ndarray | None,
    floor: float,
    f_cross: float,
    fit: tuple[float, float] | None,
    title: str,
) -> go.Figure:
    """Clean and noisy RAPSD (log-log), flat noise floor, power-law fit, crossing frequency."""
    traces = [{"type": "scatter", "x": freqs, "y": clean, "name": "clean", "line": {"color": COLORS[0]}}]
    if noisy is not None:
        traces.append({"type": "scatter", "x": freqs, "y": noisy, "name": "noisy", "line": {"color": COLORS[1]}})
    traces.append(
        {
            "type": "scatter",
            "x": [freqs[0], freqs[-1]],
            "y": [floor, floor],
            "name": "noise floor e^-λ",
            "mode": "lines",
            "line": {"color": "gray", "dash": "dot"},
        }
    )
    if fit is not None:
        beta, amp = fit
        traces.append(
            {
                "type": "scatter",
                "x": freqs,
                "y": amp * freqs ** (-beta),
                "name": f"fit f^-{beta:.2f}",
                "line": {"color": COLORS[2], "dash": "dash"},
            }
        )
    if f_cross > 0:  # a trace, not a shape: its legend entry names f*
        lo = min(float(np.min(clean)), floor)
        hi = max(float(np.max(clean)), floor)
        traces.append(
            {
                "type": "scatter",
                "x": [f_cross, f_cross],
                "y": [lo, hi],
                "mode": "lines",
                "name": f"f* = {f_cross:.3g}",
                "line": {"color": "black", "dash": "dash", "width": 1},
            }
        )
    base = base_layout(title, "radial frequency f (cycles/pixel)", "power P(f)", logx=True, logy=True)
    return assemble(base, traces)


def snr_figure(
    freqs: np.ndarray, snr: np.ndarray, classes: np.ndarray, tau_lo: float, tau_hi: float, title: str
) -> go.Figure:
    """Per-frequency SNR, markers coloured destroyed / ambiguous / resolved, tau lines."""
    traces = [
        {"type": "scatter", "x": freqs, "y": snr, "mode": "lines", "line": {"color": "lightgray"}, "showlegend": False}
    ]
    for c, name in enumerate(CLASS_NAMES):
        sel = classes == c
        traces.append(
            {
                "type": "scatter",
                "x": freqs[sel],
                "y": snr[sel],
                "mode": "markers",
                "name": f"{name} ({int(sel.sum())})",
                "marker": {"color": CLASS_COLORS[name], "size": 6},
            }
        )
    for tau, label, dash in ((tau_lo, "τ_lo", "dot"), (tau_hi, "τ_hi", "dash")):
        traces.append(
            {
                "type": "scatter",
                "x": [freqs[0], freqs[-1]],
                "y": [tau, tau],
                "mode": "lines",
                "name": f"{label} = {tau:g}",
                "line": {"color": "gray", "dash": dash, "width": 1},
            }
        )
    base = base_layout(title, "radial frequency f (cycles/pixel)", "SNR(f) = P(f) e^λ", logx=True, logy=True)
    return assemble(base, traces)
