"""Bounds (reference sec. 4, A7, A11), tight schedules (A9) and data-set mode."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from diffusion_core.data import load_digits, load_photo, power_law_variance
from diffusion_core.spectral import tight as T
from diffusion_core.spectral.schedule import build_schedule
from diffusion_core.validation import InputError


@pytest.fixture(scope="module")
def astro():
    return {n: T.image_spectrum(load_photo("astronaut", n)) for n in (64, 128, 256, 512)}


def test_a11_quantization_floor():
    assert T.quantization_floor() == pytest.approx(0.0022641, abs=5e-8)


@pytest.mark.parametrize("name,dc,ring", [("camera", 9.9, 125), ("astronaut", 94, 80), ("grass", 59, 6.2)])
def test_reference_sigma_max_table_256(name, dc, ring):
    b = T.bounds(T.image_spectrum(load_photo(name, 256)))
    assert b.sigma_max_dc == pytest.approx(dc, rel=0.01) and b.sigma_max_ring == pytest.approx(ring, rel=0.01)
    assert b.sigma_max == max(b.sigma_max_dc, b.sigma_max_ring)
    assert T.bounds(T.image_spectrum(load_photo(name, 256)), dc="exclude").sigma_max == b.sigma_max_ring


@pytest.mark.parametrize("name,smin", [("camera", 0.0145), ("astronaut", 0.0163), ("grass", 0.029)])
def test_reference_sigma_min_table_256(name, smin):
    """sigma_min depends on the resize filter's top octave; the loader's skimage resize matches the table."""
    assert T.bounds(T.image_spectrum(load_photo(name, 256))).sigma_min == pytest.approx(smin, rel=0.01)


def test_a7_resolution_scaling(astro):
    s = [T.bounds(astro[n]).sigma_max_dc for n in (64, 128, 256)]
    assert s == pytest.approx([23.5, 47.0, 94.0], rel=0.005)
    lam = [T.bounds(astro[n]).logsnr_min for n in (64, 128, 256, 512)]
    assert np.diff(lam) == pytest.approx([-2 * math.log(2)] * 3, abs=0.01)


def test_bounds_monotone_in_thresholds(astro):
    spec = astro[256]
    smax = [T.bounds(spec, tau_lo=t).sigma_max for t in (0.01, 0.05, 0.1, 0.5, 1.0)]
    smin = [T.bounds(spec, tau_hi=t).sigma_min_spectral for t in (1.5, 3, 10, 30, 100)]
    assert all(np.diff(smax) < 0) and all(np.diff(smin) < 0)
    assert smax[2] / smax[4] == pytest.approx(math.sqrt(10))
    floored = T.bounds(spec, tau_hi=1e6)
    assert floored.sigma_min == pytest.approx(T.quantization_floor()) and floored.sigma_min_spectral < floored.sigma_min


@pytest.mark.parametrize("image", ["camera", "grass"])
@pytest.mark.parametrize("kind", T.TIGHT_KINDS)
def test_a9a_tight_in_bounds_and_monotone(image, kind):
    x = load_photo(image, 128)
    tp, b = T.tight_params(T.image_spectrum(x))
    lam = T.tight_lam_fn(kind, tp)(torch.linspace(0, 1, 201, dtype=torch.float64))
    assert float(lam[0]) == pytest.approx(b.logsnr_max) and float(lam[-1]) == pytest.approx(b.logsnr_min)
    assert (lam <= b.logsnr_max + 1e-12).all() and (lam >= b.logsnr_min - 1e-12).all()
    assert (torch.diff(lam) < 0).all()
    s = build_schedule(f"tight-{kind}", 16, image=x).sigmas
    assert float(s[0]) == pytest.approx(b.sigma_max) and float(s[-2]) == pytest.approx(b.sigma_min) and s[-1] == 0


def test_a9b_frequency_schedule_resolves_rings_uniformly_in_f():
    tp = T.TightParams(2.3, -9.0, 8.0, 128)
    lam = T.tight_lam_fn("frequency", tp)(torch.linspace(1, 0, 33, dtype=torch.float64))  # u = 0 .. 1
    e = T.ring_edges(128)
    w = (lam - tp.logsnr_min) / (tp.logsnr_max - tp.logsnr_min)
    f = torch.exp(math.log(e[0]) + w * (math.log(e[-1]) - math.log(e[0])))  # frequency at each step
    assert torch.diff(f).std() / torch.diff(f).mean() < 1e-9


def test_a9c_power_schedule_puts_half_the_steps_on_half_the_energy():
    n, beta = 128, 2.5
    tp = T.TightParams(beta, -9.0, 8.0, n)
    _, freqs, counts = T.ring_layout(n)
    energy = freqs**-beta * counts
    r50 = int(np.searchsorted(np.cumsum(energy) / energy.sum(), 0.5))  # rings 0..r50 hold >= 50%
    f_edge = T.ring_edges(n)[r50 + 1]
    u = torch.arange(64, dtype=torch.float64) / 64
    f = T.f_power(u, n, beta)
    assert float((f <= f_edge).double().mean()) >= 0.5
    lam_p = T.tight_lam_fn("power", tp)(1 - u)
    lam_f = T.tight_lam_fn("frequency", tp)(1 - u)
    assert float((lam_p < 0).double().mean()) > float((lam_f < 0).double().mean())  # power: more noisy steps


def test_gaussian_field_bounds_need_dc_exclude():
    spec = T.field_spectrum(power_law_variance(32, 2.0))
    b = T.bounds(spec, dc="exclude")
    assert spec.dc == 0 and b.sigma_max == pytest.approx(math.sqrt(spec.psd[0] / 0.1))


@pytest.mark.slow
def test_dataset_mode_gmm_is_seeded_and_valid():
    params = T.dataset_params(load_digits()[:300])
    assert params.shape == (300, 3) and (params[:, 1] < params[:, 2]).all()
    g1, g2 = T.fit_gmm(params, 3, seed=4), T.fit_gmm(params, 3, seed=4)
    a, b = T.sample_tight_params(g1, 20, 8, seed=1), T.sample_tight_params(g2, 20, 8, seed=1)
    assert a == b and all(p.beta > 0 and p.logsnr_min < p.logsnr_max for p in a)
    mean = np.array([[p.beta, p.logsnr_min, p.logsnr_max] for p in T.sample_tight_params(g1, 2000, 8)]).mean(0)
    assert mean == pytest.approx(params.mean(0), abs=0.1)


def test_bad_inputs():
    spec = T.field_spectrum(power_law_variance(32, 2.0))
    with pytest.raises(InputError, match="tau_lo must be < tau_hi"):
        T.bounds(spec, tau_lo=10, tau_hi=1)
    with pytest.raises(InputError, match="tau_lo must be a finite number"):
        T.bounds(spec, tau_lo=float("nan"))
    with pytest.raises(InputError, match="dc"):
        T.bounds(spec, dc="maybe")
    with pytest.raises(InputError, match="no usable noise range"):
        T.bounds(T.image_spectrum(torch.zeros(1, 1, 32, 32)))
    with pytest.raises(InputError, match="needs an image"):
        build_schedule("tight-power", 8)
    with pytest.raises(InputError, match="components"):
        T.fit_gmm(np.zeros((4, 3)), 3)
