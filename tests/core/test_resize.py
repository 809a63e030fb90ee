"""The two resamplers (data.RESIZES) on images whose answer is known, and `--resize` on `spectrum` / `bounds`.

prefilter: scikit-image's resize (Gaussian prefilter sigma = (scale - 1) / 2, linear interpolation);
box: the mean over each output pixel's footprint (torch's `area` mode).
"""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from diffusion_core import data
from diffusion_core.cli.main import main
from diffusion_core.validation import InputError

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def checkerboard(side: int, amplitude: float = 0.5) -> torch.Tensor:
    """(-1)^(i + j) * amplitude, [1, 1, side, side]: all its power at the Nyquist corner (1/2, 1/2)."""
    i = torch.arange(side)
    return (amplitude * (1 - 2 * ((i[:, None] + i[None, :]) % 2))).to(torch.float32)[None, None]


@pytest.mark.parametrize("resize", data.RESIZES)
@pytest.mark.parametrize("size", [16, 24, 32, 48, 128])
def test_a_constant_image_keeps_its_value(resize, size):
    x = torch.full((1, 1, 64, 64), 0.3)
    y = data.center_crop_resize(x, size, resize)
    assert y.shape == (1, 1, size, size)
    assert torch.allclose(y, torch.full_like(y, 0.3), atol=1e-7)


@pytest.mark.parametrize("size", [32, 16, 48])
def test_the_box_mean_removes_the_nyquist_checkerboard_exactly(size):
    """Each output footprint (2x2, 4x4, or the 2-pixel windows of 64 -> 48) holds as many +a as -a pixels."""
    y = data.center_crop_resize(checkerboard(64), size, "box")
    assert float(y.abs().max()) == 0.0


def test_the_prefilter_aliases_the_checkerboard_at_a_non_integer_factor():
    """64 -> 48: sigma = 1/6 (a kernel of ~1 pixel), and linear interpolation at input positions (8i + 1) / 6
    (fractions 1/6, 1/2, 5/6) scales the alternating signal by |1 - 2 frac| = 2/3, 0, 2/3 per axis: the largest
    output is a * (2/3)^2 = 2/9 for a = 1/2, an alias the box mean does not have."""
    y = data.center_crop_resize(checkerboard(64), 48, "prefilter")
    assert float(y.abs().max()) == pytest.approx(2 / 9, abs=1e-6)


def test_at_a_factor_two_both_resamplers_remove_the_checkerboard():
    """At 2x the prefilter's output pixels sit halfway between input pixels, so its linear interpolation
    averages +a and -a: the two differ below Nyquist (the top octave), not at it."""
    for resize in data.RESIZES:
        assert float(data.center_crop_resize(checkerboard(64), 32, resize).abs().max()) < 1e-7


def test_the_box_mean_is_the_2x2_block_mean_at_a_factor_two():
    x = torch.rand((1, 1, 64, 64), generator=torch.Generator().manual_seed(0)) * 2 - 1
    want = x.reshape(1, 1, 32, 2, 32, 2).mean(dim=(3, 5))
    assert torch.allclose(data.center_crop_resize(x, 32, "box"), want, atol=1e-6)


def test_an_unknown_resampler_is_one_line():
    with pytest.raises(InputError, match="unknown resize .bicubic.; choose one of: prefilter, box"):
        data.center_crop_resize(torch.zeros(1, 1, 16, 16), 8, "bicubic")


def difflab(capsys, *args: str) -> SimpleNamespace:
    code = main(list(args))
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


def test_cli_bounds_and_spectrum_name_the_resampler_and_match_the_benchmark(capsys):
    """`--resize box` gives the numbers benchmarks/spectral.json records under `box`; the default is prefilter."""
    bench = json.loads((BENCH / "spectral.json").read_text())
    for resize, entry in (("prefilter", bench), ("box", bench["box"])):
        b = json.loads(difflab(capsys, "bounds", "camera", "--resize", resize, "--json").stdout)
        s = json.loads(difflab(capsys, "spectrum", "camera", "--resize", resize, "--json").stdout)
        assert b["resize"] == s["resize"] == resize
        assert b["sigma_min"] == pytest.approx(entry["bounds"]["camera"]["sigma_min"], rel=1e-9)
        assert s["beta"] == pytest.approx(entry["beta"]["camera"], rel=1e-9)
    default = json.loads(difflab(capsys, "bounds", "camera", "--json").stdout)
    assert default["resize"] == "prefilter"
    assert default["sigma_min"] == pytest.approx(bench["bounds"]["camera"]["sigma_min"], rel=1e-9)


def test_cli_bad_resize_is_one_line(capsys):
    r = difflab(capsys, "bounds", "camera", "--resize", "bicubic")
    assert r.returncode == 2
    assert (
        "unknown --resize 'bicubic'; choose one of: prefilter, box" in r.stderr
        and len(r.stderr.strip().splitlines()) == 1
    )
