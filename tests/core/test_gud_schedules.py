"""GUD schedules: beta identity, endpoints, standard-diffusion equivalence, variance preservation,
autoregressive limit (reference checks G1-G4, G6), readouts and bad input."""

import math

import pytest
import torch

from diffusion_core.bases import make_basis
from diffusion_core.data import load_digits
from diffusion_core.gud import (
    ScheduleSpec,
    active,
    beta,
    build_schedule,
    dgamma_dt,
    gamma,
    ordering_labels,
    overlap_fraction,
    sequential,
    soft_conditioning,
    threshold_a,
    true_logsnr,
    vp_dgamma_dt,
    vp_gamma,
    windows,
)
from diffusion_core.gud.process import forward_white, make_space, to_white, working_variances
from diffusion_core.validation import InputError

T = torch.linspace(0.0, 1.0, 11, dtype=torch.float64)


def test_beta_identity_vp():
    """G1: sigmoid(gamma) dgamma/dt = 0.1 + 19.9 t for gamma = log(expm1(int beta))."""
    t = torch.linspace(0.01, 1.0, 50, dtype=torch.float64, requires_grad=True)
    g = vp_gamma(t)
    (dg,) = torch.autograd.grad(g.sum(), t)
    assert torch.allclose(dg, vp_dgamma_dt(t.detach()), rtol=1e-10)
    assert torch.allclose(torch.sigmoid(g.detach()) * dg, 0.1 + 19.9 * t.detach(), rtol=1e-10)


def test_beta_identity_component_schedule():
    """beta_i = sigmoid(gamma_i) dgamma_i/dt, with dgamma/dt matching finite differences (0 where clipped)."""
    lab, lv = torch.arange(5.0), torch.linspace(-2, 1, 5)
    for clip in (False, True):
        s = soft_conditioning(lab, lv, a=2.0, clip=clip)
        t, h = torch.tensor([0.13, 0.41, 0.77], dtype=torch.float64), 1e-6
        fd = (gamma(s, t + h) - gamma(s, t - h)) / (2 * h)
        assert torch.allclose(dgamma_dt(s, t), fd, atol=1e-6)
        assert torch.allclose(beta(s, t), torch.sigmoid(gamma(s, t)) * fd, atol=1e-6)
    assert (dgamma_dt(soft_conditioning(lab, lv, 2.0, clip=True), T) == 0).any()


def test_endpoints_and_parallel_slopes():
    """G2: top label at t=0 sits at -g_d; bottom label at t=1 at -g_n; all true-SNR lines slope -dgamma."""
    g = torch.Generator().manual_seed(3)
    lab, lv = torch.rand(20, generator=g, dtype=torch.float64) * 5, torch.randn(20, generator=g, dtype=torch.float64)
    s = soft_conditioning(lab, lv, a=1.7, gamma_denoise=-6.0, gamma_noise=4.0)
    i_max, i_min = int(lab.argmax()), int(lab.argmin())
    assert gamma(s, [0.0])[0, i_max] - lv[i_max] == pytest.approx(-6.0)
    assert gamma(s, [1.0])[0, i_min] - lv[i_min] == pytest.approx(4.0)
    snr = true_logsnr(s, T)
    assert torch.allclose(snr[1:] - snr[:-1], torch.full((10, 20), -s.slope / 10, dtype=torch.float64))
    assert s.slope == pytest.approx(10.0 + 1.7 * float(lab.max() - lab.min()))


@pytest.mark.parametrize("basis", ["pca", "fourier"])
def test_standard_diffusion_equivalence(basis):
    """G3: variance ordering, a = 1: unwhitened gammas all equal; whitened true SNR = unwhitened true SNR."""
    data = load_digits()
    b = make_basis(basis, (1, 8, 8), **({"data": data} if basis == "pca" else {}))
    spec = ScheduleSpec(ordering="variance", a=1.0)
    scheds = []
    for r in (0.0, 1.0):
        sp = make_space(b, data, r=r)
        scheds.append(build_schedule(spec, b.labels(), sp.variances, working_variances(sp), basis))
    g0 = gamma(scheds[0], T)
    assert torch.allclose(g0, g0[:, :1].expand_as(g0), atol=1e-10)
    assert not torch.allclose(gamma(scheds[1], T), gamma(scheds[1], T)[:, :1].expand(11, 64))
    assert torch.allclose(true_logsnr(scheds[0], T), true_logsnr(scheds[1], T), atol=1e-10)


def test_strict_variance_preservation():
    """G4: whitened decorrelated data keep Var = 1 at every t; unwhitened drift as alpha^2 lam + sigma^2."""
    data = load_digits().double()
    b = make_basis("pca", (1, 8, 8), data=data)
    g = torch.Generator().manual_seed(0)
    for r in (1.0, 0.0):
        sp = make_space(b, data, r=r)
        s = build_schedule(ScheduleSpec(a=1.0), b.labels(), sp.variances, working_variances(sp), "pca")
        z0 = to_white(sp, data).repeat(4, 1)  # [7188, 64]
        eps = torch.randn(z0.shape, generator=g, dtype=torch.float64)
        v = forward_white(s, z0, T, eps).var(dim=1)  # [11, 64]
        keep = b.eigenvalues > 1e-3  # unfloored components
        gm = gamma(s, T)
        expect = torch.sigmoid(-gm) * working_variances(sp) + torch.sigmoid(gm)
        assert (v - expect)[:, keep].abs().max() < 0.08  # MC sd ~ 0.017
        if r == 1.0:
            assert (v[:, keep] - 1).abs().max() < 0.08
        else:
            assert v[0, 0] > 2.0 and abs(v[-1, 0] - 1) < 0.08  # lam_0 ~ 2.8 drifts to 1


