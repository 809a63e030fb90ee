"""Maths the app used to do inline, now named core functions (issue 21 item 4), checked against exact answers."""

import math

import numpy as np
import torch

from diffusion_core import scale_space as ss
from diffusion_core.noise.conventions import lam_from_alpha_bar, lam_from_sigma
from diffusion_core.noise.readouts import lam_of_snr, snr_from_alpha_bar, steps_per_lam_bin, vp_state
from diffusion_core.nonnormal.density import gaussian_pdf_curve, ks_mc_floor
from diffusion_core.scale_space.readouts import field_denoiser, in_data_units, share_above, switch_posterior
from diffusion_core.spectral.resolution_law import carried, mean_abs_gap, per_doubling_slope


def test_resolution_law_recovers_an_exact_line():
    sides = (64, 128, 256, 512)
    lam = [1.5 - 2 * math.log(2) * math.log2(s / 64) for s in sides]  # the power-law image: −2 ln 2
    slope = per_doubling_slope(sides, lam)
    assert abs(slope + 2 * math.log(2)) < 1e-12
    assert np.allclose(carried(lam[0], 64, sides, slope), lam)
    assert mean_abs_gap([slope + 0.5, slope - 0.5], slope) == 0.5


def test_gaussian_density_and_ks_floor():
    x, p = gaussian_pdf_curve(0.3, 2.0)
    assert len(x) == 301 and abs(x[0] - (0.3 - 4.5 * math.sqrt(2))) < 1e-12
    assert abs(np.trapezoid(p, x) - 1) < 1e-4 and abs(p.max() - 1 / math.sqrt(4 * math.pi)) < 1e-3
    assert abs(ks_mc_floor(10_000) - 0.0087) < 1e-12


def test_noise_readouts_agree_with_the_conventions():
    sigma = 2.5
    ab = 1 / (1 + sigma**2)  # VP ᾱ at the VE σ of the same λ
    assert abs(lam_of_snr(snr_from_alpha_bar(ab)) - float(lam_from_alpha_bar(ab))) < 1e-12
    assert abs(lam_of_snr(snr_from_alpha_bar(ab)) - float(lam_from_sigma(sigma))) < 1e-12
    assert lam_of_snr(0.0) == -math.inf
    assert torch.allclose(vp_state(torch.full((2,), 5.0), sigma), torch.full((2,), 5.0 * math.sqrt(ab)))
    edges, counts = steps_per_lam_bin({"a": np.array([-1.5, -0.2, 0.1, 2.7]), "b": np.array([0.5])})
    assert edges.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0] and counts["a"].tolist() == [1, 1, 1, 0, 1, 0]


def test_scale_space_readouts():
    x = torch.ones(3)
    assert torch.allclose(in_data_units(x, 0.25), 2 * x)
    assert share_above(np.array([0.1, 0.2, 0.3]), np.array([1.0, 1.0, 2.0]), 0.15) == 0.75
    sched = ss.resolution_schedule(16, 2, "convex", 0.5, 1000)
    t, ev, naive, s2 = switch_posterior(sched, 1000)
    assert t == sched.switches[0] and ev.shape == (256,) and np.all(np.diff(ev) <= 1e-12)  # largest first
    assert naive - 1e-12 <= ev.min() and ev.max() <= s2 + 1e-12  # σ_s²(I − ρc² MᵀM) with 0 ⪯ MᵀM ⪯ I
    ab = ss.ddpm_alpha_bar(1000)
    k = ss.StepCoefficients.of(float(ab[t - 1]), float(ab[t]))
    assert abs(naive - k.sigma_s2 * (1 - k.rho * k.c**2)) < 1e-15 and s2 == k.sigma_s2
    assert field_denoiser(8, 2.0) is field_denoiser(8, 2.0)
