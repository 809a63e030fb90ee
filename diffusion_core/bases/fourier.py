"""Fourier basis in a real orthonormal representation [GUD ref. Sec. 7; code: `FourierSpace`].

F = fft2(x, norm="ortho") is unitary; real images have Hermitian spectra F(-k) = conj F(k). Keep one
mode of each conjugate pair {k, -k} as two real components sqrt(2) Re F(k), sqrt(2) Im F(k), and
each self-conjugate mode (k = -k mod N) as the one real component Re F(k). This map is real and
orthogonal, so white noise in it IS the FFT of real white noise (Hermitian symmetry holds by
construction; `fourier_noise` gives the complex form). Components are sorted by |k|.
Labels: channel, frequency |k| in cycles/pixel.
"""

from __future__ import annotations

import math

import torch

from .core import channel_labels

Tensor = torch.Tensor
SQRT2 = math.sqrt(2.0)


def fourier_layout(h: int, w: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """For each real component: mode (flat), partner -k (flat), part (0 self, 1 re, 2 im), |k|."""
    ky, kx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    flat = (ky * w + kx).reshape(-1)
    partner = (((-ky) % h) * w + (-kx) % w).reshape(-1)
    fy, fx = torch.fft.fftfreq(h, dtype=torch.float64), torch.fft.fftfreq(w, dtype=torch.float64)
    freq = torch.sqrt(fy[:, None] ** 2 + fx[None, :] ** 2).reshape(-1)
    self_m, rep_m = flat == partner, flat < partner
    mode = torch.cat([flat[self_m], flat[rep_m], flat[rep_m]])
    part = torch.cat(
        [torch.zeros(int(self_m.sum())), torch.ones(int(rep_m.sum())), 2 * torch.ones(int(rep_m.sum()))]
    ).long()
    order = torch.argsort(freq[mode] + 1e-9 * part, stable=True)  # by |k|, re before im
    mode, part = mode[order], part[order]
    return mode, partner[mode], part, freq[mode]


class FourierBasis:
    """Real orthonormal Fourier components per channel, sorted by frequency."""

    name = "fourier"

    def __init__(self, shape: tuple[int, int, int]):
        self.shape = shape
        _, h, w = shape
        self.mode, self.partner, self.part, self.freq = fourier_layout(h, w)
        self.scale = torch.full(self.part.shape, SQRT2, dtype=torch.float64)  # [HW]
        self.scale[self.part == 0] = 1.0
        self.src = self.mode + (self.part == 2).long() * (h * w)  # index into [Re | Im]

    def encode(self, x: Tensor) -> Tensor:
        b, (c, h, w) = x.shape[0], self.shape
        f = torch.fft.fft2(x, norm="ortho").reshape(b, c, h * w)
        reim = torch.cat([f.real, f.imag], dim=-1)  # [B, C, 2HW]
        z = reim[..., self.src] * self.scale.to(reim.dtype)  # [B, C, HW] real components
        return z.reshape(b, c * h * w)

    def to_complex(self, z: Tensor) -> Tensor:
        """Real components [B, D] -> the full Hermitian spectrum [B, C, H, W] (complex)."""
        b, (c, h, w) = z.shape[0], self.shape
        z = z.reshape(b, c, h * w) / self.scale.to(z.dtype)  # undo sqrt(2)
        re = torch.zeros(b, c, h * w, dtype=z.dtype)
        im = torch.zeros_like(re)
        is_re, is_im = self.part <= 1, self.part == 2
        re[..., self.mode[is_re]] = z[..., is_re]
        re[..., self.partner[is_re]] = z[..., is_re]  # self modes: partner = mode
        im[..., self.mode[is_im]] = z[..., is_im]
        im[..., self.partner[is_im]] = -z[..., is_im]  # F(-k) = conj F(k)
        return torch.complex(re, im).reshape(b, c, h, w)

    def decode(self, z: Tensor) -> Tensor:
        return torch.fft.ifft2(self.to_complex(z), norm="ortho").real

    def labels(self) -> dict[str, Tensor]:
        c = self.shape[0]
        return {"channel": channel_labels(self.shape), "frequency": self.freq.repeat(c)}


def fourier_noise(shape: tuple[int, ...], generator: torch.Generator | None) -> Tensor:
    """GUD's `transform_noise`: fft2(real white noise, ortho), Hermitian. [B, C, H, W] complex."""
    white = torch.randn(shape, generator=generator, dtype=torch.float64)
    return torch.fft.fft2(white, norm="ortho")
