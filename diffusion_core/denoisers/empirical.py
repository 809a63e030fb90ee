"""Empirical optimal denoiser: the exact posterior mean over a finite training set.

For data uniform on {x_n} and the VE state x = x0 + s * n (s = exp(-lam / 2), per sample or per
component), E[x0 | x] = sum_n w_n x_n with w = softmax_n(-sum_i (x_i - x_n,i)^2 / (2 s_i^2)).
At low noise it snaps to the nearest training image: it memorises (Karras et al. 2022, App. B.3;
Kadkhodaie et al. 2024).
"""

from __future__ import annotations

import torch

Tensor = torch.Tensor


def _precision(lam: Tensor, batch: int, feat: int) -> Tensor:
    """1 / s^2 = exp(lam) as [B or 1, F]: scalar / [B] per sample, [F] / [B, F] / x-shaped per element."""
    lam = torch.as_tensor(lam, dtype=torch.float64)
    if lam.ndim == 0 or (lam.ndim == 1 and lam.numel() == batch and lam.numel() != feat):
        return torch.exp(lam).reshape(-1, 1).expand(batch, feat)
    return torch.exp(lam).reshape(-1, feat)


class EmpiricalDenoiser:
    """D(x, lam) = softmax-weighted mean of the training images (exact posterior mean)."""

    def __init__(self, train: Tensor, chunk: int = 1024):
        self.train = train.reshape(train.shape[0], -1).to(torch.float64)  # [N, F]
        self.sq = self.train.pow(2)  # [N, F]
        self.chunk = chunk

    def _weights(self, xf: Tensor, w: Tensor) -> Tensor:
        """softmax_n(-sum_i w_i (x_i - x_n,i)^2 / 2) for xf [b, F], w [b or 1, F]: [b, N]."""
        dist = (w * xf**2).sum(-1, keepdim=True) - 2 * (w * xf) @ self.train.T + w @ self.sq.T
        return torch.softmax(-0.5 * dist, dim=-1)

    def weights(self, x: Tensor, lam: Tensor) -> Tensor:
        """Posterior weights over the training set: [B, N]."""
        xf = x.reshape(x.shape[0], -1).to(torch.float64)  # [B, F]
        return self._weights(xf, _precision(lam, xf.shape[0], xf.shape[1]))

    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        xf = x.reshape(x.shape[0], -1).to(torch.float64)  # [B, F]
        w = _precision(lam, xf.shape[0], xf.shape[1])  # [B or 1, F]
        out = []
        for i in range(0, xf.shape[0], self.chunk):
            wi = w if w.shape[0] == 1 else w[i : i + self.chunk]
            out.append(self._weights(xf[i : i + self.chunk], wi) @ self.train)  # [b, F]
        return torch.cat(out).reshape(x.shape).to(x.dtype)
