"""Sampler parity: our samplers vs literal transcriptions of k-diffusion's published code, and vs
diffusers' DDIMScheduler.step loop, on the exact Gaussian denoiser."""

from __future__ import annotations

import pytest
import torch
from support.noise import ListNoise

from diffusion_core.denoisers import power_law_denoiser
from diffusion_core.noise import samplers as Sm
from diffusion_core.noise.discretization import alphas_cumprod, build_schedule, diffusers_timesteps

D = power_law_denoiser(8, 2.0)


def model(x, sigma):  # k-diffusion's D(x, sigma) from our D(x, lam)
    return D(x, -2 * torch.log(sigma))


def kd_to_d(x, sigma, denoised):
    return (x - denoised) / sigma


def kd_euler(x, sigmas):
    s_in = x.new_ones([x.shape[0]])
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i] * s_in)
        x = x + kd_to_d(x, sigmas[i], denoised) * (sigmas[i + 1] - sigmas[i])
    return x


def kd_heun(x, sigmas):
    s_in = x.new_ones([x.shape[0]])
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i] * s_in)
        d = kd_to_d(x, sigmas[i], denoised)
        dt = sigmas[i + 1] - sigmas[i]
        if sigmas[i + 1] == 0:
            x = x + d * dt
        else:
            x_2 = x + d * dt
            d_2 = kd_to_d(x_2, sigmas[i + 1], model(x_2, sigmas[i + 1] * s_in))
            x = x + (d + d_2) / 2 * dt
    return x


def kd_dpmpp_2m(x, sigmas):
    s_in = x.new_ones([x.shape[0]])
    sigma_fn, t_fn = (lambda t: t.neg().exp()), (lambda s: s.log().neg())
    old = None
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i] * s_in)
        t, t_next = t_fn(sigmas[i]), t_fn(sigmas[i + 1])
        h = t_next - t
        if old is None or sigmas[i + 1] == 0:
            x = (sigma_fn(t_next) / sigma_fn(t)) * x - (-h).expm1() * denoised
        else:
            r = (t - t_fn(sigmas[i - 1])) / h
            x = (sigma_fn(t_next) / sigma_fn(t)) * x - (-h).expm1() * (
                (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old
            )
        old = denoised
    return x


def kd_euler_ancestral(x, sigmas, noises, eta=1.0):
    s_in = x.new_ones([x.shape[0]])
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i] * s_in)
        up = min(
            sigmas[i + 1], eta * (sigmas[i + 1] ** 2 * (sigmas[i] ** 2 - sigmas[i + 1] ** 2) / sigmas[i] ** 2) ** 0.5
        )
        down = (sigmas[i + 1] ** 2 - up**2) ** 0.5
        x = x + kd_to_d(x, sigmas[i], denoised) * (down - sigmas[i])
        if sigmas[i + 1] > 0:
            x = x + noises[i] * up
    return x


@pytest.fixture
def start():
    g = torch.Generator().manual_seed(0)
    sig = build_schedule("karras", 9, {"sigma_min": 0.01, "sigma_max": 20.0}).sigmas
    x = sig[0] * torch.randn(3, 1, 8, 8, generator=g, dtype=torch.float64)
    noises = [torch.randn(3, 1, 8, 8, generator=g, dtype=torch.float64) for _ in range(9)]
    return sig, x, noises


@pytest.mark.parametrize(
    "ours,ref", [(Sm.sample_euler, kd_euler), (Sm.sample_heun, kd_heun), (Sm.sample_dpmpp_2m, kd_dpmpp_2m)]
)
def test_deterministic_samplers_match_k_diffusion(start, ours, ref):
    sig, x, _ = start
    a, b = ours(D, x, sig), ref(x, sig)
    assert torch.allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("eta", [1.0, 0.5])
def test_euler_ancestral_matches_k_diffusion(start, eta):
    sig, x, noises = start
    a = Sm.sample_euler_ancestral(D, x, sig, noise=ListNoise(noises), eta=eta)
    assert torch.allclose(a, kd_euler_ancestral(x, sig, noises, eta), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("eta", [0.0, 1.0, 0.3])
def test_ddim_matches_diffusers_ddim_scheduler(eta):
    diffusers = pytest.importorskip("diffusers")
    sch = diffusers.DDIMScheduler(
        beta_schedule="scaled_linear",
        beta_start=0.00085,
        beta_end=0.012,
        timestep_spacing="trailing",
        clip_sample=False,
    )
    sch.set_timesteps(10)
    ac = alphas_cumprod("scaled_linear", 1000, 0.00085, 0.012).double()
    ts = diffusers_timesteps(10, 1000, "trailing")
    sig = torch.cat([((1 - ac[ts]) / ac[ts]).sqrt(), torch.zeros(1, dtype=torch.float64)])  # set_alpha_to_one: last 0
    g = torch.Generator().manual_seed(1)
    z = torch.randn(2, 1, 8, 8, generator=g, dtype=torch.float64)  # VP state at t = 999
    noises = [torch.randn(2, 1, 8, 8, generator=g, dtype=torch.float64) for _ in range(10)]
    x_start = z / ac[ts[0]].sqrt()  # the same state, VE
    sch.alphas_cumprod = ac  # float64 throughout
    for i, t in enumerate(sch.timesteps):
        a = ac[int(t)]
        x_ve = z / a.sqrt()
        eps = (x_ve - D(x_ve, torch.log(a / (1 - a)).reshape(1))) / ((1 - a) / a).sqrt()
        z = sch.step(eps, int(t), z, eta=eta, variance_noise=noises[i]).prev_sample
    # our sampler: VE state; diffusers' noise std at step i is sigma_up * alpha_prev, i.e. sigma_up in VE
    ours = Sm.sample_ddim(D, x_start, sig, noise=ListNoise(noises), eta=eta)
    assert torch.allclose(ours, z, rtol=1e-8, atol=1e-10)
