"""Schedules & bounds tab layout: pick schedules, see them against the image's useful noise range.

Follows the Spectrum tab's pattern: controls left, explanation + figures right, one main event
with api_name `schedules`, the bounds panel with api_name `bounds`, exports and presets on buttons.
"""

from __future__ import annotations

import gradio as gr

from ... import data
from ...noise.schedules import FAMILIES
from ...validation import InputError, check_int
from ..widgets import Slider, ViewIO, export_controls, guard, wire_upload
from ..widgets.plot import Plot
from ..widgets.point_editor import point_editor
from . import custom as schedule_custom
from . import handlers
from . import inspector_layout as schedule_inspector
from . import networks_layout as schedule_networks
from . import resolution as schedule_resolution
from . import training as schedule_training
from . import view as V

D = V.SchedulesView()


IO = ViewIO("schedules", V.SchedulesView)


def schedules(upload=None, **settings):
    """Main event (api_name `schedules`)."""
    r = handlers.schedules_view(IO.view(**settings), upload)
    return r.explanation, r.logsnr, r.sigma, r.histogram, r.table, r.diffusers


def bounds(upload=None, **settings):
    """Bounds panel (api_name `bounds`)."""
    md, fig, _ = handlers.bounds_view(IO.view(**settings), upload)
    return md, fig


def resolution(upload=None, **settings):
    """Resolution panel (api_name `schedule_resolution`)."""
    md, off, lam, _ = schedule_resolution.resolution_view(IO.view(**settings), upload)
    return md, off, lam


def training(upload=None, **settings):
    """Training panel (api_name `schedule_training`)."""
    md, fig, _ = schedule_training.training_view(IO.view(**settings), upload)
    return md, fig


def animation(upload=None, **settings):
    return handlers.autoregression_gif(IO.view(**settings), upload)


def export(kind: str):
    fn = {"json": handlers.export_json, "diffusers": handlers.export_diffusers, "kdiff": handlers.export_kdiffusion}[
        kind
    ]

    def export_file(upload=None, **settings):
        return [fn(IO.view(**settings), upload)]

    return export_file


def dragged(schedules, evt: gr.EventData):
    """A drag in the point editor -> the points text (and `custom` ticked); the main event then validates it."""
    data = getattr(evt, "_data", None)
    points = data.get("points") if isinstance(data, dict) else None
    text, ticked = schedule_custom.dragged(points, schedules or ())
    return text, gr.skip() if ticked is None else list(ticked)


def editor(custom_points: str):
    """Redraw the editor from the typed points; points that do not parse leave it (the main event says why)."""
    try:
        return schedule_custom.editor_view(custom_points)
    except InputError:
        return gr.skip()


def dataset(dataset_name, components, draws, seed, steps, kind, tau_lo, tau_hi):
    return handlers.dataset_view(
        dataset_name,
        int(components),
        int(draws),
        check_int("seed", seed),
        int(steps),
        kind,
        float(tau_lo),
        float(tau_hi),
    )


def _controls() -> list:
    names = list(FAMILIES)
    sch = gr.CheckboxGroup(names, value=list(D.schedules), label="Schedules to overlay")
    steps = Slider(2, 256, value=D.steps, step=1, label="Sampling steps N")
    source = gr.Radio(["photo", "field", "upload"], value=D.source, label="Image (sets the bounds and tight schedules)")
    photo = gr.Dropdown(list(data.PHOTOS), value=D.photo, label="Bundled photo (scikit-image)")
    beta = Slider(0.5, 4.0, value=D.beta, step=0.05, label="Synthetic field β (P ∝ f^-β)")
    seed = gr.Number(value=D.seed, label="Seed")
    size = gr.Dropdown(list(V.SIZES), value=D.size, label="Resolution (centre crop, resized)")
    tau_lo = Slider(0.01, 1.0, value=D.tau_lo, step=0.01, label="τ_lo: σ_max puts the strongest frequency at this SNR")
    tau_hi = Slider(1.0, 100.0, value=D.tau_hi, step=0.5, label="τ_hi: σ_min puts the weakest frequency at this SNR")
    dc = gr.Radio(["include", "exclude"], value=D.dc, label="σ_max from max(DC, lowest ring) or the lowest ring only")
    with gr.Accordion("Schedule parameters", open=False):
        sigma_min = gr.Number(value=D.sigma_min, label="karras / exponential σ_min")
        sigma_max = gr.Number(value=D.sigma_max, label="karras / exponential σ_max")
        rho = Slider(0.5, 15.0, value=D.rho, step=0.5, label="karras ρ")
        noise_d = Slider(
            8, 512, value=D.noise_d, step=8, label="shifted cosine base resolution (λ + 2 log(base / size))"
        )
    with gr.Accordion("diffusers settings (discrete families)", open=False):
        dfam = gr.Dropdown(list(V.DISCRETE), value=D.diffusers_family, label="Family shown in the diffusers panel")
        spacing = gr.Radio(["linspace", "leading", "trailing"], value=D.timestep_spacing, label="timestep_spacing")
        offset = gr.Number(value=D.steps_offset, label="steps_offset")
        zero_snr = gr.Checkbox(value=D.rescale_betas_zero_snr, label="rescale_betas_zero_snr")
        karras = gr.Checkbox(value=D.use_karras_sigmas, label="use_karras_sigmas")
        final = gr.Radio(["zero", "sigma_min"], value=D.final_sigmas_type, label="final_sigmas_type")
    animate = gr.Dropdown(names, value=D.animate, label="Schedule to animate (spectral autoregression)")
    custom = gr.Textbox(
        value=D.custom_points,
        label="`custom`: your own λ(t) through control points t:λ "
        "(t = 1 noise … 0 data, λ decreasing; monotone cubic between; Enter to apply)",
    )
    return [
        sch,
        steps,
        source,
        photo,
        beta,
        seed,
        size,
        tau_lo,
        tau_hi,
        dc,
        sigma_min,
        sigma_max,
        rho,
        noise_d,
        spacing,
        offset,
        zero_snr,
        karras,
        final,
        dfam,
        animate,
        custom,
        *_flow_controls(),
    ]


