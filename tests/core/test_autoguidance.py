"""Autoguidance D_w = D_0 + w (D_1 - D_0) (Karras et al. 2024, eq. 2) against exact Gaussian denoisers, and on the
shipped MNIST networks: w = 1 is the main network and w = 0 the guide (to float32 rounding)."""

from __future__ import annotations

import math

import pytest
import torch

from diffusion_core.denoisers.autoguidance import AutoGuided
from diffusion_core.noise.samplers import sample_heun
from diffusion_core.protocols import lam_to_sigma, sigma_to_lam


def gaussian(s: float):
    """The exact denoiser of N(0, s^2 I): D(x; sigma) = s^2 / (s^2 + sigma^2) x."""
    return lambda x, lam: s**2 / (s**2 + lam_to_sigma(torch.as_tensor(lam, dtype=x.dtype)) ** 2) * x


@pytest.mark.parametrize("w", [0.0, 1.0, 2.5])
def test_guided_gaussian_denoiser_is_the_closed_form_combination(w):
    x, sigma = torch.linspace(-3, 3, 7, dtype=torch.float64), 0.7
    d = AutoGuided(gaussian(1.0), gaussian(2.0), w)(x, sigma_to_lam(torch.tensor(sigma, dtype=torch.float64)))
    g1, g0 = 1 / (1 + sigma**2), 4 / (4 + sigma**2)
    assert torch.allclose(d, (g0 + w * (g1 - g0)) * x, rtol=1e-12, atol=0)


def test_guidance_away_from_a_wider_guide_narrows_the_samples_by_the_exact_factor():
    """Probability-flow ODE on a guided pair of 1-D Gaussians (data std 1, guide std 2): at w = 2 the guided
    denoiser is exact for no Gaussian, but the flow is linear in x, so the final std is the product of the
    per-step factors; the Heun result with 400 steps matches the ODE's closed form to 1e-3."""
    sigmas = torch.cat([torch.logspace(1, -3, 400, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)])
    x = sigmas[0] * torch.ones(1, dtype=torch.float64)
    out = sample_heun(AutoGuided(gaussian(1.0), gaussian(2.0), 2.0), x, sigmas)
    # dx/dsigma = (x - D)/sigma = x (1 - g(sigma))/sigma with g = 2 g1 - g0:
    # log x(0) - log x(s_max) = int_0^s_max -(1 - g(s))/s ds, with 1 - g1 = s^2/(1+s^2), 1 - g0 = s^2/(4+s^2):
    # = -[2 * 0.5 log(1 + s^2) - 0.5 log(1 + s^2/4)]_0^{s_max}
    s = float(sigmas[0])
    exact = s * math.exp(-(math.log1p(s**2) - 0.5 * math.log1p(s**2 / 4)))
    assert float(out) == pytest.approx(exact, rel=1e-3)
    assert float(out) < 1.0  # narrower than the data's std: guidance sharpens


def test_weight_outside_its_range_is_a_one_line_error():
    with pytest.raises(ValueError, match=r"guidance weight must be in \[0, 10\] \(1 = no guidance\), got -1"):
        AutoGuided(gaussian(1.0), gaussian(2.0), -1.0)


def test_on_the_shipped_networks_w_1_is_the_main_network_and_w_0_the_guide():
    from diffusion_core.models.registry import get_model

    main, guide = get_model("mnist-li-gaussian-gaussian-deep-sigma-high"), get_model("mnist-li-gaussian-gaussian")
    x, lam = torch.randn(2, 1, 28, 28, generator=torch.Generator().manual_seed(0)), torch.tensor([0.0, -4.0])
    d1, d0 = main.denoiser(x, lam), guide.denoiser(x, lam)
    assert float((d1 - d0).abs().max()) > 0.05  # two different networks
    assert torch.allclose(AutoGuided(main.denoiser, guide.denoiser, 1.0)(x, lam), d1, rtol=0, atol=1e-6)
    assert torch.equal(AutoGuided(main.denoiser, guide.denoiser, 0.0)(x, lam), d0)
    assert AutoGuided(main.denoiser, guide.denoiser, 2.0).to(torch.device("cpu")).device == torch.device("cpu")
