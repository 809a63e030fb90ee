"""Scale-space tab figures: resolution ribbon, spectrum + noise floor + Nyquist line, information
curves, the switch-step covariance spectrum, and sample spectra against the truth. No maths here."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import COLORS, TIME_AXIS, assemble, base_figure, base_layout, vline


def schedule_figure(
    u: np.ndarray,
    res: np.ndarray,
    lam: np.ndarray,
    switches: list[tuple[float, int, int, float]],
    u_now: float,
    title: str,
) -> go.Figure:
    """Resolution r(t) as a step curve, logSNR on a second axis, switch points marked. u = t/(T-1)."""
    base = base_layout(title, TIME_AXIS, "grid side r(t) (pixels)", logy=True)
    traces = [
        {"type": "scatter", "x": u, "y": res, "name": "resolution r(t)"}
        | {"line": {"color": COLORS[0], "shape": "hv", "width": 3}},
        {"type": "scatter", "x": u, "y": lam, "name": "logSNR λ(t)", "yaxis": "y2"}
        | {"line": {"color": COLORS[1], "dash": "dot"}},
    ]
    shapes = [vline(us, color="gray", dash="dash") for us, *_ in switches]
    notes = [
        {"x": us, "y": 0.98 - 0.09 * (i % 4), "xref": "x", "yref": "paper", "xanchor": "right", "showarrow": False}
        | {"text": f"{r_from}→{r_to}, λ={lam_s:.2f}", "font": {"size": 10}, "bgcolor": "rgba(255,255,255,0.8)"}
        for i, (us, r_from, r_to, lam_s) in enumerate(switches)
    ]
    shapes.append(vline(u_now, color="black", width=2))
    notes.append(  # plotly's add_vline annotation at "bottom left"
        {"x": u_now, "y": 0, "xref": "x", "yref": "y domain", "xanchor": "right", "yanchor": "bottom"}
        | {"showarrow": False, "text": "current t"}
    )
    ticks = sorted(set(int(r) for r in res))
    yaxis = base["yaxis"] | {"tickvals": ticks, "ticktext": [str(t) for t in ticks]}
    yaxis2 = {"title": {"text": "logSNR λ"}, "overlaying": "y", "side": "right", "showgrid": False}
    margin = base["margin"] | {"r": 64}
    return assemble(base, traces, shapes, notes, yaxis=yaxis, yaxis2=yaxis2, margin=margin)


def occupancy_figure(resolutions: list[int], occupancy: list[int], work: list[float], title: str) -> go.Figure:
    """Steps spent at each level and their pixel work relative to a full-resolution step."""
    base = base_layout(title, "level (grid side)", "timesteps", height=320)
    labels = [f"{r}×{r}" for r in resolutions]
    traces = [
        {"type": "bar", "x": labels, "y": occupancy, "name": "steps at this level", "marker": {"color": COLORS[0]}}
        | {"text": [str(o) for o in occupancy], "textposition": "outside"},
        {
            "type": "bar",
            "x": labels,
            "y": work,
            "name": "pixel work (full-res step = 1)",
            "marker": {"color": COLORS[2]},
        },
    ]
    return assemble(base, traces, barmode="group", xaxis=base["xaxis"] | {"type": "category"})


def spectrum_widget_figure(
    f_full: np.ndarray,
    p_full: np.ndarray,
    f_grid: np.ndarray,
    p_grid: np.ndarray,
    p_noisy: np.ndarray,
    floor: float,
    nyquist: float,
    f_cross: float,
    title: str,
) -> go.Figure:
    """Clean RAPSD at full size and on the current grid, the noisy state, noise floor and Nyquist line
    (it follows the t slider, so it is built from plain dicts: plotting.common.assemble)."""
    base = base_layout(
        title,
        "frequency f (cycles per full-resolution pixel)",
        "power per coefficient",
        logx=True,
        logy=True,
        height=400,
    )
    traces = [
        {
            "type": "scatter",
            "x": f_full,
            "y": p_full,
            "name": "clean image (full size)",
            "line": {"color": COLORS[0], "dash": "dash"},
        },
        {
            "type": "scatter",
            "x": f_grid,
            "y": p_grid,
            "name": "clean, on the grid r(t)",
            "line": {"color": COLORS[0], "width": 3},
        },
        {"type": "scatter", "x": f_grid, "y": p_noisy, "name": "noisy state x_t / √ᾱ", "line": {"color": COLORS[1]}},
        {
            "type": "scatter",
            "x": [f_full[0], f_full[-1]],
            "y": [floor, floor],
            "name": "noise floor e^-λ",
            "line": {"color": "gray", "dash": "dot"},
        },
    ]
    note = {"showarrow": False, "xanchor": "right", "xref": "x", "yref": "y domain"}
    shapes = [vline(nyquist, color=COLORS[3], width=2)]
    notes = [{**note, "x": nyquist, "y": 0, "yanchor": "bottom", "text": f"Nyquist of r(t): {nyquist:.3g}"}]
    if f_cross > 0:
        shapes.append(vline(f_cross, color="black", dash="dash"))
        notes.append({**note, "x": f_cross, "y": 1, "yanchor": "top", "text": f"f* = {f_cross:.3g}"})
    return assemble(base, traces, shapes, notes)


def info_figure(
    u: np.ndarray, signal_frac: np.ndarray, area: np.ndarray, mi_share: np.ndarray, switches: list[float], title: str
) -> go.Figure:
    """Signal-dominated pixel fraction vs the SSD area ratio, and the MI share above the coarse Nyquist."""
    base = base_layout(title, TIME_AXIS, "fraction", height=380)
    traces = [
        {"type": "scatter", "x": u, "y": signal_frac, "name": "signal-dominated pixels erf(√(SNR/2)|x₀|)"}
        | {"line": {"color": COLORS[0]}},
        {
            "type": "scatter",
            "x": u,
            "y": area,
            "name": "SSD area ratio (r/R)²",
            "line": {"color": COLORS[2], "shape": "hv"},
        },
        {
            "type": "scatter",
            "x": u,
            "y": mi_share,
            "name": "MI share above the R/2 Nyquist",
            "line": {"color": COLORS[1]},
        },
    ]
    shapes = [vline(us, color="gray", dash="dash") for us in switches]
    return assemble(base, traces, shapes, yaxis=base["yaxis"] | {"range": [0, 1.02]})


def transition_figure(eig_exact: np.ndarray, naive: float, sigma_s2: float, title: str) -> go.Figure:
    """Sorted eigenvalues of the exact switch-step posterior covariance against 'upsample + white noise'."""
    base = base_layout(title, "eigen-direction (sorted)", "posterior variance", logy=True, height=340)
    k = np.arange(len(eig_exact))
    traces = [
        {"type": "scatter", "x": k, "y": eig_exact, "name": "exact σ_s²(I − ρc²MᵀM)"}
        | {"line": {"color": COLORS[0], "width": 3}},
        {"type": "scatter", "x": [0, k[-1]], "y": [naive, naive], "name": "naive white (DDPM β̃)"}
        | {"line": {"color": COLORS[1], "dash": "dash"}},
        {"type": "scatter", "x": [0, k[-1]], "y": [sigma_s2, sigma_s2], "name": "σ_s² (null space of M)"}
        | {"line": {"color": "gray", "dash": "dot"}},
    ]
    return assemble(base, traces)


def samples_psd_figure(
    freqs: np.ndarray,
    truth: np.ndarray,
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    predicted: dict[str, np.ndarray],
    title: str,
) -> go.Figure:
    """RAPSD of the samples (± 2 standard errors) of each sampler against the field's true spectrum."""
    fig = base_figure(title, "frequency f (cycles/pixel)", "power per coefficient", logx=True, logy=True)
    fig.add_trace(go.Scatter(x=freqs, y=truth, name="truth (field spectrum)", line={"color": "black", "width": 3}))
    for i, (name, (mean, se)) in enumerate(curves.items()):
        c = COLORS[i % len(COLORS)]
        fig.add_trace(
            go.Scatter(
                x=freqs,
                y=mean,
                name=f"{name} samples",
                mode="lines+markers",
                line={"color": c},
                error_y={"type": "data", "array": 2 * se, "visible": True},
            )
        )
        if name in predicted:
            fig.add_trace(
                go.Scatter(
                    x=freqs, y=predicted[name], name=f"{name} exact output spectrum", line={"color": c, "dash": "dot"}
                )
            )
    return fig


def rel_error_figure(freqs: np.ndarray, errs: dict[str, tuple[np.ndarray, np.ndarray]], title: str) -> go.Figure:
    """Relative error of the sample spectrum per ring, with the Monte Carlo band (2 standard errors)."""
    fig = base_figure(title, "frequency f (cycles/pixel)", "sampled / true − 1", logx=True, height=340)
    for i, (name, (rel, band)) in enumerate(errs.items()):
        c = COLORS[i % len(COLORS)]
        fig.add_trace(
            go.Scatter(
                x=freqs,
                y=rel,
                name=name,
                mode="lines+markers",
                line={"color": c},
                error_y={"type": "data", "array": band, "visible": True},
            )
        )
    fig.add_hline(y=0, line={"color": "black"})
    return fig
