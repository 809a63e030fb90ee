"""Scale space tab layout: schedule and forward-process controls on the left, figures and the
explanation on the right; exact-denoiser sampling (SSD vs DDPM, one seed) on a button."""

from __future__ import annotations

import gradio as gr

from ... import data
from ..widgets import Slider, ViewIO, export_controls, guard, reporter, wire_upload
from ..widgets.concurrency import SAMPLING
from ..widgets.live import live_box, live_payload, wire_live
from ..widgets.plot import Plot
from . import exports, handlers
from . import flexi as flexi_handlers
from . import flexi_layout as flexi
from . import view as V

D = V.ScaleSpaceView()


IO = ViewIO("scale_space", V.ScaleSpaceView)


def scale_space(upload=None, **settings):
    """Main event (api_name `scale_space`)."""
    r = handlers.scale_space_view(IO.view(**settings), upload)
    return r.schedule, r.occupancy, r.strip, r.state, r.widget, r.info, r.transition, r.explanation


WIDGET_PLOT, XT_IMAGE = "scale-space-widget", "scale-space-xt"  # elem_ids: a t move redraws them live


def time_live(upload=None, **settings):
    """A t move (api_name `scale_space_time_live`): x_t and the Flexi caption for gradio; the spectrum widget,
    the Flexi path diagram, the FLOPs curve and the caption as the live payload the page draws while the slider
    moves (widgets/live.py)."""
    flexi_settings = {k: settings.pop(k) for k in [k for k in settings if k.startswith("flexi_")]}
    view = IO.view(**settings)
    xt, widget = handlers.time_view(view, upload)
    path, flops, caption = flexi_handlers.flexi_diagram(flexi.view_of(view.t, **flexi_settings))
    figures = {WIDGET_PLOT: widget, flexi.PATH_PLOT: path, flexi.FLOPS_PLOT: flops}
    return xt, caption, live_payload("scale_space", figures, {flexi.CAPTION: caption})


def sample(progress=gr.Progress(), **settings):
    progress(0, desc="exact-denoiser sampling")
    r = handlers.sample_compare(IO.view(**settings), reporter(progress))
    return r.ssd_images, r.ddpm_images, r.psd, r.rel, r.explanation


def export_csv(upload=None, **settings):
    return [exports.scale_space_csv(IO.view(**settings), upload)]


def export_forward_gif(upload=None, **settings):
    return [exports.forward_gif(IO.view(**settings), upload)]


def export_reverse_gif(progress=gr.Progress(), **settings):
    return [exports.reverse_gif(IO.view(**settings), progress=reporter(progress))]


