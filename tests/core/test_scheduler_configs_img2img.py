"""Issue 26, researcher: real diffusers scheduler configs (SDXL, SD 1.5's PNDM, Flux) go through the inspector and
`difflab schedule diff`; img2img strength follows the config's pipeline family, checked against diffusers' own
`get_timesteps`; configs are named, not echoed; a diff is saved as a link."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

diffusers = pytest.importorskip("diffusers")

from diffusion_core.app.schedules.inspector import (  # noqa: E402
    STEPS_MAX,
    InspectorView,
    inspect_view,
    inspector_query,
    view_from_link,
)
from diffusion_core.cli.schedule import diff_json  # noqa: E402
from diffusion_core.noise import scheduler_config as SC  # noqa: E402
from diffusion_core.noise.inspector import img2img_steps, resolve  # noqa: E402
from diffusion_core.validation import InputError  # noqa: E402

# The real files (stabilityai/stable-diffusion-xl-base-1.0, runwayml/stable-diffusion-v1-5, FLUX.1-dev, SD3-medium).
SDXL = {
    "_class_name": "EulerDiscreteScheduler",
    "_diffusers_version": "0.19.0.dev0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "interpolation_type": "linear",
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "sample_max_value": 1.0,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "timestep_spacing": "leading",
    "trained_betas": None,
    "use_karras_sigmas": False,
}
SD15 = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.6.0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
    "clip_sample": False,
}
FLUX = {
    "_class_name": "FlowMatchEulerDiscreteScheduler",
    "_diffusers_version": "0.30.0.dev0",
    "base_image_seq_len": 256,
    "base_shift": 0.5,
    "max_image_seq_len": 4096,
    "max_shift": 1.15,
    "num_train_timesteps": 1000,
    "shift": 3.0,
    "use_dynamic_shifting": True,
}
SD3 = {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.29.0.dev0", "shift": 3.0}


@pytest.mark.parametrize(
    "cls", ["EulerDiscreteScheduler", "PNDMScheduler", "FlowMatchEulerDiscreteScheduler"], ids=lambda c: c[:5]
)
def test_init_keys_are_diffusers_own(cls):
    """The keys a config may set are exactly the class's __init__ parameters (the rest diffusers ignores)."""
    params = list(inspect.signature(getattr(diffusers, cls).__init__).parameters)[1:]
    assert set(SC.INIT_KEYS[cls]) == set(params)


def test_sdxl_real_config_is_accepted_and_exact():
    """from_config accepts SDXL's file; the sigma points are diffusers' own, the extra keys are listed as ignored."""
    c = SC.read_config(SDXL)
    assert c.family == "scaled-linear" and c.pipeline == "sd"
    assert set(c.ignored) == {"clip_sample", "sample_max_value", "set_alpha_to_one", "skip_prk_steps"}
    assert any("ignores clip_sample, sample_max_value, set_alpha_to_one, skip_prk_steps" in n for n in c.notes)
    sched = diffusers.EulerDiscreteScheduler.from_config(SDXL)
    sched.set_timesteps(28)
    r = resolve(SDXL, 28)
    assert np.allclose(r.sigmas.numpy(), sched.sigmas.numpy(), rtol=1e-6)
    assert [int(t) for t in r.timesteps] == [int(t) for t in sched.timesteps]
    assert "EulerDiscreteScheduler" in c.label and "leading" in c.label and "steps_offset 1" in c.label


def test_typo_key_is_ignored_as_diffusers_does_and_named():
    c = SC.read_config({"_class_name": "FlowMatchEulerDiscreteScheduler", "shfit": 3.0})
    assert c.ignored == ("shfit",) and any("did you mean shift" in n for n in c.notes)


def test_pndm_sd15_is_supported():
    """PNDM (skip_prk_steps): the distinct model timesteps and the sigma points equal diffusers' PNDMScheduler."""
    for n in (10, 28, 50):
        sched = diffusers.PNDMScheduler.from_config(SD15)
        sched.set_timesteps(n)
        ts = sched.timesteps.numpy()
        distinct = [int(t) for t in dict.fromkeys(ts.tolist())]
        r = resolve(SD15, n)
        assert [int(t) for t in r.timesteps] == distinct
        ac = sched.alphas_cumprod.numpy().astype(np.float64)
        want = np.append(
            np.sqrt((1 - ac[distinct]) / ac[distinct]), np.sqrt((1 - ac[0]) / ac[0])
        )  # final_alpha = ac[0]
        assert np.allclose(r.sigmas.numpy(), want, rtol=1e-5)
    c = SC.read_config(SD15)
    assert c.pipeline == "sd" and "PNDMScheduler" in c.label
    assert any("twice" in n for n in c.notes)  # the PLMS warm-up repeats a timestep
    with pytest.raises(InputError, match="skip_prk_steps"):
        SC.read_config({**SD15, "skip_prk_steps": False})


