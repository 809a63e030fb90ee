"""Structured random walks (Li, arXiv 2412.07935, Definition 1 / Theorem 3.1) for the reference
VP process beta(t) = 0.1 + 19.9 t, f(x, t) = -beta(t) x / 2, g(t) = sqrt(beta(t)).

Every step is x_{k+1} = a_k x_k + s_k z_k with zero-mean, unit-variance z_k:
  euler  a_k = 1 - beta(t_k) dt / 2,   s_k = sqrt(beta(t_k) dt)           (Euler-Maruyama)
  ddpm   a_k = sqrt(1 - b_k),          s_k = sqrt(b_k),  b_k = min(beta(t_k) dt, 1)
`grid` says where beta is read in step k: "left" t_k = k dt, "right" t_k = (k + 1) dt (default;
DDPM's beta_1..beta_N). Time runs t = 0 data -> t = 1 noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from ..noise import samplers
from ..noise.conventions import BETA_D, BETA_MIN, beta_vp, integrated_beta, reference_alpha_sigma  # noqa: F401
from ..protocols import Callback, Denoiser, NoiseSampler
from ..validation import InputError, check_choice, check_int
from .laws import Law, get_law, sample

Form = Literal["euler", "ddpm"]
Grid = Literal["left", "right"]
FORMS = ("euler", "ddpm")
GRIDS = ("left", "right")
BETA_MAX = BETA_MIN + BETA_D  # 20.0
MAX_STEPS = 20_000
MAX_PATHS = 2_000_000  # x_T in float64: 16 MB
MAX_DRAWS = 400_000_000  # paths * steps: keeps one run under about a minute


# ----------------------------------------------------------------------------
# The reference VP process.

vp_alpha_sigma = reference_alpha_sigma  # alpha(t), sigma(t) of the reference process (a function of t)


def step_times(steps: int, grid: Grid = "right") -> np.ndarray:
    """t_k where beta is read in step k = 0..N-1: k dt (left) or (k + 1) dt (right)."""
    check_choice("grid", grid, GRIDS)
    k = np.arange(steps, dtype=np.float64)
    return (k + (1.0 if grid == "right" else 0.0)) / steps


def walk_factors(steps: int, form: Form = "ddpm", grid: Grid = "right") -> tuple[np.ndarray, np.ndarray]:
    """(a_k, s_k), k = 0..N-1, of x_{k+1} = a_k x_k + s_k z_k."""
    check_choice("form", form, FORMS)
    bdt = beta_vp(step_times(steps, grid)) / steps
    if form == "euler":
        return 1.0 - 0.5 * bdt, np.sqrt(bdt)
    b = np.minimum(bdt, 1.0)
    return np.sqrt(1.0 - b), np.sqrt(b)


# ----------------------------------------------------------------------------
# Exact moments (Theorem 3.1) and the kurtosis of x_N.


def exact_mean_path(a: np.ndarray, x0: float = 1.0) -> np.ndarray:
    """E[x_k] = prod_{i<k} a_i x0, k = 0..N (Theorem 3.1)."""
    return x0 * np.concatenate([[1.0], np.cumprod(a)])


def exact_var_path(a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Var(x_{k+1}) = a_k^2 Var(x_k) + s_k^2, Var(x_0) = 0, k = 0..N."""
    v = np.zeros(len(a) + 1)
    for k in range(len(a)):
        v[k + 1] = a[k] ** 2 * v[k] + s[k] ** 2
    return v


def appendix_var(a: np.ndarray, s: np.ndarray) -> float:
    """Appendix Eq. 43: Var(x_N) = sum_j prod_{i=j+1..N} (1 + beta_i dt)^2 g_j^2 dt, 1 + beta_i dt = a_i."""
    n = len(a)
    return float(sum(np.prod(a[j + 1 : n] ** 2) * s[j] ** 2 for j in range(n)))


def main_text_var(a: np.ndarray, s: np.ndarray) -> float:
    """Main-text gamma_N = sum_j (alpha_N / alpha_{j+1}) g_j^2 dt: drops the square (kept only to show it is wrong)."""
    n = len(a)
    return float(sum(np.prod(a[j + 1 : n]) * s[j] ** 2 for j in range(n)))