def _controls() -> tuple[list, gr.File]:
    source = gr.Radio(["photo", "field", "upload"], value=D.source, label="Image source")
    photo = gr.Dropdown(list(data.PHOTOS), value=D.photo, label="Bundled photo (scikit-image)")
    beta = Slider(0.5, 4.0, value=D.beta, step=0.05, label="Field β (P ∝ f^-β; forward view and sampling)")
    seed = gr.Number(value=D.seed, label="Seed (field, noise, sampling)")
    upload = gr.File(
        label="Upload (PNG, JPEG, TIFF, WebP, GIF, NPY)",
        type="filepath",
        file_types=[".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".gif", ".npy"],
    )
    size = gr.Dropdown(list(V.SIZES), value=D.size, label="Full resolution R")
    levels = Slider(1, 8, value=D.levels, step=1, label="Levels L (R, R/2, …, R/2^(L-1); 1 = DDPM)")
    family = gr.Radio(
        ["convex", "equal", "sigmoid", "tanh"],
        value=D.family,
        label="Resolution schedule (ConvexDecay_γ, equal, SigmoidLike_γ, TanhLike_γ)",
    )
    gamma = Slider(0.1, 4.0, value=D.gamma, step=0.05, label="γ of the schedule")
    t = Slider(0.0, 1.0, value=D.t, step=0.001, label="Current time t (0 = data, 1 = noise)")
    with gr.Accordion("Exact-denoiser sampling (power-law field)", open=True):
        sample_size = gr.Dropdown(list(V.SAMPLE_SIZES), value=D.sample_size, label="Field size")
        sample_levels = Slider(1, 5, value=D.sample_levels, step=1, label="SSD levels")
        n_samples = Slider(4, 256, value=D.n_samples, step=4, label="Samples per sampler")
        steps = Slider(10, 1000, value=D.steps, step=10, label="Sampling steps (of T = 1000)")
    return [
        source,
        photo,
        beta,
        seed,
        size,
        levels,
        family,
        gamma,
        t,
        sample_size,
        sample_levels,
        n_samples,
        steps,
    ], upload


def _outputs() -> tuple[list, list]:
    """The figures and images of the tab (right-hand column), in wiring order."""
    explanation = gr.Markdown()
    with gr.Row():
        schedule = Plot(label="Timestep → resolution")
        occupancy = Plot(label="Occupancy and pixel work")
    strip = gr.Image(
        label="Top: clean pyramid M_{0:t}x₀ per level · Bottom: x_t at each level's first step",
        type="numpy",
        format="png",
        height=260,
    )
    with gr.Row():
        state = gr.Image(
            label="x_t at its own resolution (current t)", type="numpy", format="png", height=360, elem_id=XT_IMAGE
        )
        widget = Plot(label="Spectrum + noise floor + Nyquist line", elem_id=WIDGET_PLOT)
    with gr.Row():
        info = Plot(label="Information curves")
        transition = Plot(label="Switch-step posterior covariance")
    sample_md = gr.Markdown()
    with gr.Row():
        ssd_img = gr.Image(label="SSD samples", type="numpy", format="png", height=300)
        ddpm_img = gr.Image(label="DDPM samples (same seed)", type="numpy", format="png", height=300)
    with gr.Row():
        psd = Plot(label="Sample spectra vs truth")
        rel = Plot(label="Relative spectrum error")
    return (
        [schedule, occupancy, strip, state, widget, info, transition, explanation],
        [ssd_img, ddpm_img, psd, rel, sample_md],
    )


def build(demo: gr.Blocks) -> None:
    gr.Markdown(
        "**What this shows.** Scale Space Diffusion (Mukhopadhyay et al., CVPR 2026) runs the noisiest steps on "
        "smaller grids: x_t = √ᾱ_t M_{0:t} x₀ + σ_t ε at resolution r(t). Halving the grid moves the **Nyquist "
        "line**; more noise raises the **noise floor**. A switch is cheap when what lies beyond the new Nyquist "
        "line is already under the floor. The sampler goes back up through the exact Gaussian posterior, whose "
        "noise is not white: σ_s²(I − ρc²MᵀM)."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            settings, upload = _controls()
            sample_btn = gr.Button("Sample: SSD vs DDPM (same seed)", variant="primary")
            flexi_settings, flexi_btn = flexi.controls()
            with gr.Accordion("Export and presets", open=False):
                csv_btn = gr.Button("Export schedule + information curves as CSV")
                fgif_btn = gr.Button("Forward process GIF")
                rgif_btn = gr.Button("SSD reverse trajectory GIF")
                preset_btn = gr.Button("Save view as preset + link")
                out_file, link, preset_in = export_controls()
        with gr.Column(scale=3):
            outputs, sample_out = _outputs()
            flexi_out, flexi_diagram = flexi.outputs()
            live = live_box()
    dia = flexi.wire(demo, settings[8], flexi_settings, flexi_btn, flexi_out, flexi_diagram)
    _wire(
        demo,
        settings,
        upload,
        outputs,
        (sample_btn, sample_out),
        (csv_btn, fgif_btn, rgif_btn, preset_btn, out_file, link, preset_in),
        dict(outputs=[outputs[3], flexi_diagram[2], live], flexi=flexi.named_for_live(flexi_settings), dia=dia),
    )


def _wire(demo, settings, upload, outputs, sampling, exports, live: dict) -> None:
    source, photo, beta, seed, size, levels, family, gamma, t, *_ = settings
    sample_btn, sample_out = sampling
    csv_btn, fgif_btn, rgif_btn, preset_btn, out_file, link, preset_in = exports
    named, with_upload = IO.named(settings), IO.named(settings, before={"upload": upload})
    main = dict(
        fn=guard(scale_space),
        inputs_kwargs=with_upload,
        outputs=outputs,
        trigger_mode="always_last",
        show_progress="minimal",
    )
    gr.on(
        triggers=[
            source.change,
            photo.change,
            beta.release,
            seed.submit,
            size.change,
            levels.release,
            family.change,
            gamma.release,
            t.release,
        ],
        api_name="scale_space",
        **main,
    )
    # t moves: the page posts time_live itself and draws the answer, the release runs it through gradio
    # (widgets/live.py).
    wire_live(
        t,
        guard(time_live),
        inputs_kwargs={**with_upload, **live["flexi"]},
        outputs=live["outputs"],
        api_name="scale_space_time_live",
    )
    sampling = dict(concurrency_id=SAMPLING, show_progress="full")  # widgets/concurrency.py
    sample_btn.click(guard(sample), inputs_kwargs=named, outputs=sample_out, api_name="scale_space_sample", **sampling)
    csv_btn.click(guard(export_csv), inputs_kwargs=with_upload, outputs=out_file, api_name="scale_space_csv")
    fgif_btn.click(
        guard(export_forward_gif), inputs_kwargs=with_upload, outputs=out_file, api_name="scale_space_forward_gif"
    )
    rgif_btn.click(
        guard(export_reverse_gif), inputs_kwargs=named, outputs=out_file, api_name="scale_space_reverse_gif", **sampling
    )
    preset_btn.click(
        guard(IO.save_event()), inputs_kwargs=named, outputs=[out_file, link], api_name="scale_space_preset"
    )
    IO.wire_restore(demo, preset_in, settings, main, live["dia"])
    wire_upload(upload, source, D.source, main)
