"""Flow matching (rectified flow) schedules under diffusers' `FlowMatchEulerDiscreteScheduler` names.

Path x_t = (1 - t) x0 + t eps, t = 0 data -> t = 1 noise. In the project's one noise variable:
  lam = 2 log((1 - t) / t),   VE sigma = t / (1 - t),   x_ve = x_t / (1 - t) = x0 + sigma eps.
diffusers calls t "sigma" (`scheduler.sigmas`); here it is `flow_sigmas` and VE sigma stays sigma.
`flow_set_timesteps` repeats diffusers' `set_timesteps` arithmetic (float32 where diffusers is) so that
`flow_sigmas` and `timesteps` match it (tests: tests/test_flow_parity.py); `flow_notes` names what
diffusers does that a reader would not expect, with the numbers of the config at hand.

t = 1 has VE sigma = inf. The VE `sigmas` of a flow schedule map t = 1 to SIGMA_T1 = 2^24 - 1, the VE
sigma of float32's largest t below 1 (lam = -33.27): the VE samplers start from x = SIGMA_T1 n, pure
noise to one part in 1.7e7, and a first-order step from there equals the t = 1 limit to ~ v / SIGMA_T1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.stats import beta as beta_dist

Tensor = torch.Tensor
SIGMA_T1 = float(2**24 - 1)  # VE sigma standing in for t = 1 (t = 1 - 2^-24)

# option -> default: the scheduler's config (diffusers' defaults), then set_timesteps' arguments
SCHEDULER_DEFAULTS: dict[str, Any] = {
    "num_train_timesteps": 1000,
    "shift": 1.0,
    "use_dynamic_shifting": False,
    "base_shift": 0.5,
    "max_shift": 1.15,
    "base_image_seq_len": 256,
    "max_image_seq_len": 4096,
    "invert_sigmas": False,
    "shift_terminal": None,
    "use_karras_sigmas": False,
    "use_exponential_sigmas": False,
    "use_beta_sigmas": False,
    "time_shift_type": "exponential",
    "stochastic_sampling": False,
}
CALL_DEFAULTS: dict[str, Any] = {"mu": None, "image_seq_len": None, "sigmas": None}
FLOAT_KEYS = ("shift", "base_shift", "max_shift", "shift_terminal", "mu")
INT_KEYS = ("num_train_timesteps", "base_image_seq_len", "max_image_seq_len", "image_seq_len")
BOOL_KEYS = (
    "use_dynamic_shifting",
    "invert_sigmas",
    "use_karras_sigmas",
    "use_exponential_sigmas",
    "use_beta_sigmas",
    "stochastic_sampling",
)

# ---------------------------------------------------------------------------------------------
# Formulas (diffusers names; each maps t in (0, 1] to t in (0, 1])


def shift_sd3(t: Any, shift: float) -> Any:
    """t' = s t / (1 + (s - 1) t) (SD3, Esser et al. 2024, eq. 23): lam' = lam - 2 log s."""
    return shift * t / (1 + (shift - 1) * t)


def time_shift_exponential(mu: float, sigma: float, t: Any) -> Any:
    """t' = e^mu / (e^mu + (1/t - 1)^sigma) (Flux): with sigma = 1, SD3's shift with s = e^mu."""
    return math.exp(mu) / (math.exp(mu) + (1 / t - 1) ** sigma)


def time_shift_linear(mu: float, sigma: float, t: Any) -> Any:
    """t' = mu / (mu + (1/t - 1)^sigma): with sigma = 1, SD3's shift with s = mu."""
    return mu / (mu + (1 / t - 1) ** sigma)


def calculate_shift(
    image_seq_len: int,
    base_seq_len: int = 256,
    max_seq_len: int = 4096,
    base_shift: float = 0.5,
    max_shift: float = 1.15,
) -> float:
    """mu linear in the token count: base_shift at base_seq_len, max_shift at max_seq_len (FluxPipeline)."""
    m = (max_shift - base_shift) / (max_seq_len - base_seq_len)
    return image_seq_len * m + (base_shift - m * base_seq_len)


def stretch_shift_to_terminal(t: Any, shift_terminal: float) -> Any:
    """1 - t stretched so that the last value is shift_terminal (LTX-Video rf.py)."""
    one_minus_z = 1 - t
    return 1 - one_minus_z / (one_minus_z[-1] / (1 - shift_terminal))


def karras_ramp(t_max: float, t_min: float, n: int, rho: float = 7.0) -> np.ndarray:
    """(t_max^(1/rho) + i/(n-1) (t_min^(1/rho) - t_max^(1/rho)))^rho (EDM eq. 5, applied to t)."""
    ramp = np.linspace(0, 1, n)
    return (t_max ** (1 / rho) + ramp * (t_min ** (1 / rho) - t_max ** (1 / rho))) ** rho


def exponential_ramp(t_max: float, t_min: float, n: int) -> np.ndarray:
    """log t linear from t_max to t_min."""
    return np.exp(np.linspace(math.log(t_max), math.log(t_min), n))


def beta_ramp(t_max: float, t_min: float, n: int, alpha: float = 0.6, beta: float = 0.6) -> np.ndarray:
    """t_min + Beta(alpha, beta).ppf(1 - i/(n-1)) (t_max - t_min) (Lee et al. 2024, beta sampling)."""
    return np.array([t_min + beta_dist.ppf(u, alpha, beta) * (t_max - t_min) for u in 1 - np.linspace(0, 1, n)])


def lam_from_t(t: Tensor) -> Tensor:
    """lam = 2 log((1 - t) / t) on the rectified-flow path."""
    t = torch.as_tensor(t, dtype=torch.float64)
    return 2 * (torch.log1p(-t) - torch.log(t))


def ve_sigma_from_t(t: Tensor) -> Tensor:
    """VE sigma = t / (1 - t); t = 1 -> SIGMA_T1 (see module docstring)."""
    t = torch.as_tensor(t, dtype=torch.float64)
    return torch.where(t >= 1, torch.full_like(t, SIGMA_T1), t / (1 - t).clamp_min(1e-300))


def t_from_ve_sigma(sigma: Tensor) -> Tensor:
    """t = sigma / (1 + sigma) (inverse of ve_sigma_from_t)."""
    sigma = torch.as_tensor(sigma, dtype=torch.float64)
    return sigma / (1 + sigma)


# ---------------------------------------------------------------------------------------------
# Reference: Euler in t on the flow state (what FlowMatchEulerDiscreteScheduler.step does)


@torch.no_grad()
def sample_flow_euler(denoiser: Any, eps: Tensor, t: Tensor) -> Tensor:
    """x_{t'} = x_t + (t' - t) v, v = (x_t - x0_hat) / t, from x_{t_0} = t_0 eps (+ (1 - t_0) E[x0] at t_0 < 1 is
    left to the caller: pass eps already mixed). x0_hat = D(x_t / (1 - t), lam(t)); at t = 1 the posterior
    mean ignores x_t and D(0, -inf) is used. Returns x at the last t (0 = data). t: [N + 1] descending."""
    t = torch.as_tensor(t, dtype=torch.float64)
    x = eps
    for i in range(len(t) - 1):
        ti, tn = float(t[i]), float(t[i + 1])
        lam = torch.full(
            (x.shape[0],), float(lam_from_t(torch.tensor(ti))) if ti < 1 else -math.inf, dtype=torch.float64
        )
        x0 = denoiser(x / (1 - ti) if ti < 1 else torch.zeros_like(x), lam)
        x = x + (tn - ti) * (x - x0) / ti
    return x
