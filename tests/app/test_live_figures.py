"""Live outputs (layout/live.py): a slider move runs page script only, which posts the move's function to
gradio's run/predict route and draws the answer (figures reacted into the plots already drawn, texts rendered
on the server, images by elem_id); the release runs the same function through gradio. The payload must hold the
same figures and texts the full event draws, addressed to components that exist, and the two events must agree
on inputs and function."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest

from diffusion_core.app.bases import layout as layout_bases
from diffusion_core.app.increments import layout as layout_increments
from diffusion_core.app.scale_space import flexi_layout as layout_flexi
from diffusion_core.app.scale_space import layout as layout_scale
from diffusion_core.app.spectrum import layout as layout_spectrum
from diffusion_core.app.widgets import live as live
from diffusion_core.app.widgets.plot import Plot

LIVE_IDS = {
    *layout_spectrum.LIVE_PLOTS,
    layout_increments.LOSS_PLOT,
    layout_scale.WIDGET_PLOT,
    layout_flexi.PATH_PLOT,
    layout_flexi.FLOPS_PLOT,
}
LIVE_TEXTS = {*layout_spectrum.LIVE_TEXTS, layout_increments.LOSS_TEXT, layout_flexi.CAPTION, layout_bases.EXPLANATION}
LIVE_IMAGES = {layout_spectrum.NOISY, layout_scale.XT_IMAGE}
# api_name of each tab's move function -> the label of its slider
MOVES = {
    "spectrum_live": "Noise level: logSNR λ",
    "increments_loss_live": "t of the step",
    "bases_readout": "Readout time t",
    "scale_space_time_live": "Current time t",
}


def _same_traces(live_fig: dict, fig) -> None:
    want = json.loads(Plot().postprocess(fig).plot)  # what the full event's plot sends
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
    p = json.loads(payload)
    figs = p["figures"]
    assert p["channel"] == "spectrum" and list(figs) == list(layout_spectrum.LIVE_PLOTS)
    for key, fig in zip(layout_spectrum.LIVE_PLOTS, (logspec, psd, snr)):
        _same_traces(figs[key], fig)
    assert "λ = -2.50" in figs["spectrum-snr"]["layout"]["title"]["text"]
    assert np.array_equal(noisy, noisy2) and explanation == explanation2 and sigma == sigma2
    # the texts as gradio's Markdown draws them: paragraphs, bold, no raw markdown left
    html = p["markdown"]["spectrum-explanation"]
    assert html.count("<p>") == explanation.count("\n\n") + 1 and "λ = <strong>-2.50</strong>" in html
    assert "**" not in html and p["markdown"]["spectrum-sigma"].startswith("<p>VE σ = e^(−λ/2) = <strong>")


def test_increments_and_scale_space_moves_ship_their_figures():
    settings = dict(layout_increments.D.__dict__, loss_t=0.37)
    fig, text = layout_increments.loss(**settings)
    text2, payload = layout_increments.loss_live(**settings)
    assert text2 == text and "At t = 0.370" in text
    p = json.loads(payload)
    _same_traces(p["figures"][layout_increments.LOSS_PLOT], fig)
    assert "At t = 0.370" in p["markdown"][layout_increments.LOSS_TEXT]

    flexi = {f"flexi_{k}": v for k, v in layout_flexi.D.__dict__.items() if k != "t"}
    xt, caption, payload = layout_scale.time_live(**dict(layout_scale.D.__dict__, t=0.62), **flexi)
    path, flops, caption2 = layout_flexi.diagram(**dict(layout_flexi.D.__dict__, t=0.62))
    p = json.loads(payload)
    figs = p["figures"]
    assert set(figs) == {layout_scale.WIDGET_PLOT, layout_flexi.PATH_PLOT, layout_flexi.FLOPS_PLOT}
    _same_traces(figs[layout_flexi.PATH_PLOT], path)
    _same_traces(figs[layout_flexi.FLOPS_PLOT], flops)
    assert caption == caption2 and xt.ndim == 2 and "MFLOPs" in p["markdown"][layout_flexi.CAPTION]

    text, payload = layout_bases.readout_at_t(t=0.7, **layout_bases.D.__dict__)
    assert json.loads(payload) == {
        "channel": "bases",
        "figures": {},
        "markdown": {layout_bases.EXPLANATION: live._MD.render(text)},
    }


def test_live_texts_escape_raw_html():
    """Texts can quote user input (custom labels): raw HTML reaches the page escaped, never as markup."""
    p = json.loads(live.live_payload("x", markdown={"a": "<img src=x onerror=alert(1)> **b**"}))
    assert p["markdown"]["a"] == "<p>&lt;img src=x onerror=alert(1)&gt; <strong>b</strong></p>\n"


@pytest.fixture(scope="module")
def app_config():
    from diffusion_core.app.layout import build_app

    demo = build_app()
    return demo, demo.get_config_file()


def test_a_move_runs_page_script_and_its_release_the_same_function(app_config):
    """Per tab: the slider's `input` is page script only (no server function, so gradio dispatches nothing that
    costs a loading-status pass), posting to the function whose api_name it names; that function is the
    slider's `release` event, queued, with the same inputs in the same order; its outputs are images and texts
    with the elem_ids the payload and the page address, and one channel. Nothing else follows a move."""
    demo, config = app_config
    by_elem = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    assert LIVE_IDS <= {k for k, b in by_elem.items() if isinstance(b, Plot)}
    assert LIVE_TEXTS <= {k for k, b in by_elem.items() if isinstance(b, gr.Markdown)}
    assert LIVE_IMAGES <= {k for k, b in by_elem.items() if isinstance(b, gr.Image)}
    channels = {b._id for b in demo.blocks.values() if isinstance(b, gr.HTML) and b.js_on_load == live.LIVE_JS}
    assert len(channels) == 4
    deps = config["dependencies"]
    sliders = {b.label: b._id for b in demo.blocks.values() if isinstance(b, gr.Slider)}
    for api, label in MOVES.items():
        (slider,) = [i for name, i in sliders.items() if name.startswith(label)]
        (release,) = [d for d in deps if d["api_name"] == api]
        moves = [d for d in deps if (slider, "input") in map(tuple, d["targets"])]
        assert len(moves) == 1, api
        (move,) = moves
        assert move["backend_fn"] is False and json.dumps(api) in move["js"] and move["outputs"] == []
        assert (
            list(map(tuple, release["targets"])) == [(slider, "release")]
            and release["backend_fn"]
            and release["queue"] is not False  # queued: a clamped typed value's warning reaches the page (issue 26)
        )
        assert release["inputs"] == move["inputs"]
        outs = [demo.blocks[i] for i in release["outputs"]]
        assert sum(i in channels for i in release["outputs"]) == 1
        for b in outs:
            assert b._id in channels or b.elem_id in LIVE_TEXTS | LIVE_IMAGES, (api, b)
        assert not any(d for d in deps if d["trigger_after"] in (move["id"], release["id"]))
    bases_move = next(d for d in deps if d["js"] and "bases_readout" in d["js"])
    assert layout_bases.MOVE_T_MARKERS in bases_move["js"]


def test_the_channel_is_hidden_by_the_served_css():
    """The empty channel block would leave a gap in its column; the page CSS given to launch() hides it."""
    import inspect

    from diffusion_core.app import layout

    box = live.live_box()
    assert "live-channel" in box.elem_classes and ".live-channel { display: none" in live.LIVE_CSS
    assert "css=CSS" in inspect.getsource(layout.serve) and layout.CSS.startswith(live.LIVE_CSS)


def test_the_key_script_mounts_with_the_page_whichever_tab_opens(app_config):
    """Tabs mount when first opened (lazy tabs), so the key script (Enter and blur apply a typed value) is one
    block outside the tabs: a page opened on a tab with no live slider (Schedules, Samplers) has it too."""
    from diffusion_core.app.widgets import keys

    demo, _ = app_config
    (script,) = [b for b in demo.blocks.values() if isinstance(b, gr.HTML) and keys.KEYS_JS in (b.js_on_load or "")]
    parent = script.parent
    while parent is not None:
        assert not isinstance(parent, (gr.Tab, gr.Tabs)), parent
        parent = parent.parent
    assert "page-script" in script.elem_classes and ".page-script" in live.LIVE_CSS
