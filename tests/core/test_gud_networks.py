"""GUD with a network (gud/learned.py): the eps loss and the component-wise DDIM against closed forms for data
whose whitened components are standard Gaussian, where E[eps | z_t] = sigma_t z_t exactly."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from diffusion_core.gud.learned import alpha_sigma_at, ddim_sample, from_image, gud_loss, learned_gud, to_image
from diffusion_core.gud.likelihood import ode_nll_white
from diffusion_core.gud.orderings import windows
from diffusion_core.gud.process import to_white
from diffusion_core.gud.schedules import gamma

SHAPE = (1, 8, 8)


@pytest.fixture(scope="module")
def gaussian_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A Gaussian on 8 x 8 images with a power-law spectrum of variances: (chol L, mean, 40,000 draws)."""
    g = torch.Generator().manual_seed(0)
    d = 64
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=torch.float64))
    var = torch.logspace(0, -3, d, dtype=torch.float64)
    chol = q @ torch.diag(var.sqrt())
    mean = 0.1 * torch.randn(d, generator=g, dtype=torch.float64)
    x = (torch.randn(40_000, d, generator=g, dtype=torch.float64) @ chol.T + mean).reshape(-1, *SHAPE)
    return chol, mean, x


class ExactEps(nn.Module):
    """eps_hat = sigma(t) z in whitened components (the MMSE for N(0, I) components), as F = eps_hat - phi_hat."""

    def __init__(self, space) -> None:
        super().__init__()
        self.space = space
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, img: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        t = (c.double() + 1) / 2
        _, s = alpha_sigma_at(self.space.schedule, t)
        return to_image(self.space, s * from_image(self.space, img)) - img


@pytest.mark.parametrize("basis, r, a", [("pca", 1.0, 2.0), ("pca", 1.0, 1.0)])
def test_eps_loss_of_the_exact_denoiser_is_the_mean_of_alpha_squared(gaussian_data, basis, r, a):
    _, _, x = gaussian_data
    space = learned_gud(basis, r, a, x)
    white = to_white(space.space, x[:20_000])
    assert float((white.var(0) - 1).abs().max()) < 0.05  # the whitened components are near N(0, 1)
    loss = gud_loss(ExactEps(space), space, x[20_000:24_096], torch.Generator().manual_seed(1))
    ts = (torch.arange(2000, dtype=torch.float64) + 0.5) / 2000
    a_, _ = alpha_sigma_at(space.schedule, ts)
    want = float(a_.pow(2).mean())  # E ||eps - sigma z||^2 per component = 1 - sigma^2 = alpha^2, averaged over t
    assert float(loss) == pytest.approx(want, rel=0.03)
    assert want < 0.9  # not the trivial value of a loss that ignores the signal


