"""The JSON contracts of `difflab spectrum` and `difflab bounds` (design.md), computed once for the CLI
and the app (the Workshop checks its answers with them)."""

from __future__ import annotations

from .. import data
from ..validation import check_choice, check_int, check_range
from . import spectrum as spectral
from .tight import bounds, image_spectrum


def spectrum_json(image: str, size: int, window: bool = False, resize: str = "prefilter") -> dict:
    """The `spectrum` contract: freqs, psd, beta, fit_band, dc_power (grayscale, data in [-1, 1]), and the
    resampler a photo or file was resized with (`resize`, data.RESIZES)."""
    size = check_int("--size", size, data.MIN_SIZE, data.MAX_SIZE)
    check_choice("--resize", resize, data.RESIZES)
    x = data.image_from_arg(image, size, gray=True, resize=resize)[:1]
    r = spectral.radial_psd(x, window)
    fit = spectral.fit_power_law(r.freqs, r.psd[0], spectral.default_fit_band(size))
    return {
        "freqs": r.freqs.tolist(),
        "psd": r.psd[0].tolist(),
        "beta": fit.beta,
        "amplitude": fit.amplitude,
        "fit_band": list(fit.band),
        "dc_power": float(r.dc_power[0]),
        "resize": resize,
    }


def bounds_json(
    image: str,
    size: int = 256,
    tau_lo: float = 0.1,
    tau_hi: float = 10.0,
    dc: str = "include",
    resize: str = "prefilter",
) -> dict:
    """The `bounds` contract: sigma_min, sigma_max, logsnr_min, logsnr_max, quantization_floor (+ parts), and
    the resampler a photo or file was resized with (`resize`)."""
    size = check_int("--size", size, data.MIN_SIZE, data.MAX_SIZE)
    check_choice("--dc", dc, ("include", "exclude"))
    check_choice("--resize", resize, data.RESIZES)
    tau_lo = check_range("--tau-lo", tau_lo, 0, None, lo_open=True)
    tau_hi = check_range("--tau-hi", tau_hi, 0, None, lo_open=True)
    x = data.image_from_arg(image, size, gray=True, resize=resize)[:1]
    return {**bounds(image_spectrum(x), tau_lo, tau_hi, dc).to_json(), "resize": resize}
