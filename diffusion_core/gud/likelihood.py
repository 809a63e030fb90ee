"""Probability-flow ODE likelihood of a GUD network in its whitened components (reference gud.md Sec. 3, 8).

With score_i = -eps_hat_i / sigma_i and beta_i = sigma_i^2 gamma_i', the probability flow of the component-wise
OU process is

    dz_i/dt = -1/2 beta_i (z_i + score_i) = -1/2 gamma_i' (sigma_i^2 z_i - sigma_i eps_hat_i)
    div f   = -1/2 sum_i gamma_i' sigma_i^2 + 1/2 sum_i gamma_i' sigma_i d eps_hat_i / d z_i,

the last sum by Hutchinson's estimator v^T diag(gamma' sigma) J v (v Rademacher, one draw per image and step).
Heun in t from 0 to 1 on a uniform grid; log p_0(z(0)) = log N(z(1); 0, I) + int_0^1 div f dt. The data state
at t = 0 is the dequantised image mapped to whitened components, z = S^-1 U (x - mean), so
log p_x = log p_z - sum_i log S_i; 8-bit data: bits/dim = (-log p_x + D log(1 / DELTA)) / (D ln 2), the
uniform-dequantisation bound evaluation/ode_likelihood.py uses for EDM networks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..nonnormal.likelihood import DELTA
from .learned import LearnedGUD, alpha_sigma_at, from_image, to_image
from .process import scale, to_white
from .schedules import dgamma_dt

Tensor = torch.Tensor
EpsFn = Callable[[Tensor, Tensor], Tensor]  # (phi_hat_t [B, C, H, W] float32, t [B]) -> eps_hat, differentiable


def drift_and_div(eps_fn: EpsFn, g: LearnedGUD, z: Tensor, t: float, v: Tensor) -> tuple[Tensor, Tensor]:
    """f(z, t) [B, D] and the Hutchinson estimate of div f [B] (float64)."""
    tt = torch.full((z.shape[0],), t, dtype=torch.float64)
    _, s = alpha_sigma_at(g.schedule, tt)  # [B, D]
    dg = dgamma_dt(g.schedule, tt)  # [B, D]
    z = z.detach().requires_grad_(True)
    with torch.enable_grad():
        e = from_image(g, eps_fn(to_image(g, z), tt))  # [B, D]
        (vjp,) = torch.autograd.grad(e, z, v * dg * s)  # J^T diag(gamma' sigma) v
    tr = (vjp * v).sum(-1)
    f = -0.5 * dg * (s * s * z.detach() - s * e.detach())
    return f, -0.5 * (dg * s * s).sum(-1) + 0.5 * tr


def ode_nll_white(eps_fn: EpsFn, g: LearnedGUD, z0: Tensor, generator: torch.Generator, steps: int = 100) -> Tensor:
    """-log p of whitened states z0 [B, D] at t = 0, nats per state (float64 [B])."""
    z = z0.to(torch.float64)
    ts = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64).tolist()
    integral = torch.zeros(z.shape[0], dtype=torch.float64)
    for t0, t1 in zip(ts[:-1], ts[1:]):
        v = torch.randint(0, 2, z.shape, generator=generator).to(torch.float64) * 2 - 1
        f0, div0 = drift_and_div(eps_fn, g, z, t0, v)
        f1, div1 = drift_and_div(eps_fn, g, z + (t1 - t0) * f0, t1, v)
        z = z + (t1 - t0) * 0.5 * (f0 + f1)
        integral += (t1 - t0) * 0.5 * (div0 + div1)
    d = z.shape[1]
    log_prior = -0.5 * (z**2).sum(-1) - 0.5 * d * math.log(2 * math.pi)
    return -(log_prior + integral)


def ode_bpd(eps_fn: EpsFn, g: LearnedGUD, y: Tensor, generator: torch.Generator, steps: int = 100) -> Tensor:
    """Bits/dim per 8-bit image y [B, C, H, W] in [-1, 1] (dequantised first) of the ODE likelihood. [B]"""
    x = y.to(torch.float64) + (torch.rand(y.shape, generator=generator, dtype=torch.float64) - 0.5) * DELTA
    nll_z = ode_nll_white(eps_fn, g, to_white(g.space, x), generator, steps)
    nll_x = nll_z + torch.log(scale(g.space)).sum()  # p_x = p_z / prod S_i
    d = y[0].numel()
    return (nll_x + d * math.log(1 / DELTA)) / (d * math.log(2))