def walk_coefficients(a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """x_N = prod(a) x0 + sum_j c_j z_j with c_j = s_j prod_{i>j} a_i."""
    tail = np.concatenate([np.cumprod(a[::-1])[::-1][1:], [1.0]])  # prod_{i>j} a_i
    return s * tail


def expected_excess_kurtosis(kappa4: float, c: np.ndarray) -> float:
    """Excess kurtosis of sum_j c_j z_j: kappa4(z) sum c_j^4 / (sum c_j^2)^2."""
    c2 = np.asarray(c, dtype=np.float64) ** 2
    return float(kappa4 * np.sum(c2**2) / np.sum(c2) ** 2)


@dataclass(frozen=True)
class WalkMoments:
    """Exact moments of the walk on the grid t = k / N, k = 0..N."""

    t: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    coefficients: np.ndarray


def exact_moments(steps: int, form: Form = "ddpm", grid: Grid = "right", x0: float = 1.0) -> WalkMoments:
    """Theorem 3.1 mean and variance at every step, and the coefficients c_j of x_N."""
    a, s = walk_factors(check_steps(steps), form, grid)
    return WalkMoments(
        np.arange(steps + 1) / steps, exact_mean_path(a, x0), exact_var_path(a, s), walk_coefficients(a, s)
    )


# ----------------------------------------------------------------------------
# Monte Carlo: simulate M paths with increments from a law.


def check_steps(steps: object) -> int:
    return check_int("steps", steps, 1, MAX_STEPS)


def check_paths(paths: object, steps: int) -> int:
    """paths in [2, MAX_PATHS] and paths * steps <= MAX_DRAWS (a memory and time cap)."""
    m = check_int("paths", paths, 2)
    if m > MAX_PATHS:
        raise InputError(f"paths must be at most {MAX_PATHS} (memory cap), got {m}")
    if m * steps > MAX_DRAWS:
        raise InputError(
            f"paths * steps must be <= {MAX_DRAWS:.0e}, got {m} * {steps} = {m * steps:.2e}; "
            f"use at most {MAX_DRAWS // steps} paths at {steps} steps"
        )
    return m


@dataclass(frozen=True)
class WalkSample:
    """Simulated walk: x_N for every path, per-step sample mean/var, and a few kept paths."""

    t: np.ndarray  # [N+1]
    x: np.ndarray  # [M]  x_N
    mean: np.ndarray  # [N+1]
    var: np.ndarray  # [N+1]
    paths: np.ndarray  # [keep, N+1]


def simulate_walk(
    law: Law | str,
    steps: int,
    paths: int,
    generator: torch.Generator | None,
    form: Form = "ddpm",
    grid: Grid = "right",
    x0: float = 1.0,
    keep: int = 0,
) -> WalkSample:
    """Run x_{k+1} = a_k x_k + s_k z_k for `paths` paths, z_k i.i.d. from `law` (float64)."""
    the_law = get_law(law) if isinstance(law, str) else law
    steps = check_steps(steps)
    paths = check_paths(paths, steps)
    a, s = walk_factors(steps, form, grid)
    x = np.full(paths, float(x0))
    mean, var = np.zeros(steps + 1), np.zeros(steps + 1)
    mean[0] = x0
    kept = np.zeros((min(keep, paths), steps + 1))
    kept[:, 0] = x0
    for k in range(steps):
        z = sample(the_law, (paths,), generator, torch.float64).numpy()
        x = a[k] * x + s[k] * z
        mean[k + 1], var[k + 1] = x.mean(), x.var()
        kept[:, k + 1] = x[: len(kept)]
    return WalkSample(np.arange(steps + 1) / steps, x, mean, var, kept)


# ----------------------------------------------------------------------------
# Reverse sampling: Euler-Maruyama on the reverse VP SDE, any increment law as the noise.


def vp_score(denoiser: Denoiser, x: torch.Tensor, t: float) -> torch.Tensor:
    """grad log p_t(x) = (alpha D(x / alpha, lam) - x) / sigma^2, lam = log(alpha^2 / sigma^2)."""
    alpha, sigma = (float(v) for v in vp_alpha_sigma(t))
    lam = torch.full((x.shape[0],), 2.0 * math.log(alpha / sigma), dtype=x.dtype)
    return (alpha * denoiser(x / alpha, lam) - x) / sigma**2


def reverse_vp_walk(
    denoiser: Denoiser,
    x: torch.Tensor,
    steps: int,
    *,
    noise: NoiseSampler,
    generator: torch.Generator | None = None,
    callback: Callback | None = None,
) -> torch.Tensor:
    """x <- x - [f - g^2 score](x, t_k) dt + g(t_k) sqrt(dt) z, t_k = k / N from 1 down to 1/N."""
    steps = check_steps(steps)
    dt = 1.0 / steps
    for k in range(steps, 0, -1):
        t = k * dt
        b = float(beta_vp(t))
        score = vp_score(denoiser, x, t)
        x_next = x + (0.5 * b * x + b * score) * dt + math.sqrt(b * dt) * noise(x.shape, generator, x.dtype)
        if callback is not None:
            callback({"i": steps - k, "x": x, "t": t, "t_next": t - dt, "score": score})
        x = x_next
    return x


REVERSE_SAMPLERS = ("reverse-sde", "ddpm_ancestral")  # euler_ancestral (eta=1) equals ddpm_ancestral in VE form


def vp_sigmas(steps: int) -> torch.Tensor:
    """VE sigmas of the reference VP grid t_k = k/N, k = N..1, then 0: sigma = sqrt(e^{B(t)} - 1)."""
    t = np.arange(check_steps(steps), 0, -1) / steps
    return torch.tensor(np.append(np.sqrt(np.expm1(integrated_beta(t))), 0.0), dtype=torch.float64)


def reverse_sample(
    denoiser: Denoiser,
    n: int,
    dim: tuple[int, ...],
    steps: int,
    sampler: str,
    noise: NoiseSampler,
    generator: torch.Generator,
    keep: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Samples [n, *dim] and `keep` VP-scaled trajectories [keep, N+1, *dim] from the reference VP process.

    reverse-sde: Euler-Maruyama on the reverse VP SDE; others: the shared samplers on vp_sigmas(N).
    The start x_T is Gaussian for every law (same seed, same start); `noise` drives every later step.
    """
    check_choice("sampler", sampler, REVERSE_SAMPLERS)
    start = torch.randn((n, *dim), generator=generator, dtype=torch.float64)  # VP x_T
    path: list[torch.Tensor] = []
    if sampler == "reverse-sde":
        out = reverse_vp_walk(
            denoiser,
            start,
            steps,
            noise=noise,
            generator=generator,
            callback=lambda d: path.append(d["x"][:keep].clone()),
        )
        path.append(out[:keep].clone())
        return out, torch.stack(path, 1)
    sigmas = vp_sigmas(steps)

    def record(d: dict) -> None:  # VE -> VP scale
        path.append(d["x"][:keep] / torch.sqrt(1 + d["sigma"].to(torch.float64) ** 2))

    out = samplers.get_sampler(sampler)(
        denoiser, start * sigmas[0], sigmas, generator=generator, noise=noise, callback=record
    )
    path.append(out[:keep].clone())
    return out, torch.stack(path, 1)
