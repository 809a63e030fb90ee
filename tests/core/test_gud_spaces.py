"""GUD spaces: prior covariance U^T S^2 U for r in [0, 1], conversions round-trip, covector rule (G8)."""

import pytest
import torch

from diffusion_core.bases import basis_matrix, make_basis
from diffusion_core.data import load_digits
from diffusion_core.gud.process import (
    data_covariance,
    eps_from_score,
    from_white,
    make_space,
    prior_sample,
    score_from_eps,
    score_from_velocity,
    score_to_data,
    to_white,
    velocity_from_score,
)

DIGITS = load_digits().double()


def test_prior_covariance_interpolates_white_to_data_matched():
    """r = 0: N(mean, I); r = 1 in PCA: N(mean, Cov) (floored); r = 1/2: U^T Lambda^(1/2) U."""
    b = make_basis("pca", (1, 8, 8), data=DIGITS)
    cov = torch.cov(DIGITS.reshape(-1, 64).T)
    eye = torch.eye(64, dtype=torch.float64)
    sp0, sp1, sph = (make_space(b, DIGITS, r=r, floor=1e-12) for r in (0.0, 1.0, 0.5))
    assert torch.allclose(data_covariance(sp0, eye), eye, atol=1e-10)
    assert torch.allclose(data_covariance(sp1, eye), cov * 1796 / 1797, atol=1e-8)
    u = basis_matrix(b)
    assert torch.allclose(data_covariance(sph, eye), u.T @ torch.diag(sp1.variances.sqrt()) @ u, atol=1e-10)
    x = prior_sample(sp1, 20000, torch.Generator().manual_seed(0)).reshape(20000, 64)
    assert torch.linalg.norm(torch.cov(x.T) - cov) / torch.linalg.norm(cov) < 0.04  # MC floor ~0.027


@pytest.mark.parametrize("basis", ["fourier", "wavelet", "dct"])
def test_white_roundtrip(basis):
    sp = make_space(make_basis(basis, (1, 8, 8)), DIGITS, r=0.7)
    x = DIGITS[:5]
    assert torch.allclose(from_white(sp, to_white(sp, x)), x, atol=1e-12)


def test_conversions_roundtrip():
    g = torch.Generator().manual_seed(0)
    z, score = torch.randn(2, 4, 10, generator=g, dtype=torch.float64)
    sigma, beta_t = (
        torch.rand(10, generator=g, dtype=torch.float64) + 0.1,
        torch.rand(10, generator=g, dtype=torch.float64) + 0.1,
    )
    eps = eps_from_score(score, sigma)
    v = velocity_from_score(z, score_from_eps(eps, sigma), beta_t)
    assert torch.allclose(score_from_velocity(z, v, beta_t), score, atol=1e-12)


def test_covector_rule_matches_autodiff():
    """grad_x log p equals U^T S^-1 grad_chi_hat log p for a Gaussian log-density in data space."""
    b = make_basis("pca", (1, 8, 8), data=DIGITS)
    sp = make_space(b, DIGITS, r=1.0)
    cov = torch.cov(DIGITS.reshape(-1, 64).T) + 0.01 * torch.eye(64, dtype=torch.float64)
    prec, mu = torch.linalg.inv(cov), DIGITS.reshape(-1, 64).mean(0)

    def logp(x):
        d = x.reshape(x.shape[0], -1) - mu
        return -0.5 * ((d @ prec) * d).sum()

    x = DIGITS[:3].clone().requires_grad_(True)
    (gx,) = torch.autograd.grad(logp(x), x)
    z = to_white(sp, DIGITS[:3]).requires_grad_(True)
    (gz,) = torch.autograd.grad(logp(from_white(sp, z)), z)
    assert torch.allclose(score_to_data(sp, gz), gx, atol=1e-8)
    assert not torch.allclose(gz, b.encode(gx), atol=1e-3)  # whitening matters: S != I