def test_overlap_table_and_threshold():
    """G6 readouts: 8 components, dl = 1, band (-7, 3): overlap 1 / 15/17 / 30/38 / 0 / 0; threshold a = 10."""
    lab, lv = torch.arange(8.0), torch.zeros(8)
    got = [overlap_fraction(soft_conditioning(lab, lv, a)) for a in (0, 1, 4, 10, 20)]
    assert got == pytest.approx([1.0, 15 / 17, 30 / 38, 0.0, 0.0], abs=1e-12)
    assert threshold_a(lab) == pytest.approx(10.0)
    assert threshold_a(lab * 0.5, -5.0, 3.0) == pytest.approx(16.0)
    s = soft_conditioning(lab, lv, 1.0)
    assert active(s, 0.5).sum() == 8 - 0 and active(s, 0.01).sum() == 1


def test_autoregressive_limit_windows_disjoint():
    """G6: a dl >= g_n - g_d: when label i leaves the band (clean), label i+1 is still pure noise."""
    lab, lv = torch.arange(8.0), torch.randn(8, dtype=torch.float64)
    for a in (10.0, 20.0):
        s = soft_conditioning(lab, lv, a)
        start, end = windows(s)
        order = torch.argsort(lab)
        for lo, hi in zip(order[:-1], order[1:]):  # hi is noised earlier: window at smaller t
            assert end[hi] <= start[lo] + 1e-12
            t_clean = float(start[lo])  # lo becomes clean (reverse time) here
            assert true_logsnr(s, [t_clean])[0, hi] <= -3.0 + 1e-9 or t_clean == 0.0


def test_sequential_offsets():
    """Column schedule, softness 2: tau_max = 0.5; highest label rises on [0, 0.5], lowest on [0.5, 1]."""
    lab = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0], dtype=torch.float64)
    s = sequential(lab, torch.zeros(5, dtype=torch.float64), softness=2.0)
    start, end = windows(s)
    assert torch.allclose(start, torch.tensor([0.5, 0.375, 0.25, 0.125, 0.0], dtype=torch.float64))
    assert torch.allclose(end - start, torch.full((5,), 0.5, dtype=torch.float64))
    assert torch.allclose(true_logsnr(s, [0.0]), torch.full((1, 5), 7.0, dtype=torch.float64))
    assert torch.allclose(true_logsnr(s, [1.0]), torch.full((1, 5), -3.0, dtype=torch.float64))


def test_orderings():
    b = make_basis("wavelet", (1, 8, 8), levels=2)
    var = torch.linspace(1.0, 0.01, 64, dtype=torch.float64)
    assert torch.allclose(ordering_labels("variance", b.labels(), var), -torch.log(var))
    assert ordering_labels("level", b.labels(), var).unique().tolist() == [0.0, 1.0, 2.0]
    col = ordering_labels("column", b.labels(), var)
    assert col.unique().numel() == 6  # centres 1/4, 3/4 (2x2 bands), 1/8..7/8 (4x4)
    r1 = ordering_labels("random", b.labels(), var, seed=5)
    assert torch.equal(r1, ordering_labels("random", b.labels(), var, seed=5)) and sorted(r1.tolist()) == list(
        range(64)
    )
    f = ordering_labels("frequency", make_basis("fourier", (1, 8, 8)).labels(), var)
    assert f[0] == 0 and f.max() == 14  # 15 distinct ky^2 + kx^2, ky, kx <= 4


def test_bad_input():
    b = make_basis("fourier", (1, 8, 8))
    var = torch.ones(64, dtype=torch.float64)
    with pytest.raises(InputError, match="a must be in \\[0, 10000\\], got -1"):
        soft_conditioning(torch.arange(3.0), torch.zeros(3), a=-1.0)
    with pytest.raises(InputError, match="a must be a finite number"):
        soft_conditioning(torch.arange(3.0), torch.zeros(3), a=math.nan)
    with pytest.raises(InputError, match="unknown ordering 'diagonal'; choose one of: variance"):
        ordering_labels("diagonal", b.labels(), var)
    with pytest.raises(
        InputError, match="ordering 'column' does not apply to basis 'fourier'; use it with: pixel, wavelet"
    ):
        build_schedule(ScheduleSpec(ordering="column"), b.labels(), var, var, "fourier")
    with pytest.raises(InputError, match="gamma_noise must be greater than gamma_denoise"):
        soft_conditioning(torch.arange(3.0), torch.zeros(3), 1.0, gamma_denoise=3.0, gamma_noise=-7.0)
    with pytest.raises(InputError, match="custom ordering needs 64 finite labels"):
        ordering_labels("custom", b.labels(), var, custom=torch.ones(10))
    with pytest.raises(InputError, match="unknown schedule kind"):
        build_schedule(ScheduleSpec(kind="zigzag"), b.labels(), var, var)
