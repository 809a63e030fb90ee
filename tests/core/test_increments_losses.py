"""Losses implied by each (q, p) pair: closed-form KLs vs numerical integration, limits, weights."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from diffusion_core.nonnormal.laws import get_law
from diffusion_core.nonnormal.losses import (
    KL_UNIFORM_GAUSS,
    KL_UNIFORM_LAPLACE,
    PAIR_LAWS,
    PAIRS,
    kl_at_zero,
    kl_gauss_gauss,
    kl_laplace_laplace,
    kl_uniform_gauss,
    kl_uniform_laplace,
    loss_gauss_gauss,
    loss_laplace_laplace,
    loss_uniform_gauss,
    loss_uniform_laplace,
    loss_weights,
    pair_loss,
    soft_l1,
    vdm_weight_sum,
)
from diffusion_core.validation import InputError


def kl_numeric(p, q, lo, hi, points=None):
    """int p log(p/q) over [lo, hi] by scipy quad."""
    f = lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)) if p.pdf(x) > 0 else 0.0
    return integrate.quad(f, lo, hi, points=points, limit=400, epsabs=1e-13, epsrel=1e-12)[0]


def test_kl_uniform_gauss_constant():
    assert KL_UNIFORM_GAUSS == pytest.approx(0.17649, abs=5e-6)
    num = kl_numeric(stats.uniform(-math.sqrt(3), 2 * math.sqrt(3)), stats.norm(0, 1), -math.sqrt(3), math.sqrt(3))
    assert num == pytest.approx(0.17649, abs=5e-6)
    assert float(kl_uniform_gauss(0.0, math.sqrt(3), 1.0)) == pytest.approx(num, abs=1e-12)


@pytest.mark.parametrize("d, b1, b2", [(0.0, 1.0, 1.0), (0.3, 0.7, 1.2), (-2.5, 1.3, 0.6), (4.0, 0.5, 2.0)])
def test_kl_laplace_laplace_vs_quad(d, b1, b2):
    p, q = stats.laplace(d, b1), stats.laplace(0.0, b2)
    num = kl_numeric(p, q, -60, 60, points=[0.0, d])
    assert float(kl_laplace_laplace(d, b1, b2)) == pytest.approx(num, abs=1e-10)


@pytest.mark.parametrize("d, b1, b2", [(0.0, 1.0, 1.0), (0.4, 1.0, 0.7), (-1.0, 1.0, 1.3), (2.5, 0.8, 1.1)])
def test_kl_uniform_laplace_vs_quad(d, b1, b2):
    p, q = stats.uniform(d - b1, 2 * b1), stats.laplace(0.0, b2)
    num = kl_numeric(p, q, d - b1, d + b1, points=[0.0] if abs(d) < b1 else None)
    assert float(kl_uniform_laplace(d, b1, b2)) == pytest.approx(num, abs=1e-10)


@pytest.mark.parametrize("d, s1, s2", [(0.0, 1.0, 1.0), (0.7, 0.5, 1.5)])
def test_kl_gauss_vs_quad(d, s1, s2):
    num = kl_numeric(stats.norm(d, s1), stats.norm(0, s2), -30, 30)
    assert float(kl_gauss_gauss(d, s1, s2)) == pytest.approx(num, abs=1e-10)
    num_u = kl_numeric(stats.uniform(d - s1, 2 * s1), stats.norm(0, s2), d - s1, d + s1)
    assert float(kl_uniform_gauss(d, s1, s2)) == pytest.approx(num_u, abs=1e-10)


def test_uniform_laplace_continuous_at_band_edge():
    for b1, b2 in [(1.0, 1.0), (math.sqrt(3), 1 / math.sqrt(2)), (0.5, 2.0)]:
        eps = 1e-9
        assert float(kl_uniform_laplace(b1 - eps, b1, b2)) == pytest.approx(
            float(kl_uniform_laplace(b1 + eps, b1, b2)), abs=1e-8
        )


def test_laplace_loss_limits():
    r = torch.tensor([0.7], dtype=torch.float64)
    for v in (1e-2, 1e-3, 1e-4):  # quadratic as v -> 0
        assert float(soft_l1(v * r.abs())) / (0.5 * v**2 * 0.49) == pytest.approx(1.0, abs=3 * v)
    for vr in (1e2, 1e3, 1e4):  # linear as v|r| -> inf
        assert float(soft_l1(torch.tensor(vr, dtype=torch.float64))) / vr == pytest.approx(1.0, abs=1.01 / vr)


def test_losses_are_the_kls_at_d_equal_v_r():
    """Default form: the unit-variance laws (Laplace b = 1/sqrt2, uniform +-sqrt3); paper form: b = s, half-width s."""
    r = torch.linspace(-6, 6, 41, dtype=torch.float64).unsqueeze(-1)
    d = r.squeeze(-1).numpy()
    b, h = 1 / math.sqrt(2), math.sqrt(3)
    for v in (0.05, 0.8, 3.0):
        w = v * v / 2
        np.testing.assert_allclose(loss_gauss_gauss(r, w).numpy(), kl_gauss_gauss(v * d, 1.0, 1.0), atol=1e-12)
        np.testing.assert_allclose(loss_laplace_laplace(r, v).numpy(), kl_laplace_laplace(v * d, b, b), atol=1e-12)
        np.testing.assert_allclose(loss_uniform_gauss(r, w).numpy(), kl_uniform_gauss(v * d, h, 1.0), atol=1e-12)
        np.testing.assert_allclose(loss_uniform_laplace(r, v).numpy(), kl_uniform_laplace(v * d, h, b), atol=1e-12)
        np.testing.assert_allclose(
            loss_laplace_laplace(r, v, "paper").numpy(), kl_laplace_laplace(v * d, 1.0, 1.0), atol=1e-12
        )
        np.testing.assert_allclose(
            loss_uniform_laplace(r, v, "paper").numpy(), kl_uniform_laplace(v * d, 1.0, 1.0), atol=1e-12
        )


def kl_of_sampled_laws(pair: str, x: float) -> float:
    """int q(z - x) log(q(z - x) / p(z)) dz for the unit-variance laws of `pair` (scipy quad, breakpoints at kinks)."""
    q, p = (get_law(n) for n in PAIR_LAWS[pair])
    half = {"uniform": math.sqrt(3), "gaussian": 25.0, "laplace": 60.0}[q.name]  # beyond: q underflows to 0
    lo, hi = x - half, x + half
    pts = [c for c in (0.0, x) if lo < c < hi]

    def f(z: float) -> float:
        qz = float(q.density(np.array(z - x)))
        return qz * (math.log(qz) - math.log(float(p.density(np.array(z))))) if qz > 0 else 0.0

    return integrate.quad(f, lo, hi, points=pts or None, limit=400, epsabs=1e-14, epsrel=1e-12)[0]


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize(
    "t, n, r", [(0.05, 50, 0.3), (0.05, 50, -2.5), (0.5, 10, 1.7), (0.9, 1000, 4.0), (0.2, 5, 0.01), (0.01, 200, 0.8)]
)
def test_default_loss_is_the_kl_of_the_sampled_laws(pair, t, n, r):
    """Issue 22: every pair's default per-step loss is the KL of the laws get_law samples, to 1e-6 relative."""
    _, v = loss_weights(t, n)
    got = float(pair_loss(pair, torch.tensor([[r]], dtype=torch.float64), t, n))
    assert got == pytest.approx(kl_of_sampled_laws(pair, v * r), rel=1e-6, abs=1e-15)


