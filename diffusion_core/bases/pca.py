"""PCA basis fitted on a data set [GUD ref. Sec. 7]: eigh(C) = (lam, V), U = V^T, S = sqrt(lam).

Colour: channels are mixed (one eigenbasis of the flattened C*H*W vector). Components sorted by
decreasing eigenvalue. Needs at least D = C*H*W images (else the covariance is rank-deficient).
Labels: index (0 = largest eigenvalue).
"""

from __future__ import annotations

import torch

from ..validation import InputError

Tensor = torch.Tensor


def fit_pca(data: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Mean [D], eigenvalues [D] (descending) and eigenvectors V [D, D] (columns) of data [N, D]."""
    x = data.to(torch.float64)
    mean = x.mean(0)
    cov = (x - mean).T @ (x - mean) / (x.shape[0] - 1)  # [D, D]
    lam, v = torch.linalg.eigh(cov)
    order = torch.argsort(lam, descending=True)
    return mean, lam[order].clamp_min(0.0), v[:, order]


class PCABasis:
    """encode(x) = V^T x (flattened, no centring; the data mean is handled by the GUD space)."""

    name = "pca"

    def __init__(self, shape: tuple[int, int, int], data: Tensor | None = None):
        self.shape = shape
        d = shape[0] * shape[1] * shape[2]
        if data is None:
            raise InputError("basis pca needs a data set to fit (data=[N, C, H, W])")
        if tuple(data.shape[1:]) != tuple(shape):
            raise InputError(f"PCA data have shape {tuple(data.shape[1:])}, basis shape is {tuple(shape)}")
        n = data.shape[0]
        if n < d:
            raise InputError(
                f"PCA needs at least as many images as components: got {n} images for "
                f"{d} components ({shape[0]}x{shape[1]}x{shape[2]}); add images or use a smaller size"
            )
        self.mean, self.eigenvalues, self.v = fit_pca(data.reshape(n, d))

    def encode(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1) @ self.v.to(x.dtype)  # [B, D] pixels -> [B, D] comps

    def decode(self, z: Tensor) -> Tensor:
        return (z @ self.v.T.to(z.dtype)).reshape(z.shape[0], *self.shape)

    def labels(self) -> dict[str, Tensor]:
        return {"index": torch.arange(self.eigenvalues.numel(), dtype=torch.float64)}
