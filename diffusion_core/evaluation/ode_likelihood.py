"""Probability-flow ODE likelihood of an EDM-preconditioned network (Song et al. 2021, Sec. 4.3; Li's Eq. 6).

The VE probability flow dx/dsigma = f(x, sigma) = (x - D(x; sigma)) / sigma carries the data density to
N(0, sigma_max^2 I), and along it

    log p_0(x(sigma_min)) = log N(x(sigma_max); 0, sigma_max^2 I) + int_{sigma_min}^{sigma_max} div f dsigma,
    div f = (D_dims - tr dD/dx) / sigma,

with tr dD/dx estimated by Hutchinson's estimator eps^T (dD/dx) eps, eps Rademacher (one draw per image and step;
its variance is that of the sum of those per-step estimates). Heun steps on karras sigmas from sigma_min up to
sigma_max; the data state at sigma_min is the dequantised image (sigma_min = 0.002 is a quarter of a bin). 8-bit
data: bits/dim = (-log p + D log(1 / DELTA)) / (D ln 2), the uniform-dequantisation bound as for the ELBO.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..networks.unet import precond
from ..nonnormal.likelihood import DELTA

Tensor = torch.Tensor


def karras_up(sigma_min: float, sigma_max: float, steps: int, rho: float = 7.0) -> Tensor:
    """steps + 1 karras sigmas from sigma_min up to sigma_max (float64)."""
    ramp = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return (lo + ramp * (hi - lo)) ** rho


def drift_and_div(net: nn.Module, x: Tensor, sigma: float, eps: Tensor) -> tuple[Tensor, Tensor]:
    """f = (x - D) / sigma and the Hutchinson estimate of div f = (D_dims - eps^T dD/dx eps) / sigma, per image."""
    x = x.detach().to(torch.float32).requires_grad_(True)
    with torch.enable_grad():
        d = precond(net, x, torch.full((x.shape[0],), sigma))
        (vjp,) = torch.autograd.grad(d, x, eps.to(torch.float32))
    tr = (vjp.to(torch.float64) * eps).flatten(1).sum(-1)
    dims = x[0].numel()
    return ((x.detach() - d.detach()) / sigma).to(torch.float64), (dims - tr) / sigma


def ode_nll(
    net: nn.Module,
    y: Tensor,
    generator: torch.Generator,
    steps: int = 32,
    sigma_min: float = 0.002,
    sigma_max: float = 80.0,
    dequantise: bool = True,
) -> Tensor:
    """-log p of images y [B, C, H, W] (8-bit ones dequantised first), nats per image (float64 [B])."""
    x = y.to(torch.float64)
    if dequantise:
        x = x + (torch.rand(y.shape, generator=generator, dtype=torch.float64) - 0.5) * DELTA
    sig = karras_up(sigma_min, sigma_max, steps)
    integral = torch.zeros(y.shape[0], dtype=torch.float64)
    for s0, s1 in zip(sig[:-1].tolist(), sig[1:].tolist()):
        eps = torch.randint(0, 2, y.shape, generator=generator).to(torch.float64) * 2 - 1
        f0, div0 = drift_and_div(net, x, s0, eps)
        x1 = x + (s1 - s0) * f0
        f1, div1 = drift_and_div(net, x1, s1, eps)
        x = x + (s1 - s0) * 0.5 * (f0 + f1)  # Heun in sigma
        integral += (s1 - s0) * 0.5 * (div0 + div1)
    dims = y[0].numel()
    log_prior = -0.5 * (x.flatten(1) ** 2).sum(-1) / sigma_max**2 - dims * math.log(sigma_max * math.sqrt(2 * math.pi))
    return -(log_prior + integral)


def ode_bpd(net: nn.Module, y: Tensor, generator: torch.Generator, steps: int = 32) -> Tensor:
    """Bits/dim per image of the ODE likelihood with the 8-bit bin term."""
    dims = y[0].numel()
    return (ode_nll(net, y, generator, steps) + dims * math.log(1 / DELTA)) / (dims * math.log(2))
