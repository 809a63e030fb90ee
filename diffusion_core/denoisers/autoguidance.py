"""Autoguidance (Karras et al. 2024, "Guiding a Diffusion Model with a Bad Version of Itself") as a `Denoiser`.

    D_w(x; sigma) = D_0(x; sigma) + w [D_1(x; sigma) - D_0(x; sigma)]          (eq. 2)

D_1 is the main network, D_0 a weaker one of the same task and data (fewer parameters, shorter training);
w = 1 is D_1 alone, w > 1 extrapolates away from the errors the two share in kind but not in degree. It needs
no labels, so it guides an unconditional model, and every sampler runs on it unchanged. Each call evaluates
both networks: an NFE count of a guided run counts both.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..protocols import Denoiser

Tensor = torch.Tensor
MAX_W = 10.0


def autoguide(d1: Tensor, d0: Tensor, w: float) -> Tensor:
    """D_0 + w (D_1 - D_0) (Karras et al. 2024, eq. 2)."""
    return d0 + w * (d1 - d0)


@dataclass(frozen=True)
class AutoGuided:
    """D_w of the main denoiser `main` guided by the weaker `guide` at weight `w` (0 <= w <= MAX_W)."""

    main: Denoiser
    guide: Denoiser
    w: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.w <= MAX_W:
            raise ValueError(f"guidance weight must be in [0, {MAX_W:g}] (1 = no guidance), got {self.w:g}")

    @property
    def device(self) -> torch.device:
        return getattr(self.main, "device", torch.device("cpu"))

    def to(self, device: torch.device) -> AutoGuided:
        """Both denoisers on `device` (an exact denoiser without `to` stays where it computes)."""
        move = lambda d: d.to(device) if hasattr(d, "to") else d  # noqa: E731
        return AutoGuided(move(self.main), move(self.guide), self.w)

    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        return autoguide(self.main(x, lam), self.guide(x, lam), self.w)
