"""The SSD sampler with the exact power-law-field denoiser: reproduces the field's spectrum within
Monte Carlo error of its own exactly propagated covariance; same seed -> same pixels."""

import numpy as np
import pytest
import torch

from diffusion_core import scale_space as ss
from diffusion_core.scale_space.sampler import ExactFieldDenoiser, sampler_output_covariance, spectrum_check, ssd_sample

pytestmark = pytest.mark.slow  # minutes of CPU: `make test` runs it, `make test-quick` does not

STEPS = 100


@pytest.fixture(scope="module")
def den():
    return ExactFieldDenoiser(16, 2.0)


def test_exact_denoiser_is_the_gaussian_posterior_mean(den):
    """x0_hat at 8 px from x_t at 4 px against direct dense conditioning."""
    A4, A8 = ss.resize_matrix(16, 4), ss.resize_matrix(16, 8)
    ab = 0.3
    y = torch.randn(2, 1, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    cov_y = ab * A4 @ den.C @ A4.T + (1 - ab) * torch.eye(16, dtype=torch.float64)
    ref = (A8 @ den.C @ A4.T * ab**0.5) @ torch.linalg.solve(cov_y, y.reshape(2, 16).T)
    assert torch.allclose(den.x0_hat(y, ab, 8).reshape(2, 64), ref.T, atol=1e-12)
    # full-resolution Fourier path equals the dense formula
    y16 = torch.randn(1, 1, 16, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    dense = (
        den.C * ab**0.5 @ torch.linalg.solve(ab * den.C + (1 - ab) * torch.eye(256, dtype=torch.float64), y16.flatten())
    )
    assert torch.allclose(den.x0_hat(y16, ab, 16).flatten(), dense, atol=1e-12)


@pytest.mark.parametrize("levels", [3, 1])  # SSD(3L) and DDPM = SSD(1L)
def test_samples_match_the_exact_output_covariance(den, levels):
    """100 steps: the sampler's own spectrum (exact propagation) vs 400 samples, within MC error."""
    sched = ss.resolution_schedule(16, levels)
    x = ssd_sample(den, sched, 400, torch.Generator().manual_seed(7), steps=STEPS)
    assert x.shape == (400, 1, 16, 16)
    chk = spectrum_check(x, den, sampler_output_covariance(den, sched, steps=STEPS))
    assert np.all(np.abs(chk.z) < 4.0), chk.z
    # with only 100 ancestral steps the posterior-mean sampler is visibly short of variance
    assert np.all(chk.predicted < chk.truth)


@pytest.mark.parametrize("levels", [3, 1])
def test_sampler_reproduces_the_field_spectrum_at_T_1000(levels):
    """All 1000 DDPM steps on an 8x8 field: the output spectrum is within 4% of the truth, and
    the samples agree with it within Monte Carlo error."""
    den8 = ExactFieldDenoiser(8, 2.0)
    sched = ss.resolution_schedule(8, levels)
    x = ssd_sample(den8, sched, 400, torch.Generator().manual_seed(11))
    chk = spectrum_check(x, den8, sampler_output_covariance(den8, sched))
    assert np.all(np.abs(chk.predicted / chk.truth - 1) < 0.04), chk.predicted / chk.truth
    assert np.all(np.abs(chk.z) < 4.0), chk.z
    assert np.all(chk.rel_error < 0.04 + 4 * chk.stderr / chk.truth)


def test_same_seed_same_pixels(den):
    sched = ss.resolution_schedule(16, 3)
    a = ssd_sample(den, sched, 4, torch.Generator().manual_seed(3), steps=50)
    b = ssd_sample(den, sched, 4, torch.Generator().manual_seed(3), steps=50)
    c = ssd_sample(den, sched, 4, torch.Generator().manual_seed(4), steps=50)
    assert torch.equal(a, b) and not torch.equal(a, c)
