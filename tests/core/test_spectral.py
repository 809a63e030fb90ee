"""Reference checks A1, A2, A3, A5, A6 (spectral-schedules.md) on the spectral core."""

import math

import numpy as np
import pytest
import torch

from diffusion_core import data
from diffusion_core.spectral import spectrum as spectral
from diffusion_core.validation import InputError


def _white(sigma: float, n: int = 256, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return sigma * torch.randn((1, 1, n, n), generator=g, dtype=torch.float64)


@pytest.mark.parametrize("sigma", [0.1, 0.5, 1.0])
def test_A1_white_noise_is_flat_at_sigma_squared(sigma):
    r = spectral.radial_psd(_white(sigma))
    mean = r.psd[0].mean()
    assert abs(mean / sigma**2 - 1) < 0.02
    spread = (r.psd[0] / sigma**2)[8:].std()  # rings with >= ~50 bins
    assert 0.03 < spread < 0.2  # periodogram scatter, ~0.1 in the reference


def test_A2_parseval():
    x = data.load_photo("astronaut", 256).to(torch.float64)
    p = spectral.power_spectrum(x)
    assert abs(p.sum().item() / x.pow(2).sum().item() - 1) < 1e-10


@pytest.mark.parametrize("beta", [1.0, 2.0, 3.0])
def test_A3_power_law_fields_recover_beta(beta):
    g = torch.Generator().manual_seed(1)
    x = data.gaussian_field(beta, 256, 4, g)
    r = spectral.mean_radial_psd(spectral.radial_psd(x))
    fit = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(256))
    assert abs(fit.beta - beta) < 0.05


def test_A3_field_spectrum_matches_its_variance_map():
    """The field's expected RAPSD is the ring average of power_law_variance (exact ground truth)."""
    g = torch.Generator().manual_seed(2)
    x = data.gaussian_field(2.0, 64, 256, g)
    r = spectral.mean_radial_psd(spectral.radial_psd(x))
    s = data.power_law_variance(64, 2.0)[None, None]
    ring = torch.round(spectral.radial_frequency(64, 64) * 64).long()
    exp = np.array([s[0, 0][ring == k].mean().item() for k in range(1, 33)])
    rel = np.abs(r.psd[0] / exp - 1)
    assert np.median(rel) < 0.05 and rel.max() < 0.6


def test_A5_noisy_psd_is_clean_plus_sigma_squared():
    x0 = data.load_photo("camera", 256).to(torch.float64)
    sigma = 0.5
    g = torch.Generator().manual_seed(3)
    noisy = x0 + sigma * torch.randn(x0.shape, generator=g, dtype=torch.float64)
    clean = spectral.radial_psd(x0)
    rn = spectral.radial_psd(noisy)
    diff = rn.psd[0] - clean.psd[0]
    sd = np.sqrt((sigma**4 + 2 * clean.psd[0] * sigma**2) / (clean.counts / 2))
    z = (diff - sigma**2) / sd
    assert np.abs(z).max() < 5
    assert abs(z.mean()) < 0.5
    assert abs(np.median(diff) / sigma**2 - 1) < 0.05  # high rings: many bins, small scatter


def test_A6_crossing_frequency_monotone_in_sigma():
    x = data.load_photo("camera", 256)
    r = spectral.radial_psd(x)
    lams = np.linspace(-12, 12, 49)  # sigma = exp(-lam/2) decreasing
    f = np.array([spectral.crossing_frequency(r.freqs, r.psd[0], lam) for lam in lams])
    assert np.all(np.diff(f) >= 0)  # more noise -> lower crossing frequency
    assert f[0] < 0.01 and f[-1] > 0.2


def test_snr_identity_and_classes():
    psd = np.array([100.0, 1.0, 0.01])
    lam = math.log(0.5)
    np.testing.assert_allclose(spectral.snr_per_frequency(psd, lam), psd * 0.5)
    np.testing.assert_allclose(spectral.logsnr_per_frequency(psd, lam), lam + np.log(psd))
    np.testing.assert_array_equal(spectral.snr_classes(psd * 0.5, 0.1, 10.0), [2, 1, 0])
    assert spectral.noise_floor(2.0) == pytest.approx(math.exp(-2.0))
    with pytest.raises(InputError, match="tau_lo"):
        spectral.snr_classes(psd, 10.0, 1.0)


def test_hann_window_preserves_white_noise_power():
    r = spectral.radial_psd(_white(1.0), window=True)
    assert abs(r.psd[0].mean() - 1) < 0.03


def test_batched_spectra_match_one_by_one():
    g = torch.Generator().manual_seed(4)
    x = data.gaussian_field(2.0, 32, 3, g)
    rb = spectral.radial_psd(x)
    for i in range(3):
        np.testing.assert_allclose(rb.psd[i], spectral.radial_psd(x[i : i + 1]).psd[0], rtol=1e-12)
