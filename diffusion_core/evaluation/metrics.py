"""Sample metrics: numbers that score a batch of samples against the exact law they should follow.

  cov_rel_fro          ||C_out - C||_F / ||C||_F (exact output covariances: a diagonal, or full for coloured noise)
  sample_cov_rel_fro   ||S - C||_F / ||C||_F of the sample covariance S of K draws, in the model's basis
  mc_expected_rel_fro  what sample_cov_rel_fro scatters around for K Gaussian draws of covariance C_out
  memorisation         nearest-training-image RMS distance; rate = share within one 8-bit grey level
  mode_weights_tv      TV between the sampled mixture-component frequencies and the mixture weights
  sliced_w1            sliced Wasserstein-1 between two equal-size point clouds

Digits (28x28 MNIST samples), with the project's classifier (networks/classifier.py), `digit_quality`:
  confident   share of samples whose top class has softmax probability >= 0.9
  class_tv    total variation between the predicted-class histogram and uniform, 1/2 sum_k |p_k - 1/10|
  fd          Frechet distance ||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2) between the
              classifier's penultimate features of the samples and of the 1,000 held-out digits
  fd_floor    the same for n training-split digits (real vs real at the same count: the floor)
  real        share of samples whose features lie within the real digits' range: Mahalanobis distance to the
              held-out features' Gaussian (covariance shrunk by 1e-3 of its mean variance) at most the 99th
              percentile of 2,000 training digits' (`feature_gate`); pure Gaussian noise is classed with
              confidence >= 0.9 but lies far outside (distance ~30 against a gate of ~13)
  confident_real  share both confident and real: the digit headline (noise 0, held-out digits ~0.96)
  nn_train    mean nearest-training-digit RMS distance of the samples (`memorisation`); nn_heldout: the same
              for n held-out digits. Samples much nearer the training set than held-out digits are copies.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from .. import data
from ..networks.classifier import load_classifier

if TYPE_CHECKING:
    from ..denoisers.gaussian import GaussianDenoiser

Tensor = torch.Tensor
MEMO_TOL = 2.0 / 255.0  # one 8-bit grey level in [-1, 1] units
CONFIDENCE = 0.9  # digit_quality: a sample is "confident" at this top-class probability


def cov_rel_fro(c_out: Tensor, v: Tensor) -> float:
    """||C_out - diag v||_F / ||diag v||_F, C_out a diagonal [M] (any shape, flattened) or a full [M, M]."""
    v = v.reshape(-1)
    if c_out.ndim == 2 and c_out.shape[0] == c_out.shape[1] == v.numel() > 1:
        return float((c_out - torch.diag(v).to(c_out.dtype)).abs().norm() / v.norm())
    return float((c_out.reshape(-1) - v).norm() / v.norm())


def sample_cov_rel_fro(g: GaussianDenoiser, x: Tensor) -> float:
    """||S - C||_F / ||C||_F with S = (1/K) sum c c^H of the centred coefficients of x [K, C, H, W]."""
    c = g.encode(x.to(torch.float64))
    if g.mean is not None:
        c = c - g.mean.to(c.dtype)
    c = c.reshape(x.shape[0], -1)  # [K, M] coefficients
    s = c.conj().T @ c / x.shape[0]  # [M, M]
    v = g.variances.reshape(-1).to(torch.float64)
    return float((s - torch.diag(v).to(s.dtype)).abs().norm() / v.norm())


def mc_expected_rel_fro(c_out: Tensor, v: Tensor, k: int) -> float:
    """sqrt(E||S - C||_F^2) / ||C||_F for K Gaussian draws with covariance C_out (a diagonal [M] or a full
    [M, M]): bias^2 + (||C_out||_F^2 + tr(C_out)^2) / K."""
    v = v.reshape(-1)
    full = c_out.ndim == 2 and c_out.shape[0] == c_out.shape[1] == v.numel() > 1
    diag = torch.diagonal(c_out) if full else c_out.reshape(-1)
    bias2 = cov_rel_fro(c_out, v) ** 2 * float(v.pow(2).sum()) if full else float((diag - v).pow(2).sum())
    var = (float(c_out.abs().pow(2).sum()) + float(diag.sum().real) ** 2) / k
    return math.sqrt(bias2 + var) / float(v.norm())


def memorisation(x: Tensor, train: Tensor, tol: float = MEMO_TOL) -> dict[str, float]:
    """Nearest-training-image RMS distance of each sample; rate = fraction below tol."""
    xf = x.reshape(x.shape[0], -1).to(torch.float64)  # [K, F]
    tf = train.reshape(train.shape[0], -1).to(torch.float64)  # [N, F]
    d2 = torch.cdist(xf, tf).pow(2) / xf.shape[1]  # [K, N] mean squared distance
    rms, idx = d2.min(dim=1)
    rms = rms.clamp_min(0).sqrt()
    near = rms < tol
    return {
        "memorisation_rate": float(near.double().mean()),
        "mean_nn_rms": float(rms.mean()),
        "distinct_copies": int(torch.unique(idx[near]).numel()),
        "tol": tol,
    }


def mode_weights_tv(x: Tensor, mixture: Any) -> dict[str, float]:
    """TV distance between the sampled component frequencies (argmax posterior at sigma -> 0) and the weights.

    For a perfect sampler E|f_k - pi_k| ~ sqrt(2 pi_k (1 - pi_k) / (pi K)), reported as `tv_perfect`.
    """
    xf = x.reshape(x.shape[0], -1).to(torch.float64)  # [K, D]
    comps = torch.distributions.MultivariateNormal(mixture.means, covariance_matrix=mixture.covs)
    logp = comps.log_prob(xf[:, None, :]) + torch.log(mixture.weights)  # [K, components]
    freq = torch.bincount(logp.argmax(1), minlength=len(mixture.weights)).to(torch.float64) / xf.shape[0]
    w = mixture.weights
    perfect = 0.5 * float(torch.sqrt(2 * w * (1 - w) / (math.pi * xf.shape[0])).sum())
    return {
        "mode_tv": 0.5 * float((freq - w).abs().sum()),
        "tv_perfect": perfect,
        "mean_loglik": float(torch.logsumexp(logp, 1).mean()),
    }


def sliced_w1(x: np.ndarray, y: np.ndarray, gen: np.random.Generator, k: int = 64) -> float:
    """Sliced Wasserstein-1 between equal-size point clouds [n, 2] over k random directions."""
    ang = gen.uniform(0, np.pi, k)
    d = np.stack([np.cos(ang), np.sin(ang)], 1)  # [k, 2]
    return float(np.mean(np.abs(np.sort(x @ d.T, 0) - np.sort(y @ d.T, 0))))


# ---------------------------------------------------------------------------------------------
# Digits: the MNIST classifier's view of a batch of samples


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to feature rows a [n, d] and b [m, d]."""
    mu = a.mean(0) - b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(ca)
    sa = (v * np.sqrt(np.clip(w, 0, None))) @ v.T  # C_a^1/2
    cross = np.linalg.eigvalsh(sa @ cb @ sa)  # eigenvalues of C_a^1/2 C_b C_a^1/2
    return float(mu @ mu + np.trace(ca) + np.trace(cb) - 2.0 * np.sqrt(np.clip(cross, 0, None)).sum())


