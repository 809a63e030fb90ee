"""Latency of the Spectrum tab's handler on a 256x256 photo (the slider path: a new λ each call).

The machine is shared and noisy, so the handler is timed interleaved with its own spectral core
(FFT + ring average of the noisy image, no figures): their ratio is comparable across runs.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
import torch

from .. import data
from ..app.spectrum.handlers import SpectrumView, spectrum_view
from ..spectral import spectrum as spectral


def _percentiles(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {
        "p50_ms": float(np.percentile(a, 50)),
        "p95_ms": float(np.percentile(a, 95)),
        "min_ms": float(a.min()),
        "n": len(a),
    }


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000.0


def run(quick: bool = False) -> dict:
    n = 10 if quick else 60
    torch.set_num_threads(1)  # as the app serves each request
    spectrum_view(SpectrumView(photo="astronaut", size=256))  # warm-up: loads and caches the photo
    x0 = data.load_photo("astronaut", 256).to(torch.float64)
    g = torch.Generator().manual_seed(0)
    handler, core = [], []
    for lam in np.linspace(-8.0, 8.0, n):
        handler.append(_timed(lambda lam=lam: spectrum_view(SpectrumView(photo="astronaut", size=256, lam=float(lam)))))
        core.append(_timed(lambda lam=lam: spectral.radial_psd(spectral.add_noise_vp(x0, float(lam), g))))
    h, c = _percentiles(handler), _percentiles(core)
    return {
        "benchmark": "spectrum handler latency (256x256 astronaut, λ sweep, warm cache)",
        **h,
        "target_p50_ms": 50.0,
        "core_p50_ms": c["p50_ms"],
        "handler_over_core_p50": h["p50_ms"] / c["p50_ms"],
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_avg_1min": os.getloadavg()[0],
        "machine": platform.machine(),
    }