def test_issue_22_numbers_and_the_paper_form():
    """t = 0.05, N = 50, r = 0.3: Laplace-Laplace 0.0595 (sampled laws) against 0.0308 (paper's printed form)."""
    r = torch.tensor([[0.3]], dtype=torch.float64)
    assert float(pair_loss("laplace-laplace", r, 0.05, 50)) == pytest.approx(0.0595, abs=5e-5)
    assert float(pair_loss("laplace-laplace", r, 0.05, 50, "paper")) == pytest.approx(0.0308, abs=5e-5)
    assert float(pair_loss("uniform-laplace", r, 0.05, 50)) == pytest.approx(0.3562, abs=5e-5)
    assert KL_UNIFORM_LAPLACE == pytest.approx(kl_of_sampled_laws("uniform-laplace", 0.0), rel=1e-9)
    assert kl_at_zero("uniform-laplace") == KL_UNIFORM_LAPLACE and kl_at_zero("uniform-laplace", "paper") == 0.5
    assert kl_at_zero("gaussian-gaussian") == kl_at_zero("laplace-laplace") == 0.0


@pytest.mark.parametrize("form, kink", [("coordinate", math.sqrt(3)), ("paper", 1.0)])
def test_uniform_laplace_kink_where_the_laws_put_it(form, kink):
    """Quadratic (second difference > 0) just below v|r| = kink, linear (second difference 0) just above."""
    v, h = 0.7, 1e-3

    def second(x: float) -> float:
        pts = torch.tensor([[(x - h) / v], [x / v], [(x + h) / v]], dtype=torch.float64)
        f = loss_uniform_laplace(pts, v, form)
        return float(f[0] - 2 * f[1] + f[2])

    assert second(kink - 0.01) > 0.3 * h**2 and abs(second(kink + 0.01)) < 1e-12


