"""Offline data sources, and upload validation: valid-but-unusual files are read faithfully,
bad ones get one line that says what to fix."""

import struct
import zlib

import numpy as np
import png
import pytest
import tifffile
import torch
from PIL import Image

from diffusion_core import data
from diffusion_core.uploads import read_image_file
from diffusion_core.validation import InputError


def test_every_listed_photo_loads_offline_in_range():
    for name in data.PHOTOS:
        x = data.load_photo(name, 64, gray=False)
        assert x.shape == (1, 3, 64, 64) and x.dtype == torch.float32
        assert -1.0 <= x.min() and x.max() <= 1.0


def test_digits_and_fields():
    d = data.load_digits()
    assert d.shape == (1797, 1, 8, 8) and d.min() == -1.0 and d.max() == 1.0
    g = torch.Generator().manual_seed(0)
    f = data.gaussian_field(2.0, 64, 64, g)
    assert abs(f.var().item() - 0.25) < 0.02
    assert data.power_law_variance(64, 2.0)[0, 0] == 0.0
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(data.gaussian_field(1.0, 16, 2, g1), data.gaussian_field(1.0, 16, 2, g2))


def test_crop_and_resize_is_antialiased():
    x = torch.ones(1, 1, 40, 60)
    x[..., ::2] = -1.0  # Nyquist stripes
    y = data.center_crop_resize(x, 8)
    assert y.shape == (1, 1, 8, 8) and y.abs().max() < 0.2  # averaged away, not aliased


# ---------------------------------------------------------------------------------------------
# Valid but unusual


def _png16(path, a):
    planes = 1 if a.ndim == 2 else a.shape[-1]
    mode = {1: "L;16", 3: "RGB;16", 4: "RGBA;16"}[planes]
    png.from_array(a.reshape(a.shape[0], -1), mode).save(str(path))


def test_16bit_gray_and_rgb_png_read_at_full_precision(tmp_path):
    rng = np.random.default_rng(0)
    for shape in [(16, 16), (16, 16, 3)]:
        a = rng.integers(0, 65536, size=shape, dtype=np.uint16)
        a.flat[0] = 257 * 100 + 1  # not representable in 8 bits
        p = tmp_path / f"x{len(shape)}.png"
        _png16(p, a)
        px = read_image_file(str(p)).pixels
        expected = 2 * (a.astype(np.float64) / 65535) - 1
        np.testing.assert_allclose(px.reshape(expected.shape), expected, atol=1e-6)


def test_16bit_tiff_full_precision(tmp_path):
    a = np.random.default_rng(1).integers(0, 65536, size=(12, 12, 3), dtype=np.uint16)
    p = tmp_path / "x.tif"
    tifffile.imwrite(p, a)
    np.testing.assert_allclose(read_image_file(str(p)).pixels, 2 * (a / 65535) - 1, atol=1e-6)


def test_rgba_composited_over_white(tmp_path):
    a = np.zeros((8, 8, 4), np.uint8)
    a[..., 0] = 255  # red
    a[:4, :, 3] = 255  # top opaque, bottom transparent
    p = tmp_path / "rgba.png"
    Image.fromarray(a, "RGBA").save(p)
    f = read_image_file(str(p))
    np.testing.assert_allclose(f.pixels[0, 0], [1, -1, -1], atol=1e-6)
    np.testing.assert_allclose(f.pixels[7, 0], [1, 1, 1], atol=1e-6)
    assert any("white" in n for n in f.notes)


def test_cmyk_jpeg_converted(tmp_path):
    p = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(p)  # pure red in CMYK
    f = read_image_file(str(p))
    assert f.pixels.shape == (16, 16, 3)
    assert f.pixels[8, 8, 0] > 0.9 and f.pixels[8, 8, 1] < -0.8
    assert any("CMYK" in n for n in f.notes)


def test_exif_rotation_applied(tmp_path):
    p = tmp_path / "rot.jpg"
    im = Image.new("L", (32, 16), 0)
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    im.save(p, exif=exif)
    assert read_image_file(str(p)).pixels.shape[:2] == (32, 16)


def test_animated_gif_uses_first_frame(tmp_path):
    p = tmp_path / "anim.gif"
    frames = [Image.new("L", (16, 16), v) for v in (0, 128, 255)]
    frames[0].save(p, save_all=True, append_images=frames[1:])
    f = read_image_file(str(p))
    assert f.pixels.max() == pytest.approx(-1.0) and "frame 1 of 3" in f.notes[0]


def test_npy_batches_and_ranges(tmp_path):
    p = tmp_path / "b.npy"
    np.save(p, np.random.default_rng(0).uniform(-1, 1, (3, 1, 16, 16)).astype(np.float32))
    x = data.load_upload(str(p), 16)
    assert x.shape == (3, 1, 16, 16)


# ---------------------------------------------------------------------------------------------
# Bad input: one line that says what to fix


def _huge_png_header(path, w=20000, h=20000):
    """A PNG whose header claims w x h; decoding it would need gigabytes."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))  # noqa: E731
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    )


def _truncated_png(path):
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)).save(path)
    b = path.read_bytes()
    path.write_bytes(b[: len(b) // 2])


CASES = {
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "truncated": (_truncated_png, "truncated or corrupt"),
    "one_pixel": (lambda p: Image.new("L", (1, 1)).save(p), "at least 8x8"),
    "huge": (_huge_png_header, "limit is 40 MP"),
    "text_as_png": (lambda p: p.write_text("hello, not an image"), "not an image"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_image_files(tmp_path, case):
    make, message = CASES[case]
    p = tmp_path / f"{case}.png"
    make(p)
    with pytest.raises(InputError, match=message) as e:
        data.load_upload(str(p), 64)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_npy_with_nan_or_inf(tmp_path, bad):
    a = np.zeros((16, 16), np.float32)
    a[3, 4] = bad
    p = tmp_path / "bad.npy"
    np.save(p, a)
    with pytest.raises(InputError, match="1 NaN/inf"):
        data.load_upload(str(p), 16)


def test_npy_out_of_range_and_pickles(tmp_path):
    p = tmp_path / "range.npy"
    np.save(p, np.full((16, 16), 7.0))
    with pytest.raises(InputError, match=r"scale them to \[-1, 1\]"):
        data.load_upload(str(p), 16)
    q = tmp_path / "obj.npy"
    np.save(q, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="unpickling"):
        data.load_upload(str(q), 16)


def test_huge_png_is_rejected_before_decoding(tmp_path, monkeypatch):
    p = tmp_path / "huge.png"
    _huge_png_header(p)
    from PIL import ImageFile

    def boom(*a, **k):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", boom)
    with pytest.raises(InputError, match="20000x20000"):
        read_image_file(str(p))


def test_bad_parameters():
    with pytest.raises(InputError, match="size"):
        data.load_photo("camera", 4)
    with pytest.raises(InputError, match="unknown photo"):
        data.load_photo("eagle", 64)
    with pytest.raises(InputError, match="field:BETA"):
        data.image_from_arg("field:x", 32)
