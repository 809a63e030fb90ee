"""Samplers (side by side) tab layout: model, schedule, steps, seed, noise law, the sampling-noise controls
(step noise white/coloured/brownian, DDIM η, EDM churn) and 2-4 samplers on the left; the sample grids from the
same initial noise, their quality and NFE, quality vs NFE and a trajectory GIF on the right. Main event api_name
`sample_compare`.
"""

from __future__ import annotations

import gradio as gr

from ...devices import available
from ...models.folders import MODELS_DIR, folder_models
from ...models.registry import SPECS
from ...noise.samplers import SAMPLERS
from ...noise.schedules import FAMILIES
from ...nonnormal.controls import STEP_NOISES
from ...nonnormal.laws import LAWS
from ...sampling.pair_grid import MAX_SEEDS, PAIRS
from ...sampling.pair_grid import pair_model_name as pair_name
from ...validation import InputError, check_int
from ..widgets import Slider, ViewIO, export_controls, from_the_page, guard, reporter
from ..widgets.concurrency import SAMPLING
from ..widgets.plot import Plot
from . import handlers
from . import pairs as pair_handlers
from . import trajectory as trajectory_handlers
from . import view as V

D = V.SamplersView()


IO = ViewIO("samplers", V.SamplersView)


def sample_compare(progress=gr.Progress(), **settings):
    """Main event (api_name `sample_compare`)."""
    r = handlers.sample_compare(IO.view(**settings), reporter(progress))
    return r.panel, r.table, r.sweep, r.explanation


def sweep(progress=gr.Progress(), **settings):
    """Second step of a click (api_name `sample_compare_sweep`): quality vs NFE (networks: sampled, with progress)."""
    try:
        view = IO.view(**settings)
    except InputError:
        if from_the_page():
            return gr.skip()  # the samples event, run just before with the same settings, has said it once
        raise
    fig, _ = handlers.sweep_after(view, reporter(progress))
    return fig


def pair_grid(pairs, seed, seeds, steps, schedule, device, step_noise, progress=gr.Progress()):
    """The pairs x seeds panel (api_name `pair_grid`): progress after every sampling step of every row."""
    view = pair_handlers.PairGridView(
        pairs=tuple(pairs or ()),
        seed=check_int("first seed", seed),
        seeds=int(seeds),
        steps=int(steps),
        schedule=schedule,
        device=device,
        step_noise=step_noise,
    )
    r = pair_handlers.pair_grid(view, reporter(progress))
    return r.panel, r.table, r.explanation


def trajectory(progress=gr.Progress(), **settings):
    progress(0.2, desc="recording the trajectory")
    path = trajectory_handlers.trajectory_gif(IO.view(**settings))
    return path, [path]


def trajectory_mp4(progress=gr.Progress(), **settings):
    progress(0.2, desc="recording the trajectory")
    return [trajectory_handlers.trajectory_gif(IO.view(**settings), fmt="mp4")]


def export_figures(progress=gr.Progress(), **settings):
    return handlers.compare_figures(IO.view(**settings), reporter(progress))


def export_csv(**settings):
    return [handlers.compare_csv(IO.view(**settings))]


def export_json(**settings):
    return [handlers.compare_json(IO.view(**settings))]


