"""Draw your own schedule: typed control points t:lam, monotone resampling, exports, every sampler."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from diffusion_core.app.schedules.handlers import SchedulesView, schedules_view
from diffusion_core.cli.schedule import schedule_json
from diffusion_core.denoisers.gaussian import power_law_denoiser
from diffusion_core.noise.custom import lam_custom, parse_points
from diffusion_core.noise.discretization import build_schedule, diffusers_config
from diffusion_core.noise.samplers import SAMPLERS
from diffusion_core.validation import InputError

diffusers = pytest.importorskip("diffusers")


def test_points_are_hit_and_resampling_stays_monotone():
    f = lam_custom("1:-6, 0.3:1, 0.8:-2, 0:8")
    assert f(torch.tensor([0.0, 0.3, 0.8, 1.0], dtype=torch.float64)).tolist() == pytest.approx([8, 1, -2, -6])
    for n in (2, 7, 100, 1000):
        lam = build_schedule("custom", n, {"points": "1:-6, 0.3:1, 0.8:-2, 0:8"}).logsnr.numpy()
        assert np.all(np.diff(lam) > 0) and lam[0] == pytest.approx(-6) and lam[-1] == pytest.approx(8)


@pytest.mark.parametrize(
    "points, words",
    [
        ("1:-5, 0.5:1, 0.7:2, 0:6", "lam must decrease as t grows"),
        ("1:-5, 0.5:0", "include t = 0 and t = 1"),
        ("1:-5", "2 to 64"),
        ("1:-5, 0:x", "lam"),
        ("1-5, 0:6", "not t:lam"),
        ("", "empty"),
        ("1:-5, 1:-4, 0:6", "share a t"),
    ],
)
def test_bad_points_are_one_line(points, words):
    with pytest.raises(InputError) as e:
        parse_points(points)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_exports_sigma_list_and_diffusers_custom_sigmas():
    """diffusers' EulerDiscreteScheduler.set_timesteps(sigmas=...) takes all N + 1 values, the final 0 included
    (it does not append one: N values would give N - 1 steps ending at sigma_{N-1})."""
    r = build_schedule("custom", 6)
    cfg = diffusers_config(r)
    s = diffusers.EulerDiscreteScheduler.from_config(
        {k: v for k, v in cfg.items() if not k.startswith("_") and k != "custom_sigmas"}
    )
    s.set_timesteps(sigmas=cfg["custom_sigmas"])
    assert np.allclose(s.sigmas.numpy(), r.sigmas.numpy(), rtol=1e-6) and len(s.timesteps) == 6
    out = schedule_json("custom", 6, ["points=1:-5, 0.5:0, 0:6"])
    assert out["sigmas"][-1] == 0 and len(out["sigmas"]) == 7


def test_custom_runs_with_every_sampler_and_in_the_tab():
    D = power_law_denoiser(8, 2.0)
    sig = build_schedule("custom", 8).sigmas
    x = sig[0] * torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for name, fn in SAMPLERS.items():
        out = fn(D, x, sig, generator=torch.Generator().manual_seed(1))
        assert torch.isfinite(out).all() and float(out.std()) < 3, name
    r = schedules_view(SchedulesView(schedules=("custom", "edm"), steps=12, size=64, custom_points="1:-8, 0:8"))
    assert "custom" in r.numbers and r.numbers["custom"]["sigma_max"] == pytest.approx(np.exp(4))
    with pytest.raises(InputError, match="decrease"):
        SchedulesView(schedules=("custom",), custom_points="1:5, 0:-5")
