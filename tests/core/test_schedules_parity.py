"""Parity of schedules.py / discretization.py with diffusers and k-diffusion's published formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from diffusion_core.noise import discretization as Dz
from diffusion_core.noise import schedules as S

diffusers = pytest.importorskip("diffusers")
RTOL = 1e-6

BETAS = [
    ("ddpm-linear", "linear", 1e-4, 0.02),
    ("scaled-linear", "scaled_linear", 0.00085, 0.012),
    ("cosine", "squaredcos_cap_v2", 1e-4, 0.02),
]


def rel(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-30)))


@pytest.mark.parametrize("name,bs,start,end", BETAS)
@pytest.mark.parametrize("zero_snr", [False, True])
def test_alphas_cumprod_match_diffusers(name, bs, start, end, zero_snr):
    ref = diffusers.DDPMScheduler(
        beta_schedule=bs, beta_start=start, beta_end=end, rescale_betas_zero_snr=zero_snr
    ).alphas_cumprod
    ddim = diffusers.DDIMScheduler(
        beta_schedule=bs, beta_start=start, beta_end=end, rescale_betas_zero_snr=zero_snr
    ).alphas_cumprod
    p = S.family_params(name, {"rescale_betas_zero_snr": zero_snr})
    ours = Dz.family_alphas_cumprod(name, p)
    keep = ref > 0  # zero-terminal-SNR makes the last entry exactly 0
    assert rel(ours[keep], ref[keep]) <= RTOL and rel(ours[keep], ddim[keep]) <= RTOL
    assert (ours[~keep] == 0).all()


@pytest.mark.parametrize("spacing", ["linspace", "leading", "trailing"])
@pytest.mark.parametrize("n,offset", [(10, 0), (25, 1), (50, 1), (7, 0)])
def test_ddim_ddpm_timesteps_match_diffusers(spacing, n, offset):
    for cls in (diffusers.DDIMScheduler, diffusers.DDPMScheduler):
        sch = cls(timestep_spacing=spacing, steps_offset=offset)
        sch.set_timesteps(n)
        ours = Dz.diffusers_timesteps(n, 1000, spacing, offset, integer=True)
        assert np.array_equal(ours, sch.timesteps.numpy()), (cls.__name__, spacing)


@pytest.mark.parametrize("name,bs,start,end", BETAS)
@pytest.mark.parametrize("spacing,offset", [("linspace", 0), ("leading", 1), ("trailing", 0)])
@pytest.mark.parametrize("karras", [False, True])
def test_euler_sigmas_match_diffusers(name, bs, start, end, spacing, offset, karras):
    n = 12
    sch = diffusers.EulerDiscreteScheduler(
        beta_schedule=bs,
        beta_start=start,
        beta_end=end,
        timestep_spacing=spacing,
        steps_offset=offset,
        use_karras_sigmas=karras,
    )
    sch.set_timesteps(n)
    res = Dz.build_schedule(name, n, {"timestep_spacing": spacing, "steps_offset": offset, "use_karras_sigmas": karras})
    assert len(res.sigmas) == n + 1 and float(res.sigmas[-1]) == 0.0
    assert rel(res.sigmas[:-1], sch.sigmas[:-1]) <= RTOL
    assert rel(res.timesteps + 1e-9, sch.timesteps.numpy() + 1e-9) <= RTOL


def test_euler_zero_snr_and_final_sigma_min_match_diffusers():
    sch = diffusers.EulerDiscreteScheduler(
        rescale_betas_zero_snr=True, final_sigmas_type="sigma_min", timestep_spacing="trailing"
    )
    sch.set_timesteps(8)
    res = Dz.build_schedule(
        "ddpm-linear",
        8,
        {"rescale_betas_zero_snr": True, "final_sigmas_type": "sigma_min", "timestep_spacing": "trailing"},
    )
    assert rel(res.sigmas, sch.sigmas) <= RTOL
    assert float(res.sigmas[0]) > 4000  # terminal SNR ~ 2^-24: sigma ~ 4096


# k-diffusion's published formulas (k_diffusion/sampling.py), written out literally.
def kd_karras(n, sigma_min, sigma_max, rho=7.0):
    ramp = torch.linspace(0, 1, n, dtype=torch.float64)
    s = (sigma_max ** (1 / rho) + ramp * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
    return torch.cat([s, s.new_zeros(1)])


def kd_exponential(n, sigma_min, sigma_max):
    s = torch.linspace(math.log(sigma_max), math.log(sigma_min), n, dtype=torch.float64).exp()
    return torch.cat([s, s.new_zeros(1)])


def kd_vp(n, beta_d=19.9, beta_min=0.1, eps_s=1e-3):
    t = torch.linspace(1, eps_s, n, dtype=torch.float64)
    s = torch.sqrt(torch.exp(beta_d * t**2 / 2 + beta_min * t) - 1)
    return torch.cat([s, s.new_zeros(1)])


@pytest.mark.parametrize("n", [2, 18, 32, 64])
def test_karras_exponential_vp_match_k_diffusion(n):
    cases = [
        ("karras", {"sigma_min": 0.03, "sigma_max": 14.6, "rho": 7.0}, kd_karras(n, 0.03, 14.6, 7.0)),
        ("karras", {"sigma_min": 0.002, "sigma_max": 80.0, "rho": 3.0}, kd_karras(n, 0.002, 80.0, 3.0)),
        ("edm", {}, kd_karras(n, 0.002, 80.0)),
        ("exponential", {"sigma_min": 0.1, "sigma_max": 10.0}, kd_exponential(n, 0.1, 10.0)),
        ("vp", {}, kd_vp(n)),
        ("vp", {"beta_d": 10.0, "beta_min": 0.5, "eps_s": 1e-2}, kd_vp(n, 10.0, 0.5, 1e-2)),
    ]
    for name, over, ref in cases:
        ours = Dz.build_schedule(name, n, over).sigmas
        assert float(ours[-1]) == 0.0 and rel(ours[:-1], ref[:-1]) <= RTOL, (name, over)


@pytest.mark.parametrize("n", [18, 32, 64])
def test_a9d_edm_endpoints_exact(n):
    s = Dz.build_schedule("edm", n).sigmas
    assert abs(float(s[0]) - 80.0) <= 1e-12 * 80 and abs(float(s[n - 1]) - 0.002) <= 1e-12 * 0.002


def test_a10_linear_ddpm_logsnr_endpoints():
    lam = Dz.discrete_lam_fn("ddpm-linear", S.family_params("ddpm-linear"))
    assert float(lam(torch.tensor(0.0))) == pytest.approx(9.2102, abs=1e-4)
    assert float(lam(torch.tensor(1.0))) == pytest.approx(-10.1177, abs=1e-4)


def test_diffusers_config_loads_and_reproduces_sigmas():
    for name, over in [
        ("scaled-linear", {"timestep_spacing": "trailing"}),
        ("karras", {"sigma_min": 0.03}),
        ("cosine", {"use_karras_sigmas": True}),
    ]:
        res = Dz.build_schedule(name, 10, over)
        cfg = Dz.diffusers_config(res)
        sch = diffusers.EulerDiscreteScheduler.from_config({k: v for k, v in cfg.items() if not k.startswith("_")})
        sch.set_timesteps(10)
        assert rel(res.sigmas[:-1], sch.sigmas[:-1]) <= RTOL, name
