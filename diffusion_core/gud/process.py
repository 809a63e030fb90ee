"""Forward and reverse component-wise processes (GUD) with exact denoisers.

Spaces [reference Sec. 2]: data x; components chi = U (x - mean); whitened chi_hat = chi / S with
S_i = Sigma_i^(r/2) (r = 0: white prior S = I; r = 1: whitened, data-matched prior). The prior
N(0, I) in whitened components is N(mean, U^T S^2 U) in data space. All processes run on chi_hat
[B, D] in float64: chi_hat_i(t) = alpha_i(t) chi_hat_i(0) + sigma_i(t) eps_i.

Denoisers here take the VE form D(y, lam) with y = chi_hat / alpha and per-component lam = -gamma
(so y = chi_hat(0) + e^(-lam/2) eps), the convention of `protocols.Denoiser` per component.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..bases import Basis, basis_matrix
from ..denoisers.gaussian import wiener_gain
from ..validation import InputError, check_choice, check_int, check_range
from .schedules import ComponentSchedule, dgamma_dt, gamma

Tensor = torch.Tensor
ComponentDenoiser = Callable[[Tensor, Tensor], Tensor]  # (y [B, D], lam [1, D]) -> chi0_hat [B, D]
GAMMA_CAP = 200.0  # |gamma| beyond this changes nothing in float64 (alpha or sigma < e^-100)


@dataclass(frozen=True)
class GUDSpace:
    """A basis, the data mean [1, C, H, W], data variances per component [D], prior exponent r."""

    basis: Basis
    mean: Tensor
    variances: Tensor
    r: float = 0.0


def make_space(basis: Basis, data: Tensor, r: float = 0.0, floor: float = 1e-4) -> GUDSpace:
    """Fit mean and Sigma_i = Var[U(x - mean)]_i (floored) on data [N, C, H, W]."""
    r = check_range("r", r, 0.0, 1.0)
    x = data.to(torch.float64)
    mean = x.mean(0, keepdim=True)
    var = basis.encode(x - mean).pow(2).mean(0).clamp_min(floor)  # [D]
    return GUDSpace(basis, mean, var, r)


def scale(space: GUDSpace) -> Tensor:
    """S_i = Sigma_i^(r/2). [D]"""
    return space.variances.pow(space.r / 2)


def working_variances(space: GUDSpace) -> Tensor:
    """Variance of chi_hat_i: Sigma_i / S_i^2 = Sigma_i^(1 - r). [D]"""
    return space.variances.pow(1.0 - space.r)


def to_white(space: GUDSpace, x: Tensor) -> Tensor:
    """chi_hat = S^-1 U (x - mean): [B, C, H, W] -> [B, D]."""
    return space.basis.encode(x.to(torch.float64) - space.mean) / scale(space)


def from_white(space: GUDSpace, z: Tensor) -> Tensor:
    """x = U^T S chi_hat + mean: [B, D] -> [B, C, H, W]."""
    return space.basis.decode(z * scale(space)) + space.mean


def prior_sample(space: GUDSpace, n: int, generator: torch.Generator) -> Tensor:
    """n draws of the prior N(mean, U^T S^2 U) in data space. [n, C, H, W]"""
    d = space.variances.numel()
    return from_white(space, torch.randn(n, d, generator=generator, dtype=torch.float64))


def white_covariance(space: GUDSpace, cov: Tensor) -> Tensor:
    """Data covariance [D, D] (flattened pixels) -> S^-1 U C U^T S^-1 [D, D]."""
    u = basis_matrix(space.basis)  # [comps, pixels]
    s = scale(space)
    return (u @ cov.to(torch.float64) @ u.T) / (s[:, None] * s[None, :])


# ---------------------------------------------------------------------------------------------
# Forward process


def alpha_sigma(s: ComponentSchedule, t: float) -> tuple[Tensor, Tensor]:
    """alpha_i(t), sigma_i(t) from gamma (capped). Each [D]."""
    g = gamma(s, torch.tensor([t])).clamp(-GAMMA_CAP, GAMMA_CAP)[0]
    return torch.sigmoid(-g).sqrt(), torch.sigmoid(g).sqrt()


def forward_white(s: ComponentSchedule, z0: Tensor, times: Tensor, eps: Tensor) -> Tensor:
    """chi_hat(t) = alpha(t) chi_hat(0) + sigma(t) eps, one eps for all t: [T, B, D]."""
    out = [a * z0 + sg * eps for a, sg in (alpha_sigma(s, float(t)) for t in times)]
    return torch.stack(out)


def forward_frames(
    space: GUDSpace, s: ComponentSchedule, x0: Tensor, times: Tensor, generator: torch.Generator
) -> tuple[Tensor, Tensor]:
    """One image [1, C, H, W] noised at each t: data frames [T, C, H, W], components [T, D]."""
    z0 = to_white(space, x0)  # [1, D]
    eps = torch.randn(z0.shape, generator=generator, dtype=torch.float64)
    zt = forward_white(s, z0, times, eps)[:, 0]  # [T, D]
    return from_white(space, zt), zt


# ---------------------------------------------------------------------------------------------
# Exact denoisers in whitened component space


class ComponentGaussianDenoiser:
    """E[chi0 | y] for chi0 ~ N(0, C): diagonal C [D]: v / (v + s^2) y (Wiener gain, per component);
    full C [D, D]: C (C + diag s^2)^-1 y. s^2 = exp(-lam)."""

    def __init__(self, cov: Tensor):
        self.cov = cov.to(torch.float64)

    def __call__(self, y: Tensor, lam: Tensor) -> Tensor:
        s2 = torch.exp(-torch.as_tensor(lam, dtype=torch.float64)).reshape(-1)  # [D]
        if self.cov.ndim == 1:
            return wiener_gain(self.cov, s2) * y
        m = self.cov + torch.diag(s2)
        return y @ torch.linalg.solve(m, self.cov)  # rows: y^T (C+S)^-1 C


# ---------------------------------------------------------------------------------------------
# Reverse process: Euler-Maruyama for the reverse SDE, Euler for the probability-flow ODE


def reverse_step(
    s: ComponentSchedule,
    denoise: ComponentDenoiser,
    z: Tensor,
    t: float,
    t_next: float,
    method: str,
    noise: Tensor | None,
) -> Tensor:
    """One step t -> t_next < t. beta * score = -gamma' (z - alpha chi0_hat);
    SDE: z + h (beta z / 2 - gamma' (z - alpha chi0_hat)) + sqrt(beta h) xi;  ODE: half the score term."""
    h = t - t_next
    g = gamma(s, torch.tensor([t])).clamp(-GAMMA_CAP, GAMMA_CAP)  # [1, D]
    dg = dgamma_dt(s, torch.tensor([t]))  # [1, D]
    b, a = torch.sigmoid(g) * dg, torch.sigmoid(-g).sqrt()
    x0 = denoise(z / a, -g)  # [B, D]
    score_term = dg * (z - a * x0)  # = -beta * score
    if method == "ode":
        return z + h * 0.5 * (b * z - score_term)
    z = z + h * (0.5 * b * z - score_term)
    return z if noise is None else z + (b * h).sqrt() * noise


def min_steps(s: ComponentSchedule) -> int:
    """Euler needs h * gamma' <= 1: steps >= slope."""
    return max(1, math.ceil(s.slope))


def fast_steps(s: ComponentSchedule) -> int:
    """A quick look: 2 x slope, >= 50 (covariance bias about 0.2 * slope / steps <= 10%)."""
    return max(50, 2 * min_steps(s))


def steps_for_rule(s: ComponentSchedule, steps: int) -> int:
    """steps > 0 as given; 0 = fast_steps (the app's default); -1 = recommended_steps (8 x slope, >= 200)."""
    return steps if steps > 0 else (fast_steps(s) if steps == 0 else recommended_steps(s))


def recommended_steps(s: ComponentSchedule) -> int:
    """Euler-Maruyama's covariance bias is about 0.2 * slope / steps (measured): 8 x slope keeps it < 3%."""
    return max(200, 8 * min_steps(s))


def reverse_sample(
    s: ComponentSchedule,
    denoise: ComponentDenoiser,
    z1: Tensor,
    steps: int,
    method: str,
    generator: torch.Generator,
    keep: int = 0,
    final_denoise: bool = False,
    t_start: float = 1.0,
    callback: Callable[[int, int], None] | None = None,
) -> tuple[Tensor, list[Tensor]]:
    """Integrate t = t_start -> 0 on a uniform grid; returns chi_hat(0) [B, D] (or, with final_denoise,
    the posterior mean E[chi_hat_0 | chi_hat(0)]) and `keep` snapshots. callback(done, steps) after each step."""
    check_choice("method", method, ("sde", "ode"))
    steps = check_int("steps", steps, 1, 100_000)
    t_start = check_range("t_start", t_start, 0.0, 1.0, lo_open=True)
    if steps < min_steps(s) * t_start:
        raise InputError(
            f"steps must be at least {math.ceil(min_steps(s) * t_start)} for this schedule (slope "
            f"{s.slope:.3g} per unit time; Euler needs steps >= slope x duration), got {steps}"
        )
    ts = torch.linspace(t_start, 0.0, steps + 1, dtype=torch.float64).tolist()
    marks = set(torch.linspace(0, steps, keep).round().long().tolist()) if keep else set()
    z, frames = z1.to(torch.float64), []
    for i in range(steps):  # intra-op threads: the caller's (the app serves with 1, set at launch)
        if i in marks:
            frames.append(z.clone())
        xi = torch.randn(z.shape, generator=generator, dtype=torch.float64) if method == "sde" else None
        z = reverse_step(s, denoise, z, ts[i], ts[i + 1], method, xi)
        if callback is not None:
            callback(i + 1, steps)
    if steps in marks:
        frames.append(z.clone())
    if final_denoise:
        a, _ = alpha_sigma(s, 0.0)
        z = denoise(z / a, -gamma(s, torch.tensor([0.0])).clamp(-GAMMA_CAP, GAMMA_CAP))
    return z, frames


def chain_covariance(s: ComponentSchedule, denoise: ComponentDenoiser, cov1: Tensor, steps: int, method: str) -> Tensor:
    """Exact output covariance of the discretised chain for a LINEAR denoiser (Gaussian data):
    each step is z -> z A + q xi, so Cov -> A^T Cov A + diag(q^2). Same step code as sampling."""
    d = cov1.shape[0]
    ts = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64).tolist()
    cov, eye, zero = cov1.to(torch.float64), torch.eye(d, dtype=torch.float64), torch.zeros(1, d, dtype=torch.float64)
    for i in range(steps):
        a = reverse_step(s, denoise, eye, ts[i], ts[i + 1], method, None)  # [D, D]
        cov = a.T @ cov @ a
        if method == "sde":
            q = reverse_step(s, denoise, zero, ts[i], ts[i + 1], method, torch.ones(1, d, dtype=torch.float64))
            cov = cov + torch.diag(q[0] ** 2)
    return cov


