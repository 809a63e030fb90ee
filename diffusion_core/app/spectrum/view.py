"""The Spectrum tab's view: every setting it shows, validated (one-line InputError)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ... import data
from ...validation import InputError, check_choice, check_int, check_range

Source = Literal["photo", "field", "upload", "dataset"]
SIZES = (32, 64, 128, 256, 512)
DATASETS = ("photos", "digits")


@dataclass(frozen=True)
class SpectrumView:
    """Everything the Spectrum tab shows is a function of these settings (and an upload)."""

    source: Source = "photo"
    photo: str = "astronaut"
    dataset: Literal["photos", "digits"] = "photos"
    beta: float = 2.0  # synthetic field exponent
    seed: int = 0  # synthetic field and noise seed
    size: int = 256
    lam: float = 0.0  # logSNR of the noisy state
    tau_lo: float = 0.1
    tau_hi: float = 10.0
    window: bool = False  # Hann window before the FFT

    def __post_init__(self) -> None:
        check_choice("source", self.source, ("photo", "field", "upload", "dataset"))
        check_choice("photo", self.photo, data.PHOTOS)
        check_choice("dataset", self.dataset, DATASETS)
        check_range("beta", self.beta, 0.0, 6.0)
        check_int("seed", self.seed, 0, 2**31 - 1)
        if self.size not in SIZES:
            raise InputError(f"size must be one of {list(SIZES)}, got {self.size!r}")
        check_range("logSNR", self.lam, -20.0, 20.0)
        check_range("tau_lo", self.tau_lo, 1e-4, 1e4)
        check_range("tau_hi", self.tau_hi, 1e-4, 1e4)
        if not self.tau_lo < self.tau_hi:
            raise InputError(f"tau_lo ({self.tau_lo:g}) must be below tau_hi ({self.tau_hi:g})")
