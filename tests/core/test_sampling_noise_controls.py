"""Sampling-noise controls (issue 13 item 7): EDM churn, DDIM eta, coloured and Brownian-tree step noise,
against exact answers (literal k-diffusion / diffusers formulas, the exact Gaussian denoiser)."""

from __future__ import annotations

import math

import pytest
import torch
from support.noise import ListNoise

from diffusion_core.denoisers import power_law_denoiser
from diffusion_core.evaluation import exact as E
from diffusion_core.noise import samplers as Sm
from diffusion_core.noise.coloured import coloured_noise
from diffusion_core.noise.discretization import alphas_cumprod, build_schedule, diffusers_timesteps
from diffusion_core.nonnormal.controls import SamplingNoise
from diffusion_core.nonnormal.laws import noise_sampler
from diffusion_core.spectral.spectrum import fit_power_law, radial_psd
from diffusion_core.validation import InputError

D = power_law_denoiser(8, 2.0)


def kd_churned(x, sigmas, noises, s_churn, s_tmin, s_tmax, s_noise, heun=True):
    """k-diffusion's sample_heun / sample_euler (churn branch), written out literally."""
    s_in = x.new_ones([x.shape[0]])

    def model(x, sigma):
        return D(x, -2 * torch.log(sigma))

    for i in range(len(sigmas) - 1):
        gamma = min(s_churn / (len(sigmas) - 1), 2**0.5 - 1) if s_tmin <= sigmas[i] <= s_tmax else 0.0
        eps = noises[i] * s_noise
        sigma_hat = sigmas[i] * (gamma + 1)
        if gamma > 0:
            x = x + eps * (sigma_hat**2 - sigmas[i] ** 2) ** 0.5
        denoised = model(x, sigma_hat * s_in)
        d = (x - denoised) / sigma_hat
        dt = sigmas[i + 1] - sigma_hat
        if not heun or sigmas[i + 1] == 0:
            x = x + d * dt
        else:
            x_2 = x + d * dt
            d_2 = (x_2 - model(x_2, sigmas[i + 1] * s_in)) / sigmas[i + 1]
            x = x + (d + d_2) / 2 * dt
    return x


@pytest.fixture
def start():
    g = torch.Generator().manual_seed(0)
    sig = build_schedule("karras", 9, {"sigma_min": 0.01, "sigma_max": 20.0}).sigmas
    x = sig[0] * torch.randn(3, 1, 8, 8, generator=g, dtype=torch.float64)
    noises = [torch.randn(3, 1, 8, 8, generator=g, dtype=torch.float64) for _ in range(9)]
    return sig, x, noises


# ---------------------------------------------------------------------------------------------
# EDM churn


@pytest.mark.parametrize("fn", [Sm.sample_euler, Sm.sample_heun])
def test_churn_off_is_bit_identical_and_draws_nothing(start, fn):
    sig, x, _ = start
    g = torch.Generator().manual_seed(5)
    before = g.get_state()
    off = fn(D, x, sig, generator=g, s_churn=0.0, s_tmin=0.05, s_tmax=10.0, s_noise=1.003)
    assert torch.equal(off, fn(D, x, sig)) and torch.equal(g.get_state(), before)


@pytest.mark.parametrize("heun", [True, False])
@pytest.mark.parametrize("opts", [(40.0, 0.0, math.inf, 1.0), (5.0, 0.05, 3.0, 1.003)])
def test_churn_matches_k_diffusion(start, heun, opts):
    sig, x, noises = start
    fn = Sm.sample_heun if heun else Sm.sample_euler
    ours = fn(D, x, sig, noise=ListNoise(noises), **dict(zip(("s_churn", "s_tmin", "s_tmax", "s_noise"), opts)))
    ref = kd_churned(x, sig, noises, *opts, heun=heun)
    assert torch.allclose(ours, ref, rtol=1e-10, atol=1e-12)
    assert not torch.allclose(ours, fn(D, x, sig), atol=1e-3)  # churn really changed the path


