"""Gaussian mixtures with analytic denoisers and scores (EDM2 `toy_example.py` style).

Data x0 ~ sum_k pi_k N(mu_k, C_k) in R^D. The VE state x = x0 + sigma n has density
p(x; sigma) = sum_k pi_k N(x; mu_k, C_k + sigma^2 I), and the exact posterior mean is

    D(x; sigma) = sum_k r_k(x) [mu_k + C_k (C_k + sigma^2 I)^{-1} (x - mu_k)],
    r_k(x) = pi_k N(x; mu_k, C_k + sigma^2 I) / p(x; sigma),

with score grad log p(x; sigma) = (D(x; sigma) - x) / sigma^2 (Tweedie).
"""

from __future__ import annotations

import math

import torch

from ..validation import check_int

Tensor = torch.Tensor


class GaussianMixture:
    """sum_k pi_k N(mu_k, C_k); weights [K], means [K, D], covs [K, D, D] (float64)."""

    def __init__(self, weights: Tensor, means: Tensor, covs: Tensor):
        self.weights = torch.as_tensor(weights, dtype=torch.float64) / torch.as_tensor(weights).sum()
        self.means = torch.as_tensor(means, dtype=torch.float64)  # [K, D]
        self.covs = torch.as_tensor(covs, dtype=torch.float64)  # [K, D, D]
        self.dim = self.means.shape[1]
        self._vals, self._vecs = torch.linalg.eigh(self.covs)  # [K, D], [K, D, D] columns

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n i.i.d. draws [n, D]: a component by its weight, then mu_k + L_k eps."""
        n = check_int("n", n, 1, 10_000_000)
        k = torch.multinomial(self.weights, n, replacement=True, generator=generator)  # [n]
        eps = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        chol = torch.linalg.cholesky(self.covs)  # [K, D, D]
        return self.means[k] + (chol[k] @ eps.unsqueeze(-1)).squeeze(-1)

    def _components(self, x: Tensor, sigma2: Tensor) -> tuple[Tensor, Tensor]:
        """log pi_k N(x; mu_k, C_k + s^2 I) [B, K] and per-component posterior means [B, K, D].

        With C_k = U_k diag(e_k) U_k^T, (C_k + s^2 I)^-1 = U_k diag(1 / (e_k + s^2)) U_k^T.
        """
        diff = x[:, None, :] - self.means  # [B, K, D]
        proj = torch.einsum("bkd,kde->bke", diff, self._vecs)  # U^T (x - mu): [B, K, D]
        denom = self._vals + sigma2.reshape(-1, 1, 1)  # e + s^2: [B, K, D]
        maha = (proj**2 / denom).sum(-1)  # [B, K]
        logdet = torch.log(denom).sum(-1)  # [B, K]
        logp = torch.log(self.weights) - 0.5 * (maha + logdet + self.dim * math.log(2 * math.pi))
        gain = self._vals * proj / denom  # C (C + s^2 I)^-1 in the eigenbasis
        post = self.means + torch.einsum("bke,kde->bkd", gain, self._vecs)  # [B, K, D]
        return logp, post

    def denoise(self, x: Tensor, sigma: Tensor | float) -> Tensor:
        """E[x0 | x] at VE noise sigma (scalar or [B]); x [B, D] -> [B, D]."""
        x64 = x.reshape(x.shape[0], -1).to(torch.float64)  # [B, D]
        s2 = torch.as_tensor(sigma, dtype=torch.float64).reshape(-1).expand(x64.shape[0]) ** 2
        logp, post = self._components(x64, s2)
        r = torch.softmax(logp, dim=1)  # [B, K]
        return (r.unsqueeze(-1) * post).sum(1).reshape(x.shape).to(x.dtype)

    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        """Denoiser protocol: D(x, lam) with sigma = exp(-lam / 2)."""
        return self.denoise(x, torch.exp(-0.5 * torch.as_tensor(lam, dtype=torch.float64)))

    def score(self, x: Tensor, sigma: Tensor | float) -> Tensor:
        """grad_x log p(x; sigma) = (D(x; sigma) - x) / sigma^2."""
        s = torch.as_tensor(sigma, dtype=torch.float64).reshape(-1, *([1] * (x.ndim - 1)))
        return ((self.denoise(x, sigma).to(torch.float64) - x.to(torch.float64)) / s**2).to(x.dtype)

    def log_prob(self, x: Tensor, sigma: Tensor | float = 0.0) -> Tensor:
        """log p(x; sigma), x [B, D] -> [B]."""
        x64 = x.reshape(x.shape[0], -1).to(torch.float64)
        s2 = torch.as_tensor(sigma, dtype=torch.float64).reshape(-1).expand(x64.shape[0]) ** 2
        return torch.logsumexp(self._components(x64, s2)[0], dim=1)


# ----------------------------------------------------------------------------
# The two mixtures the app and the tests use.


def mixture_1d(sep: float = 2.0, std: float = 0.3) -> GaussianMixture:
    """1/2 N(-2, 0.3^2) + 1/2 N(2, 0.3^2) (reference check N5)."""
    return GaussianMixture(torch.tensor([0.5, 0.5]), torch.tensor([[-sep], [sep]]), torch.full((2, 1, 1), std**2))


def mixture_2d(k: int = 6, radius: float = 1.4, std_along: float = 0.28, std_across: float = 0.07) -> GaussianMixture:
    """k elongated Gaussians on a ring (tangential std 0.28, radial 0.07), plus a round centre blob."""
    ang = torch.arange(k, dtype=torch.float64) * (2 * math.pi / k)
    means = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], dim=1)  # [k, 2]
    rot = torch.stack(
        [
            torch.stack([-torch.sin(ang), torch.cos(ang)], 1),  # tangent
            torch.stack([torch.cos(ang), torch.sin(ang)], 1),
        ],
        dim=2,
    )  # [k, 2, 2] columns
    scale = torch.diag(torch.tensor([std_along**2, std_across**2], dtype=torch.float64))
    covs = rot @ scale @ rot.transpose(1, 2)  # [k, 2, 2]
    means = torch.cat([means, torch.zeros(1, 2, dtype=torch.float64)])
    covs = torch.cat([covs, (0.15**2) * torch.eye(2, dtype=torch.float64)[None]])
    weights = torch.cat([torch.full((k,), 1.0), torch.tensor([0.5 * k / 3])])
    return GaussianMixture(weights, means, covs)
