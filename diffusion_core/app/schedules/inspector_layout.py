"""Schedules tab, inspector panel: type, paste or upload configs; see the exact table and the diff."""

from __future__ import annotations

import gradio as gr

from ..widgets import Slider, ViewIO, guard
from . import inspector as handlers

D = handlers.InspectorView()
IO = ViewIO("schedule_inspector", handlers.InspectorView)
HELP = (
    "A config is `NAME[:key=value,...]` with diffusers' option names (`sd3:shift=2,shift_terminal=0.05`, "
    "`flux:image_seq_len=16384`, `flow-match:use_karras_sigmas=true`, `scaled-linear:timestep_spacing=trailing`), "
    "a VE sigma list `sigmas:80,10,1,0.1,0`, or a pasted diffusers `scheduler_config.json` "
    "(FlowMatchEulerDiscreteScheduler or EulerDiscreteScheduler; set_timesteps arguments under `_set_timesteps`)."
)


def inspect(**settings):
    """Main event (api_name `schedule_inspect`)."""
    r = handlers.inspect_view(IO.view(**settings))
    return r.summary, r.figure, r.diff, r.table


def build(demo: gr.Blocks) -> None:
    """The inspector accordion (call inside the Schedules tab)."""
    with gr.Accordion("Schedule inspector: exactly what a config yields, and where two configs diverge", open=True):
        gr.Markdown(HELP)
        with gr.Row():
            a = gr.Textbox(value=D.config_a, label="Config A", lines=2, max_lines=12)
            b = gr.Textbox(value=D.config_b, label="Config B (diffed against A)", lines=2, max_lines=12)
        with gr.Row():
            steps = Slider(1, 200, value=D.steps, step=1, label="Steps N")
            cross = gr.Number(value=D.crossing_sigma, label="σ* for the crossing step (VE)")
            strength = Slider(0.0, 1.0, value=D.strength, step=0.01, label="img2img strength")
            upload = gr.File(label="Upload scheduler_config.json into A", type="filepath", file_types=[".json"])
        summary = gr.Markdown()
        fig = gr.Plot(label="A vs B")
        with gr.Row():
            diff = gr.Markdown()
            table = gr.Markdown()
    settings = [a, b, steps, cross, strength]
    main = dict(
        fn=guard(inspect),
        inputs_kwargs=IO.named(settings),
        outputs=[summary, fig, diff, table],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    gr.on(
        triggers=[a.submit, b.submit, a.blur, b.blur, steps.release, cross.submit, strength.release],
        api_name="schedule_inspect",
        **main,
    )
    upload.upload(guard(handlers.read_config_upload), upload, a, api_visibility="private").then(
        api_visibility="private", **main
    )
    demo.load(api_visibility="private", **main)
