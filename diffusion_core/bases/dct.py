"""DCT-II basis (orthonormal, real): encode = M_H X M_W^T with M from scipy.fft.dct(norm="ortho").

Real and orthogonal, so it takes plain real white noise (no Hermitian constraint) [GUD ref. Sec. 7].
Labels: channel, frequency sqrt((ky/2H)^2 + (kx/2W)^2) in cycles/pixel.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
import torch

from .core import channel_labels

Tensor = torch.Tensor


def dct_matrix(n: int) -> Tensor:
    """M [n, n] with M x = scipy.fft.dct(x, type=2, norm="ortho")."""
    return torch.from_numpy(scipy.fft.dct(np.eye(n), type=2, norm="ortho", axis=0))


class DCTBasis:
    """2-D orthonormal DCT-II per channel; coefficient (ky, kx) in row-major order."""

    name = "dct"

    def __init__(self, shape: tuple[int, int, int]):
        self.shape = shape
        self.mh, self.mw = dct_matrix(shape[1]), dct_matrix(shape[2])

    def encode(self, x: Tensor) -> Tensor:
        mh, mw = self.mh.to(x.dtype), self.mw.to(x.dtype)
        return (mh @ x @ mw.T).reshape(x.shape[0], -1)  # [B, C, H, W] -> [B, D]

    def decode(self, z: Tensor) -> Tensor:
        mh, mw = self.mh.to(z.dtype), self.mw.to(z.dtype)
        k = z.reshape(z.shape[0], *self.shape)  # [B, C, H, W] coefficients
        return mh.T @ k @ mw

    def labels(self) -> dict[str, Tensor]:
        c, h, w = self.shape
        fy = (torch.arange(h, dtype=torch.float64) / (2 * h))[:, None]
        fx = (torch.arange(w, dtype=torch.float64) / (2 * w))[None, :]
        f = torch.sqrt(fy**2 + fx**2).reshape(-1)
        return {"channel": channel_labels(self.shape), "frequency": f.repeat(c)}
