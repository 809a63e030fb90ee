"""Gaussian-mixture denoisers (exact posterior means) and reverse sampling with every increment law."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from diffusion_core.denoisers.mixture import mixture_1d, mixture_2d
from diffusion_core.nonnormal.laws import LAWS, noise_sampler
from diffusion_core.nonnormal.walks import reverse_vp_walk
from diffusion_core.validation import InputError


def test_1d_denoiser_is_posterior_mean_by_quadrature():
    mix = mixture_1d()
    prior = lambda u: 0.5 * stats.norm.pdf(u, -2, 0.3) + 0.5 * stats.norm.pdf(u, 2, 0.3)
    for x, sigma in [(0.3, 0.5), (-1.1, 1.7), (2.4, 0.05), (0.0, 3.0)]:
        lik = lambda u, x=x, sigma=sigma: prior(u) * stats.norm.pdf(x, u, sigma)
        num = integrate.quad(lambda u, lik=lik: u * lik(u), -6, 6, points=[-2, 2, x], limit=200)[0]
        den = integrate.quad(lik, -6, 6, points=[-2, 2, x], limit=200)[0]
        got = mix.denoise(torch.tensor([[x]], dtype=torch.float64), sigma)
        assert float(got) == pytest.approx(num / den, abs=1e-7)
        lam = torch.tensor([-2 * math.log(sigma)], dtype=torch.float64)
        assert float(mix(torch.tensor([[x]], dtype=torch.float64), lam)) == pytest.approx(num / den, abs=1e-7)


def test_2d_denoiser_by_grid_quadrature_and_tweedie_score():
    mix = mixture_2d()
    g = torch.linspace(-3, 3, 601, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)  # [P, 2]
    logp0 = mix.log_prob(grid)  # [P]
    x, sigma = torch.tensor([[0.7, -0.4]], dtype=torch.float64), 0.4
    logw = logp0 - ((x - grid) ** 2).sum(-1) / (2 * sigma**2)
    w = torch.softmax(logw, 0)
    assert torch.allclose(mix.denoise(x, sigma), (w[:, None] * grid).sum(0, keepdim=True), atol=1e-6)
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(mix.log_prob(xr, sigma).sum(), xr)
    assert torch.allclose(mix.score(x, sigma), grad, atol=1e-10)


def test_mixture_sampling_moments():
    mix = mixture_1d()
    x = mix.sample(200_000, torch.Generator().manual_seed(0)).squeeze(1).numpy()
    assert x.mean() == pytest.approx(0.0, abs=0.02) and x.var() == pytest.approx(4.09, abs=0.03)
    with pytest.raises(InputError, match="n must be in"):
        mix.sample(0)


def _mode_stats(x: np.ndarray) -> tuple[float, float]:
    pos = x > 0
    return float(pos.mean()), 0.5 * float(x[pos].std() + x[~pos].std())


@pytest.mark.parametrize("law", LAWS)
def test_reverse_invariance_on_1d_mixture(law):
    """Euler-Maruyama reverse VP SDE with the exact score: within-mode std -> 0.30, mode fraction -> 0.5."""
    mix, m = mixture_1d(), 20_000
    gen = torch.Generator().manual_seed(2)
    x_t = torch.randn(m, 1, generator=gen, dtype=torch.float64)
    few = _mode_stats(reverse_vp_walk(mix, x_t, 8, noise=noise_sampler(law), generator=gen).squeeze(1).numpy())
    many = _mode_stats(reverse_vp_walk(mix, x_t, 200, noise=noise_sampler(law), generator=gen).squeeze(1).numpy())
    assert few[1] > 0.4  # finite N: far from the data
    assert abs(many[0] - 0.5) < 4 * math.sqrt(0.25 / m)
    assert many[1] == pytest.approx(0.30, abs=0.01)


def test_reverse_walk_is_seeded():
    mix = mixture_2d()
    run = lambda: reverse_vp_walk(
        mix,
        torch.zeros(4, 2, dtype=torch.float64),
        5,
        noise=noise_sampler("laplace"),
        generator=torch.Generator().manual_seed(1),
    )
    assert torch.equal(run(), run())
