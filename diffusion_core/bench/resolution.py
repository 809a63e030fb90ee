"""`difflab bench resolution`: industrial flow-shift rules against the spectral law, per doubling of the side.

Spectral side: lam_lo (tau_lo = 0.1, DC included) of every bundled photo at 64, 128, 256, 512 pixels;
the fitted change per doubling. Rules (noise/resolution.py): SD3's fixed shift, the SD3 paper's
sqrt(m/n) shift, Flux's mu(image_seq_len), as logSNR offsets at 256, 512, 1024, 2048 pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import PHOTOS, load_photo
from ..noise.resolution import (
    RULES,
    SPECTRAL_PER_DOUBLING,
    flux_image_seq_len,
    per_doubling,
    rule_lam_offset,
    rule_shift,
)
from ..spectral.tight import bounds, image_spectrum
from ..validation import InputError

PHOTO_SIDES = (64, 128, 256, 512)
RULE_SIDES = (256, 512, 1024, 2048)


def spectral_slope(name: str, sides: tuple[int, ...] = PHOTO_SIDES, tau_lo: float = 0.1) -> tuple[float, list[float]]:
    """(fitted lam_lo change per doubling, lam_lo per side) of one photo (DC included)."""
    lo = [bounds(image_spectrum(load_photo(name, s)), tau_lo, 10.0, "include").logsnr_min for s in sides]
    return float(np.polyfit(np.log2(sides), lo, 1)[0]), lo


def run(quick: bool = False) -> dict[str, Any]:
    """Per-doubling logSNR moves: spectral (per photo, median) and each rule; the gap of each rule."""
    names = PHOTOS[:4] if quick else PHOTOS
    photos, skipped = {}, {}
    for n in names:
        try:
            photos[n] = spectral_slope(n)[0]
        except InputError as e:  # e.g. a synthetic photo with no usable range at 64^2
            skipped[n] = str(e)
    median = float(np.median(list(photos.values())))
    rules = {
        r: {
            "shift": {s: rule_shift(r, s) for s in RULE_SIDES},
            "lam_offset": {s: rule_lam_offset(r, s) for s in RULE_SIDES},
            "per_doubling": per_doubling(r, RULE_SIDES),
        }
        for r in RULES
    }
    for r in RULES:
        d = np.array(rules[r]["per_doubling"])
        rules[r]["mean_abs_gap_to_law"] = float(np.abs(d - SPECTRAL_PER_DOUBLING).mean())
        rules[r]["mean_abs_gap_to_photos"] = float(np.abs(d - median).mean())
    return {
        "spectral_law_per_doubling": SPECTRAL_PER_DOUBLING,
        "photo_sides": list(PHOTO_SIDES),
        "photos_per_doubling": photos,
        "photos_median_per_doubling": median,
        "photos_skipped": skipped,
        "rule_sides": list(RULE_SIDES),
        "flux_image_seq_len": {s: flux_image_seq_len(s) for s in RULE_SIDES},
        "rules": rules,
    }
