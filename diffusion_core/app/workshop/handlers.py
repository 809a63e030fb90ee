"""Workshop tab handlers: short exercises for a room of laptops, each a link to a live view, a
question, and an answer checked against the core's own computation (not a stored number)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import torch

from ...caching import frozen_cache
from ...exports import write_text
from ...gud import threshold_a
from ...nonnormal.report import increments_report
from ...presets import PRESET_ROOT, load_preset
from ...scale_space.ops import resolution_schedule
from ...spectral.report import bounds_json, spectrum_json
from ...validation import InputError, check_choice, check_finite
from ..spectrum.handlers import SpectrumView, spectrum_view

TABS = ("spectrum", "schedules", "increments", "bases", "scale_space", "samplers")


@dataclass(frozen=True)
class Exercise:
    """One exercise (presets/workshop/*.toml)."""

    title: str
    tab: str  # the tab the link opens
    link: str  # query string of that tab's settings
    task: str
    check: str  # name in CHECKS: computes the answer live
    answer: float  # the instructor's expected value (tests keep it equal to the live one)
    tolerance: float
    unit: str
    explanation: str
    signed: bool = True  # False for a magnitude (σ_max, a frequency, a step): no "up or down?" hint for -x

    def __post_init__(self) -> None:
        check_choice("exercise tab", self.tab, TABS)
        check_choice("exercise check", self.check, CHECKS)


# ---------------------------------------------------------------------------------------------
# Live answers, each one call into the core


def _camera_beta() -> float:
    return spectrum_json("camera", 256)["beta"]


def _astronaut_crossing() -> float:
    return spectrum_view(SpectrumView(photo="astronaut", size=256, lam=0.0)).numbers["crossing_frequency"]


def _astronaut_sigma_max() -> float:
    return bounds_json("astronaut", 256)["sigma_max"]


def _sigma_max_ratio() -> float:
    return bounds_json("astronaut", 256)["sigma_max"] / bounds_json("astronaut", 128)["sigma_max"]


def _laplace_kurtosis_50() -> float:
    return increments_report("laplace", 50, paths=1000, seed=0)["expected_excess_kurtosis"]


def _gud_threshold_a() -> float:
    return threshold_a(torch.arange(8.0))  # 8 columns, labels 0..7, default band


def _ssd_first_switch() -> float:
    return float(resolution_schedule(64, 4, "convex", 0.5).switches[0])


CHECKS: Mapping[str, Callable[[], float]] = MappingProxyType(
    {
        "camera_beta": _camera_beta,
        "astronaut_crossing": _astronaut_crossing,
        "astronaut_sigma_max": _astronaut_sigma_max,
        "sigma_max_ratio": _sigma_max_ratio,
        "laplace_kurtosis_50": _laplace_kurtosis_50,
        "gud_threshold_a": _gud_threshold_a,
        "ssd_first_switch": _ssd_first_switch,
    }
)


# ---------------------------------------------------------------------------------------------
# Handlers


@frozen_cache(maxsize=1)
def exercises() -> dict[str, Exercise]:
    """All exercises, keyed by title, in file order."""
    files = sorted((PRESET_ROOT / "workshop").glob("*.toml"))
    out = {}
    for f in files:
        ex = load_preset(f"workshop/{f.name}", Exercise)
        out[ex.title] = ex
    return out


def _get(title: str) -> Exercise:
    return exercises()[check_choice("exercise", title, exercises())]


@frozen_cache(maxsize=len(CHECKS))
def live_answer(check: str) -> float:
    """The core's answer for a check (cached: the inputs are fixed)."""
    return float(CHECKS[check_choice("check", check, CHECKS)]())


def exercise_markdown(title: str) -> str:
    """The task, with a link that opens the right tab at the right settings."""
    ex = _get(title)
    return (
        f"### {ex.title}\n\n{ex.task}\n\n[Open this view in the {ex.tab.replace('_', ' ')} tab]"
        f"(?tab={ex.tab}&{ex.link}) (the page reloads on that tab with these settings)."
    )


def parse_answer(value: float | str | None) -> float:
    """The answer box's text -> a number; empty asks for one (an empty box is not 0)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("type a number into the answer box first")
    if isinstance(value, str):
        value = value.strip().replace("−", "-").replace(",", ".")
    return check_finite("answer", value)


def grade(title: str, value: float | str | None) -> tuple[float, bool, str]:
    """The user's number against the live answer: (the number, right or not, the verdict to show), with a
    hint on the sign for signed quantities and a plain "never negative" for magnitudes."""
    ex = _get(title)
    v = parse_answer(value)
    truth = live_answer(ex.check)
    unit = f" {ex.unit}" if ex.unit else ""
    if math.isclose(v, truth, abs_tol=ex.tolerance):
        return v, True, f"**Right:** {truth:.4g}{unit} (your {v:g} is within ±{ex.tolerance:g}). {ex.explanation}"
    if v < 0 and not ex.signed:
        return v, False, f"**Not yet:** {v:g}{unit} is negative, but this is a magnitude (it is never below 0)."
    if v != 0 and math.isclose(-v, truth, abs_tol=ex.tolerance):
        return (
            v,
            False,
            (
                f"**Almost:** the size of {v:g}{unit} is right but the sign is not: does the value go up or "
                "down? Look at the direction in the linked view."
            ),
        )
    side = "high" if v > truth else "low"
    return (
        v,
        False,
        (
            f"**Not yet:** {v:g}{unit} is too {side}. Look again in the "
            f"{ex.tab.replace('_', ' ')} tab; the answer is within ±{ex.tolerance:g} of a value the app shows."
        ),
    )


def check_answer(title: str, value: float | str | None) -> str:
    """The verdict on the user's number (see `grade`)."""
    return grade(title, value)[2]


def reveal(title: str) -> str:
    ex = _get(title)
    unit = f" {ex.unit}" if ex.unit else ""
    return f"**Answer:** {live_answer(ex.check):.4g}{unit}. {ex.explanation}"


def worksheet(base: str = "http://127.0.0.1:7860/") -> str:
    """All exercises as one Markdown worksheet; links are absolute from `base` (the address the app
    was reached on), so they work from the downloaded file."""
    base = base if base.endswith("/") else base + "/"
    parts = ["# Diffusion Lab workshop\n", f"Open the app ({base}) and follow the links.\n"]
    parts += [exercise_markdown(t).replace("](?tab=", f"]({base}?tab=") + "\n" for t in exercises()]
    return str(write_text("workshop-worksheet", ".md", "\n".join(parts)))
