"""Coloured noise for stochastic samplers: slope of its spectrum, unit variance, seeded, pluggable."""

from __future__ import annotations

import pytest
import torch

from diffusion_core.denoisers.gaussian import power_law_denoiser
from diffusion_core.noise.coloured import coloured_noise
from diffusion_core.noise.discretization import build_schedule
from diffusion_core.noise.samplers import sample_euler_ancestral
from diffusion_core.spectral.spectrum import fit_power_law, radial_psd
from diffusion_core.validation import InputError


@pytest.mark.parametrize("slope", [0.0, 1.0, 2.0])
def test_slope_and_unit_variance(slope):
    x = coloured_noise(slope)((64, 1, 64, 64), torch.Generator().manual_seed(0))
    assert float(x.var()) == pytest.approx(1.0, rel=0.05)
    r = radial_psd(x)
    beta = fit_power_law(r.freqs, r.psd.mean(0) if r.psd.ndim > 1 else r.psd, (0.02, 0.45)).beta
    assert beta == pytest.approx(slope, abs=0.1)


def test_seeded_and_pluggable_into_a_sampler():
    n = coloured_noise(1.0)
    a = n((2, 1, 16, 16), torch.Generator().manual_seed(3))
    assert torch.equal(a, n((2, 1, 16, 16), torch.Generator().manual_seed(3)))
    sig = build_schedule("karras", 8).sigmas
    x = sig[0] * torch.randn(2, 1, 16, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    out = sample_euler_ancestral(
        power_law_denoiser(16, 2.0), x, sig, generator=torch.Generator().manual_seed(1), noise=n
    )
    assert torch.isfinite(out).all()
    with pytest.raises(InputError, match="noise slope"):
        coloured_noise(-1)
