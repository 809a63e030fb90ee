"""The Schedules tab's sd3 / flux curves under the user's own flow settings (shift, μ or image_seq_len with
base/max shift, shift_terminal), labelled with the values used; checked against the formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffusion_core.app.schedules.handlers import SchedulesView, build_all, schedules_view
from diffusion_core.noise.flow import lam_from_t
from diffusion_core.validation import InputError

T = 1000


def _view(**kw) -> SchedulesView:
    return SchedulesView(schedules=("sd3", "flux"), steps=4, size=64, **kw)


def test_sd3_uses_the_typed_shift():
    """diffusers' grid is shifted in __init__ and again in set_timesteps: t = s u / (1 + (s - 1) u) with
    u = linspace(1, shift(1/T), N), shift(1/T) = s / (T + s - 1)."""
    s = 2.0
    r = build_all(_view(flow_shift=s))["sd3"]
    u = np.linspace(1.0, s / (T + s - 1), 4)
    t = s * u / (1 + (s - 1) * u)
    assert r.flow.flow_sigmas[:4] == pytest.approx(t, rel=1e-6) and r.flow.flow_sigmas[4] == 0
    assert t[1] == pytest.approx(0.8004793, rel=1e-6)  # u = 1 - (1 - 2/1001) / 3 = 0.667332
    assert r.logsnr.numpy()[1:] == pytest.approx(lam_from_t(t[1:]).numpy(), abs=1e-5)
    assert r.params["shift"] == 2.0 and r.params["use_dynamic_shifting"] is False


def test_flux_uses_the_typed_mu():
    """FluxPipeline's sigmas linspace(1, 1/N, N) through t' = e^μ / (e^μ + 1/t - 1); μ = ln 2 gives 2t / (1 + t)."""
    r = build_all(_view(flux_mu_from="mu", flux_mu=math.log(2)))["flux"]
    assert r.flow.flow_sigmas.tolist() == pytest.approx([1.0, 6 / 7, 2 / 3, 2 / 5, 0.0], rel=1e-6)
    assert r.flow.mu == pytest.approx(math.log(2))


def test_flux_mu_from_image_seq_len_and_the_users_base_and_max_shift():
    """calculate_shift: μ = base + (max - base) (L - 256) / (4096 - 256); L = 1024, 0.5 -> 1.15 gives 0.63."""
    r = build_all(_view(flux_image_seq_len=1024, flux_base_shift=0.5, flux_max_shift=1.15))["flux"]
    assert r.flow.mu == pytest.approx(0.63, abs=1e-12)
    t = np.array([1.0, 0.75, 0.5, 0.25])
    assert r.flow.flow_sigmas[:4] == pytest.approx(math.exp(0.63) / (math.exp(0.63) + 1 / t - 1), rel=1e-6)
    r = build_all(_view(flux_image_seq_len=1024, flux_base_shift=0.3, flux_max_shift=2.22))["flux"]
    assert r.flow.mu == pytest.approx(0.3 + 1.92 * 768 / 3840, abs=1e-12)


def test_shift_terminal_ends_both_at_the_typed_t():
    res = build_all(_view(flow_shift_terminal=0.1))
    for name in ("sd3", "flux"):
        assert float(res[name].flow.flow_sigmas[3]) == pytest.approx(0.1, abs=1e-6), name


def test_curves_and_table_name_the_values_used():
    r = schedules_view(_view(flow_shift=2.5, flux_mu_from="mu", flux_mu=0.8, flow_shift_terminal=0.2))
    names = [tr.name for tr in r.logsnr.data]
    assert names == ["sd3 (shift 2.5, shift_terminal 0.2)", "flux (μ 0.8, shift_terminal 0.2)"]
    assert [tr.name for tr in r.sigma.data] == names and "| sd3 (shift 2.5, shift_terminal 0.2) |" in r.table
    r = schedules_view(_view())
    assert r.numbers["flux"]["label"] == "flux (μ 1.15 from image_seq_len 4096, base_shift 0.5, max_shift 1.15)"
    assert r.numbers["sd3"]["label"] == "sd3 (shift 3)"


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"flow_shift": 0.0}, "shift must be in (0, 1e+06], got 0"),
        ({"flux_mu_from": "mu", "flux_mu": 80.0}, "mu = 80 is out of range"),
        ({"flow_shift_terminal": 1.5}, "shift_terminal must be in (0, 1), got 1.5"),
        ({"flux_image_seq_len": 0}, "image_seq_len must be in [1, 1e+09], got 0"),
        ({"flux_mu_from": "tokens"}, "flux mu from"),
    ],
)
def test_bad_flow_settings_are_one_line(kw, msg):
    with pytest.raises(InputError) as e:
        _view(**kw)
    assert msg in str(e.value) and "\n" not in str(e.value)