def test_ddim_with_the_exact_eps_scales_each_component_by_the_closed_form_product(gaussian_data):
    _, _, x = gaussian_data
    space = learned_gud("pca", 1.0, 2.0, x)
    steps, n = 7, 5
    net = ExactEps(space)
    out = ddim_sample(lambda img, t: net(img, 2 * t - 1) + img, space, n, steps, torch.Generator().manual_seed(4))
    z1 = torch.randn(n, 64, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    ts = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    g = gamma(space.schedule, ts[:steps])  # [steps, D]
    al, sg = torch.sigmoid(-g).sqrt(), torch.sigmoid(g).sqrt()
    factor = torch.prod(al[1:] * al[:-1] + sg[1:] * sg[:-1], dim=0) * al[-1]  # [D]
    want = z1 * factor  # whitened components of the expected output
    torch.testing.assert_close(to_white(space.space, out.double()), want, atol=2e-4, rtol=1e-3)


def test_soft_conditioning_staggers_the_pca_components_and_a_1_pixel_is_one_schedule(gaussian_data):
    _, _, x = gaussian_data
    soft = learned_gud("pca", 1.0, 2.0, x)
    start, end = windows(soft.schedule)
    assert float(start[0]) > float(start[-1]) and float(end[0]) > float(
        end[-1]
    )  # largest variance noised last: generated first
    std = learned_gud("pixel", 0.0, 1.0, x)
    g = gamma(std.schedule, torch.tensor([0.0, 0.5, 1.0]))
    assert float((g - g[:, :1]).abs().max()) < 1e-9  # every pixel shares gamma(t)
    var = std.space.variances
    assert float(g[-1, 0]) == pytest.approx(3.0 + math.log(float(var.max())), abs=1e-9)  # gamma_noise + log Sigma_max
    assert float(g[0, 0]) == pytest.approx(-7.0 + math.log(float(var.min())), abs=1e-9)  # gamma_denoise + log Sigma_min


class GaussianEps(nn.Module):
    """eps_hat = sigma z / (alpha^2 c + sigma^2): the MMSE for N(0, diag c) whitened components."""

    def __init__(self, space, c: torch.Tensor) -> None:
        super().__init__()
        self.space, self.c = space, c

    def forward(self, img: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        a, s = alpha_sigma_at(self.space.schedule, t.double())
        z = from_image(self.space, img)
        return to_image(self.space, s * z / (a * a * self.c + s * s))


def test_ode_likelihood_of_the_exact_gaussian_denoiser_is_the_gaussian_log_density(gaussian_data):
    _, _, x = gaussian_data
    space = learned_gud("pca", 1.0, 1.0, x)
    c = torch.linspace(0.3, 2.0, 64, dtype=torch.float64)  # component variances of the test law (not 1)
    a0, s0 = alpha_sigma_at(space.schedule, torch.zeros(1, dtype=torch.float64))
    var0 = a0[0] ** 2 * c + s0[0] ** 2  # the exact marginal variance at t = 0
    g = torch.Generator().manual_seed(2)
    z0 = torch.randn(256, 64, generator=g, dtype=torch.float64) * var0.sqrt()
    nll = ode_nll_white(GaussianEps(space, c), space, z0, g, steps=50)
    want = 0.5 * (z0**2 / var0).sum(-1) + 0.5 * torch.log(2 * math.pi * var0).sum()
    err = nll - want
    assert abs(float(err.mean())) < 0.05  # Hutchinson noise averages out over the batch (measured: -0.004)
    assert float(err.abs().median()) < 0.2  # per image (measured 0.03 nats; the unit-variance model is 3.7 off)
    wrong = ode_nll_white(GaussianEps(space, torch.ones(64, dtype=torch.float64)), space, z0, g, steps=50)
    assert float((wrong - want).mean()) > 2.0


def test_edm_variance_times_give_edms_sigma_law_when_all_components_share_gamma(gaussian_data):
    """pixel basis, a = 1: one gamma(t) for every component, so gamma(t_b) = 2 ln sigma with EDM's
    ln sigma ~ N(-1.2, 1.2^2) wherever the clip to [0, 1] does not act."""
    from diffusion_core.gud.learned import EDM_P_MEAN, EDM_P_STD, train_times

    _, _, x = gaussian_data
    space = learned_gud("pixel", 0.0, 1.0, x, gamma_noise=6.0, time_sampling="edm-variance")
    s = space.schedule
    assert float(s.gamma0.max() - s.gamma0.min()) < 1e-9  # one line for all (a = 1, white prior)
    t = train_times(space, 200_000, torch.Generator().manual_seed(0))
    inside = (t > 0) & (t < 1)
    ln_sigma = (s.gamma0[0] + s.slope * t[inside]) / 2
    z = (ln_sigma - EDM_P_MEAN) / EDM_P_STD
    assert abs(float(z.mean())) < 0.02 and abs(float(z.std()) - 1.0) < 0.02
    assert s.band == (-7.0, 6.0)  # the band's noise end moved, its clean end is the official code's
    d = learned_gud("pixel", 0.0, 1.0, x).schedule  # the official band (-7, 3)
    assert float(s.gamma0[0] + s.slope) - float(d.gamma0[0] + d.slope) == pytest.approx(3.0)  # gamma(1) moved by 3
    uniform = train_times(learned_gud("pixel", 0.0, 1.0, x), 1000, torch.Generator().manual_seed(0))
    assert torch.allclose(uniform.sort().values, uniform)  # stratified: t_b in [b/B, (b+1)/B)


def test_edm_variance_times_follow_the_component_variances(gaussian_data):
    """PCA, a = 2: components noised at different times; the share of draws whose t lies in component i's
    window centre matches Sigma_i / sum Sigma (checked on the top component, which carries the largest share)."""
    from diffusion_core.gud.learned import train_times

    _, _, x = gaussian_data
    space = learned_gud("pca", 1.0, 2.0, x, time_sampling="edm-variance")
    s = space.schedule
    t = train_times(space, 100_000, torch.Generator().manual_seed(0))
    gam = gamma(s, t)  # [B, D]
    top = int(space.space.variances.argmax())
    share = float(space.space.variances[top] / space.space.variances.sum())
    assert share > 0.05
    half = ((gam[:, top] - (-2.4)).abs() < 2.4).double().mean()  # within one EDM std of its centre
    assert float(half) > 0.68 * share  # at least the draws aimed at it land there
    assert float(t.mean()) != pytest.approx(0.5, abs=0.02)  # not the uniform law


@pytest.mark.parametrize("name", ["mnist-gud-pca-soft", "mnist-gud-pixel-standard"])
def test_a_shipped_gud_network_is_sampled_in_the_space_it_was_trained_in(name):
    """Sampling rebuilds the space from the weights' sidecar (models/gud_space.sidecar_gud), training from the
    preset (training/gud.space_of): one builder, the same settings, so the same space and schedule."""
    from diffusion_core.models.gud_space import fitted_gud, sidecar_gud
    from diffusion_core.models.registry import load_own
    from diffusion_core.training.gud import space_of
    from diffusion_core.training.scale_space import load_train_preset

    side = load_own(name)[1]
    preset = load_train_preset(f"train/{name}.toml")
    sampled, trained = sidecar_gud(side), space_of(preset)
    for field in ("basis", "r", "a", "prediction", "time_sampling", "p_mean", "p_std"):
        assert getattr(sampled, field) == getattr(trained, field), field
    assert sampled.schedule.band == trained.schedule.band
    torch.testing.assert_close(sampled.space.variances, trained.space.variances)
    assert fitted_gud.cache_info().hits >= 1  # the second build was the first one's, not a refit
