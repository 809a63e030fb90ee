"""Scale space tab, trained networks: controls, outputs and events of the Flexi-UNet vs full-resolution
baseline comparison and the path diagram (handlers in scale_space/flexi.py)."""

from __future__ import annotations

import gradio as gr

from ..widgets import Slider, ViewIO, guard, reporter
from ..widgets.concurrency import SAMPLING
from ..widgets.plot import Plot
from . import flexi as handlers

D = handlers.FlexiView()
PATH_PLOT, FLOPS_PLOT, CAPTION = "flexi-path", "flexi-flops", "flexi-caption"  # elem_ids: t moves redraw them live
IO = ViewIO("scale_space_flexi", handlers.FlexiView)


def compare(progress=gr.Progress(), **settings):
    """Main event (api_name `scale_space_flexi`)."""
    progress(0, desc="sampling the Flexi-UNet and the baseline")
    r = handlers.flexi_compare(IO.view(**settings), reporter(progress))
    return r.flexi, r.baseline, r.explanation


def diagram(**settings):
    return handlers.flexi_diagram(IO.view(**settings))


def controls() -> tuple[list, gr.Button]:
    """Left column: seed, samples, steps, transition, and the sampling button."""
    with gr.Accordion("Trained networks (MNIST): Flexi-UNet vs full resolution", open=True):
        seed = gr.Number(value=D.seed, label="Seed (both networks)")
        n = Slider(4, 64, value=D.n, step=4, label="Samples per network")
        steps = Slider(10, 1000, value=D.steps, step=10, label="Sampling steps (same for both, of T = 1000)")
        transition = gr.Radio(
            list(handlers.TRANSITIONS),
            value=D.transition,
            label="Flexi-UNet switch step: exact posterior (Mᵀ, non-white noise) or naive (upsample + white noise)",
        )
        button = gr.Button("Sample: Flexi-UNet vs baseline (same seed)", variant="primary")
    return [seed, n, steps, transition], button


def outputs() -> tuple[list, list]:
    """Right column: the two sample grids and their numbers; the path diagram and FLOPs per step."""
    gr.Markdown("### Trained networks on MNIST (32×32): the Flexi-UNet against full-resolution diffusion")
    explanation = gr.Markdown()
    with gr.Row():
        flexi_img = gr.Image(label="Flexi-UNet (SSD 32→16→8)", type="numpy", format="png", height=300)
        base_img = gr.Image(
            label="Full-resolution baseline (same network, same seed)", type="numpy", format="png", height=300
        )
    caption = gr.Markdown(elem_id=CAPTION)
    with gr.Row():
        path = Plot(label="Flexi-UNet path at the current t", elem_id=PATH_PLOT)
        flops = Plot(label="FLOPs per step", elem_id=FLOPS_PLOT)
    return [flexi_img, base_img, explanation], [path, flops, caption]


def wire(demo: gr.Blocks, t: gr.Slider, settings: list, button: gr.Button, sample_out: list, diagram_out: list) -> dict:
    """settings: seed, n, steps, transition; the tab's t slider is the view's last field. Returns the diagram
    event's arguments: the tab's t moves draw the diagram live (scale_space/layout.py) and its link and preset
    restore run this event once."""
    named = IO.named([*settings, t])
    button.click(
        guard(compare),
        inputs_kwargs=named,
        outputs=sample_out,
        api_name="scale_space_flexi",
        concurrency_id=SAMPLING,
        show_progress="full",
    )
    dia = dict(
        fn=guard(diagram), inputs_kwargs=named, outputs=diagram_out, trigger_mode="always_last", show_progress="hidden"
    )
    gr.on(triggers=[settings[2].release], api_name="scale_space_flexi_path", **dia)
    demo.load(api_visibility="private", **dia)
    return dia


def view_of(t: float, **settings) -> handlers.FlexiView:
    """The diagram's view from the flexi controls given as flexi_<field> (the Scale space t move's inputs)."""
    return IO.view(**{k.removeprefix("flexi_"): v for k, v in settings.items()}, t=t)


def named_for_live(settings: list) -> dict:
    """inputs_kwargs of the flexi controls, as flexi_<field>, for an event that also takes the tab's fields."""
    return {f"flexi_{k}": c for k, c in zip(IO.fields, settings)}
