"""What every basis shares: the Basis protocol, shape checks, component labels, basis images and variances."""

from __future__ import annotations

from typing import Protocol

import torch

from ..validation import InputError, check_int

Tensor = torch.Tensor


class Basis(Protocol):
    """encode [B, C, H, W] -> [B, D]; decode [B, D] -> [B, C, H, W]; U orthonormal."""

    name: str
    shape: tuple[int, int, int]  # (C, H, W)

    def encode(self, x: Tensor) -> Tensor: ...

    def decode(self, z: Tensor) -> Tensor: ...

    def labels(self) -> dict[str, Tensor]: ...


def dims(basis: Basis) -> int:
    """D = C * H * W, the number of components."""
    c, h, w = basis.shape
    return c * h * w


def check_shape(shape: tuple[int, int, int] | list[int]) -> tuple[int, int, int]:
    """(C, H, W) with C in {1, 3} and 2 <= H, W <= 1024."""
    if len(shape) != 3:
        raise InputError(f"basis shape must be (C, H, W), got {tuple(shape)}")
    c = check_int("channels", shape[0], 1, 3)
    return c, check_int("height", shape[1], 2, 1024), check_int("width", shape[2], 2, 1024)


def channel_labels(shape: tuple[int, int, int]) -> Tensor:
    """Channel index of every component for the channel-major per-channel layout. [D]"""
    c, h, w = shape
    return torch.arange(c, dtype=torch.float64).repeat_interleave(h * w)


def basis_matrix(basis: Basis, dtype: torch.dtype = torch.float64) -> Tensor:
    """U [D, D] with rows = basis vectors: U[i] = decode(e_i) flattened (so encode(x) = U x)."""
    d = dims(basis)
    eye = torch.eye(d, dtype=dtype)
    return basis.decode(eye).reshape(d, d)  # [D comps, D pixels]


def basis_images(basis: Basis, index: list[int] | Tensor) -> Tensor:
    """Atoms decode(e_i) for the given component indices: [k, C, H, W]."""
    d = dims(basis)
    idx = torch.as_tensor(index, dtype=torch.long).reshape(-1)
    if idx.numel() and (idx.min() < 0 or idx.max() >= d):
        raise InputError(f"component index must be in [0, {d - 1}], got {idx.tolist()}")
    z = torch.zeros(idx.numel(), d, dtype=torch.float64)
    z[torch.arange(idx.numel()), idx] = 1.0
    return basis.decode(z)


def component_variances(basis: Basis, data: Tensor, floor: float = 0.0) -> Tensor:
    """Sigma_i = Var_n[encode(x_n - mean)]_i over a data set [N, C, H, W], floored. [D]"""
    x = data.to(torch.float64)
    z = basis.encode(x - x.mean(0, keepdim=True))  # [N, D]
    return (z.pow(2).mean(0)).clamp_min(floor)
