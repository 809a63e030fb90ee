"""Bases tab, trained GUD networks panel: a network's reverse process beside the exact Gaussian one in the same
space and schedule, and the closed-form share of each component group resolved (networks.py). The runs wait in the
sampling queue (widgets/concurrency.py); api_name `gud_network_reverse`."""

from __future__ import annotations

import gradio as gr

from ..widgets import guard, reporter
from ..widgets.concurrency import SAMPLING
from ..widgets.plot import Plot
from . import networks as handlers

INTRO = (
    "**Trained GUD networks.** The two MNIST networks of the GUD thread generate in their own space: pixels with "
    "a white prior and a = 1 (standard diffusion), or PCA components with the data-matched prior and soft "
    "conditioning a = 2. Here one network's reverse run is set beside the exact reverse process of the Gaussian "
    "fitted to the same digits, in the same space and schedule, from the same noise: where they part is what the "
    "network learned beyond the Gaussian. Time runs t = 1 (noise, left) → t = 0 (data, right)."
)


def gud_network_reverse(name, seed=0, steps=50, show="state", progress=gr.Progress()):
    """api_name `gud_network_reverse`: the two grids, the readout figure and the explanation."""
    r = handlers.gud_network_reverse(name, seed, steps, show, reporter(progress))
    return r.network, r.exact, r.readout, r.caption


def build() -> None:
    """The accordion (call inside the Bases tab). The runs start on Run both or a change of the panel's settings,
    never on page load (like the tab's own reverse process): the readout slider above keeps its CPU."""
    with gr.Accordion("Trained GUD networks: the reverse process per component, beside the exact Gaussian", open=True):
        gr.Markdown(INTRO)
        with gr.Row():
            name = gr.Radio(
                [(f"{label}: {n}", n) for label, n in handlers.NETWORKS], value=handlers.DEFAULT, label="Network"
            )
            seed = gr.Number(value=0, label="Seed")
            steps = gr.Dropdown(list(handlers.STEPS), value=50, label="Steps (both runs)")
            show = gr.Radio(
                [("current state χ̂(t)", "state"), ("denoised estimate", "denoised")], value="state", label="Show"
            )
            run = gr.Button("Run both", variant="primary", elem_id="gud-network-run")
        with gr.Row():
            network = gr.Image(label="Network (component-wise DDIM)", format="png", interactive=False)
            exact = gr.Image(label="Exact Gaussian (probability-flow ODE)", format="png", interactive=False)
        readout = Plot(label="Share of each component group resolved")
        caption = gr.Markdown()
    event = dict(
        fn=guard(gud_network_reverse),
        inputs=[name, seed, steps, show],
        outputs=[network, exact, readout, caption],
        trigger_mode="always_last",
        concurrency_id=SAMPLING,  # widgets/concurrency.py: its queue, its limit, gradio's full progress
        show_progress="full",
    )
    gr.on(
        triggers=[run.click, name.input, seed.submit, steps.input, show.input], api_name="gud_network_reverse", **event
    )
