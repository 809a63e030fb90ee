"""Samplers on flow schedules through the VE reparameterisation x_ve = x_t / (1 - t), sigma = t / (1 - t).

Euler in t on the flow state (diffusers' FlowMatchEulerDiscreteScheduler.step) is DDIM (= Euler) in VE
sigma: with the exact Gaussian denoiser the two agree to 1e-10 on the same points below t = 1. From t = 1
the VE form starts at SIGMA_T1 = 2^24 - 1 (x ~ 1.7e7 eps, float64 roundoff ~2e-9) and agrees with the
exact t = 1 limit (x_1 = eps, x0_hat = E[x0]) to 1e-7.
"""

from __future__ import annotations

import pytest
import torch

from diffusion_core.denoisers.gaussian import diagonal_denoiser, power_law_denoiser
from diffusion_core.noise import flow as F
from diffusion_core.noise.discretization import build_schedule
from diffusion_core.noise.samplers import SAMPLERS, sample_ddim, sample_euler


def _eps(shape=(3, 1, 16, 16), seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize(
    "name, sets",
    [
        ("sd3", {}),
        ("flux", {}),
        ("flow-match", {"use_karras_sigmas": True}),
        ("flow-match", {"sigmas": "0.9,0.6,0.3,0.1,0.02", "shift": 2.0}),
    ],
)
def test_euler_in_t_is_ddim_in_sigma(name, sets):
    D = power_law_denoiser(16, 2.0)
    n = 5 if "sigmas" in sets else 8
    r = build_schedule(name, n, sets)
    sig = r.sigmas  # VE, t = 1 -> SIGMA_T1
    if float(r.flow.t[0]) == 1.0:
        sig = sig[1:]  # from t_1: the exact t = 1 step lands on x_t1 = t_1 eps
    t = F.t_from_ve_sigma(sig)  # the same points as flow times
    eps = _eps()
    x_ve = sample_ddim(D, sig[0] * eps, sig)  # starts at x = sigma_0 eps (zero-mean data)
    x_t = F.sample_flow_euler(D, float(t[0]) * eps, t)  # x_t0 = (1 - t0) x_ve0
    assert float((x_ve - x_t).abs().max()) < 1e-10
    assert torch.equal(sample_euler(D, sig[0] * eps, sig), x_ve)


def test_t1_stand_in_is_negligible():
    """Exact t = 1 start (x_1 = eps, x0_hat = E[x0]) vs the VE samplers from SIGMA_T1: < 1e-7."""
    D = power_law_denoiser(16, 2.0)
    r = build_schedule("sd3", 10)
    assert float(r.flow.t[0]) == 1.0 and float(r.sigmas[0]) == F.SIGMA_T1
    eps = _eps()
    exact = F.sample_flow_euler(D, eps, r.flow.t)
    for name in ("euler", "ddim"):
        x = SAMPLERS[name](D, r.sigmas[0] * eps, r.sigmas)
        assert float((x - exact).abs().max()) < 1e-7


def test_heun_takes_euler_from_t1():
    """Heun's trapezoid from sigma = SIGMA_T1 would weigh d' by ~SIGMA_T1 / 2: it takes Euler there, and the
    result stays O(1) (exact covariance error of a 1-D Gaussian, variance 0.25, 10 steps of sd3)."""
    D = diagonal_denoiser(torch.tensor([0.25], dtype=torch.float64))
    r = build_schedule("sd3", 10)
    x = torch.linspace(-2, 2, 101, dtype=torch.float64).reshape(-1, 1)
    out = SAMPLERS["heun"](D, r.sigmas[0] * x, r.sigmas)
    gain = float(out[-1, 0] / x[-1, 0])  # linear: out = g x
    assert abs(gain**2 - 0.25) < 0.05  # output variance close to the data's
