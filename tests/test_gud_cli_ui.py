"""`difflab component-schedule` / `basis-forward`, the Bases-tab handlers, presets and the extension demo."""
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from diffusion_core.cli.main import main
from diffusion_core.gud.extension import ExtensionView, extend
from diffusion_core.gud.setup import BasesView, build
from diffusion_core.presets import PRESET_ROOT, dump_preset, load_preset
from diffusion_core.app.bases import handlers as ui
from diffusion_core.validation import InputError


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr()


def test_component_schedule_json_and_csv(capsys, tmp_path):
    code, out = run(capsys, "component-schedule", "--basis", "pixel", "--ordering", "column", "--a", "12",
                    "--times", "5", "--out", str(tmp_path / "t.csv"), "--json")
    assert code == 0
    res = json.loads(out.out)
    assert res["components"] == 64 and res["times"] == [0, 0.25, 0.5, 0.75, 1.0]
    assert res["overlap_fraction"] == 0.0 and res["threshold_a"] == pytest.approx(10.0)   # 8 columns, dl = 1
    assert res["slope"] == pytest.approx(10 + 12 * 7)
    assert len(res["gamma"]) == 5 and len(res["gamma"][0]) == 64
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert len(rows) == 65 and rows[0].startswith("component,label,variance,window_start,window_end")


def test_custom_ordering_centre_out(capsys):
    """Custom labels |column - 3.5| (per pixel position): the two centre columns are generated first."""
    labels = ",".join(str(abs(c - 3.5)) for r in range(8) for c in range(8))
    code, out = run(capsys, "component-schedule", "--basis", "pixel", "--ordering", "custom", "--custom-labels", labels,
                    "--a", "10", "--json")
    res = json.loads(out.out)
    assert code == 0 and res["slope"] == pytest.approx(10 + 10 * 3) and res["overlap_fraction"] == 0.0
    start = res["window_start"]
    assert start[3] == start[4] == max(start)                                 # centre columns noised last
    code, out = run(capsys, "component-schedule", "--ordering", "custom", "--custom-labels", "1,2,3")
    assert code == 2 and "needs 64 labels (one per component) or 64 (one per pixel position), got 3" in out.err


def test_component_schedule_preset_and_override(capsys):
    code, out = run(capsys, "component-schedule", "--preset", "bases/autoregressive_columns.toml", "--a", "4", "--json")
    res = json.loads(out.out)
    assert code == 0 and res["slope"] == pytest.approx(10 + 4 * 7) and 0 < res["overlap_fraction"] < 1


def test_basis_forward_frames_and_gif(capsys, tmp_path):
    code, out = run(capsys, "basis-forward", "--basis", "wavelet", "--levels", "2", "--frames", "4",
                    "--out", str(tmp_path / "f"), "--json")
    res = json.loads(out.out)
    assert code == 0 and len(res["files"]) == 4 and all(Path(f).is_file() for f in res["files"])
    assert res["active_counts"][0] == 0 and res["active_counts"][-1] == 0
    code, out = run(capsys, "basis-forward", "--reverse", "--basis", "pca", "--r", "1", "--denoiser", "empirical",
                    "--frames", "3", "--out", str(tmp_path / "r.gif"), "--json")
    assert code == 0 and Path(json.loads(out.out)["files"][0]).stat().st_size > 0


@pytest.mark.parametrize("argv, msg", [
    (["component-schedule", "--basis", "haar"], "unknown basis 'haar'"),
    (["component-schedule", "--ordering", "zigzag"], "unknown ordering 'zigzag'"),
    (["component-schedule", "--a", "-1"], "a must be in [0, 10000], got -1"),
    (["component-schedule", "--basis", "fourier", "--ordering", "column"], "does not apply to basis 'fourier'"),
    (["component-schedule", "--image", "camera", "--size", "24", "--basis", "wavelet", "--levels", "4"],
     "needs image sizes divisible by 16, got 24x24"),
    (["component-schedule", "--image", "camera", "--size", "40", "--basis", "pca"], "PCA is limited to 1024 components"),
    (["basis-forward", "--out", "x.txt"], "--out must be a folder, a .gif or a .mp4 file"),
    (["component-schedule", "--preset", "../../etc/passwd.toml"], "preset must be inside"),
    (["component-schedule", "--seed", "-3"], "seed must be in [0, 2.14748e+09], got -3"),
    (["component-schedule", "--image", "digit:2000"], "digit index must be in [0, 1796], got 2000"),
    (["component-schedule", "--image", "digit:5", "--size", "16"], "digits are 8x8 gray"),
    (["component-schedule", "--gamma-denoise", "4", "--gamma-noise", "3"], "gamma_noise must be greater than gamma_denoise"),
    (["basis-forward", "--reverse", "--steps", "5", "--out", "/tmp/x.gif"], "steps must be at least"),
])
def test_cli_bad_input_exit_2(capsys, argv, msg):
    code, out = run(capsys, *argv)
    assert code == 2 and msg in out.err and len(out.err.strip().splitlines()) == 1


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
    r = ui.component_schedule(v, t=0.45)                                 # column l = 4: [36/94, 46/94]
    assert r.numbers["overlap_fraction"] == 0 and r.numbers["threshold_a"] == pytest.approx(10.0)
    assert r.numbers["active_at_t"] == 8                                  # one column of 8 pixels
    assert "autoregressive" in r.explanation and "**8** of 64" in r.explanation
    f = ui.basis_forward(dataclasses.replace(v, frames=5))
    assert len(f.frames) == 5 and f.frames[0].dtype == np.uint8 and f.frames[0].shape[2] == 3
    assert ui.prior_strip(v).shape == (96, 768)                          # 8 draws of 8x8, upscaled x12
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
    assert img.shape == (4 * 18, 3 * 18) and "wavelet column" in caption    # rows of 16 px + 2 px gaps


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
    assert time.perf_counter() - t < 30                       # ~1 s unloaded; generous for a busy CI machine
