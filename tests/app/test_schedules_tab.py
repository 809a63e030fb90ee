"""Schedules tab handlers, without a server; presets; the layout builds."""

from __future__ import annotations

import glob
import json
import math
import os

import numpy as np
import pytest

from diffusion_core.app.schedules import handlers as H
from diffusion_core.presets import dump_preset, from_query, load_preset, to_query
from diffusion_core.validation import InputError

PRESETS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "..", "presets", "schedules", "*.toml")))


def test_main_view_numbers_and_redundant_steps():
    v = H.SchedulesView(
        schedules=("edm", "tight-mixed", "karras"), steps=16, photo="camera", size=128, sigma_min=0.5, sigma_max=2.0
    )
    r = H.schedules_view(v)
    b = r.numbers["bounds"]
    assert r.numbers["tight-mixed"]["redundant"] == 0
    assert r.numbers["tight-mixed"]["sigma_max"] == pytest.approx(b["sigma_max"])
    lam = -2 * np.log(np.array(H.build_schedule("edm", 16).sigmas[:-1]))
    expect = int((lam < b["logsnr_min"]).sum() + (lam > b["logsnr_max"]).sum())
    assert r.numbers["edm"]["redundant"] == expect > 0
    assert r.numbers["karras"]["sigma_max"] == pytest.approx(2.0) and r.numbers["karras"]["redundant"] == 0
    assert "camera" in r.explanation and f"{b['sigma_max']:.3g}" in r.explanation
    assert "timesteps" in r.diffusers and "terminal SNR" in r.diffusers


def test_bounds_panel_resolution_shift():
    md, fig, nums = H.bounds_view(H.SchedulesView(photo="astronaut"))
    assert nums["shift_per_doubling"] == pytest.approx(-2 * math.log(2), abs=0.01)
    assert nums["sigma_max"] == pytest.approx(94.0, rel=0.005) and "-1.386" in md


def test_autoregression_frames_follow_the_schedule():
    v = H.SchedulesView(schedules=("edm",), steps=6, animate="tight-power", size=64)
    frames = H.autoregression_frames(v)
    assert len(frames) == 6 and frames[0].shape == (256, 256, 3) and frames[0].dtype == np.uint8
    _, spec = H.image_and_spectrum(v, None)
    first = H.ring_class_map(spec, -40.0, 0.1, 10)  # everything destroyed
    last = H.ring_class_map(spec, 40.0, 0.1, 10)  # everything resolved
    inside = first >= 0
    assert (first[inside] == 0).all() and (last[inside] == 2).all() and (first == -1).any()
    green = [(f == np.array([44, 160, 44], dtype=np.uint8)).all(axis=-1).mean() for f in frames]
    assert all(np.diff(green) >= 0) and green[-1] > green[0]


def test_exports_are_valid(tmp_path):
    v = H.SchedulesView(schedules=("scaled-linear", "karras", "tight-frequency"), steps=5, size=64)
    data = json.load(open(H.export_json(v)))
    assert set(data) == {"scaled-linear", "karras", "tight-frequency", "bounds"}
    assert len(data["karras"]["sigmas"]) == 6 and data["karras"]["sigmas"][-1] == 0
    cfg = json.load(open(H.export_diffusers(v)))
    assert cfg["scaled-linear"]["beta_schedule"] == "scaled_linear" and "custom_sigmas" in cfg["tight-frequency"]
    text = open(H.export_kdiffusion(v)).read()
    assert "sigmas_tight_frequency = torch.tensor([" in text


def test_dataset_mode():
    scatter, curves, md = H.dataset_view("fields", 2, 5, 0, 12, "power")
    assert "64 images" in md and len(curves.data) == 6


@pytest.mark.parametrize("path", PRESETS)
def test_presets_load_and_round_trip(path):
    v = load_preset(os.path.abspath(path), H.SchedulesView)
    assert load_preset(dump_preset(v), H.SchedulesView, text=True) == v
    assert from_query(to_query(v), H.SchedulesView) == v
    r = H.schedules_view(v)
    assert all(r.numbers[k]["redundant"] == 0 for k in v.schedules if k.startswith("tight-"))


def test_at_least_three_presets_and_unknown_key_rejected():
    assert len(PRESETS) >= 3
    with pytest.raises(InputError, match="unknown preset key"):
        load_preset("steps = 4\nwobble = 1\n", H.SchedulesView, text=True)


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"schedules": ()}, "empty"),
        ({"schedules": ("nope",)}, "unknown schedule"),
        ({"steps": 0}, "steps"),
        ({"tau_lo": 20.0}, "tau_lo"),
        ({"sigma_min": 5.0, "sigma_max": 1.0}, "sigma_max"),
        ({"rho": 0.0}, "rho"),
        ({"size": 100}, "size"),
        ({"beta": float("nan")}, "beta"),
    ],
)
def test_bad_view_settings(kw, msg):
    with pytest.raises(InputError, match=msg):
        H.SchedulesView(**kw)


def test_upload_without_file_is_a_clear_error():
    with pytest.raises(InputError, match="no file uploaded"):
        H.schedules_view(H.SchedulesView(source="upload"), None)


def test_layout_builds():
    import gradio as gr

    from diffusion_core.app.schedules import layout as L

    with gr.Blocks() as demo:
        L.build(demo)
    names = {d.get("api_name") for d in demo.config["dependencies"]}
    assert {"schedules", "bounds"} <= names
