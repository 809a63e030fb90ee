"""Slider moves send what changes (issue 12 item 12): a λ move on the Spectrum tab ships its 2-D spectrum
as a small palette PNG inside the figure, not 256² numbers of a heatmap (937,339 bytes per move before)."""

import base64
import io
import json

import gradio as gr
import numpy as np
import plotly.graph_objects as go
from PIL import Image

from diffusion_core.app.spectrum import layout as layout
from diffusion_core.plotting import spectrum as plots


def _bytes(fig) -> int:
    """What Gradio sends for one gr.Plot output."""
    return len(gr.Plot().postprocess(fig).model_dump_json())


def test_a_lambda_move_ships_kilobytes_not_a_heatmap():
    noisy, logspec, psd, snr, explanation, sigma = layout.spectrum(lam=1.5)  # default view: astronaut 256²
    kinds = [t.type for t in logspec.data]
    assert "heatmap" not in kinds and kinds.count("image") == 1
    assert noisy.shape == (256, 256)
    assert _bytes(logspec) < 100_000
    total = sum(_bytes(f) for f in (logspec, psd, snr)) + len(explanation.encode()) + len(sigma.encode())
    assert total < 130_000, total
    assert "λ = 1.50" in logspec.layout.title.text


def test_png_holds_the_quantised_values_in_viridis():
    z = np.linspace(-3.0, 2.0, 12 * 10).reshape(12, 10)
    uri = plots.png_data_uri(z, -3.0, 2.0)
    im = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert im.mode == "P" and im.size == (10, 12)
    assert np.array_equal(np.asarray(im), np.rint(255 * (z + 3.0) / 5.0).astype(np.uint8))
    rgb = np.asarray(im.convert("RGB"))
    assert rgb[0, 0].tolist() == [0x44, 0x01, 0x54] and rgb[-1, -1].tolist() == [0xFD, 0xE7, 0x25]


def test_image_axes_are_in_cycles_per_pixel():
    fig = plots.log_spectrum_figure(np.zeros((8, 8)), "t")
    img = next(t for t in fig.data if t.type == "image")
    assert (img.x0, img.dx, img.y0, img.dy) == (-0.5, 0.125, -0.5, 0.125)  # pixel centres, DC at (4, 4)
    assert tuple(fig.layout.xaxis.range) == (-0.5625, 0.4375)
    assert tuple(fig.layout.yaxis.range) == (0.4375, -0.5625)  # row 0 (f_y = -0.5) on top


def test_a_bases_time_move_sends_the_explanation_and_the_page_moves_the_markers():
    """Bases readout t: the event sends only the explanation (~0.6 kB instead of four figures of 48 curves);
    the page moves the figures' named t marker (MOVE_T_MARKERS). Figures sent for other changes keep their
    datarevision when only t differs, so plotly.react keeps the curves."""
    from diffusion_core.app.bases import handlers as handlers
    from diffusion_core.app.bases import layout as layout_bases
    from diffusion_core.plotting.bases import T_MARKER

    text, _ = layout_bases.readout_at_t(t=0.7, **layout_bases.D.__dict__)
    view = handlers.make_view()
    a, b = handlers.component_schedule(view, 0.2), handlers.component_schedule(view, 0.7)
    assert text == b.explanation and "At t = **0.70**" in text and len(text.encode()) < 1000
    assert T_MARKER in layout_bases.MOVE_T_MARKERS and "t-marked" in layout_bases.MOVE_T_MARKERS
    for fa, fb in ((a.gamma, b.gamma), (a.snr, b.snr), (a.sigma, b.sigma), (a.windows, b.windows)):
        assert fa.layout.datarevision == fb.layout.datarevision and fa.layout.datarevision
        assert [list(t.y) for t in fa.data[:3]] == [list(t.y) for t in fb.data[:3]]
        marks = [(s.x0, s.x1) for s in fa.layout.shapes if s.name == T_MARKER]
        assert marks == [(0.2, 0.2)] and [(s.x0, s.x1) for s in fb.layout.shapes if s.name == T_MARKER] == [(0.7, 0.7)]
        go.Figure(fa.to_dict())  # built unvalidated, but valid plotly (raises if not)
    assert len(a.gamma.data) == 49  # 48 component curves (MAX_LINES) + the colour bar
    other = handlers.component_schedule(handlers.make_view(a=3.0), 0.2)
    assert other.gamma.layout.datarevision != a.gamma.layout.datarevision  # new data, new revision


def test_figures_built_from_dicts_are_valid_plotly():
    """The figures that follow a slider skip plotly's validation when built (plotting.common.assemble);
    re-validated here, so a misspelt property still fails a test."""
    from diffusion_core.app.increments import layout as layout_increments
    from diffusion_core.app.scale_space import flexi_layout as layout_flexi
    from diffusion_core.app.scale_space import layout as layout_scale

    _, logspec, psd, snr, *_ = layout.spectrum(lam=-1.0, size=64)
    path, flops, caption = layout_flexi.diagram(**dict(layout_flexi.D.__dict__, t=0.9))
    loss_fig, _ = layout_increments.loss(**dict(layout_increments.D.__dict__, loss_t=0.3))
    flexi_controls = {f"flexi_{k}": v for k, v in layout_flexi.D.__dict__.items() if k != "t"}
    _, _, live = layout_scale.time_live(**dict(layout_scale.D.__dict__, t=0.7), **flexi_controls)
    widget = go.Figure(json.loads(live)["figures"]["scale-space-widget"])
    from diffusion_core.app.increments import handlers as increments

    fwd = increments.forward_view(increments.IncrementsView())  # two-panel figures: plotting.common.two_panels
    assert [a.text for a in fwd.moments.layout.annotations] == ["mean E[x_t] (x0 = 1)", "variance Var(x_t)"]
    assert fwd.forms.layout.yaxis.type == "log" and fwd.forms.data[-1].xaxis == "x2"
    from diffusion_core.app.scale_space import handlers as scale_space

    ssv = scale_space.scale_space_view(
        scale_space.ScaleSpaceView(
            **{k: v for k, v in layout_scale.D.__dict__.items() if k in scale_space.ScaleSpaceView.__dataclass_fields__}
        )
    )
    assert ssv.schedule.layout.yaxis2.overlaying == "y" and ssv.schedule.layout.annotations[-1].text == "current t"
    figs = (logspec, psd, snr, path, flops, loss_fig, widget, fwd.moments, fwd.forms, fwd.kurtosis)
    for fig in (*figs, ssv.schedule, ssv.info, ssv.occupancy, ssv.transition):
        again = go.Figure(fig.to_dict())  # raises ValueError on an invalid property
        assert again.to_plotly_json()["data"] and fig.layout.title.text
    assert [t.name for t in psd.data][:3] == ["clean", "noisy", "noise floor e^-λ"]
    assert flops.layout.xaxis.autorange == "reversed" and flops.layout.annotations[0].text == "current step"
    assert "MFLOPs" in caption and len(path.layout.annotations) >= 4
