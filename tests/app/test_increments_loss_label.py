"""Issue 26: the Increments Laplace loss toggle's label says what each choice is (the default, coordinate, is
the KL of the unit-variance laws the project samples, per coordinate; paper is the printed form)."""

import gradio as gr

from diffusion_core.app.increments import layout


def test_laplace_form_label_says_what_it_does():
    with gr.Blocks() as demo:
        layout.build(demo)
    (radio,) = [b for b in demo.blocks.values() if isinstance(b, gr.Radio) and "paper" in [c[1] for c in b.choices]]
    assert "coordinate = KL of the sampled laws" in radio.label and "paper = the printed form" in radio.label
