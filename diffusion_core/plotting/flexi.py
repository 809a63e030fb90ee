"""Flexi-UNet figures: the path diagram (blocks a step uses, zero-filled skips, adapters) and the
network FLOPs along a sampling trajectory. Blocks are named as in models/flexi_unet.py. No maths here."""
from __future__ import annotations

import plotly.graph_objects as go

from .common import COLORS, base_figure

ACTIVE, IDLE, ZERO = "#1f77b4", "#d9d9d9", "#d62728"


def _positions(levels: int) -> dict[str, tuple[float, float]]:
    """Encoder column left, decoder column right, level l at height -l, middle block below the bottom level."""
    pos = {"inp": (-1.3, 0.9), "head": (4.3, 0.9), "mid": (1.5, -levels + 0.1)}
    for l in range(levels):
        pos[f"in_adapt.{l}"] = (-0.9, -l)
        pos[f"enc.{l}"] = (0.0, -l)
        pos[f"dec.{l}"] = (3.0, -l)
        pos[f"out_adapt.{l}"] = (3.9, -l)
        if l < levels - 1:
            pos[f"down.{l}"] = (0.0, -l - 0.5)
            pos[f"up.{l + 1}"] = (3.0, -l - 0.5)
    return pos


def _label(name: str, sides: list[int]) -> str:
    kind, _, lv = name.partition(".")
    text = {"inp": "3×3 in", "head": "norm·SiLU·3×3", "mid": f"mid {sides[-1]}²", "enc": "enc", "dec": "dec",
            "in_adapt": "1×1", "out_adapt": "1×1", "down": "↓", "up": "↑"}[kind]
    return f"{text} {sides[int(lv)]}²" if kind in ("enc", "dec") else text


def path_diagram(levels: int, sides: list[int], active: list[str], zero_skips: list[int], resized_up: bool,
                 title: str) -> go.Figure:
    """Boxes for every block, coloured when the current step runs it; skips solid, zero-filled skips red."""
    pos = _positions(levels)
    fig = base_figure(title, "", "", height=420)
    on = set(active)
    for l in range(levels):                                              # skip connections enc.l -> dec.l
        used = f"dec.{l}" in on
        zero = l in zero_skips
        fig.add_trace(go.Scatter(
            x=[0.35, 2.65], y=[-l, -l], mode="lines+text", showlegend=False, hoverinfo="skip",
            line={"color": ZERO if zero else (ACTIVE if used else IDLE), "dash": "dash" if zero else "solid", "width": 2},
            text=["", "skip = 0" if zero else ""], textposition="top left", textfont={"color": ZERO}))
    order = ["inp", *[f"in_adapt.{l}" for l in range(1, levels)]]
    for l in range(levels):
        order += [f"enc.{l}", f"dec.{l}"] + ([f"out_adapt.{l}"] if l else [])
        if l < levels - 1:
            order += [f"down.{l}", f"up.{l + 1}"]
    order += ["mid", "head"]
    for group, color, name in ((False, IDLE, "not run at this step"), (True, ACTIVE, "run at this step")):
        names = [b for b in order if (b in on) == group]
        fig.add_trace(go.Scatter(
            x=[pos[b][0] for b in names], y=[pos[b][1] for b in names], mode="markers+text", name=name,
            marker={"symbol": "square", "size": [34 if b.split(".")[0] in ("enc", "dec", "mid") else 22 for b in names],
                    "color": color, "line": {"color": "#444", "width": 1}},
            text=[_label(b, sides) for b in names], textposition="middle right" if not group else "middle right",
            textfont={"size": 11}, hovertext=names, hoverinfo="text"))
    if resized_up:
        fig.add_annotation(x=-1.3, y=0.55, text=f"input resized up to {sides[0]}² first", showarrow=False,
                           font={"size": 11, "color": ZERO})
    fig.update_layout(xaxis={"visible": False, "range": [-2.0, 5.6]},
                      yaxis={"visible": False, "range": [-levels - 0.4, 1.3]}, margin={"l": 10, "r": 10, "b": 60})
    return fig


def flops_figure(steps_t: list[int], flexi: list[float], baseline: list[float], now: int, title: str) -> go.Figure:
    """Network MFLOPs per image at each sampling step (x = timestep t, data at 0), both models, current step marked."""
    fig = base_figure(title, "timestep t of the step (0 = data, 999 = noise)", "MFLOPs per image", height=320)
    fig.add_trace(go.Scatter(x=steps_t, y=baseline, name="full-resolution baseline", line={"color": COLORS[1], "shape": "hv"}))
    fig.add_trace(go.Scatter(x=steps_t, y=flexi, name="Flexi-UNet (SSD)", line={"color": COLORS[0], "shape": "hv"}))
    fig.add_vline(x=now, line={"color": "black", "width": 2}, annotation_text="current step",
                  annotation_position="top right")
    fig.update_layout(xaxis={"autorange": "reversed"})
    return fig
