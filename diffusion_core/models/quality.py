"""Scores of samples against the exact answer of the model they came from.

Gaussian models (data c ~ N(mu, diag v) in an orthonormal basis): with the exact denoiser every
sampler is linear per coefficient, x_out = g_0 x_init + sum_j g_j n_j, so the output covariance is
diag(v_out) with v_out = g_0^2 sigma_0^2 + sum_j g_j^2 for ANY unit-variance injection law. We get
the g's exactly by running the sampler code on impulses (no Monte Carlo) and report

    cov_rel_fro = ||C_out - C||_F / ||C||_F = ||v_out - v||_2 / ||v||_2   (Frobenius is basis-free).

The sample covariance S of K draws scatters around C_out with E||S - C||_F^2 =
||C_out - C||_F^2 + (||C_out||_F^2 + tr(C_out)^2) / K (Gaussian draws, known mean).
Empirical model: memorisation rate; mixture model: mode TV (the sample metrics live in metrics.py).
Trained model (network + the exact law of its training data): the sample covariance error, next to
its expected value for the exact denoiser with the same sampler and K (`sample_cov_rel_fro_expected`).
Digit models (28x28, one channel: MNIST): the project classifier's metrics (metrics.py), value = the
share of samples classified with confidence >= 0.9.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch

from ..denoisers.gaussian import GaussianDenoiser, diagonal_denoiser
from ..metrics import (MEMO_TOL, cov_rel_fro, mc_expected_rel_fro, memorisation,  # noqa: F401 (re-exported)
                       mode_weights_tv, sample_cov_rel_fro)
from ..noise.samplers import SAMPLERS
from .registry import Model

Tensor = torch.Tensor
DETERMINISTIC = ("euler", "heun", "dpmpp_2m", "ddim")


class ImpulseNoise:
    """NoiseSampler for [R, U] states: injection j is 1 in row j + 1 and 0 elsewhere."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, shape: Any, generator: Any, dtype: torch.dtype = torch.float32) -> Tensor:
        out = torch.zeros(shape, dtype=dtype)
        self.calls += 1
        if self.calls < shape[0]:
            out[self.calls] = 1.0
        return out


def output_variance(sampler: str, variances: Tensor, sigmas: Tensor) -> Tensor:
    """Exact per-coefficient output variance of `sampler` for x_init = sigma_0 z. Same shape as variances."""
    v = variances.reshape(-1).to(torch.float64)                   # [M]
    uniq, inverse = torch.unique(v, return_inverse=True)          # [U]
    rows = 1 if sampler in DETERMINISTIC else len(sigmas)         # init + at most N injections
    x = torch.zeros(rows, uniq.numel(), dtype=torch.float64)      # [R, U]
    x[0] = sigmas[0]
    out = SAMPLERS[sampler](diagonal_denoiser(uniq), x, sigmas.to(torch.float64), noise=ImpulseNoise())
    return out.pow(2).sum(dim=0)[inverse].reshape(variances.shape)


def mode_ratio_range(v_out: Tensor, v: Tensor) -> tuple[float, float]:
    """min and max of v_out / v over coefficients with v > 0."""
    keep = v.reshape(-1) > 1e-12 * float(v.max())
    r = v_out.reshape(-1)[keep] / v.reshape(-1)[keep]
    return float(r.min()), float(r.max())


# ---------------------------------------------------------------------------------------------
# One summary per run


def is_digit_model(model: Model) -> bool:
    """28x28 single-channel networks (the MNIST models, exported or foreign) are scored as digits."""
    return model.gaussian is None and model.mixture is None and tuple(model.spec.shape) == (1, 28, 28)


@lru_cache(maxsize=8)
def _digit_floor(n: int) -> dict[str, float]:
    from ..metrics import real_floor

    return real_floor(n)


def digit_score(x: Tensor) -> dict[str, Any]:
    """The classifier metrics of metrics.py (confident share, class TV, Frechet distance with its real-vs-real
    floor at the same n, nearest-train RMS); value = the confident share."""
    from ..metrics import digit_quality

    q = digit_quality(x, _digit_floor(int(x.shape[0])))
    return {"metric": "confident", "value": q["confident"], "exact": False, **q}


def score(model: Model, sampler: str, sigmas: Tensor, x: Tensor) -> dict[str, Any]:
    """{"metric", "value", ...details}: exact covariance error (Gaussian), memorisation rate (empirical),
    mode TV (mixture), sample-covariance error (trained on a Gaussian field) or digit metrics (28x28)."""
    if is_digit_model(model):
        return digit_score(x)
    if model.gaussian is not None:
        v = model.gaussian.variances.to(torch.float64)
        v_out = output_variance(sampler, v, sigmas)
        lo, hi = mode_ratio_range(v_out, v)
        return {"metric": "cov_rel_fro", "value": cov_rel_fro(v_out, v), "exact": True,
                "sample_cov_rel_fro": sample_cov_rel_fro(model.gaussian, x),
                "sample_cov_rel_fro_expected": mc_expected_rel_fro(v_out, v, x.shape[0]),
                "mode_var_ratio_min": lo, "mode_var_ratio_max": hi}
    if model.reference is not None:
        return trained_score(model.reference, sampler, sigmas, x)
    if model.train is not None:
        m = memorisation(x, model.train)
        return {"metric": "memorisation_rate", "value": m["memorisation_rate"], "exact": False, **m}
    if model.mixture is not None:
        m = mode_weights_tv(x, model.mixture)
        return {"metric": "mode_tv", "value": m["mode_tv"], "exact": False, **m}
    return {"metric": None, "value": None, "exact": False}


def trained_score(ref: GaussianDenoiser, sampler: str, sigmas: Tensor, x: Tensor) -> dict[str, Any]:
    """A trained network's samples against the exact data law: sample-covariance error, next to what the
    exact denoiser with the same sampler and sigmas would score on average (exact bias + MC term)."""
    v = ref.variances.to(torch.float64)
    v_exact = output_variance(sampler, v, sigmas)
    c = ref.encode(x.to(torch.float64)).abs().pow(2).mean(0)                 # per-mode power of the draws
    return {"metric": "sample_cov_rel_fro", "value": sample_cov_rel_fro(ref, x), "exact": False,
            "sample_cov_rel_fro_expected": mc_expected_rel_fro(v_exact, v, x.shape[0]),
            "exact_denoiser_cov_rel_fro": cov_rel_fro(v_exact, v),
            "mode_power_rel": float((c.reshape(-1) - v.reshape(-1)).norm() / v.norm())}


def exact_cov_error(model: Model, sampler: str, sigmas: Tensor) -> float | None:
    """cov_rel_fro without drawing samples (Gaussian models only)."""
    if model.gaussian is None:
        return None
    v = model.gaussian.variances.to(torch.float64)
    return cov_rel_fro(output_variance(sampler, v, sigmas), v)
