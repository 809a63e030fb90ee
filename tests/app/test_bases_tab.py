"""The Bases tab's handlers, presets and the extension demo (the `component-schedule` / `basis-forward` commands:
tests/cli/test_bases_cli.py)."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from diffusion_core.app.bases import handlers as ui
from diffusion_core.gud.extension import ExtensionView, extend
from diffusion_core.gud.setup import BasesView, build
from diffusion_core.presets import PRESET_ROOT, dump_preset, load_preset
from diffusion_core.validation import InputError


def test_presets_load_and_roundtrip():
    files = sorted((PRESET_ROOT / "bases").glob("*.toml"))
    assert len(files) == 5
    for f in files:
        v = load_preset(f"bases/{f.name}", BasesView)
        assert load_preset(dump_preset(v), BasesView, text=True) == v
    with pytest.raises(InputError, match="unknown preset key"):
        load_preset("basis = 'pixel'\nsoftnes = 2.0", BasesView, text=True)


def test_handlers_schedule_and_forward():
    v = load_preset("bases/autoregressive_columns.toml", BasesView)
    r = ui.component_schedule(v, t=0.45)  # column l = 4: [36/94, 46/94]
    assert r.numbers["overlap_fraction"] == 0 and r.numbers["threshold_a"] == pytest.approx(10.0)
    assert r.numbers["active_at_t"] == 8  # one column of 8 pixels
    assert "autoregressive" in r.explanation and "**8** of 64" in r.explanation
    f = ui.basis_forward(dataclasses.replace(v, frames=5))
    assert len(f.frames) == 5 and f.frames[0].dtype == np.uint8 and f.frames[0].shape[2] == 3
    assert ui.prior_strip(v).shape == (96, 768)  # 8 draws of 8x8, upscaled x12
    for fmt in ("gif", "mp4"):
        assert Path(ui.export_animation(f.frames, fmt)).stat().st_size > 1000
    assert Path(ui.schedule_csv(v)).read_text().count("\n") == 65
    with pytest.raises(InputError, match="size must be one of"):
        ui.make_view(size=12)


def test_handlers_reverse_empirical_memorises():
    v = BasesView(basis="pixel", ordering="column", a=12.0, clip=True, denoiser="empirical", frames=5)
    r = ui.basis_reverse(v)
    assert len(r.frames) == 5 and r.samples.shape == (96, 768)
    with pytest.raises(InputError, match="empirical denoiser needs a data set"):
        ui.basis_reverse(BasesView(image="field:2.0", size=8, denoiser="empirical"))


def test_four_schedules_mosaic():
    img, caption = ui.four_schedules("camera", 16, True, n=3)
    assert img.shape == (4 * 18, 3 * 18) and "wavelet column" in caption  # rows of 16 px + 2 px gaps


def test_extension_keeps_the_statistics():
    """Extended columns keep the model's pixel variance and neighbour-column correlation."""
    r = extend(ExtensionView(size=8, shift=2, repeats=3, seed=1))
    assert r["canvas"].shape == (1, 1, 8, 14)
    assert 0 < r["t_star"] < 1
    assert r["extended_var"] == pytest.approx(r["model_pixel_var"], rel=0.5)
    with pytest.raises(InputError, match="shift must be in"):
        extend(ExtensionView(size=8, shift=8))


def test_uploaded_data_set_fits_pca_on_patches(tmp_path):
    """Any set of uploaded images: PCA on its patches; too few patches for the components is refused."""
    from PIL import Image

    from diffusion_core import data

    paths = []
    for i, name in enumerate(("camera", "astronaut")):
        paths.append(str(tmp_path / f"u{i}.png"))
        Image.fromarray(data.to_display(data.load_photo(name, 64, gray=True))).save(paths[-1])
    v = ui.make_view(size=16, basis="pca", r=1.0, denoiser="empirical", frames=3)
    with pytest.raises(InputError, match="got 169 images for 256 components"):
        ui.basis_forward(v, uploads=paths[:1])
    r = ui.component_schedule(v, uploads=paths)
    assert "338 patches of 2 uploaded image(s)" in r.explanation
    setup = build(v, paths)
    assert torch.allclose(setup.basis.eigenvalues[:5] * 337 / 338, setup.space.variances[:5], rtol=1e-6)
    assert len(ui.basis_reverse(v, uploads=paths).frames) == 3


def test_reverse_default_step_rule_is_fast_and_accurate_is_one_choice_away():
    """Issue 12 item 7: the default was 8 x slope (>= 200, up to ~1,000 steps, about a minute)."""
    import time

    from diffusion_core.app.bases.handlers import basis_reverse
    from diffusion_core.gud.process import fast_steps, recommended_steps, steps_for_rule
    from diffusion_core.gud.setup import BasesView, build

    s = build(BasesView(a=30.0)).schedule
    assert steps_for_rule(s, 0) == fast_steps(s) == 250 and steps_for_rule(s, -1) == recommended_steps(s) == 1000
    assert steps_for_rule(s, 321) == 321
    t = time.perf_counter()
    r = basis_reverse(BasesView(frames=3))
    assert "50 steps" in r.captions[-1]
    assert time.perf_counter() - t < 30  # ~1 s unloaded; generous for a busy CI machine
