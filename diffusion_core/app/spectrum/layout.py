"""Spectrum tab layout: controls on the left, live figures and explanation on the right.

This module is the pattern for every tab: components, then one `gr.on` for the main computation
with a stable api_name, cheap updates on `.input`/`.change`, exports and presets on buttons.
"""

from __future__ import annotations

import gradio as gr

from ... import data
from ..widgets import Slider, ViewIO, export_controls, guard, reporter, wire_upload
from ..widgets.live import live_box, live_payload, wire_live
from ..widgets.plot import Plot
from . import handlers
from . import view as V

D = V.SpectrumView()
IO = ViewIO("spectrum", V.SpectrumView)


def spectrum(upload=None, **settings):
    """Main event (api_name `spectrum`); the settings arrive by field name."""
    view = IO.view(**settings)
    r = handlers.spectrum_view(view, upload)
    return r.noisy_image, r.log_spectrum, r.psd, r.snr, r.explanation, handlers.sigma_label(view.lam)


# What a λ move redraws, by elem_id (widgets/live.py draws them while the slider moves): three figures, two texts
# and the noisy image.
LIVE_PLOTS = ("spectrum-logspec", "spectrum-psd", "spectrum-snr")
LIVE_TEXTS = ("spectrum-explanation", "spectrum-sigma")
NOISY = "spectrum-noisy"


def spectrum_live(upload=None, **settings):
    """A λ move (api_name `spectrum_live`): the image and texts for gradio, and the figures and texts again as
    the live payload the page draws while the slider moves (widgets/live.py)."""
    view = IO.view(**settings)
    r = handlers.spectrum_view(view, upload)
    sigma = handlers.sigma_label(view.lam)
    payload = live_payload(
        "spectrum", dict(zip(LIVE_PLOTS, (r.log_spectrum, r.psd, r.snr))), dict(zip(LIVE_TEXTS, (r.explanation, sigma)))
    )
    return r.noisy_image, r.explanation, sigma, payload


def export_csv(upload=None, **settings):
    return [handlers.spectrum_csv(IO.view(**settings), upload)]


def export_figures(upload=None, progress=gr.Progress(), **settings):
    progress(0, desc="computing the spectra")
    return handlers.spectrum_figures(IO.view(**settings), upload, reporter(progress))


def build(demo) -> None:
    """The tab in the page `demo` (app/layout.py's TabPage). As the page's first tab, its outputs start with the
    default view's answer (computed here, once), so the page draws the tab as it mounts."""
    shown = (
        dict(zip(("noisy", "logspec", "psd", "snr", "explanation"), spectrum()))
        if getattr(demo, "first", False)
        else {}
    )
    gr.Markdown(
        "**What this shows.** Noise is white, so it adds the same power e^(−λ) to every frequency, "
        "while natural images put most power at low frequencies. Move λ and watch the flat floor bury "
        "the image from the finest scales up: the frequencies still above the floor are what a "
        "denoiser can recover at this noise level."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            source = gr.Radio(["photo", "field", "upload", "dataset"], value=D.source, label="Image source")
            photo = gr.Dropdown(list(data.PHOTOS), value=D.photo, label="Bundled photo (scikit-image)")
            dataset = gr.Radio(list(V.DATASETS), value=D.dataset, label="Data set (data-set mode)")
            beta = Slider(0.5, 4.0, value=D.beta, step=0.05, label="Synthetic field β (P ∝ f^-β)")
            seed = gr.Number(value=D.seed, label="Seed (field and noise)")
            upload = gr.File(
                label="Upload (PNG, JPEG, TIFF, WebP, GIF, NPY)",
                type="filepath",
                file_types=[".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".gif", ".npy"],
            )
            size = gr.Dropdown(list(V.SIZES), value=D.size, label="Size (centre crop, resized)")
            window = gr.Checkbox(value=D.window, label="Hann window before the FFT")
            lam = Slider(-12.0, 12.0, value=D.lam, step=0.05, label="Noise level: logSNR λ (t → 1 is λ → −∞)")
            sigma = gr.Markdown(handlers.sigma_label(D.lam), elem_id=LIVE_TEXTS[1])
            tau_lo = Slider(0.01, 1.0, value=D.tau_lo, step=0.01, label="τ_lo (below: destroyed)")
            tau_hi = Slider(1.0, 100.0, value=D.tau_hi, step=0.5, label="τ_hi (above: resolved)")
            with gr.Accordion("Export and presets", open=False):
                csv_btn = gr.Button("Export data as CSV")
                fig_btn = gr.Button("Export figures as PNG + SVG")
                preset_btn = gr.Button("Save view as preset + link")
                out_file, link, preset_in = export_controls()
        with gr.Column(scale=3):
            explanation = gr.Markdown(shown.get("explanation"), elem_id=LIVE_TEXTS[0])
            with gr.Row():
                noisy = gr.Image(
                    shown.get("noisy"),
                    label="Noisy image (VP: αx₀ + σε)",
                    type="numpy",
                    height=360,
                    format="png",
                    elem_id=NOISY,
                )
                logspec = Plot("2-D log power spectrum", value=shown.get("logspec"), elem_id=LIVE_PLOTS[0])
            with gr.Row():
                psd = Plot("Radial PSD", value=shown.get("psd"), elem_id=LIVE_PLOTS[1])
                snr = Plot("Per-frequency SNR", value=shown.get("snr"), elem_id=LIVE_PLOTS[2])
            live = live_box()

    settings = [source, photo, dataset, beta, seed, size, lam, tau_lo, tau_hi, window]
    outputs = [noisy, logspec, psd, snr, explanation, sigma]
    main = dict(
        fn=guard(spectrum),
        inputs_kwargs=IO.named(settings, after={"upload": upload}),
        outputs=outputs,
        trigger_mode="always_last",
        show_progress="hidden",
    )
    gr.on(
        triggers=[
            source.change,
            photo.change,
            dataset.change,
            beta.release,
            seed.submit,
            size.change,
            window.change,
            tau_lo.input,
            tau_hi.input,
        ],
        api_name="spectrum",
        **main,
    )
    # λ moves: the page posts the same computation itself and draws the answer; the release runs it through
    # gradio (widgets/live.py).
    wire_live(
        lam,
        guard(spectrum_live),
        inputs_kwargs=IO.named(settings, after={"upload": upload}),
        outputs=[noisy, explanation, sigma, live],
        api_name="spectrum_live",
    )
    named = IO.named(settings, before={"upload": upload})
    csv_btn.click(guard(export_csv), inputs_kwargs=named, outputs=out_file, api_name="spectrum_csv")
    fig_btn.click(guard(export_figures), inputs_kwargs=named, outputs=out_file, api_name="spectrum_figures")
    preset_btn.click(
        guard(IO.save_event()), inputs_kwargs=IO.named(settings), outputs=[out_file, link], api_name="spectrum_preset"
    )
    # Presets and links set the controls, then redraw once (programmatic sets fire .change, not .input).
    IO.wire_restore(demo, preset_in, settings, main)
    wire_upload(upload, source, D.source, main)
