"""Any schedule family, the tight ones fitted to an image: noise/discretization.build_schedule with the image's
lam(t) (spectral/tight.py) filled in. The one entry point for callers that hold an image."""

from __future__ import annotations

from typing import Any

import torch

from ..noise import schedules as S
from ..noise.discretization import ScheduleResult
from ..noise.discretization import build_schedule as build_from_lam
from .tight import tight_lam_fn_for_image


def build_schedule(
    name: str,
    steps: int,
    overrides: dict[str, Any] | None = None,
    image: torch.Tensor | None = None,
    lam_fn: S.LamFn | None = None,
) -> ScheduleResult:
    """Sigmas for `steps` steps of family `name`; tight families need `image` [1, C, H, W] (or lam_fn)."""
    if lam_fn is None and image is not None and S.FAMILIES.get(name) is not None and S.FAMILIES[name].kind == "tight":
        lam_fn = tight_lam_fn_for_image(name, image, S.family_params(name, overrides))
    return build_from_lam(name, steps, overrides, lam_fn=lam_fn)
