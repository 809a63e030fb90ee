"""`difflab bench spectral`: fitted power-law exponents and noise bounds of bundled photos at 256²
(reference sec. 3 and 4.3), the numbers the README's measured table quotes. Photos are resized with the
default resampler (scikit-image's prefiltered resize, `resize`); `box` holds the same numbers after a box
(area) mean instead (a 2x2 mean for the 512² photos), since beta and sigma_min depend on the resampler."""

from __future__ import annotations

from typing import Any

from .. import data
from ..spectral import spectrum as spectral
from ..spectral import tight

BETA_PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "grass")
BOUNDS_PHOTOS = ("camera", "astronaut", "grass")


def measure(size: int, resize: str) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(beta per photo, bounds per photo) with the photos resized by `resize` (data.RESIZES)."""
    beta, bounds = {}, {}
    for name in BETA_PHOTOS:
        x = data.load_photo(name, size, resize=resize)
        r = spectral.radial_psd(x)
        beta[name] = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(size)).beta
        if name in BOUNDS_PHOTOS:
            bounds[name] = tight.bounds(tight.image_spectrum(x)).to_json()
    return beta, bounds


def run(quick: bool = False, size: int = 256) -> dict[str, Any]:
    """beta per photo (grayscale, default fit band) and bounds (tau_lo 0.1, tau_hi 10, DC included), with the
    default resampler and (`box`) with the box mean."""
    beta, bounds = measure(size, "prefilter")
    box_beta, box_bounds = measure(size, "box")
    return {
        "size": size,
        "tau_lo": 0.1,
        "tau_hi": 10.0,
        "dc": "include",
        "resize": "prefilter",
        "beta": beta,
        "bounds": bounds,
        "box": {"resize": "box", "beta": box_beta, "bounds": box_bounds},
    }
