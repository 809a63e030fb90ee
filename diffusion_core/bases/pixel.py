"""Pixel basis: U = I. Labels: channel, row and column (pixel centres scaled to [0, 1])."""

from __future__ import annotations

import torch

from .core import channel_labels

Tensor = torch.Tensor


def grid_labels(h: int, w: int) -> tuple[Tensor, Tensor]:
    """Row and column of every pixel, (i + 0.5) / n. Each [H*W]."""
    r = ((torch.arange(h, dtype=torch.float64) + 0.5) / h)[:, None].expand(h, w)
    c = ((torch.arange(w, dtype=torch.float64) + 0.5) / w)[None, :].expand(h, w)
    return r.reshape(-1), c.reshape(-1)


class PixelBasis:
    """The identity: coefficients are the pixels, channel-major."""

    name = "pixel"

    def __init__(self, shape: tuple[int, int, int]):
        self.shape = shape

    def encode(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1)  # [B, C*H*W]

    def decode(self, z: Tensor) -> Tensor:
        return z.reshape(z.shape[0], *self.shape)  # [B, C, H, W]

    def labels(self) -> dict[str, Tensor]:
        c, h, w = self.shape
        r, col = grid_labels(h, w)
        return {"channel": channel_labels(self.shape), "row": r.repeat(c), "column": col.repeat(c)}