def _flow_controls() -> list:
    """sd3 and flux under your own FlowMatchEulerDiscreteScheduler settings (the legend names the values)."""
    with gr.Accordion(
        "Flow matching: your sd3 / flux settings (diffusers FlowMatchEulerDiscreteScheduler)", open=False
    ):
        shift = gr.Number(value=D.flow_shift, label="sd3 shift s: t′ = s t / (1 + (s − 1) t)")
        mu_from = gr.Radio(
            ["image_seq_len", "mu"],
            value=D.flux_mu_from,
            label="flux (use_dynamic_shifting=true): μ from image_seq_len or typed",
        )
        seq = gr.Number(value=D.flux_image_seq_len, label="flux image_seq_len (tokens; 1024² → 4096)")
        mu = gr.Number(value=D.flux_mu, label="flux mu (shift e^μ)")
        base = gr.Number(value=D.flux_base_shift, label="flux base_shift (μ at base_image_seq_len 256)")
        top = gr.Number(value=D.flux_max_shift, label="flux max_shift (μ at max_image_seq_len 4096)")
        terminal = gr.Number(value=D.flow_shift_terminal, label="shift_terminal for sd3 and flux (0 = off)")
    return [shift, mu_from, seq, mu, base, top, terminal]


def _outputs() -> dict:
    """The right-hand column: explanation, figures, tables, animation and data-set mode."""
    o = {"explanation": gr.Markdown(), "bounds": gr.Markdown()}
    with gr.Row():
        o["lam"], o["sig"] = Plot(label="logSNR per step"), Plot(label="σ per step")
    with gr.Row():
        o["hist"], o["res"] = Plot(label="Steps per logSNR bin"), Plot(label="Bounds vs resolution")
    with gr.Accordion("Resolution: SD3's and Flux's shift rules against the spectral law", open=True):
        o["res_md"] = gr.Markdown()
        with gr.Row():
            o["res_off"], o["res_lam"] = (
                Plot(label="Δλ per rule vs resolution"),
                Plot(label="Flux λ(t) per resolution"),
            )
    with gr.Accordion("Where training puts its weight: training-noise densities in λ", open=False):
        o["train_md"], o["train_fig"] = gr.Markdown(), Plot(label="p(λ) of training samplers")
    o["table"], o["diffusers"] = gr.Markdown(), gr.Markdown()
    with gr.Row():
        o["anim_btn"] = gr.Button("Animate spectral autoregression (GIF)")
        o["anim"] = gr.Image(
            label="Rings: red destroyed · orange ambiguous · green resolved (DC centred)", type="filepath", height=280
        )
    with gr.Accordion("Data-set mode: sample schedules from a Gaussian mixture", open=False):
        with gr.Row():
            o["ds"] = gr.Radio(list(handlers.DATASETS), value="digits", label="Data set")
            o["comps"] = Slider(1, 6, value=2, step=1, label="GMM components")
            o["draws"] = Slider(1, 50, value=12, step=1, label="Schedules to draw")
            o["kind"] = gr.Radio(["frequency", "power", "mixed"], value="mixed", label="Tight kind")
            o["ds_btn"] = gr.Button("Fit and sample")
        o["ds_md"] = gr.Markdown()
        with gr.Row():
            o["ds_scatter"], o["ds_curves"] = Plot(label="Per-image parameters"), Plot(label="Sampled schedules")
    return o


def _exports() -> dict:
    with gr.Accordion("Export and presets", open=False):
        e = {
            "json": gr.Button("Export schedules as JSON"),
            "diffusers": gr.Button("Export diffusers scheduler configs"),
            "kdiff": gr.Button("Export k-diffusion sigma lists"),
            "preset": gr.Button("Save view as preset + link"),
        }
        e["file"], e["link"], e["preset_in"] = export_controls()
    return e


