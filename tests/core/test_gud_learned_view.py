"""gud/learned_view.py on a Gaussian toy set (4x4 images, D = 16): the snapshot grid, the fitted Gaussian in a
network's whitened components, the exact reverse process from the DDIM's own starting noise, and the closed-form
readout of resolved components (reference gud.md, Secs. 3 and 5.2)."""

import pytest
import torch

from diffusion_core.gud.learned import ddim_sample, from_image, learned_gud, to_image
from diffusion_core.gud.learned_view import (
    GaussianPosterior,
    Recorder,
    component_groups,
    exact_reverse,
    fitted_covariance,
    group_ranks,
    resolved_shares,
    rms_gap,
    snapshot_steps,
    to_data,
)
from diffusion_core.gud.process import GAMMA_CAP, ComponentGaussianDenoiser, alpha_sigma, from_white, to_white
from diffusion_core.gud.schedules import gamma, soft_conditioning


@pytest.fixture(scope="module")
def digits():
    """4,000 draws of a correlated Gaussian on 4x4 images (mean 0.1), float32 [N, 1, 4, 4]."""
    g = torch.Generator().manual_seed(0)
    a = torch.randn(16, 16, generator=g, dtype=torch.float64) / 4
    x = torch.randn(4000, 16, generator=g, dtype=torch.float64) @ a + 0.1
    return x.reshape(-1, 1, 4, 4).to(torch.float32)


def test_snapshot_steps_are_the_reverse_samplers_marks():
    assert snapshot_steps(50, 6) == (0, 10, 20, 30, 40, 50)
    assert snapshot_steps(5, 6) == (0, 1, 2, 3, 4, 5) and snapshot_steps(3, 6) == (0, 1, 2, 3)


def test_fitted_covariance_is_diagonal_and_white_in_pca_and_full_in_pixels(digits):
    pca = learned_gud("pca", 1.0, 2.0, digits)
    c = fitted_covariance(pca, digits)
    assert c.shape == (16,) and torch.allclose(c, torch.ones(16, dtype=torch.float64), atol=1e-6)
    pix = learned_gud("pixel", 0.0, 1.0, digits)
    full = fitted_covariance(pix, digits)
    x = digits.reshape(-1, 16).double()
    assert full.shape == (16, 16) and torch.allclose(full, torch.cov(x.T, correction=0), atol=1e-6)


def test_posterior_through_the_eigenbasis_equals_the_solve(digits):
    cov = fitted_covariance(learned_gud("pixel", 0.0, 1.0, digits), digits)
    y = torch.randn(5, 16, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    fast, solve = GaussianPosterior(cov), ComponentGaussianDenoiser(cov)
    for lam in (torch.full((1, 16), -2.0), torch.full((1, 16), 3.0), torch.linspace(-2, 3, 16)[None]):
        assert torch.allclose(fast(y, lam), solve(y, lam), atol=1e-10)


def test_readout_is_the_soft_conditioning_closed_form():
    """log SNR_i(t) = -g_d - a (l_i - l_max) - t * slope (gud.md 5.2): resolved iff >= -g_d, i.e. a (l_max - l_i)
    >= t * slope; groups in label order."""
    labels = torch.arange(16, dtype=torch.float64) / 3
    s = soft_conditioning(labels, torch.zeros(16, dtype=torch.float64), a=2.0)
    times = torch.tensor([1.0, 0.5, 0.3, 0.1, 0.0], dtype=torch.float64)
    shares = resolved_shares(s, times, groups=4)
    ok = 2.0 * (labels.max() - labels)[None, :] >= times[:, None] * s.slope - 1e-9  # [T, 16]
    expected = ok.double().reshape(5, 4, 4).mean(-1)  # groups of 4 consecutive labels
    assert torch.equal(shares, expected)
    assert shares[-1].tolist() == [1.0] * 4 and shares[0].tolist() == [0.0] * 4
    assert group_ranks(s, 4) == [(1, 4), (5, 8), (9, 12), (13, 16)]
    assert [g.tolist() for g in component_groups(s, 4)] == [list(range(k, k + 4)) for k in (0, 4, 8, 12)]


def test_exact_run_starts_where_ddim_starts_and_a_perfect_network_lands_beside_it(digits):
    """DDIM with the Gaussian's exact eps (a network that learned the Gaussian) and the exact PF-ODE: the same
    chi_hat(1) for a seed, the same snapshot times, and nearly the same end point."""
    g = learned_gud("pca", 1.0, 2.0, digits)
    den = GaussianPosterior(fitted_covariance(g, digits))

    def exact_eps(img, t):
        z = from_image(g, img)
        a, s = alpha_sigma(g.schedule, float(t[0]))
        x0 = den(z / a, -gamma(g.schedule, torch.tensor([float(t[0])])).clamp(-GAMMA_CAP, GAMMA_CAP))
        return to_image(g, (z - a * x0) / s)

    rec = Recorder(200, 6)
    x = ddim_sample(exact_eps, g, 8, 200, torch.Generator().manual_seed(4), rec)
    net = rec.snapshots()
    exact, z_end = exact_reverse(g, den, 200, 8, 4, 6)
    assert net.steps == exact.steps == (0, 40, 80, 120, 160, 200)
    assert torch.equal(net.times, exact.times) and net.times.tolist() == pytest.approx([1, 0.8, 0.6, 0.4, 0.2, 0])
    assert torch.equal(net.states[0], exact.states[0])  # the same chi_hat(1)
    assert torch.equal(net.states[-1], net.denoised[-1]) and torch.equal(exact.states[-1], z_end)
    assert torch.allclose(to_data(g, net.states[-1]), x, atol=1e-5)  # the recorded end is the returned sample
    gap = rms_gap(net, exact)
    assert gap[0] == 0 and float(gap[-1]) < 0.05  # two integrators of one ODE, 200 steps
    assert to_data(g, exact.states).shape == (6, 8, 1, 4, 4)
    assert torch.allclose(from_white(g.space, z_end), to_data(g, z_end).double(), atol=1e-6)
    assert torch.allclose(to_white(g.space, to_data(g, z_end)), z_end, atol=1e-4)
