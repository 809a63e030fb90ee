"""Live figures (layout/live.py): a slider move ships its figures as one JSON string that the page reacts into
the plots already drawn, past gr.Plot's Plotly.react + Plots.resize. The JSON must be the same figures the
full event draws, addressed to plots that exist, on an event outside the queue that is the move's only one."""
from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest

from diffusion_core.app.layout import bases as layout_bases
from diffusion_core.app.layout import flexi as layout_flexi
from diffusion_core.app.layout import increments as layout_increments
from diffusion_core.app.layout import live
from diffusion_core.app.layout import scale_space as layout_scale
from diffusion_core.app.layout import spectrum as layout_spectrum

LIVE_IDS = {*layout_spectrum.LIVE_PLOTS, layout_increments.LOSS_PLOT, layout_scale.WIDGET_PLOT,
            layout_flexi.PATH_PLOT, layout_flexi.FLOPS_PLOT}


def _same_traces(live_fig: dict, fig) -> None:
    want = json.loads(fig.to_json())
    assert [t.get("name") for t in live_fig["data"]] == [t.get("name") for t in want["data"]]
    for a, b in zip(live_fig["data"], want["data"]):
        for key in ("x", "y", "source"):
            if key in b and b[key] is not None:
                np.testing.assert_array_equal(np.asarray(a[key], dtype=object), np.asarray(b[key], dtype=object))
    assert live_fig["layout"]["title"]["text"] == want["layout"]["title"]["text"]


def test_spectrum_lambda_move_ships_the_full_events_figures():
    settings = dict(layout_spectrum.D.__dict__, lam=-2.5, size=64)
    noisy, logspec, psd, snr, explanation, sigma = layout_spectrum.spectrum(**settings)
    noisy2, explanation2, sigma2, payload = layout_spectrum.spectrum_live(**settings)
    figs = json.loads(payload)
    assert list(figs) == list(layout_spectrum.LIVE_PLOTS)
    for key, fig in zip(layout_spectrum.LIVE_PLOTS, (logspec, psd, snr)):
        _same_traces(figs[key], fig)
    assert "λ = -2.50" in figs["spectrum-snr"]["layout"]["title"]["text"]
    assert np.array_equal(noisy, noisy2) and explanation == explanation2 and sigma == sigma2


def test_increments_and_scale_space_moves_ship_their_figures():
    settings = dict(layout_increments.D.__dict__, loss_t=0.37)
    fig, text = layout_increments.loss(**settings)
    text2, payload = layout_increments.loss_live(**settings)
    assert text2 == text and "At t = 0.370" in text
    _same_traces(json.loads(payload)[layout_increments.LOSS_PLOT], fig)

    flexi = {f"flexi_{k}": v for k, v in layout_flexi.D.__dict__.items() if k != "t"}
    xt, caption, payload = layout_scale.time_live(**dict(layout_scale.D.__dict__, t=0.62), **flexi)
    path, flops, caption2 = layout_flexi.diagram(**dict(layout_flexi.D.__dict__, t=0.62))
    figs = json.loads(payload)
    assert set(figs) == {layout_scale.WIDGET_PLOT, layout_flexi.PATH_PLOT, layout_flexi.FLOPS_PLOT}
    _same_traces(figs[layout_flexi.PATH_PLOT], path)
    _same_traces(figs[layout_flexi.FLOPS_PLOT], flops)
    assert caption == caption2 and xt.ndim == 2


@pytest.fixture(scope="module")
def app_config():
    from diffusion_core.app.layout import build_app

    demo = build_app()
    return demo, demo.get_config_file()


def test_live_figures_target_existing_plots_and_ride_one_unqueued_event(app_config):
    demo, config = app_config
    plots = {b.elem_id: b for b in demo.blocks.values() if isinstance(b, gr.Plot) and b.elem_id}
    assert LIVE_IDS <= set(plots)                                   # every live figure has its plot
    channels = {b._id for b in demo.blocks.values() if isinstance(b, gr.HTML) and b.js_on_load == live.LIVE_JS}
    assert len(channels) == 3                                       # Spectrum, Increments, Scale space
    live_events = [d for d in config["dependencies"] if set(d["outputs"]) & channels]
    assert len(live_events) == 3
    for dep in live_events:
        assert dep["queue"] is False and dep["trigger_mode"] == "always_last"
        assert [t[1] for t in dep["targets"]] == ["input"]          # a move's only event: no .then step
        assert not any(d for d in config["dependencies"] if d["trigger_after"] == dep["id"])
    bases_t = [d for d in config["dependencies"] if d.get("js") == layout_bases.MOVE_T_MARKERS]
    assert len(bases_t) == 1 and bases_t[0]["backend_fn"] and bases_t[0]["queue"] is False


def test_the_channel_is_hidden_by_the_served_css():
    """The empty channel block would leave a gap in its column; the page CSS given to launch() hides it."""
    import inspect

    from diffusion_core.app import layout

    box = live.live_box()
    assert "live-channel" in box.elem_classes and ".live-channel { display: none" in live.LIVE_CSS
    assert "css=LIVE_CSS" in inspect.getsource(layout.serve)