def test_laplace_coordinate_vs_paper_form():
    """Small v: the sampled-law KL is v^2 ||r||_2^2 (Fisher information 2 of Lap(1/sqrt2)); the paper's 1/2 v^2 ||r||_1^2."""
    r = torch.tensor([[0.3, -0.4, 0.5]], dtype=torch.float64)
    v = 1e-3
    coord, paper = loss_laplace_laplace(r, v), loss_laplace_laplace(r, v, "paper")
    assert float(coord) == pytest.approx(v**2 * 0.5, rel=1e-3)  # v^2 ||r||_2^2
    assert float(paper) == pytest.approx(0.5 * v**2 * 1.44, rel=1e-3)  # 1/2 v^2 ||r||_1^2
    one = torch.tensor([[0.8]], dtype=torch.float64)  # 1-D: the forms differ by the scale only
    assert float(loss_laplace_laplace(one, 2.0)) == pytest.approx(
        float(loss_laplace_laplace(one, 2.0 * math.sqrt(2), "paper"))
    )


def test_laplace_becomes_quadratic_as_steps_grow():
    r = torch.linspace(0.1, 3, 30, dtype=torch.float64).unsqueeze(-1)
    ratio = lambda n: (pair_loss("laplace-laplace", r, 0.5, n) / pair_loss("gaussian-gaussian", r, 0.5, n)).numpy()
    assert ratio(10).min() < 0.6 * 2  # clearly sub-quadratic (L1-like) at few steps
    r = torch.linspace(0.1, 1.0, 10, dtype=torch.float64).unsqueeze(-1)
    np.testing.assert_allclose(ratio(20_000), 2.0, atol=0.025)  # quadratic: Fisher information 2 against 1
    assert float(pair_loss("uniform-gaussian", torch.zeros(1, 1), 0.5, 10)) == pytest.approx(KL_UNIFORM_GAUSS)


def test_weights_and_vdm_limit():
    w, v = loss_weights(0.5, 100)
    assert v == pytest.approx(math.sqrt(2 * w))
    beta, b = 0.1 + 19.9 * 0.5, 0.1 * 0.5 + 9.95 * 0.25
    assert w == pytest.approx(beta / 100 / (2 * -math.expm1(-b)))
    (s1, lim), (s2, _) = vdm_weight_sum(100, 0.05), vdm_weight_sum(10_000, 0.05)
    assert abs(s2 - lim) < 0.05 * abs(s1 - lim) and s2 == pytest.approx(lim, rel=1e-3)


def test_bad_loss_input():
    with pytest.raises(InputError, match="unknown pair 'laplace-gaussian'"):
        pair_loss("laplace-gaussian", torch.zeros(1, 1), 0.5, 10)
    with pytest.raises(InputError, match="t must be in \\(0, 1\\]"):
        loss_weights(0.0, 10)
    with pytest.raises(InputError, match="unknown loss form"):
        loss_laplace_laplace(torch.zeros(1, 1), 1.0, "l1")
    assert len(PAIRS) == 4
