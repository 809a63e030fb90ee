"""Workshop tab layout: pick an exercise, open its live view, check an answer."""

from __future__ import annotations

import gradio as gr

from ..widgets import guard, request_url
from . import handlers


def worksheet(request: gr.Request):
    """The worksheet with links absolute from the address this request came in on."""
    return handlers.worksheet(request_url(request))


def build(demo: gr.Blocks) -> None:
    titles = list(handlers.exercises())
    gr.Markdown(
        "**For instructors and students.** Each exercise links to a live view of one of the other tabs; "
        "read the number off the plots and check it here. Answers are computed by the app itself, so "
        "they are the same on every laptop, offline."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            pick = gr.Radio(titles, value=titles[0], label="Exercise")
            sheet_btn = gr.Button("Download the worksheet (Markdown)")
            sheet = gr.File(label="Worksheet", interactive=False)
        with gr.Column(scale=2):
            task = gr.Markdown(handlers.exercise_markdown(titles[0]))
            with gr.Row():
                answer = gr.Textbox(
                    label="Your answer", value="", placeholder="a number, e.g. 2.5", lines=1, max_lines=1
                )
                check_btn = gr.Button("Check", variant="primary")
                reveal_btn = gr.Button("Show the answer")
            verdict = gr.Markdown()
    pick.change(guard(handlers.exercise_markdown), pick, task, api_name="workshop_exercise").then(
        lambda: ("", ""), None, [verdict, answer], api_visibility="private"
    )
    check_btn.click(guard(handlers.check_answer), [pick, answer], verdict, api_name="workshop_check")
    reveal_btn.click(guard(handlers.reveal), pick, verdict, api_name="workshop_reveal")
    sheet_btn.click(guard(worksheet), None, sheet, api_name="workshop_sheet")
