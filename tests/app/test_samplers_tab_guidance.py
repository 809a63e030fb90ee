"""Samplers tab with autoguidance: the view's guide steers the model (NFE counts both networks), a guide equal to
the model changes no pixel, and a guide of other data or an out-of-range weight is a one-line error."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion_core.app.samplers import handlers as H
from diffusion_core.validation import InputError

BASE = dict(samplers=("euler", "heun"), steps=3, n=4, seed=1, device="cpu")


def test_an_autoguided_view_counts_both_networks_and_says_so():
    plain = H.sample_compare(H.SamplersView(model="mnist-li-gaussian-gaussian-deep-sigma-high", **BASE))
    view = H.SamplersView(
        model="mnist-li-gaussian-gaussian-deep-sigma-high", guide="mnist-li-gaussian-gaussian", guidance=2.5, **BASE
    )
    r = H.sample_compare(view)
    nfe = {s: q["nfe"] for s, q in r.numbers["samplers"].items()}
    assert nfe == {"euler": 6, "heun": 10} and {s: q["nfe"] for s, q in plain.numbers["samplers"].items()} == {
        "euler": 3,
        "heun": 5,
    }
    assert "**Autoguided** (Karras et al. 2024) by **mnist-li-gaussian-gaussian** at w = 2.5" in r.explanation
    assert "Autoguided" not in plain.explanation
    assert not np.array_equal(r.gallery[1][0], plain.gallery[1][0])
    assert r.numbers["metric"] == plain.numbers["metric"] == "confident"


def test_guiding_an_exact_model_by_itself_changes_no_pixel_and_is_scored_from_samples():
    plain = H.sample_compare(H.SamplersView(model="digits-pca-gaussian", **BASE))
    same = H.sample_compare(
        H.SamplersView(model="digits-pca-gaussian", guide="digits-pca-gaussian", guidance=3.0, **BASE)
    )
    assert len(plain.gallery) == len(same.gallery) == 3  # data, euler, heun
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(plain.gallery, same.gallery))
    assert plain.numbers["metric"] == "cov_rel_fro" and same.numbers["metric"] == "sample_cov_rel_fro"


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(guide="field-beta2-32"), "guide model field-beta2-32 has shape [1, 32, 32], the model [1, 28, 28]"),
        (dict(guide="mnist-li-gaussian-gaussian", guidance=12.0), "guidance must be in [0, 10], got 12"),
        (dict(guide="/etc/passwd"), ""),
    ],
)
def test_bad_guides_are_one_line_errors(kw, message):
    with pytest.raises(InputError) as e:
        H.sample_compare(H.SamplersView(model="mnist-li-gaussian-gaussian", **{**BASE, **kw}))
    assert message in str(e.value) and "\n" not in str(e.value)
