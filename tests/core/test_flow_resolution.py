"""Resolution: industrial flow-shift rules against the spectral law (-2 ln 2 per doubling of the side)."""

from __future__ import annotations

import math

import pytest

from diffusion_core.app.schedules.handlers import SchedulesView
from diffusion_core.app.schedules.resolution import resolution_view
from diffusion_core.bench import resolution as B
from diffusion_core.noise import resolution as R
from diffusion_core.noise.discretization import build_schedule


def test_rules_are_exact_logsnr_offsets():
    """Flux at 1024^2 = 4096 tokens: mu = 1.15, shift e^1.15; per doubling: 0.65 * 3/15 * (1, 4, 16) * -2."""
    assert R.flux_image_seq_len(1024) == 4096 and R.rule_shift("flux", 1024) == pytest.approx(math.exp(1.15))
    assert R.per_doubling("flux", (256, 512, 1024, 2048)) == pytest.approx([-0.26, -1.04, -4.16])
    assert R.per_doubling("sd3-paper", (256, 512, 1024)) == pytest.approx([-2 * math.log(2)] * 2)
    assert R.per_doubling("sd3", (256, 512)) == [0.0]
    # the rule's offset is what the flux family's schedule really does at that size (all t below 1)
    r = build_schedule("flux", 10, {"image_seq_len": R.flux_image_seq_len(2048)})
    base = build_schedule("flux", 10, {"mu": 0.0})
    lam, lam0 = r.logsnr.numpy()[1:], base.logsnr.numpy()[1:]
    assert lam - lam0 == pytest.approx([R.rule_lam_offset("flux", 2048)] * 9, abs=1e-4)


def test_bench_quick_and_photo_law():
    out = B.run(quick=True)
    for name, slope in out["photos_per_doubling"].items():
        assert slope == pytest.approx(-2 * math.log(2), abs=0.01), name
    assert out["rules"]["sd3-paper"]["mean_abs_gap_to_law"] < 1e-12
    assert out["rules"]["flux"]["mean_abs_gap_to_law"] == pytest.approx((1.126 + 0.346 + 2.774) / 3, abs=1e-3)


def test_resolution_panel_handler():
    md, off, lam, numbers = resolution_view(SchedulesView(photo="camera", size=64))
    assert numbers["image_per_doubling"] == pytest.approx(-1.386, abs=0.01)
    assert "Flux" in md and "-0.26, -1.04, -4.16" in md
    assert len(off.data) == 4 and len(lam.data) == 4
