"""A value typed into a slider's number box outside its range (issue 12 item 3). gradio's own bound check
raised before `guard`: λ = 50 on the Spectrum tab gave the error toast "Value 50 is greater than maximum
value 12.0." and 8 error marks (seen in Chromium), and the slider then read 12 while every figure stayed at
λ = 0. Now the event computes at the nearest end of the range (the value the slider snaps to) with one
warning on the page, API callers get one error, and an emptied box leaves the outputs alone."""

import ast
from pathlib import Path

import gradio as gr
import pytest

from diffusion_core.app.widgets import events as layout
from diffusion_core.app.widgets.slider import EMPTY, Clamped, Slider

APP = Path(__file__).resolve().parents[2] / "diffusion_core" / "app"
LAYOUT = sorted([*APP.glob("*/*layout.py"), *APP.glob("widgets/*.py")])  # every module that builds controls


def test_every_slider_of_the_app_is_the_guarded_slider():
    """An AST check: no tab builds a plain gr.Slider (whose preprocess raises before guard)."""
    plain = []
    assert len(LAYOUT) >= 10
    for path in LAYOUT:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "Slider"
                and path.name != "slider.py"
            ):
                plain.append(f"{path.name}:{node.lineno}")
    assert not plain, plain


def test_preprocess_clamps_out_of_range_and_marks_an_empty_box():
    s = Slider(-12.0, 12.0, value=0.0, step=0.05, label="Noise level: logSNR λ")
    assert s.get_block_name() == "slider"  # gradio's own slider on the page
    rebuilt = s.__class__(**{**s.constructor_args, "maximum": 20.0})  # what a gr.update of the range does
    assert float(rebuilt.preprocess(50)) == 20.0
    v = s.preprocess(50)
    assert isinstance(v, Clamped) and float(v) == 12.0 and v.typed == 50.0
    assert v.message() == (
        "Noise level: logSNR λ: 50 is outside the slider's range [-12, 12]; shown at 12. Type a value in the range."
    )
    assert float(s.preprocess(-1e9)) == -12.0
    assert s.preprocess(None) is EMPTY
    inside = s.preprocess(3.5)
    assert inside == 3.5 and not isinstance(inside, Clamped)
    with pytest.raises(gr.Error):  # what gradio's own slider does
        gr.Slider(-12.0, 12.0, label="λ").preprocess(50)


def _recorded(fn):
    calls = []

    def record(*args, **kwargs):
        calls.append((args, kwargs))
        return fn(*args, **kwargs)

    record.__name__ = fn.__name__
    return calls, record


def test_guard_on_the_page_computes_at_the_clamp_with_one_warning(monkeypatch):
    warnings = []
    monkeypatch.setattr(layout, "from_the_page", lambda: True)
    monkeypatch.setattr(layout.gr, "Warning", lambda msg, **kw: warnings.append((msg, kw.get("title"))))
    calls, fn = _recorded(lambda lam, seed=0: f"λ = {lam:.2f}")
    out = layout.guard(fn)(Clamped(50.0, "λ", -12.0, 12.0), seed=Clamped(-3.0, "seed", 0.0, 9.0))
    assert out == "λ = 12.00"
    ((args, kwargs),) = calls
    assert type(args[0]) is float and type(kwargs["seed"]) is float and kwargs["seed"] == 0.0
    assert len(warnings) == 1 and warnings[0][1] == "Out of range"
    assert "λ: 50 is outside" in warnings[0][0] and "seed: -3 is outside" in warnings[0][0]


def test_guard_for_api_callers_is_one_error_and_no_computation(monkeypatch):
    monkeypatch.setattr(layout, "from_the_page", lambda: False)
    calls, fn = _recorded(lambda lam: lam)
    with pytest.raises(gr.Error, match=r"λ must be in \[-12, 12\] \(the slider's range\), got 50"):
        layout.guard(fn)(Clamped(50.0, "λ", -12.0, 12.0))
    assert calls == []


def test_guard_leaves_the_outputs_alone_for_an_emptied_box():
    calls, fn = _recorded(lambda lam: lam)
    out = layout.guard(fn)(EMPTY)
    assert calls == [] and isinstance(out, type(gr.skip()))
