"""Increments tab layout: law and step controls on the left; the forward walk, the loss viewer and
reverse sampling on the right. Main event api_name `increments` (forward walk); the loss viewer
and the sampling runs have their own events (`increments_loss`, `increments_reverse`, `increments_images`).
"""

from __future__ import annotations

import gradio as gr

from ...nonnormal.laws import LAWS
from ..widgets import Slider, ViewIO, export_controls, guard
from ..widgets.concurrency import SAMPLING
from ..widgets.live import live_box, live_payload, wire_live
from ..widgets.plot import Plot
from . import handlers
from . import view as V

D = V.IncrementsView()


IO = ViewIO("increments", V.IncrementsView)


def increments(**settings):
    """Main event (api_name `increments`): the forward walk with the chosen law."""
    r = handlers.forward_view(IO.view(**settings))
    return r.histogram, r.moments, r.forms, r.kurtosis, r.explanation


def loss(**settings):
    return handlers.loss_view(IO.view(**settings))


LOSS_PLOT, LOSS_TEXT = "increments-loss", "increments-loss-text"  # elem_ids: a t move redraws them live


def loss_live(**settings):
    """A t move (api_name `increments_loss_live`): the text for gradio, the figure and text again as the live
    payload the page draws while the slider moves (widgets/live.py)."""
    fig, text = handlers.loss_view(IO.view(**settings))
    return text, live_payload("increments", {LOSS_PLOT: fig}, {LOSS_TEXT: text})


def reverse(progress=gr.Progress(), **settings):
    progress(0.1, desc="sampling the 2-D mixture with every law")
    fig, text, _ = handlers.reverse_view(IO.view(**settings))
    return fig, text


def images(progress=gr.Progress(), **settings):
    progress(0.1, desc="sampling digits with every law")
    return handlers.digits_view(IO.view(**settings))


def export_csv(**settings):
    return handlers.forward_csv(IO.view(**settings))


def export_json(**settings):
    return handlers.forward_json(IO.view(**settings))


def build(demo: gr.Blocks) -> None:
    gr.Markdown(
        "**What this shows.** The forward process is a random walk x_{k+1} = a_k x_k + s_k z_k. Li's invariance "
        "principle says the law of the increments z_k (any zero-mean, unit-variance law with a finite fourth "
        "moment) is forgotten in the continuum limit: the moments are identical at every N, and the shape of x_N "
        "becomes Gaussian as N grows. The law still matters at finite N: in the per-step loss it implies and in "
        "the noise injected while sampling. Reference process: β(t) = 0.1 + 19.9t, x₀ = 1."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            law = gr.Dropdown(list(LAWS), value=D.law, label="Increment law z")
            nu = Slider(4.5, 50.0, value=D.nu, step=0.5, label="Student-t ν (> 4: finite fourth moment)")
            steps = Slider(1, 1000, value=D.steps, step=1, label="Steps N (forward walk)")
            form = gr.Radio(["ddpm", "euler"], value=D.form, label="Step form")
            grid = gr.Radio(["right", "left"], value=D.grid, label="β read at the … end of each step")
            paths = Slider(1000, 200_000, value=D.paths, step=1000, label="Monte Carlo paths")
            seed = gr.Number(value=D.seed, label="Seed")
            gr.Markdown("**Loss viewer**")
            loss_t = Slider(0.001, 1.0, value=D.loss_t, step=0.001, label="t of the step (0 = data, 1 = noise)")
            loss_steps = Slider(1, 2000, value=D.loss_steps, step=1, label="Steps N (Δt = 1/N)")
            laplace_form = gr.Radio(
                [("KL of the sampled laws", "coordinate"), ("paper's printed form", "paper")],
                value=D.laplace_form,
                label="Laplace–Laplace loss: coordinate = KL of the sampled laws, per coordinate; paper = the printed form",
            )
            gr.Markdown("**Reverse sampling**")
            reverse_steps = Slider(1, 500, value=D.reverse_steps, step=1, label="Reverse steps")
            reverse_sampler = gr.Radio(["reverse-sde", "ddpm_ancestral"], value=D.reverse_sampler, label="Sampler")
            samples = Slider(50, 5000, value=D.samples, step=50, label="2-D samples per law")
            with gr.Accordion("Export and presets", open=False):
                csv_btn = gr.Button("Export moment curves as CSV")
                json_btn = gr.Button("Export live numbers as JSON")
                preset_btn = gr.Button("Save view as preset + link")
                out_file, link, preset_in = export_controls(multiple=False)
        with gr.Column(scale=3):
            explanation = gr.Markdown()
            with gr.Row():
                hist = Plot(label="x_N against its Gaussian limit")
                kurt = Plot(label="Excess kurtosis against N")
            moments = Plot(label="Mean and variance for every law")
            forms = Plot(label="Euler vs DDPM form")
            with gr.Row():
                loss_plot = Plot(label="Loss shapes", elem_id=LOSS_PLOT)
                loss_text = gr.Markdown(elem_id=LOSS_TEXT)
            live = live_box()
            with gr.Row():
                reverse_btn = gr.Button("Sample the 2-D mixture with every law", variant="primary")
                images_btn = gr.Button("Same-seed digits with every law")
            reverse_plot = Plot(label="Reverse sampling, 2-D mixture")
            reverse_text = gr.Markdown()
            with gr.Row():
                digits = gr.Image(label="Same-seed digits (rows: laws)", type="numpy", height=330, format="png")
                digits_text = gr.Markdown()

    settings = [
        law,
        nu,
        steps,
        paths,
        seed,
        form,
        grid,
        loss_t,
        loss_steps,
        laplace_form,
        reverse_steps,
        reverse_sampler,
        samples,
    ]
    named = IO.named(settings)
    main = dict(
        fn=guard(increments),
        inputs_kwargs=named,
        outputs=[hist, moments, forms, kurt, explanation],
        trigger_mode="always_last",
        show_progress="minimal",
    )
    gr.on(
        triggers=[law.change, nu.release, steps.release, form.change, grid.change, paths.release, seed.submit],
        api_name="increments",
        **main,
    )
    loss_ev = dict(
        fn=guard(loss),
        inputs_kwargs=named,
        outputs=[loss_plot, loss_text],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    gr.on(triggers=[loss_steps.change, laplace_form.change], api_name="increments_loss", **loss_ev)
    # t moves: the page posts loss_live itself and draws the answer, the release runs it through gradio
    # (widgets/live.py). The tab's opening, a link and a preset set the controls, then draw both views from them
    # (wire_restore below): a programmatic set fires .change, not .release, so a link's N alone drew nothing.
    wire_live(loss_t, guard(loss_live), inputs_kwargs=named, outputs=[loss_text, live], api_name="increments_loss_live")
    sampling = dict(inputs_kwargs=named, concurrency_id=SAMPLING, show_progress="full")  # widgets/concurrency.py
    reverse_btn.click(guard(reverse), outputs=[reverse_plot, reverse_text], api_name="increments_reverse", **sampling)
    images_btn.click(guard(images), outputs=[digits, digits_text], api_name="increments_images", **sampling)
    csv_btn.click(guard(export_csv), inputs_kwargs=named, outputs=out_file, api_name="increments_csv")
    json_btn.click(guard(export_json), inputs_kwargs=named, outputs=out_file, api_name="increments_json")
    preset_btn.click(
        guard(IO.save_event()), inputs_kwargs=named, outputs=[out_file, link], api_name="increments_preset"
    )
    IO.wire_restore(demo, preset_in, settings, main, loss_ev)