def test_flux_real_config_says_where_mu_goes():
    with pytest.raises(InputError) as e:
        SC.read_config(FLUX)
    msg = str(e.value)
    assert '"_set_timesteps": {"image_seq_len": 4096}' in msg and "mu" in msg and "\n" not in msg
    r = resolve({**FLUX, "_set_timesteps": {"image_seq_len": 4096}}, 28)
    sched = diffusers.FlowMatchEulerDiscreteScheduler.from_config(FLUX)
    sched.set_timesteps(28, mu=1.15, sigmas=None)
    assert np.allclose(np.asarray(r.flow.flow_sigmas), sched.sigmas.numpy(), rtol=1e-6)


PIPELINES = Path(diffusers.__file__).parent / "pipelines"


def _get_timesteps(module: str, cls: str):
    """The pipeline class's own get_timesteps, read from the installed diffusers source (importing the
    pipeline needs transformers), run on a stand-in holding only the scheduler it reads."""
    tree = ast.parse((PIPELINES / module).read_text())
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls)
    fn = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "get_timesteps")
    scope: dict = {}
    exec(compile(ast.Module(body=[fn], type_ignores=[]), str(PIPELINES / module), "exec"), scope)

    def run(n: int, strength: float) -> int:
        sched = type("S", (), {"order": 1, "timesteps": list(range(n))})()
        return scope["get_timesteps"](type("P", (), {"scheduler": sched})(), n, strength, "cpu")[1]

    return run


_sdxl_get_timesteps = _get_timesteps(
    "stable_diffusion_xl/pipeline_stable_diffusion_xl_img2img.py", "StableDiffusionXLImg2ImgPipeline"
)
_sd3_get_timesteps = _get_timesteps(
    "stable_diffusion_3/pipeline_stable_diffusion_3_img2img.py", "StableDiffusion3Img2ImgPipeline"
)


CASES = [(n, s) for n in (1, 7, 10, 28, 30, 50) for s in (0.0, 0.1, 0.3, 0.35, 0.6, 0.7, 0.75, 0.9, 1.0)]


@pytest.mark.parametrize("n, s", CASES)
def test_img2img_follows_the_pipeline_family(n, s):
    """SD/SDXL: t_start = N - int(N s); SD3/Flux: t_start = int(N - N s); equal to diffusers' get_timesteps."""
    sdxl = resolve("scaled-linear:timestep_spacing=leading,steps_offset=1", n)
    assert img2img_steps(sdxl, s)["run"] == _sdxl_get_timesteps(n, s)
    assert img2img_steps(resolve(SDXL, n), s)["run"] == _sdxl_get_timesteps(n, s)
    sd3 = resolve(SD3, n)
    assert img2img_steps(sd3, s)["run"] == _sd3_get_timesteps(n, s)


def test_img2img_sdxl_28_at_0_6_runs_16():
    r = img2img_steps(resolve("scaled-linear:timestep_spacing=leading,steps_offset=1", 28), 0.6)
    assert len(r["skipped"]) == 12 and r["run"] == 16 and r["rule"] == "sd"
    v = inspect_view(InspectorView(config_a=json.dumps(SDXL), config_b="scaled-linear", steps=28, strength=0.6))
    assert "skips **12** steps and runs 16" in v.summary and "N − int(N·strength)" in v.summary


def test_inspector_names_configs_and_lists_ignored_keys():
    v = inspect_view(InspectorView(config_a=json.dumps(SDXL), config_b=json.dumps(SD15), steps=20))
    assert "_class_name" not in v.summary and "{" not in v.summary.split("\n")[0]
    assert "**A** = EulerDiscreteScheduler (scaled_linear" in v.summary
    assert "sample_max_value" in v.summary  # listed as ignored
    assert "PNDMScheduler" in v.diff


def test_schedule_diff_cli_takes_sdxl_and_sd15(tmp_path):
    a, b = tmp_path / "sdxl.json", tmp_path / "sd15.json"
    a.write_text(json.dumps(SDXL))
    b.write_text(json.dumps(SD15))
    out = diff_json(str(a), str(b), 20)
    assert out["points_a"] == 21 and out["points_b"] == 21
    assert out["first_divergence"] == 20  # same timesteps; only the final sigma (0 vs sigma_min) differs
    assert any("sample_max_value" in n for n in out["notes_a"])
    assert out["label_b"].startswith("PNDMScheduler")


def test_inspector_steps_range_is_the_views():
    assert STEPS_MAX == 1000
    InspectorView(steps=1000)
    with pytest.raises(InputError, match="steps"):
        InspectorView(steps=1001)
    from diffusion_core.app.schedules import inspector_layout

    assert inspector_layout.STEPS_SLIDER_MAX == STEPS_MAX


def test_diff_is_saved_as_a_link_and_restored():
    view = InspectorView(config_a=json.dumps(SDXL), config_b="sd3:shift=2", steps=40, crossing_sigma=2.5, strength=0.3)
    q = inspector_query(view)
    link = f"http://room:7860/?{q}"
    params = dict(parse_qsl(urlsplit(link).query))
    assert params["tab"] == "schedules"
    back, problems = view_from_link(params)
    assert back == view and problems == []
    bad, problems = view_from_link({**params, "inspector.steps": "2.5"})
    assert bad.steps == 28 and len(problems) == 1
    assert view_from_link({"tab": "schedules", "steps": "40"}) == (InspectorView(), [])  # the tab's own keys
