"""Schedules tab, inspector panel: type, paste or upload configs; see the exact table and the diff."""

from __future__ import annotations

import gradio as gr

from ..widgets import Slider, ViewIO, guard, request_url
from ..widgets.plot import Plot
from . import inspector as handlers

D = handlers.InspectorView()
STEPS_SLIDER_MAX = handlers.STEPS_MAX  # the view's own bound
IO = ViewIO("schedule_inspector", handlers.InspectorView)
HELP = (
    "A config is `NAME[:key=value,...]` with diffusers' option names (`sd3:shift=2,shift_terminal=0.05`, "
    "`flux:image_seq_len=16384`, `flow-match:use_karras_sigmas=true`, `scaled-linear:timestep_spacing=trailing`), "
    "a VE sigma list `sigmas:80,10,1,0.1,0`, or a pasted diffusers `scheduler_config.json` "
    "(FlowMatchEulerDiscreteScheduler, EulerDiscreteScheduler or PNDMScheduler; keys diffusers ignores are listed "
    "in the notes; set_timesteps arguments such as Flux's `mu` / `image_seq_len` go under `_set_timesteps`)."
)


def inspect(**settings):
    """Main event (api_name `schedule_inspect`)."""
    r = handlers.inspect_view(IO.view(**settings))
    return r.summary, r.figure, r.diff, r.table


def link_event(request: gr.Request, **settings) -> str:
    """The inspector's settings -> a link (from the address this request used) that reopens this diff."""
    return f"{request_url(request)}?{handlers.inspector_query(IO.view(**settings))}"


def load_link(request: gr.Request) -> list:
    """`?tab=schedules&inspector.config_a=...` -> the inspector's controls; bad values stay default, one warning."""
    view, problems = handlers.view_from_link(dict(request.query_params) if request is not None else {})
    if problems:
        gr.Warning(
            "This link has inspector settings the app cannot use; they stay at their defaults: " + "; ".join(problems)
        )
    return IO.values(view)


def build(demo: gr.Blocks) -> None:
    """The inspector accordion (call inside the Schedules tab)."""
    with gr.Accordion("Schedule inspector: exactly what a config yields, and where two configs diverge", open=True):
        gr.Markdown(HELP)
        with gr.Row():
            a = gr.Textbox(value=D.config_a, label="Config A", lines=2, max_lines=12)
            b = gr.Textbox(value=D.config_b, label="Config B (diffed against A)", lines=2, max_lines=12)
        with gr.Row():
            steps = Slider(1, STEPS_SLIDER_MAX, value=D.steps, step=1, label="Steps N")
            cross = gr.Number(value=D.crossing_sigma, label="σ* for the crossing step (VE)")
            strength = Slider(0.0, 1.0, value=D.strength, step=0.01, label="img2img strength")
            upload = gr.File(label="Upload scheduler_config.json into A", type="filepath", file_types=[".json"])
        with gr.Row():
            save = gr.Button("Save this diff as a link", size="sm")
            link = gr.Textbox(label="Link to this diff", buttons=["copy"])
        summary = gr.Markdown()
        fig = Plot(label="A vs B")
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
    save.click(guard(link_event), inputs_kwargs=IO.named(settings), outputs=link, api_name="schedule_inspect_link")
    demo.load(guard(load_link), None, settings, api_visibility="private", show_progress="hidden").then(
        api_visibility="private", **main
    )