def class_tv(pred: np.ndarray, classes: int = 10) -> float:
    """1/2 sum_k |share of class k - 1/classes|."""
    p = np.bincount(pred, minlength=classes) / max(1, len(pred))
    return float(0.5 * np.abs(p - 1.0 / classes).sum())


@lru_cache(maxsize=1)
def _reference() -> dict[str, Any]:
    net = load_classifier()
    train, _ = data.load_mnist("train")
    held, _ = data.load_mnist("heldout")
    with torch.no_grad():
        return {"net": net, "train": train, "held": held, "held_feat": net.features(held).double().numpy()}


@torch.no_grad()
def classify(x: Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(predicted class [n], top probability [n], penultimate features [n, 64]) of digits x."""
    net = _reference()["net"]
    f = net.features(x.to(torch.float32).clamp(-1, 1))
    p = torch.softmax(net.head(f), 1)
    top = p.max(1)
    return top.indices.numpy(), top.values.double().numpy(), f.double().numpy()


FEATURES = 64  # the classifier's penultimate features, the space the Frechet distance is measured in
# Below this many samples the features' 64 x 64 covariance is estimated from too few points (rank < 64 under n = 65)
# and the Frechet distance and its real-vs-real floor mostly measure n itself: a sampler can score below the
# floor. Views show them from this n on, and say why below it.
FD_MIN_N = 2 * FEATURES


def real_floor(n: int, seed: int = 0) -> dict[str, float]:
    """fd and nn distances of n training-split digits (real vs real), drawn without replacement."""
    ref = _reference()
    g = torch.Generator().manual_seed(seed)
    sub = ref["train"][torch.randperm(len(ref["train"]), generator=g)[:n]]
    _, _, f = classify(sub)
    hsub = ref["held"][torch.randperm(len(ref["held"]), generator=g)[:n]]
    return {
        "fd_floor": frechet_distance(f, ref["held_feat"]),
        "nn_heldout": memorisation(hsub, ref["train"])["mean_nn_rms"],
    }


GATE_QUANTILE, GATE_N, SHRINK = 0.99, 2000, 1e-3


@lru_cache(maxsize=1)
def feature_gate() -> dict[str, Any]:
    """The held-out features' mean and shrunk precision, and the distance GATE_QUANTILE of real training digits."""
    ref = _reference()
    hf = ref["held_feat"]
    cov = np.cov(hf, rowvar=False)
    cov += SHRINK * np.trace(cov) / cov.shape[0] * np.eye(cov.shape[0])
    gate = {"mean": hf.mean(0), "precision": np.linalg.inv(cov)}
    g = torch.Generator().manual_seed(0)
    _, _, f = classify(ref["train"][torch.randperm(len(ref["train"]), generator=g)[:GATE_N]])
    gate["threshold"] = float(np.quantile(mahalanobis(f, gate), GATE_QUANTILE))
    return gate


def mahalanobis(f: np.ndarray, gate: dict[str, Any]) -> np.ndarray:
    """sqrt((f - mu)^T P (f - mu)) per feature row [n, d] -> [n]."""
    d = f - gate["mean"]
    return np.sqrt(np.einsum("ij,jk,ik->i", d, gate["precision"], d))


def digit_flags(x: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: confident (top probability >= CONFIDENCE) AND real-looking (inside the feature gate) [n] bool,
    and the penultimate features [n, 64], for samples x [n, 1, 28, 28] (clipped to [-1, 1])."""
    _, top, f = classify(x.to(torch.float32).clamp(-1, 1))
    gate = feature_gate()
    return (top >= CONFIDENCE) & (mahalanobis(f, gate) <= gate["threshold"]), f


def held_features() -> np.ndarray:
    """The classifier features of the 1,000 held-out digits [1000, 64], the Frechet distance's reference."""
    return _reference()["held_feat"]


def digit_quality(x: Tensor, floor: dict[str, float] | None = None) -> dict[str, Any]:
    """All the numbers of the module docstring for samples x [n, 1, 28, 28] (clipped to [-1, 1])."""
    ref = _reference()
    x = x.to(torch.float32).clamp(-1, 1)
    pred, top, f = classify(x)
    floor = floor or real_floor(len(x))
    gate = feature_gate()
    real = mahalanobis(f, gate) <= gate["threshold"]
    return {
        "n": len(x),
        "confident": float((top >= CONFIDENCE).mean()),
        "real": float(real.mean()),
        "confident_real": float(((top >= CONFIDENCE) & real).mean()),
        "real_gate": gate["threshold"],
        "class_tv": class_tv(pred),
        "fd": frechet_distance(f, ref["held_feat"]),
        **floor,
        "nn_train": memorisation(x, ref["train"])["mean_nn_rms"],
        "classes": np.bincount(pred, minlength=10).tolist(),
    }
