"""Schedule families (identities), conversions and parameterisation (the bounds/schedule CLI: tests/cli/test_schedule_cli.py)."""

from __future__ import annotations

import math

import pytest
import torch

from diffusion_core.denoisers import power_law_denoiser
from diffusion_core.noise import discretization as Dz
from diffusion_core.noise import parameterization as P
from diffusion_core.noise import schedules as S
from diffusion_core.validation import InputError

T = torch.linspace(0, 1, 257, dtype=torch.float64)
CONTINUOUS = [n for n, f in S.FAMILIES.items() if f.kind == "continuous"]
DISCRETE = [n for n, f in S.FAMILIES.items() if f.kind == "discrete"]


@pytest.mark.parametrize("name", CONTINUOUS + DISCRETE)
def test_logsnr_strictly_decreasing_and_vp_identity(name):
    p = S.family_params(name)
    fn = S.continuous_lam_fn(name, p) if name in CONTINUOUS else Dz.discrete_lam_fn(name, p)
    lam = fn(T)
    assert torch.isfinite(lam).all() and (torch.diff(lam) < 0).all()
    ab = S.alpha_bar_from_lam(lam)
    assert torch.allclose(ab + S.alpha_bar_from_lam(-lam), torch.ones_like(lam), atol=1e-15)  # alpha^2 + s^2 = 1
    assert torch.allclose(S.lam_from_alpha_bar(ab), lam, atol=1e-8)
    assert torch.allclose(S.lam_from_sigma(S.sigma_from_lam(lam)), lam, atol=1e-12)
    assert torch.allclose(S.sigma_from_alpha_bar(ab), S.sigma_from_lam(lam), rtol=1e-10)
    assert torch.allclose(S.t_from_lam(fn, lam[1:-1]), T[1:-1], atol=1e-9)


def test_cosine_and_shift_closed_forms():
    t = torch.tensor([0.5], dtype=torch.float64)
    assert float(S.lam_cosine(t, -100, 100)) == pytest.approx(0.0, abs=1e-9)  # tan(pi/4) = 1
    assert float(S.lam_cosine(torch.tensor(0.0), -15, 15)) == pytest.approx(15.0)
    assert float(S.lam_cosine(torch.tensor(1.0), -15, 15)) == pytest.approx(-15.0)
    shift = S.lam_shifted_cosine(T, 512, 64) - S.lam_cosine(T)
    assert torch.allclose(shift, torch.full_like(T, -2 * math.log(8)))  # -1.386 per doubling


def test_logsnr_linear_equals_exponential():
    a = Dz.build_schedule("exponential", 9).sigmas
    b = Dz.build_schedule(
        "logsnr-linear", 9, {"logsnr_min": -2 * math.log(80), "logsnr_max": -2 * math.log(0.002)}
    ).sigmas
    assert torch.allclose(a, b, rtol=1e-12)


def test_parameterization_round_trips_and_edm_table1():
    g = torch.Generator().manual_seed(0)
    x0, eps = torch.randn(3, 5, generator=g, dtype=torch.float64), torch.randn(3, 5, generator=g, dtype=torch.float64)
    lam, sigma = 0.7, math.exp(-0.35)
    x = x0 + sigma * eps
    assert torch.allclose(P.eps_from_x0(x, x0, sigma), eps) and torch.allclose(P.x0_from_eps(x, eps, sigma), x0)
    assert torch.allclose(P.x0_from_score(x, P.score_from_x0(x, x0, sigma), sigma), x0)
    z = P.vp_from_ve(x, lam)
    v = P.v_from_eps_x0(eps, x0, lam)
    assert torch.allclose(P.x0_from_v(z, v, lam), x0) and torch.allclose(P.eps_from_v(z, v, lam), eps)
    assert torch.allclose(P.ve_from_vp(z, lam), x)
    s, sd = 1.3, 0.5
    assert P.c_skip(s) == pytest.approx(sd**2 / (s**2 + sd**2)) and P.c_in(s) == pytest.approx(1 / math.hypot(s, sd))
    assert P.c_out(s) == pytest.approx(s * sd / math.hypot(s, sd)) and P.c_noise(s) == pytest.approx(math.log(s) / 4)
    # EDM's design rule: unit-variance effective target (sigma_data^2 (1 - c_skip)^2 + c_skip^2 sigma^2) / c_out^2 = 1
    assert (sd**2 * (1 - P.c_skip(s)) ** 2 + P.c_skip(s) ** 2 * s**2) / P.c_out(s) ** 2 == pytest.approx(1.0)


def test_eps_and_v_adapters_reproduce_the_exact_denoiser():
    d = power_law_denoiser(8, 2.0)
    x = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    lam = torch.tensor([0.3, -1.2], dtype=torch.float64)
    bl = lam.reshape(-1, 1, 1, 1)

    def eps_model(z, lam_):  # exact eps-prediction from the exact x0
        xv = P.ve_from_vp(z, bl)
        return P.eps_from_x0(xv, d(xv, lam_), torch.exp(-bl / 2))

    def v_model(z, lam_):
        xv = P.ve_from_vp(z, bl)
        x0 = d(xv, lam_)
        return P.v_from_eps_x0(P.eps_from_x0(xv, x0, torch.exp(-bl / 2)), x0, bl)

    assert torch.allclose(P.denoiser_from_eps(eps_model)(x, lam), d(x, lam), atol=1e-12)
    assert torch.allclose(P.denoiser_from_v(v_model)(x, lam), d(x, lam), atol=1e-12)


@pytest.mark.parametrize(
    "over,msg",
    [
        ({"sigma_min": 100.0}, "sigma_min must be < sigma_max"),
        ({"rho": 0}, "rho must be in"),
        ({"rho": "nan"}, "rho must be a finite"),
        ({"foo": 1}, "unknown parameter 'foo'"),
    ],
)
def test_bad_schedule_parameters(over, msg):
    with pytest.raises(InputError, match=msg):
        Dz.build_schedule("karras", 8, over)


def test_bad_steps_and_names():
    for steps in (0, -3, 2.5, float("nan")):
        with pytest.raises(InputError, match="steps"):
            Dz.build_schedule("edm", steps)
    with pytest.raises(InputError, match="unknown schedule 'nope'"):
        Dz.build_schedule("nope", 8)
    with pytest.raises(InputError, match="timestep_spacing"):
        Dz.build_schedule("cosine", 8, {"timestep_spacing": "sideways"})
