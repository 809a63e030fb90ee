"""Sampling-noise controls beside the increment law: what the stochastic steps inject, and how much.

- `law`: the per-element law of every injection (nonnormal/laws.py: gaussian, laplace, ...).
- `step_noise`: white (i.i.d. draws of the law), coloured (the law's draws filtered to a power spectrum
  ∝ f^-slope, coloured.py) or brownian (increments of one Brownian path W(sigma) per seed, brownian.py:
  the same path for every step count, so runs at N = 10 and N = 20 see the same noise; Gaussian only).
- DDIM eta (Song et al. 2021, eq. 16): 0 = deterministic DDIM, 1 = DDPM ancestral.
- EDM churn (Karras et al. 2022, Algorithm 2) on euler and heun: s_churn, s_tmin, s_tmax, s_noise
  (k-diffusion's names); s_churn = 0 is off and bit-identical to the plain solvers.
The initial state sigma_0 z is always white Gaussian; these settings change only the injections.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from ..noise.brownian import brownian_noise
from ..noise.coloured import coloured_noise
from ..noise.samplers import check_churn
from ..protocols import NoiseSampler
from ..validation import InputError, check_choice, check_range
from .laws import LAWS, noise_sampler

STEP_NOISES = ("white", "coloured", "brownian")
CHURN_KEYS = ("s_churn", "s_tmin", "s_tmax", "s_noise")
OPTIONS: dict[str, tuple[str, ...]] = {"euler": CHURN_KEYS, "heun": CHURN_KEYS, "ddim": ("eta",)}
MAX_ETA = 1.0


@dataclass(frozen=True)
class SamplingNoise:
    """The sampling-noise settings of one run (validated on construction)."""

    law: str = "gaussian"
    step_noise: str = "white"
    slope: float = 1.0  # coloured only: power spectrum ∝ f^-slope (0 white, 1 pink, 2 brown)
    eta: float = 0.0  # DDIM eta
    s_churn: float = 0.0
    s_tmin: float = 0.0
    s_tmax: float = math.inf
    s_noise: float = 1.0

    def __post_init__(self) -> None:
        check_choice("noise law", self.law, LAWS)
        check_choice("step noise", self.step_noise, STEP_NOISES)
        check_range("noise slope", self.slope, 0, 4)
        check_range("DDIM eta", self.eta, 0, MAX_ETA)
        check_churn(self.s_churn, self.s_tmin, self.s_tmax, self.s_noise)
        if self.step_noise == "brownian" and self.law != "gaussian":
            raise InputError(
                f"brownian step noise is Gaussian by construction; choose noise law gaussian "
                f"(got {self.law}) or step noise white/coloured"
            )

    @property
    def white_second_moments(self) -> bool:
        """True when the output covariance is that of white injections without churn or eta (brownian included)."""
        return self.s_churn == 0 and self.eta == 0 and (self.step_noise != "coloured" or self.slope == 0)

    def sampler_kwargs(self, sampler: str) -> dict[str, Any]:
        """The options `sampler` takes (churn for euler/heun, eta for ddim); none for the others."""
        return {k: getattr(self, k) for k in OPTIONS.get(sampler, ())}

    def noise_sampler(self, sigmas: torch.Tensor, seed: int) -> NoiseSampler:
        """The NoiseSampler of one run over `sigmas` (brownian: a tree seeded by `seed`, spanning [0, sigmas[0]])."""
        if self.step_noise == "brownian":
            return brownian_noise(sigmas, seed)
        white = noise_sampler(self.law)
        return coloured_noise(self.slope, base=white) if self.step_noise == "coloured" else white

    def describe(self) -> str:
        """One line for captions and explanations."""
        what = {
            "white": f"white {self.law}",
            "brownian": "Brownian-tree (one path for every N)",
            "coloured": f"coloured {self.law} (spectrum ∝ f^-{self.slope:g})",
        }[self.step_noise]
        extra = ([f"DDIM η = {self.eta:g}"] if self.eta else []) + (
            [
                f"churn S_churn = {self.s_churn:g}, S_tmin = {self.s_tmin:g}, S_tmax = {self.s_tmax:g}, "
                f"S_noise = {self.s_noise:g}"
            ]
            if self.s_churn
            else []
        )
        return "; ".join([what, *extra])
