"""Increment laws for structured random walks (Li, *Non-Normal Diffusion Models*, arXiv 2412.07935).

Every law is zero-mean and unit-variance (Definition 1, Eq. 8). Samples are drawn by the inverse
CDF of ONE uniform stream, so the same generator seed gives coupled noise across laws (the same
quantile at every position): a same-seed comparison then differs only by the law's shape.

  law         unit-variance z                 excess kurtosis kappa4
  gaussian    N(0, 1)                         0
  laplace     Laplace(0, b = 1/sqrt(2))       3
  uniform     U[-sqrt(3), sqrt(3)]            -1.2
  rademacher  +-1 with probability 1/2        -2
  student-t   t_nu * sqrt((nu - 2) / nu)      6 / (nu - 4), nu > 4 (finite fourth moment)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.special as sp
import torch

from ..protocols import NoiseSampler
from ..validation import InputError, check_choice, check_finite

LAWS = ("gaussian", "laplace", "uniform", "rademacher", "student-t")
LAPLACE_B = 1.0 / math.sqrt(2.0)
SQRT3 = math.sqrt(3.0)
U_EPS = 2.0**-53  # uniforms are clamped to [U_EPS, 1 - U_EPS] so every ppf stays finite


# ----------------------------------------------------------------------------
# The law record: ppf (for sampling), density, kurtosis.


@dataclass(frozen=True)
class Law:
    """A zero-mean, unit-variance increment law. `density` is a pmf on `atoms` when discrete."""

    name: str
    label: str
    excess_kurtosis: float
    ppf: Callable[[np.ndarray], np.ndarray]
    density: Callable[[np.ndarray], np.ndarray]
    cdf: Callable[[np.ndarray], np.ndarray]
    atoms: tuple[float, ...] = ()

    @property
    def discrete(self) -> bool:
        return len(self.atoms) > 0


def _gaussian() -> Law:
    """z ~ N(0, 1)."""
    return Law(
        "gaussian",
        "Gaussian",
        0.0,
        ppf=lambda u: math.sqrt(2.0) * sp.erfinv(2.0 * u - 1.0),
        density=lambda x: np.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi),
        cdf=lambda x: sp.ndtr(x),
    )


def _laplace() -> Law:
    """z ~ Laplace(0, b), b = 1/sqrt(2): density exp(-|x|/b) / (2b), variance 2b^2 = 1."""
    b = LAPLACE_B
    return Law(
        "laplace",
        "Laplace",
        3.0,
        ppf=lambda u: -b * np.sign(u - 0.5) * np.log1p(-2.0 * np.abs(u - 0.5)),
        density=lambda x: np.exp(-np.abs(x) / b) / (2.0 * b),
        cdf=lambda x: np.where(x < 0, 0.5 * np.exp(x / b), 1.0 - 0.5 * np.exp(-x / b)),
    )


def _uniform() -> Law:
    """z ~ U[-sqrt(3), sqrt(3)]: variance (2 sqrt 3)^2 / 12 = 1."""
    return Law(
        "uniform",
        "uniform",
        -1.2,
        ppf=lambda u: SQRT3 * (2.0 * u - 1.0),
        density=lambda x: np.where(np.abs(x) <= SQRT3, 1.0 / (2.0 * SQRT3), 0.0),
        cdf=lambda x: np.clip((x + SQRT3) / (2.0 * SQRT3), 0.0, 1.0),
    )


def _rademacher() -> Law:
    """z = +-1 with probability 1/2 each (extension; not in the paper)."""
    return Law(
        "rademacher",
        "Rademacher (±1)",
        -2.0,
        ppf=lambda u: np.where(u < 0.5, -1.0, 1.0),
        density=lambda x: np.where(np.abs(np.abs(x) - 1.0) < 1e-12, 0.5, 0.0),
        cdf=lambda x: np.where(x < -1, 0.0, np.where(x < 1, 0.5, 1.0)),
        atoms=(-1.0, 1.0),
    )


def _student_t(nu: float) -> Law:
    """z = t_nu * s, s = sqrt((nu - 2)/nu); excess kurtosis 6/(nu - 4) (extension)."""
    s = math.sqrt((nu - 2.0) / nu)
    return Law(
        "student-t",
        f"Student-t (ν={nu:g})",
        6.0 / (nu - 4.0),
        ppf=lambda u: s * sp.stdtrit(nu, u),
        density=lambda x: _t_pdf(x / s, nu) / s,
        cdf=lambda x: sp.stdtr(nu, x / s),
    )


def finite_moment_order(name: str, nu: float = 10.0) -> float:
    """Highest finite moment order of the law: nu (exclusive) for Student-t, inf for the others."""
    return nu if name == "student-t" else math.inf


def kurtosis_estimate_reliable(name: str, nu: float = 10.0) -> bool:
    """The sample excess kurtosis has a finite variance (and a meaningful ± error) iff E z^8 < inf."""
    return finite_moment_order(name, nu) > 8


def _t_pdf(x: np.ndarray, nu: float) -> np.ndarray:
    """Student-t density with nu degrees of freedom."""
    logc = sp.gammaln((nu + 1) / 2) - sp.gammaln(nu / 2) - 0.5 * math.log(nu * math.pi)
    return np.exp(logc - (nu + 1) / 2 * np.log1p(x**2 / nu))


def check_nu(nu: float) -> float:
    """Student-t degrees of freedom: nu > 4 (the invariance theorem needs a finite fourth moment)."""
    v = check_finite("nu", nu)
    if v <= 4.0:
        raise InputError(
            f"nu must be > 4 for student-t, got {v:g}: for nu <= 4 the law has no finite "
            "fourth moment, which the invariance theorem needs"
        )
    return v


def get_law(name: str, nu: float = 10.0) -> Law:
    """The named law; `nu` is used only by student-t."""
    check_choice("law", name, LAWS)
    if name == "student-t":
        return _student_t(check_nu(nu))
    return {"gaussian": _gaussian, "laplace": _laplace, "uniform": _uniform, "rademacher": _rademacher}[name]()


# ----------------------------------------------------------------------------
# Sampling: one uniform stream, inverse CDF per law.


def uniforms(shape: torch.Size | tuple[int, ...], generator: torch.Generator | None) -> np.ndarray:
    """U(0, 1) in float64, clamped away from 0 and 1, drawn from `generator`."""
    u = torch.rand(tuple(shape), generator=generator, dtype=torch.float64).numpy()
    return np.clip(u, U_EPS, 1.0 - U_EPS)


def sample(
    law: Law, shape: torch.Size | tuple[int, ...], generator: torch.Generator | None, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """z = F^{-1}(u), u ~ U(0, 1): zero-mean, unit-variance i.i.d. draws of `law`."""
    return torch.from_numpy(law.ppf(uniforms(shape, generator))).to(dtype)


def noise_sampler(law: str, **params: float) -> NoiseSampler:
    """A NoiseSampler (protocols.py) drawing from the named law; params: nu for student-t."""
    unknown = set(params) - {"nu"}
    if unknown:
        raise InputError(f"unknown law parameter {sorted(unknown)[0]!r}; valid: nu (student-t only)")
    the_law = get_law(law, **params)

    def noise(
        shape: torch.Size | tuple[int, ...], generator: torch.Generator | None, dtype: torch.dtype = torch.float32
    ) -> torch.Tensor:
        return sample(the_law, shape, generator, dtype)

    noise.law = the_law  # type: ignore[attr-defined]
    return noise


def excess_kurtosis(law: str, nu: float = 10.0) -> float:
    """kappa4 = E[z^4] - 3 for unit-variance z."""
    return get_law(law, nu).excess_kurtosis


# ----------------------------------------------------------------------------
# Sample statistics with Monte Carlo errors (batch means).


def sample_excess_kurtosis(x: np.ndarray) -> float:
    """m4 / m2^2 - 3 of a 1-D sample."""
    d = np.asarray(x, dtype=np.float64) - np.mean(x)
    m2 = np.mean(d**2)
    return float(np.mean(d**4) / m2**2 - 3.0)


def kurtosis_stderr(x: np.ndarray, batches: int = 25) -> float:
    """Monte Carlo standard error of the excess kurtosis, from `batches` batch estimates."""
    parts = np.array_split(np.asarray(x, dtype=np.float64), batches)
    est = np.array([sample_excess_kurtosis(p) for p in parts])
    return float(est.std(ddof=1) / math.sqrt(batches))


def var_stderr(x: np.ndarray) -> float:
    """Standard error of the sample variance: sqrt((m4 - m2^2) / M)."""
    d = np.asarray(x, dtype=np.float64) - np.mean(x)
    m2 = np.mean(d**2)
    return float(math.sqrt(max(np.mean(d**4) - m2**2, 0.0) / len(d)))


def ks_to_gaussian(x: np.ndarray, mean: float, var: float) -> float:
    """Kolmogorov-Smirnov distance sup |F_n(x) - Phi((x - mean)/sqrt(var))|."""
    xs = np.sort(np.asarray(x, dtype=np.float64))
    n = len(xs)
    cdf = sp.ndtr((xs - mean) / math.sqrt(var))
    hi = np.arange(1, n + 1) / n - cdf
    lo = cdf - np.arange(0, n) / n
    return float(max(hi.max(), lo.max()))
