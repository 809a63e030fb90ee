"""The Schedules & bounds tab's view: every setting it shows, validated (one-line InputError)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ... import data
from ...noise.custom import parse_points
from ...noise.schedules import FAMILIES, family_params
from ...spectral import tight
from ...validation import InputError, check_choice, check_int, check_range
from .flow import FLOW_FAMILIES, flow_overrides

SIZES = (32, 64, 128, 256, 512)
RESOLUTIONS = (64, 128, 256, 512)
DISCRETE = tuple(n for n, f in FAMILIES.items() if f.kind == "discrete")
DEFAULT_SCHEDULES = ("edm", "cosine", "shifted-cosine", "tight-mixed")


@dataclass(frozen=True)
class SchedulesView:
    """Everything the Schedules tab shows is a function of these settings (and an upload)."""

    schedules: tuple[str, ...] = DEFAULT_SCHEDULES
    steps: int = 32
    source: Literal["photo", "field", "upload"] = "photo"
    photo: str = "astronaut"
    beta: float = 2.0  # synthetic field exponent
    seed: int = 0
    size: int = 256
    tau_lo: float = 0.1
    tau_hi: float = 10.0
    dc: Literal["include", "exclude"] = "include"
    sigma_min: float = 0.002  # karras / exponential
    sigma_max: float = 80.0
    rho: float = 7.0
    noise_d: int = 64  # shifted cosine: lam + 2 log(noise_d / size)
    timestep_spacing: Literal["linspace", "leading", "trailing"] = "linspace"
    steps_offset: int = 0
    rescale_betas_zero_snr: bool = False
    use_karras_sigmas: bool = False
    final_sigmas_type: Literal["zero", "sigma_min"] = "zero"
    diffusers_family: str = "scaled-linear"
    animate: str = "tight-mixed"
    custom_points: str = "1:-5, 0.5:0, 0:6"  # `custom`: your own lam(t) through t:lam control points
    flow_shift: float = 3.0  # sd3: t' = s t / (1 + (s - 1) t)
    flux_mu_from: Literal["image_seq_len", "mu"] = "image_seq_len"
    flux_image_seq_len: int = 4096  # flux: mu = calculate_shift(tokens) between base and max shift
    flux_mu: float = 1.15
    flux_base_shift: float = 0.5
    flux_max_shift: float = 1.15
    flow_shift_terminal: float = 0.0  # sd3 and flux; 0 = off (diffusers' None)

    def __post_init__(self) -> None:
        if not self.schedules:
            raise InputError("schedules is empty: pick at least one schedule")
        for s in self.schedules:
            check_choice("schedule", s, FAMILIES)
        check_int("steps", self.steps, 1, 1000)
        check_choice("source", self.source, ("photo", "field", "upload"))
        check_choice("photo", self.photo, data.PHOTOS)
        check_range("beta", self.beta, 0.0, 6.0)
        check_int("seed", self.seed, 0, 2**31 - 1)
        if self.size not in SIZES:
            raise InputError(f"size must be one of {list(SIZES)}, got {self.size!r}")
        tight.check_taus(self.tau_lo, self.tau_hi)
        check_range("rho", self.rho, 0.0, 100.0, lo_open=True)
        check_range("sigma_min", self.sigma_min, 0.0, 1e4, lo_open=True)
        check_range("sigma_max", self.sigma_max, self.sigma_min, 1e5, lo_open=True)
        check_int("noise_d", self.noise_d, 1, 4096)
        check_int("steps_offset", self.steps_offset, 0, 999)
        check_choice("diffusers family", self.diffusers_family, DISCRETE)
        check_choice("animated schedule", self.animate, FAMILIES)
        if "custom" in self.schedules or self.animate == "custom":
            parse_points(self.custom_points)
        check_choice("flux mu from", self.flux_mu_from, ("image_seq_len", "mu"))
        check_int("flux image_seq_len", self.flux_image_seq_len, 1, 10**9)
        for name in FLOW_FAMILIES:
            if name in self.schedules or self.animate == name:
                family_params(name, flow_overrides(name, self))
