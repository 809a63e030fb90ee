"""Schedules tab, resolution panel: SD3's and Flux's shift rules against the image's spectral law.

Plain function (no gradio). The image's lam_lo is measured at 64-512 pixels and its fitted change per
doubling carries it to 2048; the rules are noise/resolution.py. Absolute levels are not comparable
(SD3 and Flux denoise VAE latents); the moves per doubling are.
"""

from __future__ import annotations

from types import MappingProxyType

import torch

from ...noise.flow import lam_from_t
from ...noise.resolution import (
    RULES,
    SPECTRAL_PER_DOUBLING,
    flux_image_seq_len,
    per_doubling,
    rule_lam_offset,
    rule_shift,
)
from ...plotting import resolution as plots
from ...spectral.resolution_law import carried, mean_abs_gap, per_doubling_slope
from .handlers import view_bounds
from .view import RESOLUTIONS, SchedulesView

RULE_SIDES = (256, 512, 1024, 2048)
LABELS = MappingProxyType({"sd3": "SD3 fixed shift 3", "sd3-paper": "SD3 paper √(m/n)", "flux": "Flux μ(tokens)"})


def resolution_view(view: SchedulesView, upload: str | None = None) -> tuple[str, object, object, dict]:
    """(markdown, offsets figure, lam(t) figure, numbers) (api_name `schedule_resolution`)."""
    lo = [view_bounds(view, upload, n).logsnr_min for n in RESOLUTIONS]
    slope = per_doubling_slope(RESOLUTIONS, lo)
    curves = {LABELS[r]: [rule_lam_offset(r, s) - rule_lam_offset(r, RULE_SIDES[0]) for s in RULE_SIDES] for r in RULES}
    curves["spectral λ_lo (this image)"] = carried(
        0.0, RULE_SIDES[0], RULE_SIDES, slope
    )  # drawn last, dashed: it lies on the SD3 paper rule
    gaps = {r: mean_abs_gap(per_doubling(r, RULE_SIDES), slope) for r in RULES}
    t = torch.linspace(0.002, 0.998, 300, dtype=torch.float64)
    base = lam_from_t(t).numpy()
    lam_at_256 = lo[RESOLUTIONS.index(256)]
    lam_t = {f"Flux {s}² (shift {rule_shift('flux', s):.3g})": base + rule_lam_offset("flux", s) for s in RULE_SIDES}
    lam_lo = dict(zip(lam_t, carried(lam_at_256, 256, RULE_SIDES, slope)))
    flux = per_doubling("flux", RULE_SIDES)
    md = (
        f"**Resolution.** This image's λ_lo moves by **{slope:+.3f}** per doubling (measured at 64–512 px; the law "
        f"is −2 ln 2 = {SPECTRAL_PER_DOUBLING:.3f}). Per doubling from 256² to 2048², Flux's μ rule "
        f"(image_seq_len {', '.join(str(flux_image_seq_len(s)) for s in RULE_SIDES)} tokens) moves λ by "
        f"{', '.join(f'{d:+.2f}' for d in flux)}: {flux[0] / slope:.2f}× the law at 256²→512², {flux[-1] / slope:.1f}× "
        f"at 1024²→2048² (μ is linear in tokens, i.e. in R²; the law is linear in log R). Mean gap to this image's law: Flux "
        f"**{gaps['flux']:.2f}**, SD3's fixed shift **{gaps['sd3']:.2f}**, the SD3 paper's √(m/n) rule "
        f"**{gaps['sd3-paper']:.2f}** (it is exactly −2 log 2 per doubling). Absolute levels differ (the models "
        "denoise VAE latents); dotted lines carry this image's λ_lo to each size by its fitted slope."
    )
    numbers = {"image_per_doubling": slope, "flux_per_doubling": flux, "mean_abs_gap": gaps}
    return md, plots.offsets_figure(list(RULE_SIDES), curves), plots.lam_t_figure(t.numpy(), lam_t, lam_lo), numbers
