"""The Spectrum tab's handlers called as plain functions, presets (the `difflab spectrum` contract:
tests/cli/test_spectrum_cli.py)."""

import math

import numpy as np
import pytest

from diffusion_core import presets
from diffusion_core.app.spectrum.handlers import SpectrumView, sigma_label, spectrum_csv, spectrum_view
from diffusion_core.validation import InputError


def test_handler_numbers_and_figures():
    r = spectrum_view(SpectrumView(photo="camera", size=128, lam=0.0))
    assert r.noisy_image.shape == (128, 128) and r.noisy_image.dtype == np.uint8
    assert 1.5 < r.numbers["beta"] < 3.5
    assert r.numbers["noise_floor"] == pytest.approx(1.0)
    total = r.numbers["resolved"] + r.numbers["ambiguous"] + r.numbers["destroyed"]
    assert total == 64
    names = [t.name for t in r.psd.data]
    assert names[:3] == ["clean", "noisy", "noise floor e^-λ"]
    assert f"{r.numbers['beta']:.2f}" in r.explanation
    # more noise -> fewer resolved rings, lower crossing frequency
    r2 = spectrum_view(SpectrumView(photo="camera", size=128, lam=-4.0))
    assert r2.numbers["crossing_frequency"] < r.numbers["crossing_frequency"]
    assert r2.numbers["resolved"] <= r.numbers["resolved"]


def test_dataset_mode_and_fields():
    r = spectrum_view(SpectrumView(source="dataset", dataset="digits", lam=1.0))
    assert r.noisy_image.shape == (32, 32)  # 4x4 mosaic of 8x8 digits
    assert "1797 images" in r.explanation
    f = spectrum_view(SpectrumView(source="field", beta=2.0, size=256))
    assert abs(f.numbers["beta"] - 2.0) < 0.1


def test_same_seed_same_pixels():
    a = spectrum_view(SpectrumView(lam=0.5, seed=3, size=64)).noisy_image
    b = spectrum_view(SpectrumView(lam=0.5, seed=3, size=64)).noisy_image
    c = spectrum_view(SpectrumView(lam=0.5, seed=4, size=64)).noisy_image
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs,msg",
    [
        ({"lam": math.nan}, "logSNR must be a finite number"),
        ({"lam": 50.0}, r"logSNR must be in \[-20, 20\]"),
        ({"tau_lo": 5.0, "tau_hi": 2.0}, "tau_lo"),
        ({"size": 100}, "size must be one of"),
        ({"photo": "../etc/passwd"}, "unknown photo"),
    ],
)
def test_bad_slider_values(kwargs, msg):
    with pytest.raises(InputError, match=msg):
        SpectrumView(**kwargs)


def test_upload_without_file_is_explained():
    with pytest.raises(InputError, match="no file"):
        spectrum_view(SpectrumView(source="upload"), None)


def test_csv_export(tmp_path):
    path = spectrum_csv(SpectrumView(photo="camera", size=64, lam=2.0))
    lines = open(path).read().splitlines()
    assert lines[0].startswith("freq_cycles_per_pixel,psd_clean,bins_in_ring")
    assert len(lines) == 33
    assert float(lines[1].split(",")[3]) == pytest.approx(math.exp(-2.0))


@pytest.mark.slow
def test_figure_export_png_and_svg():
    from diffusion_core.app.spectrum.handlers import spectrum_figures

    paths = spectrum_figures(SpectrumView(photo="camera", size=64))
    assert len(paths) == 6
    png = [p for p in paths if p.endswith(".png")][0]
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    svg = open([p for p in paths if p.endswith(".svg")][0]).read()
    assert "<svg" in svg and "Radially averaged power spectrum" in svg


def test_sigma_label():
    assert "**1**" in sigma_label(0.0) and "0.7071" in sigma_label(0.0)


def test_preset_roundtrip_file_and_link():
    v = SpectrumView(source="field", beta=2.5, lam=-1.25, tau_hi=20.0, window=True, size=128)
    assert presets.load_preset(presets.dump_preset(v), SpectrumView, text=True) == v
    assert presets.from_query(presets.to_query(v), SpectrumView) == v


@pytest.mark.parametrize(
    "text,msg",
    [
        ("lam = 1.0\nfoo = 2\n", "unknown preset key"),
        ('lam = "high"\n', "must be float"),
        ("size = 100\n", "size must be one of"),
        ("lam = [\n", "not valid TOML"),
    ],
)
def test_bad_presets(text, msg):
    with pytest.raises(InputError, match=msg):
        presets.load_preset(text, SpectrumView, text=True)


def test_preset_path_tricks_refused():
    for p in ["../../etc/passwd.toml", "/etc/hosts", "x.txt"]:
        with pytest.raises(InputError):
            presets.resolve_preset_path(p)


def test_shipped_spectrum_presets_load():
    from pathlib import Path

    files = sorted((presets.PRESET_ROOT / "spectrum").glob("*.toml"))
    assert files
    for f in files:
        presets.load_preset(Path("spectrum") / f.name, SpectrumView)


def test_view_io_restores_a_view_from_a_link_and_a_file(tmp_path):
    from types import SimpleNamespace

    from diffusion_core.app.spectrum.layout import IO

    req = SimpleNamespace(query_params={"tab": "spectrum", "photo": "camera", "lam": "-1.5", "size": "128"})
    values = IO.load_link(req)
    assert values[1] == "camera" and values[5] == 128 and values[6] == -1.5
    other = IO.load_link(SimpleNamespace(query_params={"tab": "bases", "photo": "camera"}))
    assert len(other) == len(values) and all(isinstance(v, dict) for v in other)  # gr.update(): unchanged
    path, link = IO.save("photo", "moon", "photos", 2.0, 0, 64, 2.0, 0.1, 10.0, False, request=None)
    assert link.endswith("?tab=spectrum&" + presets.to_query(SpectrumView(photo="moon", size=64, lam=2.0)))
    assert presets.load_uploaded_preset(path, SpectrumView) == SpectrumView(photo="moon", size=64, lam=2.0)
    f = tmp_path / "v.toml"
    f.write_text(presets.dump_preset(SpectrumView(photo="moon", lam=2.0)))
    assert IO.load_file(str(f))[1] == "moon"
    with pytest.raises(InputError, match="unknown preset key"):
        g = tmp_path / "bad.toml"
        g.write_text("lam = 1.0\nbogus = 2\n")
        IO.load_file(str(g))