def build(demo: gr.Blocks) -> None:
    gr.Markdown(
        "**What this shows.** Each frequency of an image has its own SNR, P(f)·e^λ. Above σ_max even the "
        "strongest frequency is drowned (SNR < τ_lo); below σ_min even the weakest is resolved (SNR > τ_hi) or "
        "the noise is below the 8-bit step. Steps outside that band change nothing you can see: tight "
        "schedules put every step inside it."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            settings = _controls()
            drag = point_editor(schedule_custom.editor_view(D.custom_points))
            upload = gr.File(
                label="Upload (PNG, JPEG, TIFF, WebP, GIF, NPY)",
                type="filepath",
                file_types=[".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".gif", ".npy"],
            )
            e = _exports()
        with gr.Column(scale=3):
            o = _outputs()
    _wire(demo, settings, upload, o, e, drag)
    schedule_networks.build(demo)
    schedule_inspector.build(demo)


def _wire(demo: gr.Blocks, settings: list, upload, o: dict, e: dict, drag: gr.HTML) -> None:
    (
        sch,
        steps,
        source,
        photo,
        beta,
        seed,
        size,
        tau_lo,
        tau_hi,
        dc,
        sigma_min,
        sigma_max,
        rho,
        noise_d,
        spacing,
        offset,
        zero_snr,
        karras,
        final,
        dfam,
        animate,
        custom,
        shift,
        mu_from,
        seq,
        mu,
        base,
        top,
        terminal,
    ) = settings
    named = IO.named(settings, before={"upload": upload})
    main = dict(
        fn=guard(schedules),
        inputs_kwargs=named,
        trigger_mode="always_last",
        show_progress="hidden",
        outputs=[o["explanation"], o["lam"], o["sig"], o["hist"], o["table"], o["diffusers"]],
    )
    bnd = dict(
        fn=guard(bounds),
        inputs_kwargs=named,
        outputs=[o["bounds"], o["res"]],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    gr.on(
        triggers=[
            sch.input,
            steps.release,
            source.change,
            photo.change,
            beta.release,
            seed.submit,
            size.change,
            tau_lo.release,
            tau_hi.release,
            dc.change,
            sigma_min.submit,
            sigma_max.submit,
            rho.release,
            noise_d.release,
            spacing.change,
            offset.submit,
            zero_snr.change,
            karras.change,
            final.change,
            dfam.change,
            custom.submit,
            shift.submit,
            mu_from.change,
            seq.submit,
            mu.submit,
            base.submit,
            top.submit,
            terminal.submit,
        ],
        api_name="schedules",
        **main,
    )
    bound_triggers = [
        source.change,
        photo.change,
        beta.release,
        seed.submit,
        size.change,
        tau_lo.release,
        tau_hi.release,
        dc.change,
    ]
    gr.on(triggers=bound_triggers, api_name="bounds", **bnd)
    res = dict(
        fn=guard(resolution),
        inputs_kwargs=named,
        outputs=[o["res_md"], o["res_off"], o["res_lam"]],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    gr.on(triggers=bound_triggers, api_name="schedule_resolution", **res)
    trn = dict(
        fn=guard(training),
        inputs_kwargs=named,
        outputs=[o["train_md"], o["train_fig"]],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    gr.on(triggers=bound_triggers, api_name="schedule_training", **trn)
    o["anim_btn"].click(guard(animation), inputs_kwargs=named, outputs=o["anim"], api_name="schedules_animation")
    for kind, api in (
        ("json", "schedules_json"),
        ("diffusers", "schedules_diffusers"),
        ("kdiff", "schedules_kdiffusion"),
    ):
        e[kind].click(guard(export(kind)), inputs_kwargs=named, outputs=e["file"], api_name=api)
    e["preset"].click(
        guard(IO.save_event()),
        inputs_kwargs=IO.named(settings),
        outputs=[e["file"], e["link"]],
        api_name="schedules_preset",
    )
    o["ds_btn"].click(
        guard(dataset),
        [o["ds"], o["comps"], o["draws"], seed, steps, o["kind"], tau_lo, tau_hi],
        [o["ds_scatter"], o["ds_curves"], o["ds_md"]],
        api_name="schedules_dataset",
    )
    edt = dict(fn=editor, inputs=[custom], outputs=drag, show_progress="hidden", trigger_mode="always_last")
    custom.submit(api_visibility="private", **edt)
    drag.release(
        guard(dragged), inputs=[sch], outputs=[custom, sch], api_visibility="private", show_progress="hidden"
    ).then(api_visibility="private", **main).then(api_visibility="private", **edt)
    IO.wire_restore(demo, e["preset_in"], settings, main, bnd, res, trn, edt)
    wire_upload(upload, source, D.source, main, bnd, res, trn)
