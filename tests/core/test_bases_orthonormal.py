"""Bases: orthonormality, perfect reconstruction, library parity, Hermitian Fourier noise, bad input."""

import numpy as np
import pytest
import pywt
import scipy.fft
import torch

from diffusion_core.bases import basis_images, basis_matrix, component_variances, make_basis
from diffusion_core.bases.fourier import fourier_noise
from diffusion_core.data import load_digits
from diffusion_core.validation import InputError

SHAPES = [(1, 8, 8), (3, 8, 16)]
SPATIAL = [
    ("pixel", {}),
    ("fourier", {}),
    ("dct", {}),
    ("wavelet", {"wavelet": "haar", "levels": 3}),
    ("wavelet", {"wavelet": "db2", "levels": 2}),
]


def _all_bases():
    for name, kw in SPATIAL:
        for shape in SHAPES:
            yield f"{name}{kw.get('wavelet', '')}-{shape}", make_basis(name, shape, **kw)
    yield "pca-digits", make_basis("pca", (1, 8, 8), data=load_digits())


@pytest.mark.parametrize("label,basis", list(_all_bases()), ids=lambda v: v if isinstance(v, str) else "")
def test_orthonormal_and_reconstructs(label, basis):
    u = basis_matrix(basis)  # [D, D]
    d = u.shape[0]
    assert torch.allclose(u @ u.T, torch.eye(d, dtype=u.dtype), atol=1e-10)
    x = torch.randn(6, *basis.shape, generator=torch.Generator().manual_seed(1))
    z = basis.encode(x)
    assert z.shape == (6, d) and z.dtype == torch.float32
    assert (basis.decode(z) - x).abs().max() < 1e-5
    rel = (z.norm(dim=1) / x.flatten(1).norm(dim=1) - 1).abs().max()
    assert rel < 1e-6  # Parseval, float32
    assert torch.allclose(basis.encode(x.double()), x.double().flatten(1) @ u.T, atol=1e-12)
    for v in basis.labels().values():
        assert v.shape == (d,)


def test_dct_matches_scipy_dctn():
    x = torch.randn(2, 3, 8, 16, dtype=torch.float64)
    ref = scipy.fft.dctn(x.numpy(), type=2, norm="ortho", axes=(-2, -1))
    z = make_basis("dct", (3, 8, 16)).encode(x)
    assert np.allclose(z.numpy(), ref.reshape(2, -1), atol=1e-12)


def test_wavelet_matches_pywt_coefficients():
    x = torch.randn(2, 1, 16, 16, dtype=torch.float64)
    coeffs = pywt.wavedec2(x.numpy(), "db2", mode="periodization", level=2, axes=(-2, -1))
    arr, _ = pywt.coeffs_to_array(coeffs, axes=(-2, -1))
    z = make_basis("wavelet", (1, 16, 16), wavelet="db2", levels=2).encode(x)
    assert np.allclose(z.numpy(), arr.reshape(2, -1), atol=1e-12)
    lev = make_basis("wavelet", (1, 16, 16), levels=2).labels()["level"]
    assert [(lev == k).sum().item() for k in range(3)] == [16, 48, 192]  # 4x4 approx, 3 bands of 4x4, 3 of 8x8


def test_fourier_real_components_match_fft():
    """to_complex(encode(x)) is exactly fft2(x, ortho); frequencies ascend; sqrt(2) pairing."""
    b = make_basis("fourier", (1, 6, 10))
    x = torch.randn(3, 1, 6, 10, dtype=torch.float64)
    assert torch.allclose(b.to_complex(b.encode(x)), torch.fft.fft2(x, norm="ortho"), atol=1e-12)
    f = b.labels()["frequency"]
    assert torch.all(f[1:] >= f[:-1]) and f[0] == 0
    assert (b.part == 0).sum() == 4  # self-conjugate: (0|3, 0|5)


def test_fourier_noise_hermitian_and_unit_variance():
    b = make_basis("fourier", (1, 8, 8))
    g = torch.Generator().manual_seed(0)
    coef = fourier_noise((4096, 1, 8, 8), g)  # FFT of real white noise
    flipped = torch.roll(torch.flip(coef, dims=(-2, -1)), shifts=(1, 1), dims=(-2, -1))  # F(-k)
    assert torch.allclose(coef, flipped.conj(), atol=1e-12)
    assert torch.fft.ifft2(coef, norm="ortho").imag.abs().max() < 1e-12
    z = b.encode(torch.fft.ifft2(coef, norm="ortho").real)  # real components [4096, 64]
    var = z.var(0)
    assert abs(var.mean() - 1) < 0.01 and (var - 1).abs().max() < 0.12  # sd per comp 0.022
    assert torch.allclose(b.to_complex(z), coef, atol=1e-10)


def test_basis_images_and_pca_variances():
    data = load_digits()
    pca = make_basis("pca", (1, 8, 8), data=data)
    v = component_variances(pca, data)
    assert torch.allclose(v[:10], pca.eigenvalues[:10] * (1796 / 1797), rtol=1e-6)
    atoms = basis_images(make_basis("dct", (1, 8, 8)), [0, 1])
    assert torch.allclose(atoms[0], torch.full((1, 8, 8), 1 / 8, dtype=torch.float64))
    assert atoms[1].flatten().norm().item() == pytest.approx(1.0)


def test_bad_input():
    with pytest.raises(InputError, match="unknown basis 'haar'.*pixel, fourier, dct, wavelet, pca"):
        make_basis("haar", (1, 8, 8))
    with pytest.raises(InputError, match=r"levels=3 needs image sizes divisible by 8, got 12x12.*8, 16.*2 levels"):
        make_basis("wavelet", (1, 12, 12), levels=3)
    with pytest.raises(InputError, match="unknown wavelet 'bior1.3'"):
        make_basis("wavelet", (1, 8, 8), wavelet="bior1.3")
    with pytest.raises(InputError, match="got 50 images for 64 components"):
        make_basis("pca", (1, 8, 8), data=load_digits()[:50])
    with pytest.raises(InputError, match="index must be in"):
        basis_images(make_basis("pixel", (1, 4, 4)), [16])
