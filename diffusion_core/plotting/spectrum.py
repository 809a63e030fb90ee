"""Spectrum-tab figures: 2-D log spectrum, radial PSD with noise floor, per-frequency SNR."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import CLASS_COLORS, COLORS, base_figure

CLASS_NAMES = ("destroyed", "ambiguous", "resolved")


def log_spectrum_figure(logp: np.ndarray, title: str) -> go.Figure:
    """Heatmap of a centred log10 power spectrum [H, W]; axes in cycles/pixel."""
    h, w = logp.shape
    fy = (np.arange(h) - h // 2) / h
    fx = (np.arange(w) - w // 2) / w
    fig = base_figure(title, "f_x (cycles/pixel)", "f_y (cycles/pixel)", height=360)
    fig.add_trace(go.Heatmap(z=logp, x=fx, y=fy, colorscale="Viridis",
                             colorbar={"title": "log10 P"}, zsmooth=False))
    fig.update_yaxes(scaleanchor="x", autorange="reversed")
    return fig


def radial_psd_figure(freqs: np.ndarray, clean: np.ndarray, noisy: np.ndarray | None, floor: float,
                      f_cross: float, fit: tuple[float, float] | None, title: str) -> go.Figure:
    """Clean and noisy RAPSD (log-log), flat noise floor, power-law fit, crossing frequency."""
    fig = base_figure(title, "radial frequency f (cycles/pixel)", "power P(f)", logx=True, logy=True)
    fig.add_trace(go.Scatter(x=freqs, y=clean, name="clean", line={"color": COLORS[0]}))
    if noisy is not None:
        fig.add_trace(go.Scatter(x=freqs, y=noisy, name="noisy", line={"color": COLORS[1]}))
    fig.add_trace(go.Scatter(x=[freqs[0], freqs[-1]], y=[floor, floor], name="noise floor e^-λ", mode="lines",
                             line={"color": "gray", "dash": "dot"}))
    if fit is not None:
        beta, amp = fit
        fig.add_trace(go.Scatter(x=freqs, y=amp * freqs ** (-beta), name=f"fit f^-{beta:.2f}",
                                 line={"color": COLORS[2], "dash": "dash"}))
    if f_cross > 0:   # a trace, not add_vline: shapes cost ~14 ms of plotly validation per call
        lo = min(float(np.min(clean)), floor)
        hi = max(float(np.max(clean)), floor)
        fig.add_trace(go.Scatter(x=[f_cross, f_cross], y=[lo, hi], mode="lines", name=f"f* = {f_cross:.3g}",
                                 line={"color": "black", "dash": "dash", "width": 1}))
    return fig


def snr_figure(freqs: np.ndarray, snr: np.ndarray, classes: np.ndarray, tau_lo: float, tau_hi: float,
               title: str) -> go.Figure:
    """Per-frequency SNR, markers coloured destroyed / ambiguous / resolved, tau lines."""
    fig = base_figure(title, "radial frequency f (cycles/pixel)", "SNR(f) = P(f) e^λ", logx=True, logy=True)
    fig.add_trace(go.Scatter(x=freqs, y=snr, mode="lines", line={"color": "lightgray"}, showlegend=False))
    for c, name in enumerate(CLASS_NAMES):
        sel = classes == c
        fig.add_trace(go.Scatter(x=freqs[sel], y=snr[sel], mode="markers", name=f"{name} ({int(sel.sum())})",
                                 marker={"color": CLASS_COLORS[name], "size": 6}))
    for tau, label, dash in ((tau_lo, "τ_lo", "dot"), (tau_hi, "τ_hi", "dash")):
        fig.add_trace(go.Scatter(x=[freqs[0], freqs[-1]], y=[tau, tau], mode="lines", name=f"{label} = {tau:g}",
                                 line={"color": "gray", "dash": dash, "width": 1}))
    return fig
