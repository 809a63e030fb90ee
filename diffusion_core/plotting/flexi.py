"""Flexi-UNet figures: the path diagram (blocks a step uses, zero-filled skips, adapters) and the
network FLOPs along a sampling trajectory. Blocks are named as in networks/flexi_unet.py. No maths here."""

from __future__ import annotations

import plotly.graph_objects as go

from .common import COLORS, assemble, base_layout, data_revision, vline

ACTIVE, IDLE, ZERO = "#1f77b4", "#d9d9d9", "#d62728"


DY = 1.6  # vertical distance between levels


def _positions(levels: int) -> dict[str, tuple[float, float]]:
    """Encoder column left, decoder column right, level l at height -l DY, middle block below the bottom."""
    pos = {"inp": (0.0, 1.3), "head": (5.0, 1.3), "mid": (2.5, -(levels - 1) * DY - 1.3)}
    for l in range(levels):
        pos[f"in_adapt.{l}"] = (0.0, -l * DY)
        pos[f"enc.{l}"] = (1.0, -l * DY)
        pos[f"dec.{l}"] = (4.0, -l * DY)
        pos[f"out_adapt.{l}"] = (5.0, -l * DY)
    return pos


def _label(name: str, sides: list[int]) -> str:
    kind, _, lv = name.partition(".")
    text = {
        "inp": "3×3<br>in",
        "head": "head",
        "mid": f"mid<br>{sides[-1]}²",
        "enc": "enc",
        "dec": "dec",
        "in_adapt": "1×1<br>in",
        "out_adapt": "1×1<br>out",
    }[kind]
    return f"{text}<br>{sides[int(lv)]}²" if kind in ("enc", "dec") else text


def _edge(
    out: dict,
    a: tuple[float, float],
    b: tuple[float, float],
    on: bool,
    text: str = "",
    color: str | None = None,
    dash: str = "solid",
    xshift: int = 0,
) -> None:
    """A line between two blocks (a trace dict) and its label (an annotation dict), appended to `out`."""
    out["traces"].append(
        {
            "type": "scatter",
            "x": [a[0], b[0]],
            "y": [a[1], b[1]],
            "mode": "lines",
            "showlegend": False,
            "hoverinfo": "skip",
            "line": {"color": color or (ACTIVE if on else IDLE), "width": 3 if on else 2, "dash": dash},
        }
    )
    if text:
        out["annotations"].append(
            {
                "x": (a[0] + b[0]) / 2,
                "y": (a[1] + b[1]) / 2,
                "text": text,
                "showarrow": False,
                "yshift": 0 if xshift else 10,
                "xshift": xshift,
                "font": {"size": 10, "color": color or ("#333" if on else "#999")},
            }
        )


def path_diagram(
    levels: int, sides: list[int], active: list[str], zero_skips: list[int], resized_up: bool, title: str
) -> go.Figure:
    """Boxes for every block (blue: run at this step), skips between the columns (red dashed: zero-filled),
    pooling / upsampling between levels, adapters outside the columns. Built from plain dicts (~30 traces:
    plotly's validation of each cost more than the rest of a slider move)."""
    pos, on = _positions(levels), set(active)
    out: dict = {"traces": [], "annotations": []}
    for l in range(levels):
        zero = l in zero_skips
        _edge(
            out,
            pos[f"enc.{l}"],
            pos[f"dec.{l}"],
            f"dec.{l}" in on and not zero,
            "skip = 0" if zero else "skip",
            ZERO if zero else None,
            "dash" if zero else "solid",
        )
        entry, exit_ = (f"in_adapt.{l}", f"out_adapt.{l}") if l else ("enc.0", "dec.0")
        if l:
            _edge(out, pos[entry], pos[f"enc.{l}"], entry in on)
            _edge(out, pos[f"dec.{l}"], pos[exit_], exit_ in on)
        if entry in on:
            _edge(out, pos["inp"], pos[entry], True)
        if exit_ in on and (l or "out_adapt" not in " ".join(on)):
            _edge(out, pos[exit_], pos["head"], True)
        if l < levels - 1:
            _edge(out, pos[f"enc.{l}"], pos[f"enc.{l + 1}"], f"down.{l}" in on, "pool ↓", xshift=-40)
            _edge(out, pos[f"dec.{l + 1}"], pos[f"dec.{l}"], f"up.{l + 1}" in on, "↑ up", xshift=34)
    _edge(out, pos[f"enc.{levels - 1}"], pos["mid"], "mid" in on)
    _edge(out, pos["mid"], pos[f"dec.{levels - 1}"], "mid" in on)
    order = (
        ["inp", "head", "mid"]
        + [f"{k}.{l}" for l in range(levels) for k in ("enc", "dec")]
        + [f"{k}.{l}" for l in range(1, levels) for k in ("in_adapt", "out_adapt")]
    )
    for group, color, name in ((False, IDLE, "not run at this step"), (True, ACTIVE, "run at this step")):
        names = [b for b in order if (b in on) == group]
        big = [b.split(".")[0] in ("enc", "dec", "mid") for b in names]
        out["traces"].append(
            {
                "type": "scatter",
                "x": [pos[b][0] for b in names],
                "y": [pos[b][1] for b in names],
                "mode": "markers+text",
                "name": name,
                "marker": {
                    "symbol": "square",
                    "size": [54 if g else 40 for g in big],
                    "color": color,
                    "opacity": 1.0,
                    "line": {"color": "#444", "width": 1},
                },
                "text": [_label(b, sides) for b in names],
                "textposition": "middle center",
                "textfont": {"size": 10, "color": "white" if group else "#333"},
                "hovertext": names,
                "hoverinfo": "text",
            }
        )
    if resized_up:
        out["annotations"].append(
            {
                "x": 0.0,
                "y": 1.3,
                "text": f"input resized up to {sides[0]}² first",
                "showarrow": False,
                "yshift": 34,
                "font": {"size": 11, "color": ZERO},
            }
        )
    base = base_layout(title, "", "", height=470)
    base["xaxis"].update(visible=False, range=[-0.6, 5.6])
    base["yaxis"].update(visible=False, range=[-(levels - 1) * DY - 1.9, 2.0])
    base["legend"]["y"] = -0.02
    return assemble(base, out["traces"], annotations=out["annotations"], margin={"l": 10, "r": 10, "b": 50, "t": 40})


def flops_figure(steps_t: list[int], flexi: list[float], baseline: list[float], now: int, title: str) -> go.Figure:
    """Network MFLOPs per image at each sampling step (x = timestep t, data at 0), both models, current step marked
    (the curves carry a data revision: a moved step redraws only the marker)."""
    base = base_layout(title, "timestep t of the step (0 = data, 999 = noise)", "MFLOPs per image", height=470)
    base["xaxis"]["autorange"] = "reversed"
    traces = [
        {
            "type": "scatter",
            "x": steps_t,
            "y": baseline,
            "name": "full-resolution baseline",
            "line": {"color": COLORS[1], "shape": "hv"},
        },
        {
            "type": "scatter",
            "x": steps_t,
            "y": flexi,
            "name": "Flexi-UNet (SSD)",
            "line": {"color": COLORS[0], "shape": "hv"},
        },
    ]
    mark = {
        "x": now,
        "xref": "x",
        "y": 1,
        "yref": "y domain",
        "text": "current step",
        "showarrow": False,
        "xanchor": "left",
        "yanchor": "top",
    }
    return assemble(
        base, traces, [vline(now, color="black", width=2)], [mark], datarevision=data_revision(steps_t, flexi, baseline)
    )