def test_churned_heun_keeps_the_data_covariance_at_many_steps():
    """Exact output covariance (impulse responses, no Monte Carlo): 0.35% at N = 256 with S_churn = 40
    (0.02% without churn), shrinking with N: 3.7% at N = 64, 1.3% at N = 128."""
    errs = {
        n: E.exact_cov_error(D, "heun", build_schedule("karras", n).sigmas, SamplingNoise(s_churn=40.0))
        for n in (64, 128, 256)
    }
    assert errs[256] < 0.005 and errs[128] < errs[64] / 2 and errs[256] < errs[128] / 2
    assert E.exact_cov_error(D, "heun", build_schedule("karras", 256).sigmas, SamplingNoise()) < 3e-4


def test_exact_churn_covariance_agrees_with_monte_carlo():
    d4 = power_law_denoiser(4, 2.0)
    sig = build_schedule("karras", 12).sigmas
    nz = SamplingNoise(s_churn=20.0, s_tmin=0.05, s_tmax=10.0, s_noise=1.003)
    c = E.output_covariance("heun", d4, (1, 4, 4), sig, nz)  # [16] diagonal
    g = torch.Generator().manual_seed(0)
    x = Sm.sample_heun(
        d4,
        sig[0] * torch.randn(20_000, 1, 4, 4, generator=g, dtype=torch.float64),
        sig,
        generator=g,
        **nz.sampler_kwargs("heun"),
    )
    mc = d4.encode(x).abs().pow(2).mean(0).reshape(-1)
    plain = E.output_covariance("heun", d4, (1, 4, 4), sig, SamplingNoise())
    assert float((mc - c).norm() / c.norm()) < 0.03 < float((plain - c).norm() / c.norm())


def test_churn_settings_are_validated():
    for bad, match in [
        (dict(s_churn=-1), "s_churn"),
        (dict(s_noise=float("nan")), "s_noise"),
        (dict(s_tmin=2.0, s_tmax=1.0), "s_tmax"),
    ]:
        with pytest.raises(InputError, match=match):
            SamplingNoise(**bad)


# ---------------------------------------------------------------------------------------------
# DDIM eta


@pytest.mark.parametrize("eta", [0.3, 1.0])
def test_ddim_eta_is_diffusers_sigma_t(eta):
    """diffusers DDIMScheduler: sigma_t(eta) = eta sqrt((1 - a_prev)/(1 - a_t)) sqrt(1 - a_t/a_prev) (VP); in VE
    (divided by sqrt(a_prev)) it is our ancestral sigma_up."""
    ac = alphas_cumprod("scaled_linear", 1000, 0.00085, 0.012).double()
    ts = diffusers_timesteps(10, 1000, "trailing")
    for t, prev in zip(ts[:-1].tolist(), ts[1:].tolist()):
        a, ap = ac[t], ac[prev]
        vp = eta * math.sqrt((1 - ap) / (1 - a)) * math.sqrt(1 - a / ap)
        _, up = Sm.ancestral_step(float(((1 - a) / a).sqrt()), float(((1 - ap) / ap).sqrt()), eta)
        assert up == pytest.approx(vp / math.sqrt(ap), rel=1e-12)


def test_ddim_eta_one_is_ddpm_ancestral_and_eta_zero_is_deterministic(start):
    sig, x, noises = start
    a = Sm.sample_ddim(D, x, sig, noise=ListNoise(noises), eta=1.0)
    assert torch.allclose(a, Sm.sample_ddpm_ancestral(D, x, sig, noise=ListNoise(noises)), rtol=1e-12, atol=1e-12)
    assert torch.equal(Sm.sample_ddim(D, x, sig, noise=ListNoise(noises)), Sm.sample_euler(D, x, sig))
    with pytest.raises(InputError, match="DDIM eta"):
        SamplingNoise(eta=1.5)


# ---------------------------------------------------------------------------------------------
# Step noise: coloured and Brownian tree


def _psd_slope(x):
    r = radial_psd(x)
    psd = r.psd.mean(0) if r.psd.ndim > 1 else r.psd
    return fit_power_law(r.freqs, psd, (0.02, 0.45)).beta, psd


