"""The probability-flow ODE likelihood against the exact density of Gaussian data under its exact denoiser."""

import math
from dataclasses import dataclass

import torch
from torch import nn

from diffusion_core.evaluation.ode_likelihood import ode_nll
from diffusion_core.noise.parameterization import c_in, c_out, c_skip


@dataclass(frozen=True)
class Cfg:
    sigma_data: float = 0.5


class ExactGaussianF(nn.Module):
    """F with D(x; sigma) = c^2 / (c^2 + sigma^2) x: the exact denoiser of N(0, c^2 I), through EDM's preconditioning."""

    def __init__(self, c: float):
        super().__init__()
        self.c, self.cfg = c, Cfg()
        self.dummy = nn.Parameter(torch.zeros(()))  # precond reads no parameter; a module has one

    def forward(self, x_in: torch.Tensor, c_noise: torch.Tensor) -> torch.Tensor:
        s = torch.exp(4 * c_noise).reshape(-1, 1, 1, 1)
        sd = self.cfg.sigma_data
        x = x_in / c_in(s, sd)
        d = self.c**2 / (self.c**2 + s**2) * x
        return (d - c_skip(s, sd) * x) / c_out(s, sd)


def test_ode_nll_converges_to_the_exact_gaussian_nll():
    """Heun in sigma is second order: the mean error per dimension falls ~4x per doubling of steps (measured
    -0.0105 / -0.0026 nats/dim at 64 / 128 steps); Hutchinson adds spread, not bias."""
    c, dims, n = 0.5, 16, 400
    err = {}
    for steps in (64, 128):
        g = torch.Generator().manual_seed(0)
        y = c * torch.randn(n, 1, 4, 4, generator=g, dtype=torch.float64)
        exact = 0.5 * (y.flatten(1) ** 2).sum(-1) / c**2 + dims * math.log(c * math.sqrt(2 * math.pi))
        got = ode_nll(ExactGaussianF(c), y, g, steps=steps, dequantise=False)
        err[steps] = float((got - exact).mean()) / dims
        assert float((got - exact).std()) / dims < 0.01
    assert abs(err[128]) < 0.004 and abs(err[128]) < abs(err[64]) / 3
