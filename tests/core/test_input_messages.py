"""Issue 26, messages name the real problem: a tiny image is too small, a huge header too large (not
"truncated or corrupt"); custom λ text that is not t:lam says so (not "got 1" control point); a typed seed
of 2.5 and an image_seq_len of 4096.5 are refused by the view instead of rounded by the box."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from diffusion_core.noise.custom import parse_points
from diffusion_core.uploads import read_image_file
from diffusion_core.validation import InputError

APP = Path(__file__).resolve().parents[2] / "diffusion_core" / "app"


def _png_header(path: Path, w: int, h: int) -> None:
    """A PNG whose IHDR announces w x h (8-bit gray) with a tiny, valid-looking IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_small_png_is_too_small_not_corrupt(tmp_path):
    p = tmp_path / "tiny.png"
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(p)
    with pytest.raises(InputError) as e:
        read_image_file(str(p))
    assert str(e.value) == "image is 4x4 pixels; need at least 8x8"


def test_huge_header_is_too_large_not_corrupt(tmp_path):
    p = tmp_path / "bomb.png"
    _png_header(p, 60000, 60000)
    with pytest.raises(InputError) as e:
        read_image_file(str(p))
    msg = str(e.value)
    assert msg.startswith("image is 60000x60000 = 3600 MP; the limit is 40 MP") and "corrupt" not in msg


@pytest.mark.parametrize("text", ["nonsense", "abc, def", "0:6 1:-5"])
def test_custom_points_not_pairs_say_so(text):
    with pytest.raises(InputError) as e:
        parse_points(text)
    msg = str(e.value)
    assert "is not t:lam" in msg and "got 1" not in msg


def test_one_point_still_counts():
    with pytest.raises(InputError, match="got 1"):
        parse_points("0:6")


def test_number_boxes_do_not_round_typed_values():
    """gr.Number(precision=0) rounds 2.5 to 2 before the view sees it: the boxes leave rounding to nobody."""
    hits = [
        f"{py.relative_to(APP)}: {m.group(0)[:60]}"
        for py in APP.rglob("*.py")
        for m in re.finditer(r"gr\.Number\([^)]*precision=0[^)]*\)", py.read_text())
    ]
    assert hits == []


def test_views_refuse_fractional_seed_and_seq_len():
    from diffusion_core.app.samplers.view import SamplersView
    from diffusion_core.app.schedules.view import SchedulesView
    from diffusion_core.app.widgets.views import from_controls

    with pytest.raises(InputError, match=r"seed must be an integer, got 2\.5"):
        from_controls(SamplersView, {"seed": 2.5})
    with pytest.raises(InputError, match=r"image_seq_len must be an integer, got 4096\.5"):
        from_controls(SchedulesView, {"flux_image_seq_len": 4096.5})
    assert from_controls(SamplersView, {"seed": 3.0}).seed == 3
