"""Orthonormal bases for component-wise diffusion (GUD, arXiv 2410.02667, Sec. 4.1).

A basis maps an image batch [B, C, H, W] to real coefficients [B, D] (D = C*H*W) and back with an
orthonormal U: encode = U, decode = U^T, so decode(encode(x)) = x and ||encode(x)|| = ||x||.

Colour: pixel, Fourier, DCT and wavelet act per channel (the same spatial basis on every channel,
coefficients laid out channel-major, label "channel"); PCA mixes channels (one D x D eigenbasis
over the flattened C*H*W vector), as GUD's `(H*W*C, 1)` option.

Each basis also gives component labels for ordering (`labels()`: name -> [D]; e.g. "frequency"
in cycles/pixel, "level" 0 = coarsest, "row"/"column" in [0, 1] for localised atoms) and basis
images for display (`basis_images`).
"""

from __future__ import annotations

from typing import Any

from ..validation import check_choice
from .core import Basis, basis_images, basis_matrix, channel_labels, check_shape, component_variances, dims  # noqa: F401 (the package's API)
from .dct import DCTBasis
from .fourier import FourierBasis
from .pca import PCABasis
from .pixel import PixelBasis
from .wavelet import WaveletBasis

BASES: dict[str, type] = {
    "pixel": PixelBasis,
    "fourier": FourierBasis,
    "dct": DCTBasis,
    "wavelet": WaveletBasis,
    "pca": PCABasis,
}
BASIS_NAMES = ("pixel", "fourier", "dct", "wavelet", "pca")


def make_basis(name: str, shape: tuple[int, int, int], **options: Any) -> Basis:
    """Registry lookup: BASES[name](shape, **options); PCA needs data=[N, C, H, W]."""
    check_choice("basis", name, BASIS_NAMES)
    return BASES[name](check_shape(shape), **options)
