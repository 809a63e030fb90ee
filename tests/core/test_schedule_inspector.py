"""Schedule inspector: exact table, crossing step, img2img strength, diffusers configs, diff of two configs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from diffusion_core.cli.schedule import diff_json
from diffusion_core.noise.discretization import build_schedule
from diffusion_core.noise.inspector import crossing_step, img2img_steps, resolve, table
from diffusion_core.noise.schedule_diff import diff
from diffusion_core.noise.scheduler_config import from_diffusers_config
from diffusion_core.validation import InputError


def test_table_is_exact():
    r = build_schedule("sd3", 4)
    tb = table(r)
    t = r.flow.t.numpy()
    assert np.array_equal(tb.t, t) and np.array_equal(tb.sigma, r.sigmas.numpy())
    assert np.allclose(tb.sigma[1:-1], t[1:-1] / (1 - t[1:-1]), rtol=1e-12)
    assert np.allclose(tb.lam[1:-1], 2 * np.log((1 - t[1:-1]) / t[1:-1]), atol=1e-12)
    assert np.allclose(tb.alpha**2, 1 / (1 + tb.sigma**2), rtol=1e-12)  # sigmoid(lam)
    assert np.allclose(tb.dsigma[:-1], np.diff(tb.sigma)) and math.isnan(tb.dsigma[-1])
    rows = tb.rows()
    assert rows[0]["timestep"] == 1000 and rows[-1]["timestep"] is None and rows[-1]["sigma"] == 0


def test_crossing_and_img2img():
    r = build_schedule("sd3", 8)
    c = crossing_step(r, 1.0)
    assert c["sigma_at_step"] <= 1.0 < c["sigma_before"] and r.sigmas[c["step"]] == c["sigma_at_step"]
    # diffusers SD3 img2img get_timesteps: N = 8, strength 0.6 -> init 4.8, t_start = int(3.2) = 3, 5 steps run
    s = img2img_steps(r, 0.6)
    assert s["skipped"] == [0, 1, 2] and s["run"] == 5 and s["start_t"] == pytest.approx(float(r.flow.t[3]))
    assert img2img_steps(r, 1.0)["skipped"] == [] and img2img_steps(r, 0.0)["run"] == 0


def test_diffusers_config_forms():
    assert (
        resolve({"_class_name": "FlowMatchEulerDiscreteScheduler", "shift": 3.0}, 6).flow.flow_sigmas.tolist()
        == build_schedule("sd3", 6).flow.flow_sigmas.tolist()
    )
    euler = {
        "_class_name": "EulerDiscreteScheduler",
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "beta_end": 0.012,
        "prediction_type": "epsilon",
        "_diffusers_version": "0.42.1",
    }
    assert np.array_equal(
        resolve(json.dumps(euler), 6).sigmas.numpy(), build_schedule("scaled-linear", 6).sigmas.numpy()
    )


@pytest.mark.parametrize(
    "cfg, words",
    [
        ({"_class_name": "DDIMScheduler"}, "_class_name 'DDIMScheduler' is not supported"),
        ({"_class_name": "PNDMScheduler", "skip_prk_steps": False}, "set skip_prk_steps to true"),
        ({"_class_name": "FlowMatchEulerDiscreteScheduler", "use_dynamic_shifting": True}, "_set_timesteps"),
        ({"_class_name": "EulerDiscreteScheduler", "use_exponential_sigmas": True}, "not modelled"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ("", "empty"),
    ],
)
def test_bad_configs_are_one_line(cfg, words):
    with pytest.raises(InputError) as e:
        from_diffusers_config(cfg)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_diff_names_a_double_shift():
    """B = A's already-shifted times given as custom sigmas to a shift-3 scheduler: shifted twice."""
    a = build_schedule("sd3", 8)
    b = build_schedule("flow-match", 8, {"shift": 3.0, "sigmas": [float(v) for v in a.flow.flow_sigmas[:-1]]})
    d = diff(a, b)
    assert d["first_divergence"] == 1
    assert any("s = exp(-dlam / 2) = 3" in f for f in d["findings"])
    assert d["rows"][3]["dlam"] == pytest.approx(-2 * math.log(3), abs=1e-4)


def test_diff_names_an_off_by_one_and_identity():
    a = build_schedule("karras", 6)
    b = resolve("sigmas:" + ",".join(repr(float(v)) for v in a.sigmas[1:]), 6)
    d = diff(a, b)
    assert d["first_divergence"] == 0 and any("off by one" in f for f in d["findings"])
    assert diff(a, resolve("karras:rho=7", 6))["findings"][0].startswith("identical")


def test_diff_cli(tmp_path):
    p = tmp_path / "scheduler_config.json"
    p.write_text(json.dumps({"_class_name": "FlowMatchEulerDiscreteScheduler", "shift": 3.0}))
    out = diff_json(str(p), "sd3:shift_terminal=0.05", 5)
    assert out["points_a"] == 6 and out["first_divergence"] == 1 and len(out["rows"]) == 6
    with pytest.raises(InputError, match="not found"):
        diff_json(str(tmp_path / "missing.json"), "sd3", 5)


# ---------------------------------------------------------------------------------------------
# Schedules-tab inspector handlers (plain functions, no server)

from diffusion_core.app.schedules.inspector import InspectorView, inspect_view, read_config_upload  # noqa: E402


def test_inspector_view_shows_table_crossing_strength_and_diff():
    r = inspect_view(InspectorView(config_a="sd3", config_b="flux", steps=8, crossing_sigma=1.0, strength=0.6))
    assert "step 6" in r.summary and "skips **3** steps" in r.summary and "double shift" in r.summary
    assert r.table.count("✂ skipped |") == 3 and r.table.count("▶ σ* |") == 1
    assert "first divergence at step 1" in r.diff and "B: shift = 3 is ignored" in r.diff
    assert r.numbers["crossing"]["step"] == 6 and len(r.figure.data) == 3


def test_inspector_pasted_config_and_upload(tmp_path):
    cfg = '{"_class_name": "FlowMatchEulerDiscreteScheduler", "shift": 3.0, "_diffusers_version": "0.30.0"}'
    r = inspect_view(InspectorView(config_a=cfg, config_b="sd3", steps=10))
    assert r.numbers["diff"]["findings"][0].startswith("identical")
    bad = tmp_path / "scheduler_config.json"
    bad.write_text('{"_class_name": "DDIMScheduler", "skip_prk_steps": true}')
    with pytest.raises(InputError, match="DDIMScheduler' is not supported"):
        read_config_upload(str(bad))
    # diffusers' from_config ignores a key that is not an option (a typo too): listed, with the likely option
    r = inspect_view(InspectorView(config_a='{"_class_name": "FlowMatchEulerDiscreteScheduler", "shfit": 3}'))
    assert "ignores shfit" in r.summary and "did you mean shift?" in r.summary
    with pytest.raises(InputError, match="empty"):
        InspectorView(config_a="  ")
