"""The Scale space tab's view: every setting it shows, validated (one-line InputError)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ... import data
from ... import scale_space as ss
from ...validation import InputError, check_choice, check_int, check_range

SIZES = (16, 32, 64, 128, 256)
SAMPLE_SIZES = (8, 16, 32)
T = 1000
CURVE_POINTS = 200


@dataclass(frozen=True)
class ScaleSpaceView:
    """Everything the Scale space tab shows is a function of these settings (and an upload)."""

    source: Literal["photo", "field", "upload"] = "photo"
    photo: str = "astronaut"
    beta: float = 2.0  # field exponent (forward view and sampling)
    seed: int = 0
    size: int = 64  # R
    levels: int = 4  # L
    family: Literal["convex", "equal", "sigmoid", "tanh"] = "convex"
    gamma: float = 0.5
    t: float = 0.5  # current time in [0, 1] (step round(t (T - 1)))
    sample_size: int = 16  # field side for the exact-denoiser sampler
    sample_levels: int = 3
    n_samples: int = 64
    steps: int = 1000

    def __post_init__(self) -> None:
        check_choice("source", self.source, ("photo", "field", "upload"))
        check_choice("photo", self.photo, data.PHOTOS)
        check_range("beta", self.beta, 0.5, 4.0)
        check_int("seed", self.seed, 0, 2**31 - 1)
        if self.size not in SIZES:
            raise InputError(f"size must be one of {list(SIZES)}, got {self.size!r}")
        ss.resolution_schedule(self.size, self.levels, self.family, self.gamma, T)  # validates L, family, gamma
        check_range("t", self.t, 0.0, 1.0)
        if self.sample_size not in SAMPLE_SIZES:
            raise InputError(f"sample size must be one of {list(SAMPLE_SIZES)}, got {self.sample_size!r}")
        ss.resolution_schedule(self.sample_size, self.sample_levels, self.family, self.gamma, T)
        check_int("samples", self.n_samples, 4, 256)
        check_int("steps", self.steps, 10, T)

    @property
    def step(self) -> int:
        return int(round(self.t * (T - 1)))
