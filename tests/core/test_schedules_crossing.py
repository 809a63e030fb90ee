"""Tight schedules in reference sec. 6's crossing form, lam(u) = -log P(f(u)) clipped to the bounds,
beside the affine form (issue 12 item 11): exact values on a known power law, the CLI names, and both
forms in the low-NFE quality table next to the Karras-on-the-bounds ablation."""

import math

import pytest
import torch

from diffusion_core.bench.quality import experiment_sigmas, field_tight_params, quality_table
from diffusion_core.data import load_photo
from diffusion_core.noise.schedules import FAMILIES
from diffusion_core.spectral import tight as T
from diffusion_core.spectral.schedule import build_schedule
from diffusion_core.validation import InputError

TP = T.TightParams(beta=2.0, logsnr_min=-6.0, logsnr_max=6.0, n=32, log_amplitude=-4.0)


def test_crossing_is_minus_log_power_law_clipped():
    """lam(u) = -log A + beta log f(u) with f uniform in [e_0, e_K]: e_0 = 0.5/32, e_K = 16.5/32."""
    u = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)
    e0, ek = 0.5 / 32, 16.5 / 32
    f = e0 + u * (ek - e0)
    want = (4.0 + 2.0 * torch.log(f)).clamp(-6.0, 6.0)  # -log A = 4
    lam = T.tight_lam_fn("frequency", TP, "crossing")(1 - u)  # t = 1 - u
    assert torch.allclose(lam, want, atol=1e-12)
    assert float(lam[0]) == pytest.approx(4 + 2 * math.log(e0))  # -4.318: inside the bounds, not clipped
    tight = T.TightParams(2.0, -3.0, 2.0, 32, -4.0)  # bounds narrower than the crossing range
    lam2 = T.tight_lam_fn("frequency", tight, "crossing")(1 - u)
    assert lam2.tolist() == [-3.0, pytest.approx(4 + 2 * math.log(float(f[1]))), 2.0]


def test_affine_form_unchanged_and_named():
    lam = T.tight_lam_fn("power", TP)(torch.tensor([1.0, 0.0], dtype=torch.float64))
    assert lam.tolist() == pytest.approx([-6.0, 6.0])  # affine: stretched exactly onto the bounds
    assert T.split_name("tight-power") == ("power", "affine")
    assert T.split_name("tight-mixed-crossing") == ("mixed", "crossing")
    for kind in T.TIGHT_KINDS:
        assert "affine" in FAMILIES[f"tight-{kind}"].doc or kind == "mixed"
        assert "crossing" in FAMILIES[f"tight-{kind}-crossing"].doc


def test_crossing_needs_the_amplitude():
    with pytest.raises(InputError, match="amplitude"):
        T.tight_lam_fn("frequency", T.TightParams(2.0, -6.0, 6.0, 32), "crossing")


@pytest.mark.parametrize("kind", T.TIGHT_KINDS)
def test_crossing_from_an_image_monotone_and_in_bounds(kind):
    x = load_photo("camera", 64)
    r = build_schedule(f"tight-{kind}-crossing", 12, image=x)
    lam = -2 * torch.log(r.sigmas[:-1])
    tp, b = T.tight_params(T.image_spectrum(x))
    assert (lam[1:] > lam[:-1]).all()
    assert b.logsnr_min - 1e-9 <= float(lam.min()) and float(lam.max()) <= b.logsnr_max + 1e-9


def test_both_forms_and_the_ablation_in_the_quality_table():
    names = list(experiment_sigmas(32, 2.0))
    for kind in T.TIGHT_KINDS:
        assert f"tight-{kind}" in names and f"tight-{kind}-crossing" in names
    assert "karras@bounds" in names
    rows = {(r["sampler"], r["schedule"]): r["w2_rel"] for r in quality_table(nfes=(10,), samplers=("dpmpp_2m",))}
    # crossing form of the field's spectrum spans sigma 6.53 .. 0.215 (SNR 1 at the outer ring edges),
    # inside the bounds 9.63 .. 0.0697; it is its own, narrower range, not a respacing of the bounds
    tp, b = field_tight_params(32, 2.0)
    s = experiment_sigmas(32, 2.0)["tight-power-crossing"](10)
    assert float(s[0]) == pytest.approx(6.527, abs=1e-3) and float(s[-2]) == pytest.approx(0.2148, abs=1e-4)
    assert rows[("dpmpp_2m", "tight-power-crossing")] == pytest.approx(0.1300, abs=5e-4)
    assert rows[("dpmpp_2m", "karras@bounds")] < rows[("dpmpp_2m", "tight-power")] < rows[("dpmpp_2m", "edm")]