def test_coloured_slope_zero_is_white_and_slope_two_is_brown_for_any_law():
    g = torch.Generator().manual_seed(0)
    white_laplace = noise_sampler("laplace")
    beta0, psd0 = _psd_slope(coloured_noise(0.0, base=white_laplace)((64, 1, 64, 64), g))
    assert abs(beta0) < 0.05 and float(abs(psd0 - 1).max()) < 0.1  # flat at unit power
    beta2, _ = _psd_slope(coloured_noise(2.0, base=white_laplace)((64, 1, 64, 64), g))
    assert beta2 == pytest.approx(2.0, abs=0.1)
    same = SamplingNoise(law="laplace", step_noise="coloured", slope=0.0).noise_sampler(torch.ones(2), 0)
    assert torch.equal(
        same((2, 3), torch.Generator().manual_seed(1), torch.float64),
        white_laplace((2, 3), torch.Generator().manual_seed(1), torch.float64),
    )


def test_exact_covariance_under_coloured_noise_agrees_with_monte_carlo():
    """C_out = diag(g_0^2 s_0^2) + (sum_j g_j g_j^T) * M: 1.5% from 40,000 draws, 47% away from the white answer."""
    d4 = power_law_denoiser(4, 2.0)
    sig = build_schedule("karras", 8).sigmas
    nz = SamplingNoise(step_noise="coloured", slope=2.0)
    c = E.output_covariance("ddpm_ancestral", d4, (1, 4, 4), sig, nz)  # [16, 16]
    white = torch.diag(E.output_covariance("ddpm_ancestral", d4, (1, 4, 4), sig, SamplingNoise())).to(c.dtype)
    g = torch.Generator().manual_seed(0)
    x = sig[0] * torch.randn(40_000, 1, 4, 4, generator=g, dtype=torch.float64)
    cc = d4.encode(Sm.sample_ddpm_ancestral(d4, x, sig, generator=g, noise=nz.noise_sampler(sig, 0))).reshape(
        40_000, -1
    )
    s = cc.T @ cc.conj() / 40_000
    assert float((s - c).abs().norm() / c.abs().norm()) < 0.03
    assert float((white - c).abs().norm() / c.abs().norm()) > 0.3


@pytest.mark.parametrize("sampler", ["euler_ancestral", "ddpm_ancestral"])
def test_brownian_tree_makes_n10_and_n20_closer_than_white(sampler):
    """Same z, N = 10 vs N = 20 (exact 16x16 field denoiser): the Brownian tree's samples are much closer than
    with independent white injections (euler_ancestral: relative distance 0.37 vs 1.16, measured 2026-12-01 with the SeedSequence tree)."""
    d16 = power_law_denoiser(16, 2.0)

    def run(n, kind):
        sig = build_schedule("karras", n).sigmas
        g = torch.Generator().manual_seed(0)
        x = sig[0] * torch.randn(8, 1, 16, 16, generator=g, dtype=torch.float64)
        return Sm.SAMPLERS[sampler](
            d16, x, sig, generator=g, noise=SamplingNoise(step_noise=kind).noise_sampler(sig, 0)
        )

    dist = {k: float((run(10, k) - run(20, k)).norm() / run(20, k).norm()) for k in ("white", "brownian")}
    assert dist["brownian"] < 0.4 * dist["white"]


def test_brownian_needs_the_gaussian_law():
    with pytest.raises(InputError, match="choose noise law gaussian"):
        SamplingNoise(law="laplace", step_noise="brownian")
    with pytest.raises(InputError, match="step noise"):
        SamplingNoise(step_noise="pink")


def test_brownian_tree_resolves_small_steps_below_a_flow_schedules_t1():
    """A tree over [0, 2^24 - 1] (flow t = 1) gets 42 levels: a step 0.01 -> 0.005 still has N(0, 1) increments."""
    from diffusion_core.noise.brownian import BrownianTree
    from diffusion_core.noise.flow import SIGMA_T1

    tree = BrownianTree((20_000,), 0.0, SIGMA_T1, seed=0)
    assert tree.depth == 42 and BrownianTree((2,), 0.0, 80.0).depth == 24
    assert float(tree.increment(0.01, 0.005).var()) == pytest.approx(1, abs=0.04)
