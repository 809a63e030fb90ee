"""The Increments tab's view: every setting it shows, validated (one-line InputError)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...nonnormal.laws import get_law
from ...nonnormal.walks import FORMS, GRIDS, REVERSE_SAMPLERS, check_paths
from ...validation import check_choice, check_int, check_range


@dataclass(frozen=True)
class IncrementsView:
    """Everything the Increments tab shows is a function of these settings."""

    law: Literal["gaussian", "laplace", "uniform", "rademacher", "student-t"] = "laplace"
    nu: float = 10.0  # student-t degrees of freedom (> 4)
    steps: int = 50  # forward walk steps N
    paths: int = 20_000  # Monte Carlo paths for the histogram
    seed: int = 0
    form: Literal["euler", "ddpm"] = "ddpm"
    grid: Literal["left", "right"] = "right"
    loss_t: float = 0.5  # loss viewer: time of the step
    loss_steps: int = 10  # loss viewer: N (dt = 1/N)
    laplace_form: Literal["coordinate", "paper"] = "coordinate"
    reverse_steps: int = 20
    reverse_sampler: Literal["reverse-sde", "ddpm_ancestral"] = "reverse-sde"
    samples: int = 1_500  # 2-D reverse samples per law

    def __post_init__(self) -> None:
        get_law(self.law, self.nu)
        check_int("steps", self.steps, 1, 1000)
        check_paths(self.paths, self.steps)
        check_int("paths", self.paths, 100, 200_000)
        check_int("seed", self.seed, 0, 2**31 - 1)
        check_choice("form", self.form, FORMS)
        check_choice("grid", self.grid, GRIDS)
        check_range("loss t", self.loss_t, 0.001, 1.0)
        check_int("loss steps", self.loss_steps, 1, 20_000)
        check_choice("laplace form", self.laplace_form, ("coordinate", "paper"))
        check_int("reverse steps", self.reverse_steps, 1, 500)
        check_choice("reverse sampler", self.reverse_sampler, REVERSE_SAMPLERS)
        check_int("samples", self.samples, 50, 5_000)