def terminal_covariance(s: ComponentSchedule, cov: Tensor) -> Tensor:
    """Cov chi_hat(1) = diag(alpha) C diag(alpha) + diag(sigma^2) for chi_hat(0) ~ N(0, C). [D, D]"""
    a, sg = alpha_sigma(s, 1.0)
    c = torch.diag(cov) if cov.ndim == 1 else cov.to(torch.float64)
    return a[:, None] * c * a[None, :] + torch.diag(sg**2)


def data_covariance(space: GUDSpace, cov_white: Tensor) -> Tensor:
    """Whitened-component covariance [D, D] -> data (pixel) covariance U^T S C S U [D, D]."""
    u, s = basis_matrix(space.basis), scale(space)
    return u.T @ (s[:, None] * cov_white * s[None, :]) @ u


def relative_frobenius(a: Tensor, b: Tensor) -> float:
    """||a - b||_F / ||b||_F."""
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))


# ---------------------------------------------------------------------------------------------
# Conversions in whitened component space [reference Sec. 3] and the covector rule [Sec. 2]


def eps_from_score(score: Tensor, sigma: Tensor) -> Tensor:
    """eps = -sigma * score."""
    return -sigma * score


def score_from_eps(eps: Tensor, sigma: Tensor) -> Tensor:
    """score = -eps / sigma."""
    return -eps / sigma


def velocity_from_score(z: Tensor, score: Tensor, beta_t: Tensor) -> Tensor:
    """v = (beta / 2)(z + score) (= -dz/dt of the probability-flow ODE)."""
    return 0.5 * beta_t * (z + score)


def score_from_velocity(z: Tensor, v: Tensor, beta_t: Tensor) -> Tensor:
    """score = 2 v / beta - z."""
    return 2.0 * v / beta_t - z


def score_to_data(space: GUDSpace, score_white: Tensor) -> Tensor:
    """Covector rule: grad_x log p = U^T S^-1 grad_chi_hat log p. [B, D] -> [B, C, H, W]"""
    return space.basis.decode(score_white / scale(space))
