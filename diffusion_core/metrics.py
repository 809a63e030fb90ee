"""Sample metrics: numbers that score a batch of samples against the exact law they should follow.

  cov_rel_fro          ||C_out - C||_F / ||C||_F for diagonal covariances (exact output variances)
  sample_cov_rel_fro   ||S - C||_F / ||C||_F of the sample covariance S of K draws, in the model's basis
  mc_expected_rel_fro  what sample_cov_rel_fro scatters around for K Gaussian draws of covariance C_out
  memorisation         nearest-training-image RMS distance; rate = share within one 8-bit grey level
  mode_weights_tv      TV between the sampled mixture-component frequencies and the mixture weights
  sliced_w1            sliced Wasserstein-1 between two equal-size point clouds
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

if TYPE_CHECKING:
    from .denoisers.gaussian import GaussianDenoiser

Tensor = torch.Tensor
MEMO_TOL = 2.0 / 255.0          # one 8-bit grey level in [-1, 1] units


def cov_rel_fro(v_out: Tensor, v: Tensor) -> float:
    """||diag v_out - diag v||_F / ||diag v||_F."""
    return float((v_out - v).norm() / v.norm())


def sample_cov_rel_fro(g: GaussianDenoiser, x: Tensor) -> float:
    """||S - C||_F / ||C||_F with S = (1/K) sum c c^H of the centred coefficients of x [K, C, H, W]."""
    c = g.encode(x.to(torch.float64))
    if g.mean is not None:
        c = c - g.mean.to(c.dtype)
    c = c.reshape(x.shape[0], -1)                                 # [K, M] coefficients
    s = c.conj().T @ c / x.shape[0]                               # [M, M]
    v = g.variances.reshape(-1).to(torch.float64)
    return float((s - torch.diag(v).to(s.dtype)).abs().norm() / v.norm())


def mc_expected_rel_fro(v_out: Tensor, v: Tensor, k: int) -> float:
    """sqrt(E||S - C||_F^2) / ||C||_F for K Gaussian draws with covariance diag(v_out)."""
    bias2 = float((v_out - v).pow(2).sum())
    var = (float(v_out.pow(2).sum()) + float(v_out.sum()) ** 2) / k
    return math.sqrt(bias2 + var) / float(v.norm())


def memorisation(x: Tensor, train: Tensor, tol: float = MEMO_TOL) -> dict[str, float]:
    """Nearest-training-image RMS distance of each sample; rate = fraction below tol."""
    xf = x.reshape(x.shape[0], -1).to(torch.float64)              # [K, F]
    tf = train.reshape(train.shape[0], -1).to(torch.float64)      # [N, F]
    d2 = torch.cdist(xf, tf).pow(2) / xf.shape[1]                 # [K, N] mean squared distance
    rms, idx = d2.min(dim=1)
    rms = rms.clamp_min(0).sqrt()
    near = rms < tol
    return {"memorisation_rate": float(near.double().mean()), "mean_nn_rms": float(rms.mean()),
            "distinct_copies": int(torch.unique(idx[near]).numel()), "tol": tol}


def mode_weights_tv(x: Tensor, mixture: Any) -> dict[str, float]:
    """TV distance between the sampled component frequencies (argmax posterior at sigma -> 0) and the weights.

    For a perfect sampler E|f_k - pi_k| ~ sqrt(2 pi_k (1 - pi_k) / (pi K)), reported as `tv_perfect`.
    """
    xf = x.reshape(x.shape[0], -1).to(torch.float64)                          # [K, D]
    comps = torch.distributions.MultivariateNormal(mixture.means, covariance_matrix=mixture.covs)
    logp = comps.log_prob(xf[:, None, :]) + torch.log(mixture.weights)        # [K, components]
    freq = torch.bincount(logp.argmax(1), minlength=len(mixture.weights)).to(torch.float64) / xf.shape[0]
    w = mixture.weights
    perfect = 0.5 * float(torch.sqrt(2 * w * (1 - w) / (math.pi * xf.shape[0])).sum())
    return {"mode_tv": 0.5 * float((freq - w).abs().sum()), "tv_perfect": perfect,
            "mean_loglik": float(torch.logsumexp(logp, 1).mean())}


def sliced_w1(x: np.ndarray, y: np.ndarray, gen: np.random.Generator, k: int = 64) -> float:
    """Sliced Wasserstein-1 between equal-size point clouds [n, 2] over k random directions."""
    ang = gen.uniform(0, np.pi, k)
    d = np.stack([np.cos(ang), np.sin(ang)], 1)                                   # [k, 2]
    return float(np.mean(np.abs(np.sort(x @ d.T, 0) - np.sort(y @ d.T, 0))))
