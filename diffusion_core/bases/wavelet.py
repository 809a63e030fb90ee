"""Orthogonal wavelet basis (pywavelets, mode="periodization"), several levels, per channel.

With periodisation and an orthogonal family (haar, db2, sym4, coif1, ...) the multilevel 2-D DWT is
exactly orthonormal when H and W are divisible by 2^levels. Coefficients use pywt's
`coeffs_to_array` layout (coarse approximation top-left). Labels: channel, level (0 = approximation,
1 = coarsest details, ..., levels = finest), row and column (atom centre in [0, 1]).
"""

from __future__ import annotations

import warnings

import numpy as np
import pywt
import torch

from ..validation import InputError, check_choice, check_int
from .core import channel_labels

Tensor = torch.Tensor
# "Level value of N is too high": harmless with periodisation. One filter at import, not per call
# (catch_warnings swaps the process-wide filter list, which is not safe while other requests run).
warnings.filterwarnings("ignore", message="Level value of .* is too high", category=UserWarning)
ORTHOGONAL = tuple(w for w in pywt.wavelist(kind="discrete") if pywt.Wavelet(w).orthogonal)


def check_levels(levels: int, h: int, w: int) -> int:
    """H and W must be divisible by 2^levels; the message lists sizes that work."""
    levels = check_int("wavelet levels", levels, 1, 10)
    m = 2**levels
    if h % m or w % m:
        bad = h if h % m else w
        near = sorted({max(m, bad // m * m), bad // m * m + m})
        raise InputError(
            f"wavelet levels={levels} needs image sizes divisible by {m}, got {h}x{w}; "
            f"sizes that work near {bad}: {', '.join(map(str, near))} "
            f"(or use at most {_max_levels(h, w)} levels)"
        )
    return levels


def _max_levels(h: int, w: int) -> int:
    n = 0
    while h % 2 == 0 and w % 2 == 0 and h > 1 and w > 1:
        h, w, n = h // 2, w // 2, n + 1
    return n


class WaveletBasis:
    """2-D multilevel DWT per channel; coefficients flattened from pywt's coefficient array."""

    name = "wavelet"

    def __init__(self, shape: tuple[int, int, int], wavelet: str = "haar", levels: int = 3):
        self.shape = shape
        self.wavelet = check_choice("wavelet", wavelet, ORTHOGONAL)
        self.levels = check_levels(levels, shape[1], shape[2])
        _, sl = self._to_array(np.zeros((1, 1, shape[1], shape[2])))
        full = lambda t: (slice(None), slice(None), t[-2], t[-1])  # any batch and channel count
        self.slices = [full(sl[0])] + [{k: full(v) for k, v in d.items()} for d in sl[1:]]

    def _to_array(self, x: np.ndarray) -> tuple[np.ndarray, list]:
        coeffs = pywt.wavedec2(x, self.wavelet, mode="periodization", level=self.levels, axes=(-2, -1))
        return pywt.coeffs_to_array(coeffs, axes=(-2, -1))

    def encode(self, x: Tensor) -> Tensor:
        arr, _ = self._to_array(x.detach().cpu().double().numpy())  # [B, C, H, W] coefficient array
        return torch.from_numpy(arr).to(x.dtype).reshape(x.shape[0], -1)

    def decode(self, z: Tensor) -> Tensor:
        arr = z.detach().cpu().double().numpy().reshape(z.shape[0], *self.shape)
        coeffs = pywt.array_to_coeffs(arr, self.slices, output_format="wavedec2")
        x = pywt.waverec2(coeffs, self.wavelet, mode="periodization", axes=(-2, -1))
        return torch.from_numpy(x).to(z.dtype)

    def labels(self) -> dict[str, Tensor]:
        c, h, w = self.shape
        level, row, col = np.zeros((h, w)), np.zeros((h, w)), np.zeros((h, w))
        bands = [(0, self.slices[0])] + [(j, s) for j, d in enumerate(self.slices[1:], 1) for s in d.values()]
        for lev, sl in bands:
            sy, sx = sl[-2], sl[-1]
            hb, wb = sy.stop - (sy.start or 0), sx.stop - (sx.start or 0)
            level[sy, sx] = lev
            row[sy, sx] = ((np.arange(hb) + 0.5) / hb)[:, None]
            col[sy, sx] = ((np.arange(wb) + 0.5) / wb)[None, :]
        t = {k: torch.from_numpy(v.reshape(-1)).repeat(c) for k, v in (("level", level), ("row", row), ("column", col))}
        return {"channel": channel_labels(self.shape), **t}
