"""Stateless samplers with one signature, k-diffusion style (Karras et al. 2022; Crowson's k-diffusion).

    sample_X(denoiser, x, sigmas, *, generator=None, noise=None, callback=None, **opts) -> x0

- `denoiser` is a `protocols.Denoiser` D(x, lam) -> x0_hat on the VE state x = x0 + sigma n;
  samplers convert sigma -> lam = -2 log sigma and never call D at sigma = 0.
- `sigmas` is a 1-D tensor of VE sigmas, descending, last entry 0 (k-diffusion order); N steps
  use N + 1 sigmas. `x` must already be the initial state sigmas[0] * n.
- `noise` is a `protocols.NoiseSampler` (default: standard normal) used for EVERY stochastic
  injection, so other noise laws can be plugged in; `generator` is passed to it.
- `callback` receives dict(i, x, sigma, sigma_next, denoised) after each denoiser evaluation.
- Options: euler and heun take EDM churn (Karras et al. 2022, Algorithm 2) under k-diffusion's names
  s_churn, s_tmin, s_tmax, s_noise (s_churn = 0: off, bit-identical, no draws); ddim and euler_ancestral
  take eta (DDIM's sigma_t(eta); 0 deterministic, 1 = DDPM ancestral). nonnormal/controls.py bundles them.

NFE per run: euler, ddim, ddpm_ancestral, euler_ancestral, dpmpp_2m: N; heun: 2N - 1 (the last
step to sigma = 0 is an Euler step, as in EDM Algorithm 1), one fewer per step from flow.SIGMA_T1.
Flow-matching schedules arrive as VE sigmas with t = 1 mapped to flow.SIGMA_T1 (= 2^24 - 1).
All samplers are linear in (x, noise) when D is linear (e.g. the analytic Gaussian denoiser).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..protocols import Callback, Denoiser, NoiseSampler, gaussian_noise, sigma_to_lam
from ..validation import InputError
from .flow import SIGMA_T1

Tensor = torch.Tensor

# ---------------------------------------------------------------------------------------------
# Shared pieces


def check_sigmas(sigmas: Tensor) -> Tensor:
    """Validate a sigma list: 1-D, >= 2 entries, finite, strictly descending, > 0 except a last 0.

    The last entry is normally 0; a positive last sigma (diffusers final_sigmas_type='sigma_min')
    is allowed and then the sampler returns the state at that noise level.
    """
    if not isinstance(sigmas, torch.Tensor) or sigmas.ndim != 1 or len(sigmas) < 2:
        raise InputError("sigmas must be a 1-D tensor with at least 2 entries (N steps need N + 1 sigmas)")
    if not torch.isfinite(sigmas).all():
        raise InputError("sigmas must be finite, got NaN or inf")
    if (sigmas < 0).any():
        raise InputError(f"sigmas must be >= 0, got min {float(sigmas.min()):g}")
    if (sigmas[:-1] <= 0).any():
        raise InputError("sigmas must be > 0 except the last entry (the denoiser is never called at sigma = 0)")
    if (sigmas[1:] >= sigmas[:-1]).any():
        raise InputError("sigmas must be strictly descending")
    return sigmas


def call_denoiser(denoiser: Denoiser, x: Tensor, sigma: Tensor) -> Tensor:
    """D(x, lam) with lam = -2 log sigma broadcast to the batch. [B, ...] -> [B, ...]"""
    lam = sigma_to_lam(sigma.to(x.dtype)).to(x.device).expand(x.shape[0])  # [B] on x's device
    return denoiser(x, lam)


def to_d(x: Tensor, sigma: Tensor, denoised: Tensor) -> Tensor:
    """ODE derivative dx/dsigma = (x - D(x; sigma)) / sigma (EDM eq. 3 with sigma(t) = t)."""
    return (x - denoised) / sigma.to(x.dtype)


def euler_step(x: Tensor, sigma: Tensor, sigma_next: Tensor, denoised: Tensor) -> Tensor:
    """x + (x - D) / s (s' - s); from a flow schedule's t = 1 (s >= SIGMA_T1) the same step as D + (s'/s)(x - D),
    which float32 keeps: x + d (s' - s) there cancels two numbers of size 1.7e7 to one of size s'."""
    if float(sigma) >= SIGMA_T1:
        return denoised + (x - denoised) * (sigma_next / sigma).to(x.dtype)
    return x + to_d(x, sigma, denoised) * (sigma_next - sigma).to(x.dtype)


def ancestral_step(sigma: float, sigma_next: float, eta: float = 1.0) -> tuple[float, float]:
    """sigma_up = min(s', eta sqrt(s'^2 (s^2 - s'^2) / s^2)), sigma_down = sqrt(s'^2 - sigma_up^2)."""
    if sigma_next == 0.0 or eta == 0.0:
        return sigma_next, 0.0
    up = min(sigma_next, eta * math.sqrt(sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2))
    return math.sqrt(sigma_next**2 - up**2), up


def _report(callback: Callback | None, i: int, x: Tensor, sigmas: Tensor, denoised: Tensor) -> None:
    if callback is not None:
        callback({"i": i, "x": x, "sigma": sigmas[i], "sigma_next": sigmas[i + 1], "denoised": denoised})


# ---------------------------------------------------------------------------------------------
# Deterministic solvers of the probability-flow ODE


def check_churn(s_churn: float, s_tmin: float, s_tmax: float, s_noise: float) -> None:
    """EDM churn settings: s_churn >= 0 and s_noise >= 0 finite, 0 <= s_tmin <= s_tmax (s_tmax may be inf)."""
    for name, v in (("s_churn", s_churn), ("s_noise", s_noise), ("s_tmin", s_tmin)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise InputError(f"{name} must be a finite number >= 0, got {v!r}")
    if not (isinstance(s_tmax, (int, float)) and s_tmax >= s_tmin) or math.isnan(s_tmax):
        raise InputError(f"s_tmax must be >= s_tmin = {s_tmin:g} (inf allowed), got {s_tmax!r}")


def churn_gamma(sigma: float, steps: int, s_churn: float, s_tmin: float, s_tmax: float) -> float:
    """gamma_i = min(S_churn / N, sqrt(2) - 1) if S_tmin <= sigma_i <= S_tmax else 0 (EDM Algorithm 2, line 4);
    0 at a flow schedule's t = 1 (sigma >= SIGMA_T1: pure noise already)."""
    if s_churn <= 0 or not (s_tmin <= sigma <= s_tmax) or sigma >= SIGMA_T1:
        return 0.0
    return min(s_churn / steps, math.sqrt(2) - 1)


def churn(x: Tensor, sigma: Tensor, gamma: float, eps: Tensor, s_noise: float) -> tuple[Tensor, Tensor]:
    """sigma_hat = (1 + gamma) sigma, x_hat = x + sqrt(sigma_hat^2 - sigma^2) S_noise eps (EDM Alg. 2, lines 5-6)."""
    if gamma <= 0:
        return x, sigma
    sigma_hat = sigma * (1 + gamma)
    return x + eps * (s_noise * math.sqrt(float(sigma_hat) ** 2 - float(sigma) ** 2)), sigma_hat


def _churned(
    x: Tensor,
    sigmas: Tensor,
    i: int,
    opts: tuple[float, float, float, float],
    noise: NoiseSampler | None,
    generator: torch.Generator | None,
) -> tuple[Tensor, Tensor]:
    """(x_hat, sigma_hat) of step i; with s_churn > 0 one noise draw per step (so step-indexed noise such as the
    Brownian tree stays aligned), used where gamma_i > 0; with s_churn = 0 no draw and (x, sigmas[i])."""
    s_churn, s_tmin, s_tmax, s_noise = opts
    if s_churn <= 0:
        return x, sigmas[i]
    eps = (noise or gaussian_noise)(x.shape, generator, x.dtype).to(x.device)
    gamma = churn_gamma(float(sigmas[i]), len(sigmas) - 1, s_churn, s_tmin, s_tmax)
    return churn(x, sigmas[i], gamma, eps, s_noise)


@torch.no_grad()
def sample_euler(
    denoiser: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: NoiseSampler | None = None,
    callback: Callback | None = None,
    s_churn: float = 0.0,
    s_tmin: float = 0.0,
    s_tmax: float = math.inf,
    s_noise: float = 1.0,
) -> Tensor:
    """Euler on dx/dsigma = (x - D) / sigma (EDM Algorithm 2 without the correction; k-diffusion's churn names)."""
    check_sigmas(sigmas)
    check_churn(s_churn, s_tmin, s_tmax, s_noise)
    for i in range(len(sigmas) - 1):
        x, s_hat = _churned(x, sigmas, i, (s_churn, s_tmin, s_tmax, s_noise), noise, generator)
        denoised = call_denoiser(denoiser, x, s_hat)
        _report(callback, i, x, sigmas, denoised)
        x = euler_step(x, s_hat, sigmas[i + 1], denoised)
    return x


@torch.no_grad()
def sample_heun(
    denoiser: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: NoiseSampler | None = None,
    callback: Callback | None = None,
    s_churn: float = 0.0,
    s_tmin: float = 0.0,
    s_tmax: float = math.inf,
    s_noise: float = 1.0,
) -> Tensor:
    """Heun's 2nd-order method, EDM Algorithm 2 (churn off by default: Algorithm 1); Euler on the final step to
    sigma = 0 and on a step from a flow schedule's t = 1 (sigma >= SIGMA_T1): the trapezoid weight (s' - s) / 2 on
    the derivative at s' diverges as s -> inf, while the Euler step has the finite t = 1 limit."""
    check_sigmas(sigmas)
    check_churn(s_churn, s_tmin, s_tmax, s_noise)
    for i in range(len(sigmas) - 1):
        x, s = _churned(x, sigmas, i, (s_churn, s_tmin, s_tmax, s_noise), noise, generator)
        s_next = sigmas[i + 1]
        denoised = call_denoiser(denoiser, x, s)
        _report(callback, i, x, sigmas, denoised)
        d = to_d(x, s, denoised)
        x_next = euler_step(x, s, s_next, denoised)
        if float(s_next) > 0 and float(s) < SIGMA_T1:
            d_next = to_d(x_next, s_next, call_denoiser(denoiser, x_next, s_next))
            x_next = x + 0.5 * (d + d_next) * (s_next - s).to(x.dtype)
        x = x_next
    return x


@torch.no_grad()
def sample_dpmpp_2m(
    denoiser: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: NoiseSampler | None = None,
    callback: Callback | None = None,
) -> Tensor:
    """DPM-Solver++(2M) (Lu et al. 2022, Alg. 2) in t = -log sigma, as in k-diffusion."""
    check_sigmas(sigmas)
    old_denoised: Tensor | None = None
    for i in range(len(sigmas) - 1):
        s, s_next = float(sigmas[i]), float(sigmas[i + 1])
        denoised = call_denoiser(denoiser, x, sigmas[i])
        _report(callback, i, x, sigmas, denoised)
        if s_next == 0.0:
            x = denoised  # exact limit of the update at sigma' = 0
        else:
            h = math.log(s) - math.log(s_next)  # t_next - t with t = -log sigma
            d = denoised
            if old_denoised is not None:
                r = (math.log(float(sigmas[i - 1])) - math.log(s)) / h  # h_last / h
                d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old_denoised
            x = (s_next / s) * x - math.expm1(-h) * d
        old_denoised = denoised
    return x


# ---------------------------------------------------------------------------------------------
# Stochastic (ancestral) samplers


@torch.no_grad()
def sample_euler_ancestral(
    denoiser: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: NoiseSampler | None = None,
    callback: Callback | None = None,
    eta: float = 1.0,
) -> Tensor:
    """Euler step to sigma_down, then add sigma_up * n (k-diffusion `sample_euler_ancestral`)."""
    check_sigmas(sigmas)
    if not (math.isfinite(eta) and eta >= 0):
        raise InputError(f"eta must be a finite number >= 0, got {eta!r}")
    noise = noise or gaussian_noise
    for i in range(len(sigmas) - 1):
        denoised = call_denoiser(denoiser, x, sigmas[i])
        _report(callback, i, x, sigmas, denoised)
        down, up = ancestral_step(float(sigmas[i]), float(sigmas[i + 1]), eta)
        x = x + to_d(x, sigmas[i], denoised) * (down - float(sigmas[i]))
        if up > 0:
            x = x + noise(x.shape, generator, x.dtype).to(x.device) * up
    return x


@torch.no_grad()
def sample_ddim(
    denoiser: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: NoiseSampler | None = None,
    callback: Callback | None = None,
    eta: float = 0.0,
) -> Tensor:
    """DDIM (Song et al. 2021, eq. 12) in VE form: x' = x0 + sqrt(s'^2 - c^2) eps_hat + c n.

    With the VP->VE change x_ve = x_vp / alpha, DDIM's sigma_t(eta) becomes the ancestral
    sigma_up above, so DDIM(eta) = Euler-ancestral(eta); eta = 0 is exactly Euler. A denoiser with
    `x0_eps(x, lam) -> (x0_hat, eps_hat)` (a diffusers DDIM folder, models/wrapped.py) steps with that pair as
    diffusers' DDIMScheduler does: the clipped x0 and the network's unclipped eps.
    """
    split = getattr(denoiser, "x0_eps", None)
    if split is None:
        return sample_euler_ancestral(denoiser, x, sigmas, generator=generator, noise=noise, callback=callback, eta=eta)
    check_sigmas(sigmas)
    if not (math.isfinite(eta) and eta >= 0):
        raise InputError(f"eta must be a finite number >= 0, got {eta!r}")
    noise = noise or gaussian_noise
    for i in range(len(sigmas) - 1):
        lam = sigma_to_lam(sigmas[i].to(x.dtype)).to(x.device).expand(x.shape[0])
        x0, eps = split(x, lam)
        _report(callback, i, x, sigmas, x0)
        down, up = ancestral_step(float(sigmas[i]), float(sigmas[i + 1]), eta)
        x = x0 + eps * down
        if up > 0:
            x = x + noise(x.shape, generator, x.dtype).to(x.device) * up
    return x


def ddpm_posterior(x: Tensor, x0: Tensor, sigma: float, sigma_next: float) -> tuple[Tensor, float]:
    """q(x' | x, x0) for x = x' + sqrt(s^2 - s'^2) z: mean x0 + (s'^2/s^2)(x - x0), std s' sqrt(1 - s'^2/s^2)."""
    ratio = sigma_next**2 / sigma**2
    return x0 + ratio * (x - x0), sigma_next * math.sqrt(max(1.0 - ratio, 0.0))


@torch.no_grad()
def sample_ddpm_ancestral(
    denoiser: Denoiser,
    x: Tensor,
    sigmas: Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: NoiseSampler | None = None,
    callback: Callback | None = None,
) -> Tensor:
    """DDPM ancestral sampling (Ho et al. 2020, eq. 7 posterior, 'fixed small' variance) in VE form."""
    check_sigmas(sigmas)
    noise = noise or gaussian_noise
    for i in range(len(sigmas) - 1):
        denoised = call_denoiser(denoiser, x, sigmas[i])
        _report(callback, i, x, sigmas, denoised)
        mean, std = ddpm_posterior(x, denoised, float(sigmas[i]), float(sigmas[i + 1]))
        x = mean + noise(x.shape, generator, x.dtype).to(x.device) * std if std > 0 else mean
    return x


# ---------------------------------------------------------------------------------------------
# Registry

Sampler = Callable[..., Tensor]

SAMPLERS: dict[str, Sampler] = {
    "euler": sample_euler,
    "heun": sample_heun,
    "dpmpp_2m": sample_dpmpp_2m,
    "ddim": sample_ddim,
    "ddpm_ancestral": sample_ddpm_ancestral,
    "euler_ancestral": sample_euler_ancestral,
}


def nfe(name: str, steps: int, sigmas: Tensor | None = None) -> int:
    """Denoiser evaluations used by sampler `name` for `steps` steps (N + 1 sigmas); heun saves one more
    when `sigmas` starts at a flow schedule's t = 1 (SIGMA_T1)."""
    if name != "heun":
        return steps
    return 2 * steps - 1 - int(sigmas is not None and steps > 1 and float(sigmas[0]) >= SIGMA_T1)


def get_sampler(name: str) -> Sampler:
    """Sampler by name; InputError lists the valid names."""
    if name not in SAMPLERS:
        raise InputError(f"unknown sampler {name!r}; choose one of: {', '.join(SAMPLERS)}")
    return SAMPLERS[name]
