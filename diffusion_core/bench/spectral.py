"""`difflab bench spectral`: fitted power-law exponents and noise bounds of bundled photos at 256²
(reference sec. 3 and 4.3), the numbers the README's measured table quotes."""

from __future__ import annotations

from typing import Any

from .. import data
from ..spectral import spectrum as spectral
from ..spectral import tight

BETA_PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "grass")
BOUNDS_PHOTOS = ("camera", "astronaut", "grass")


def run(quick: bool = False, size: int = 256) -> dict[str, Any]:
    """beta per photo (grayscale, default fit band) and bounds (tau_lo 0.1, tau_hi 10, DC included)."""
    beta, bounds = {}, {}
    for name in BETA_PHOTOS:
        x = data.load_photo(name, size)
        r = spectral.radial_psd(x)
        beta[name] = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(size)).beta
        if name in BOUNDS_PHOTOS:
            bounds[name] = tight.bounds(tight.image_spectrum(x)).to_json()
    return {"size": size, "tau_lo": 0.1, "tau_hi": 10.0, "dc": "include", "beta": beta, "bounds": bounds}
