"""Latency of the Spectrum tab's handler on a 256x256 photo (the slider path: a new λ each call)."""
from __future__ import annotations

import os
import platform
import time

import numpy as np
import torch


def _percentiles(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {"p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
            "min_ms": float(a.min()), "n": len(a)}


def run(quick: bool = False) -> dict:
    from ..ui.spectrum import SpectrumView, spectrum_view

    n = 10 if quick else 60
    spectrum_view(SpectrumView(photo="astronaut", size=256))          # warm-up: loads and caches the photo
    lams = np.linspace(-8.0, 8.0, n)
    ms = []
    for lam in lams:
        t = time.perf_counter()
        spectrum_view(SpectrumView(photo="astronaut", size=256, lam=float(lam)))
        ms.append((time.perf_counter() - t) * 1000.0)
    return {"benchmark": "spectrum handler latency (256x256 astronaut, λ sweep, warm cache)",
            **_percentiles(ms), "target_p50_ms": 50.0, "torch_threads": torch.get_num_threads(),
            "cpu_count": os.cpu_count(), "load_avg_1min": os.getloadavg()[0], "machine": platform.machine()}