def build(demo: gr.Blocks) -> None:
    gr.Markdown(
        "**What this shows.** The same model, the same schedule and the same initial noise, handed to "
        "different samplers. With an *exact* denoiser (fields, digits-*) the differences are the samplers' own "
        "discretisation errors, measured against the exact answer; trained MNIST networks are scored by the "
        "project's digit classifier. Below: Li's increment pairs side by side from the same seeds."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            model = gr.Dropdown(
                [*SPECS, *folder_models()],
                value=D.model,
                allow_custom_value=True,
                label=f"Model: a registry name, or the name of a model folder in {MODELS_DIR}/ "
                "(exported, or diffusers DDPMPipeline.save_pretrained)",
            )
            samplers = gr.CheckboxGroup(list(SAMPLERS), value=list(D.samplers), label="Samplers (choose 2-4)")
            schedule = gr.Dropdown(
                list(FAMILIES), value=D.schedule, label="Schedule (karras/edm/exponential use the model's σ range)"
            )
            steps = Slider(1, V.MAX_VIEW_STEPS, value=D.steps, step=1, label="Steps N (heun uses 2N − 1 evaluations)")
            with gr.Row():
                seed = gr.Number(value=D.seed, label="Seed (same initial noise for all)")
                n = Slider(1, V.MAX_VIEW_N, value=D.n, step=1, label="Samples per sampler")
            law = gr.Radio(list(LAWS), value=D.noise_law, label="Noise law of the injections (stochastic samplers)")
            noise_controls = _noise_controls()
            with gr.Row():
                guide = gr.Dropdown(
                    ["", *SPECS, *folder_models()],
                    value=D.guide,
                    allow_custom_value=True,
                    label="Autoguidance: a weaker model of the same data (empty = none), e.g. "
                    "mnist-li-gaussian-gaussian for the deep MNIST networks",
                )
                guidance = gr.Number(
                    value=D.guidance, label="Guidance weight w in [0, 10] (1 = the model alone; NFE counts both models)"
                )
            device = gr.Dropdown(
                ["auto", *available()],
                value=D.device,
                label="Device for networks (auto: CUDA, then MPS, then CPU; exact denoisers use the CPU)",
            )
            run = gr.Button("Sample side by side", variant="primary")
            gif_btn = gr.Button("Trajectory GIF (first sampler, first sample)")
            with gr.Accordion("Export and presets", open=False):
                fig_btn = gr.Button("Export figure (PNG + SVG) and samples (PNG)")
                mp4_btn = gr.Button("Trajectory as MP4")
                csv_btn = gr.Button("Export quality vs NFE as CSV")
                json_btn = gr.Button("Export numbers as JSON")
                preset_btn = gr.Button("Save view as preset + link")
                out_file, link, preset_in = export_controls()
        with gr.Column(scale=3):
            explanation = gr.Markdown()
            gallery = gr.Image(
                label="Samples: exact data, then each sampler (same initial noise)",
                type="numpy",
                format="png",
                height=340,
            )
            table = gr.Markdown()
            with gr.Row():
                sweep = Plot(label="Quality vs NFE (★ = this run)")
                gif = gr.Image(
                    label="Trajectory: VP state x/√(1+σ²) | denoiser estimate x̂₀", type="filepath", height=300
                )

    _wire(
        demo,
        [model, samplers, schedule, steps, seed, law, n, device, *noise_controls, guide, guidance],
        [gallery, table, sweep, explanation],
        run,
        seed,
        gif_btn,
        gif,
        (fig_btn, mp4_btn, csv_btn, json_btn),
        preset_btn,
        out_file,
        link,
        preset_in,
    )
    if all(pair_name(p) in SPECS for p in PAIRS):
        _pair_panel(schedule, device)


def _noise_controls() -> list:
    """Sampling-noise controls beside the law, in the view's field order: step noise, slope, DDIM η, EDM churn."""
    with gr.Group():
        with gr.Row():
            step_noise = gr.Radio(
                list(STEP_NOISES),
                value=D.step_noise,
                label="Step noise (brownian: one path W(σ) per seed, the same for every N; Gaussian law only)",
            )
            slope = Slider(
                0, 4, value=D.noise_slope, step=0.1, label="Coloured: spectrum ∝ f^−slope (0 white, 1 pink, 2 brown)"
            )
        eta = Slider(0, 1, value=D.eta, step=0.05, label="DDIM η (ddim only): 0 deterministic, 1 = DDPM ancestral")
        with gr.Row():
            s_churn = gr.Number(value=D.s_churn, label="EDM churn S_churn (euler, heun; 0 = off)")
            s_noise = gr.Number(value=D.s_noise, label="S_noise")
        with gr.Row():
            s_tmin = gr.Number(value=D.s_tmin, label="S_tmin (churn where S_tmin ≤ σ ≤ S_tmax)")
            s_tmax = gr.Number(value=D.s_tmax, label="S_tmax")
    return [step_noise, slope, eta, s_churn, s_tmin, s_tmax, s_noise]


def _pair_panel(schedule, device) -> None:
    """Li's MNIST networks, one row per increment pair, one column per seed (same initial noise down a column)."""
    gr.Markdown(
        "### Increment pairs × seeds: Li's construction on MNIST, sampled with each pair's p (the model's law) as step "
        "noise by default"
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            pairs = gr.CheckboxGroup(list(PAIRS), value=list(PAIRS), label="Increment pairs q–p (rows)")
            with gr.Row():
                pseed = gr.Number(value=0, label="First seed")
                pseeds = Slider(1, MAX_SEEDS, value=8, step=1, label="Seeds (columns)")
            psteps = Slider(1, 100, value=10, step=1, label="Ancestral steps N (schedule and device as above)")
            pnoise = gr.Radio(
                [("p: the model's law (Li's chain)", "p"), ("q's law (a labelled alternative)", "q")],
                value="p",
                label="Step noise",
            )
            go = gr.Button("Sample pairs × seeds", variant="primary")
        with gr.Column(scale=3):
            text = gr.Markdown()
            grid = gr.Image(
                label="Rows: increment pair · columns: seed (one initial noise per column)",
                type="numpy",
                format="png",
                height=420,
            )
            numbers = gr.Markdown()
    go.click(
        guard(pair_grid),
        [pairs, pseed, pseeds, psteps, schedule, device, pnoise],
        [grid, numbers, text],
        api_name="pair_grid",
        trigger_mode="always_last",
        show_progress="full",
        concurrency_id=SAMPLING,
    )


def _wire(demo, settings, outputs, run, seed, gif_btn, gif, export_btns, preset_btn, out_file, link, preset_in) -> None:
    """Events: the main computation (api_name `sample_compare`), the GIF, exports, presets and links. All but the
    preset sample (or may: a view not run yet), so they share the sampling queue (widgets/concurrency.py)."""
    named = IO.named(settings)
    sampling = dict(inputs_kwargs=named, concurrency_id=SAMPLING, show_progress="full")
    main = dict(fn=guard(sample_compare), outputs=outputs, trigger_mode="always_last", **sampling)
    later = dict(fn=guard(sweep), outputs=outputs[2], **sampling)
    gr.on(triggers=[run.click, seed.submit], api_name="sample_compare", **main).then(
        api_name="sample_compare_sweep", **later
    )
    gif_btn.click(guard(trajectory), outputs=[gif, out_file], api_name="sample_trajectory", **sampling)
    fig_btn, mp4_btn, csv_btn, json_btn = export_btns
    fig_btn.click(guard(export_figures), outputs=out_file, api_name="sample_compare_figures", **sampling)
    mp4_btn.click(guard(trajectory_mp4), outputs=out_file, api_name="sample_trajectory_mp4", **sampling)
    csv_btn.click(guard(export_csv), outputs=out_file, api_name="sample_compare_csv", **sampling)
    json_btn.click(guard(export_json), outputs=out_file, api_name="sample_compare_json", **sampling)
    preset_btn.click(
        guard(IO.save_event()), inputs_kwargs=named, outputs=[out_file, link], api_name="sample_compare_preset"
    )
    IO.wire_restore(demo, preset_in, settings, main, later)
