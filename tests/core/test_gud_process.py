"""GUD processes: reverse SDE / probability-flow ODE with exact denoisers reproduce the data
covariance for every basis, a and ordering (G7); autoregressive settling; empirical denoiser."""

import pytest
import torch

from diffusion_core.bases import make_basis
from diffusion_core.data import load_digits
from diffusion_core.denoisers.empirical import EmpiricalDenoiser
from diffusion_core.gud import ScheduleSpec, build_schedule, soft_conditioning
from diffusion_core.gud.process import (
    ComponentGaussianDenoiser,
    chain_covariance,
    data_covariance,
    make_space,
    min_steps,
    recommended_steps,
    relative_frobenius,
    reverse_sample,
    terminal_covariance,
    to_white,
    white_covariance,
    working_variances,
)
from diffusion_core.validation import InputError

DIGITS = load_digits().double()
XF = DIGITS.reshape(-1, 64)
COV = torch.cov(XF.T) + 1e-4 * torch.eye(64, dtype=torch.float64)  # the digits' Gaussian model
N = 4096


CASES = {
    "pixel": ["variance", "column"],
    "fourier": ["variance", "frequency"],
    "dct": ["variance", "frequency"],
    "wavelet": ["variance", "level"],
    "pca": ["variance", "random"],
}


def _setup(basis: str, ordering: str, a: float, r: float = 0.0):
    b = make_basis(basis, (1, 8, 8), **({"data": DIGITS} if basis == "pca" else {}))
    sp = make_space(b, DIGITS, r=r)
    s = build_schedule(ScheduleSpec(ordering=ordering, a=a), b.labels(), sp.variances, working_variances(sp), basis)
    cw = white_covariance(sp, COV)
    return sp, s, cw, ComponentGaussianDenoiser(cw), recommended_steps(s)


def _matched_noise(n: int, d: int, seed: int) -> torch.Tensor:
    """Gaussian rows whose second moment is exactly I (orthonormalised): removes start-noise MC error."""
    e = torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    q, _ = torch.linalg.qr(e)
    return q * n**0.5


@pytest.mark.slow
@pytest.mark.parametrize("basis", list(CASES))
def test_discretised_chain_reproduces_covariance(basis):
    """Exact covariance of the Euler(-Maruyama) chain (no Monte Carlo): < 5% for every a and ordering."""
    for ordering in CASES[basis]:
        for a in (0.0, 1.0, 4.0):
            sp, s, cw, den, steps = _setup(basis, ordering, a)
            c1 = terminal_covariance(s, cw)
            for method in ("sde", "ode"):
                err = relative_frobenius(data_covariance(sp, chain_covariance(s, den, c1, steps, method)), COV)
                assert err < 0.05, (basis, ordering, a, method, err)


@pytest.mark.slow
@pytest.mark.parametrize("basis", list(CASES))
def test_sampled_reverse_reproduces_covariance(basis):
    """4,096 samples: ODE from moment-matched start < 5%; SDE within 1.5x its Monte Carlo floor of the chain."""
    sp, s, cw, den, steps = _setup(basis, "variance", 1.0, r=1.0)
    c1 = terminal_covariance(s, cw)
    z1 = _matched_noise(N, 64, 0) @ torch.linalg.cholesky(c1).T
    z0, _ = reverse_sample(s, den, z1, steps, "ode", torch.Generator().manual_seed(1))
    assert relative_frobenius(data_covariance(sp, z0.T @ z0 / N), COV) < 0.05
    z1 = (
        torch.randn(N, 64, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
        @ torch.linalg.cholesky(c1).T
    )
    z0, _ = reverse_sample(s, den, z1, steps, "sde", torch.Generator().manual_seed(3))
    chain = data_covariance(sp, chain_covariance(s, den, c1, steps, "sde"))
    floor = float(torch.sqrt((torch.trace(chain) ** 2 + chain.pow(2).sum()) / N) / torch.linalg.norm(chain))
    assert relative_frobenius(data_covariance(sp, z0.T @ z0 / N), chain) < 1.5 * floor
    assert relative_frobenius(chain, COV) < 0.05


def test_autoregressive_reverse_settles_in_order():
    """a dl >= g_n - g_d, clipped: in reverse time each component stops moving before the next starts."""
    var = torch.logspace(0, -2, 8, dtype=torch.float64)
    s = soft_conditioning(torch.arange(8.0), torch.log(var), a=20.0, clip=True)
    den = ComponentGaussianDenoiser(var)
    z1 = torch.randn(16, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    steps = 2 * min_steps(s)
    _, frames = reverse_sample(s, den, z1, steps, "sde", torch.Generator().manual_seed(1), keep=steps + 1)
    moving = torch.stack(frames).diff(dim=0).abs().amax(dim=1) > 0  # [steps, 8]
    first = [int(torch.nonzero(moving[:, i])[0]) for i in range(8)]
    last = [int(torch.nonzero(moving[:, i])[-1]) for i in range(8)]
    for i in range(7):  # label 0 generated first
        assert last[i] < first[i + 1]


def test_empirical_denoiser_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    train = torch.randn(5, 3, generator=g, dtype=torch.float64)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    lam = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    d2 = ((x[:, None, :] - train[None]) ** 2 * torch.exp(lam)).sum(-1)  # [4, 5]
    w = torch.exp(-0.5 * d2)
    expect = (w / w.sum(1, keepdim=True)) @ train
    den = EmpiricalDenoiser(train, chunk=3)
    assert torch.allclose(den(x, lam), expect, atol=1e-12)
    assert torch.allclose(den(x, torch.full((4,), 0.7)), den(x, torch.full((1, 3), 0.7)), atol=1e-12)
    assert torch.allclose(den(x, torch.tensor(-60.0)), train.mean(0).expand(4, 3), atol=1e-10)


def test_empirical_reverse_memorises_digits():
    """Reverse SDE/ODE with the exact posterior mean over the digits lands on training images."""
    b = make_basis("pca", (1, 8, 8), data=DIGITS)
    sp = make_space(b, DIGITS, r=1.0)
    s = build_schedule(ScheduleSpec(a=1.0), b.labels(), sp.variances, working_variances(sp), "pca")
    train = to_white(sp, DIGITS)
    den = EmpiricalDenoiser(train)
    g = torch.Generator().manual_seed(0)
    z1 = torch.randn(16, 64, generator=g, dtype=torch.float64)
    for method in ("ode", "sde"):
        z0, _ = reverse_sample(s, den, z1, 2 * min_steps(s), method, g, final_denoise=True)
        nearest = torch.cdist(z0, train).min(dim=1).values / train.norm(dim=1).mean()
        assert nearest.max() < 1e-6, (method, nearest.max())
        assert torch.unique(torch.cdist(z0, train).argmin(dim=1)).numel() > 8  # many different digits
    with pytest.raises(InputError, match="steps must be at least"):
        reverse_sample(s, den, z1, 3, "sde", g)


@pytest.mark.slow
@pytest.mark.parametrize("basis, ordering", [("pixel", "column"), ("wavelet", "level"), ("pca", "variance")])
def test_autoregressive_a_still_reproduces_covariance(basis, ordering):
    """a = 12 (past the no-overlap threshold for unit label steps): the path changes, the endpoint does not."""
    sp, s, cw, den, steps = _setup(basis, ordering, 12.0)
    c1 = terminal_covariance(s, cw)
    for method in ("sde", "ode"):
        assert relative_frobenius(data_covariance(sp, chain_covariance(s, den, c1, steps, method)), COV) < 0.05
