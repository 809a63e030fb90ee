"""Sizes checked before allocation (issue 12 item 5): every loader of user files reads the size its
header announces and refuses before decoding, in the app and the CLI alike."""

import json

import numpy as np
import pytest
from numpy.lib import format as npf
from PIL import Image

from diffusion_core import data, uploads
from diffusion_core.app.spectrum import handlers as spectrum
from diffusion_core.cli.main import main
from diffusion_core.validation import InputError


def _npy_header_only(path, shape, descr="<f4", pad=1000):
    """An NPY file whose header claims `shape` but which holds only `pad` bytes of data."""
    with open(path, "wb") as fh:
        npf.write_array_header_1_0(fh, {"descr": descr, "fortran_order": False, "shape": shape})
        fh.write(b"\0" * pad)


def forbid_decoding(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("data was read before the header check")

    monkeypatch.setattr(np, "load", boom)
    monkeypatch.setattr(Image.Image, "load", boom)
    import png
    import tifffile

    monkeypatch.setattr(tifffile, "imread", boom)
    monkeypatch.setattr(png.Reader, "asDirect", boom)


@pytest.mark.parametrize(
    "shape,msg",
    [
        ((144_000, 144_000), "144000x144000 = 20736 MP; the limit is 40 MP"),  # 83 GB of float32
        ((100_000, 1, 256, 256), "6554 M values; the limit is 160 M"),
        ((64, 64), r"announces 16,384 bytes of data but the file holds 1,000"),  # truncated
        ((0, 64), r"has shape \(0, 64\)"),
    ],
)
def test_npy_header_checked_before_allocation(tmp_path, monkeypatch, shape, msg):
    p = tmp_path / "claims.npy"
    _npy_header_only(p, shape)
    forbid_decoding(monkeypatch)
    with pytest.raises(InputError, match=msg) as e:
        uploads.read_image_file(str(p))
    assert "\n" not in str(e.value)


def test_npy_object_dtype_refused_from_the_header(tmp_path, monkeypatch):
    p = tmp_path / "obj.npy"
    _npy_header_only(p, (8, 8), descr="|O")
    forbid_decoding(monkeypatch)
    with pytest.raises(InputError, match="unpickling"):
        uploads.read_image_file(str(p))


@pytest.mark.parametrize(
    "fmt,mode", [("png", "L"), ("png", "I;16"), ("tiff", "L"), ("gif", "L"), ("webp", "RGB"), ("jpeg", "RGB")]
)
def test_every_image_format_checks_pixels_from_the_header(tmp_path, monkeypatch, fmt, mode):
    p = tmp_path / f"img.{fmt}"
    Image.new(mode, (40, 30)).save(p) if mode != "I;16" else Image.fromarray(np.zeros((30, 40), np.uint16)).save(p)
    forbid_decoding(monkeypatch)
    monkeypatch.setattr(uploads, "MAX_PIXELS", 1000)
    with pytest.raises(InputError, match="image is 40x30 = 0 MP"):
        uploads.read_image_file(str(p))


def test_app_handler_reports_one_line(tmp_path):
    p = tmp_path / "claims.npy"
    _npy_header_only(p, (144_000, 144_000))
    with pytest.raises(InputError, match="limit is 40 MP"):
        spectrum.spectrum_view(spectrum.SpectrumView(source="upload"), str(p))


def test_cli_reports_one_line_not_a_traceback(tmp_path, capsys):
    p = tmp_path / "claims.npy"
    _npy_header_only(p, (144_000, 144_000))
    code = main(["spectrum", str(p), "--json"])  # in-process: an exception would propagate here
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and "MemoryError" not in err
    assert err.strip().count("\n") == 0 and "limit is 40 MP" in err


def test_honest_npy_still_loads(tmp_path):
    p = tmp_path / "ok.npy"
    np.save(p, np.linspace(0, 1, 16 * 24, dtype=np.float32).reshape(16, 24))
    assert data.load_upload(str(p), 16).shape == (1, 1, 16, 16)
    np.save(p, np.zeros((3, 1, 16, 16), np.uint8))
    assert data.load_upload(str(p), 16).shape == (3, 1, 16, 16)
    assert json.dumps(uploads.check_npy_header(str(p))[0]) == "[3, 1, 16, 16]"
