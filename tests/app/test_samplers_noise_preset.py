"""The sampling-noise preset (issue 13 item 7): it loads into the Samplers tab's view and its controls
(Brownian-tree step noise, DDIM eta, EDM churn) reach the samplers and the exact numbers."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from diffusion_core.app.samplers import handlers as H
from diffusion_core.app.widgets.views import field_names, to_controls
from diffusion_core.models import get_model
from diffusion_core.presets import PRESET_ROOT, load_preset, load_uploaded_preset
from diffusion_core.sampling import run as S

PRESET = "samplers/noise-controls.toml"


@pytest.fixture(scope="module")
def view() -> H.SamplersView:
    return load_preset(PRESET, H.SamplersView)


def test_the_preset_loads_with_its_values(view):
    assert (view.step_noise, view.eta, view.s_churn, view.s_tmin, view.s_tmax, view.s_noise) == (
        "brownian",
        0.5,
        40.0,
        0.05,
        50.0,
        1.003,
    )
    assert view.samplers == ("euler", "heun", "ddim", "ddpm_ancestral") and view.model == "digits-pca-gaussian"
    noise = view.sampling_noise()
    assert noise.sampler_kwargs("heun") == {"s_churn": 40.0, "s_tmin": 0.05, "s_tmax": 50.0, "s_noise": 1.003}
    assert noise.sampler_kwargs("ddim") == {"eta": 0.5} and noise.sampler_kwargs("ddpm_ancestral") == {}


def test_the_app_loads_it_into_the_samplers_controls(view):
    """The preset upload path of the tab (IO.load_file without gradio): size-checked, validated, control values."""
    values = to_controls(load_uploaded_preset(str(PRESET_ROOT / PRESET), H.SamplersView))
    assert values == to_controls(view) and values[field_names(H.SamplersView).index("step_noise")] == "brownian"


def test_its_controls_reach_the_samplers(view):
    """Exact covariance errors at N = 10 with the preset's noise, against the same run without churn and eta."""
    small = dataclasses.replace(view, n=4)
    m = H.view_model(small)
    nums = {name: q for name, (_, q) in H.run_all(m, small).items()}
    sig = S.model_sigmas(m, view.schedule, view.steps)
    plain = dataclasses.replace(view.sampling_noise(), eta=0.0, s_churn=0.0)
    for name, churned, without in [
        ("euler", 0.5096, 0.4211),
        ("heun", 0.6796, 0.3478),
        ("ddim", 0.4521, 0.4211),
        ("ddpm_ancestral", 0.5990, 0.5990),
    ]:
        assert nums[name]["value"] == pytest.approx(m.truth.exact_error(name, sig, view.sampling_noise()), rel=1e-12)
        assert nums[name]["value"] == pytest.approx(churned, abs=5e-5), name
        assert m.truth.exact_error(name, sig, plain) == pytest.approx(without, abs=5e-5), name
    sig32 = S.model_sigmas(m, view.schedule, 32)
    assert m.truth.exact_error("heun", sig32, view.sampling_noise()) == pytest.approx(0.0916, abs=5e-5)
    assert "Brownian-tree (one path for every N); DDIM η = 0.5; churn S_churn = 40" in H.explain(small, m, nums, sig)


def test_its_brownian_noise_is_one_path_for_every_n(view):
    """N = 10 and N = 20 runs draw their step noise from one Brownian path: the scaled increments telescope to
    the same W(0) - W(80) (white noise would give two unrelated totals)."""
    m = get_model(view.model)

    def total(n: int) -> torch.Tensor:
        sig = S.model_sigmas(m, view.schedule, n).tolist()
        draw = view.sampling_noise().noise_sampler(torch.tensor(sig), view.seed)
        return sum(draw((2, 1, 8, 8), None, torch.float64) * math.sqrt(a - b) for a, b in zip(sig, sig[1:]))

    a, b = total(10), total(20)
    assert torch.allclose(a, b, rtol=1e-5, atol=1e-5) and float(a.std()) == pytest.approx(math.sqrt(80), rel=0.5)
