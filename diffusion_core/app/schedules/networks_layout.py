"""Schedules tab, trained-networks panel: the spectral thread's networks at one NFE budget, the same seed in every
grid, each captioned with the benchmark's numbers (networks.py). The networks wait in the sampling queue
(widgets/concurrency.py); api_name `spectral_networks`."""

from __future__ import annotations

import gradio as gr

from ...sampling.threads import THREADS
from ..widgets import guard, reporter
from ..widgets.concurrency import SAMPLING
from . import networks as handlers


def spectral_networks(budget=5, seed=0, progress=gr.Progress()):
    """api_name `spectral_networks`: the intro, one grid and caption per network, the benchmark's table."""
    r = handlers.spectral_networks(budget, seed, reporter(progress))
    return (r.intro, *r.grids, *r.captions, r.table)


def build(page) -> None:
    """The accordion (call inside the Schedules tab). Opening the tab shows the question and the benchmark's
    table; the networks sample on Draw (or a budget or seed change), never on page load: a room of laptops
    opening the tab would otherwise queue four network runs each in the shared sampling group."""
    rows = THREADS[handlers.THREAD]
    with gr.Accordion("Trained networks: tight schedules at 5 to 50 network evaluations (spectral thread)", open=True):
        intro = gr.Markdown()
        with gr.Row():
            budget = gr.Radio(list(handlers.BUDGETS), value=5, label="NFE budget (network evaluations per sample)")
            seed = gr.Number(value=0, label="Seed (the same initial noise in every grid)")
            draw = gr.Button("Draw", variant="primary", elem_id="spectral-networks-draw")
        grids, captions = [], []
        with gr.Row(equal_height=False):
            for label, _, _ in rows:
                with gr.Column(min_width=240):
                    grids.append(gr.Image(label=label, height=240, format="png", interactive=False))
                    captions.append(gr.Markdown())
        table = gr.Markdown()
    gr.on(
        triggers=[draw.click, budget.input, seed.submit],
        fn=guard(spectral_networks),
        inputs=[budget, seed],
        outputs=[intro, *grids, *captions, table],
        api_name="spectral_networks",
        trigger_mode="always_last",
        concurrency_id=SAMPLING,  # widgets/concurrency.py: its queue, its limit, gradio's full progress
        show_progress="full",
    )
    page.load(guard(handlers.spectral_overview), None, [intro, table], api_visibility="private", show_progress="hidden")
