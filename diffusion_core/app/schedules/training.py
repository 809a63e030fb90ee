"""Schedules tab, training panel: training-noise densities in logSNR against the image's useful band.

Plain function (no gradio): the densities and shares are noise/training_densities.py; the band is the
image's [lam_lo, lam_hi] from the same bounds the Spectrum and Schedules views use.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from ...noise import training_densities as T
from ...plotting import schedules as plots
from .handlers import view_bounds
from .view import SchedulesView

LABELS = MappingProxyType(
    {
        "edm": "EDM log-normal (P_mean −1.2, P_std 1.2)",
        "sd3": "SD3 logit-normal (m 0, s 1)",
        "flow": "uniform t, rectified flow",
        "cosine": "uniform t, cosine",
    }
)


def training_view(view: SchedulesView, upload: str | None = None) -> tuple[str, object, dict]:
    """(markdown, figure, shares) (api_name `schedule_training`)."""
    b = view_bounds(view, upload)
    lam = np.linspace(-20, 20, 801)
    curves = {LABELS[n]: T.density(n, lam) for n in T.DENSITIES}
    shares = {n: T.share_inside(n, b.logsnr_min, b.logsnr_max) for n in T.DENSITIES}
    rows = " · ".join(f"{LABELS[n].split(' (')[0]} **{100 * s:.1f}%**" for n, s in shares.items())
    md = (
        f"**Training mass inside this image's band** λ ∈ [{b.logsnr_min:.2f}, {b.logsnr_max:.2f}]: {rows}. "
        "The rest trains the denoiser where, for this image at this size, every frequency is already drowned "
        "(λ < λ_lo) or already resolved (λ > λ_hi)."
    )
    return md, plots.training_density_figure(lam, curves, b.logsnr_min, b.logsnr_max), shares
