"""Read and validate user image files. Unusual but valid input is read faithfully (16-bit PNG and
TIFF at full precision, RGBA composited over white, CMYK converted, EXIF rotation applied, the first
frame of an animation); bad input raises InputError with one line saying what to fix.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np
import png
import tifffile
from numpy.lib import format as npf
from PIL import Image, ImageOps, UnidentifiedImageError

from .validation import InputError, MissingInput

MAX_FILE_BYTES = 100 * 2**20
MAX_PIXELS = 40_000_000  # about 6300 x 6300; checked from the header, before decoding
MIN_SIDE = 8
NPY_MAGIC = b"\x93NUMPY"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
KINDS = "PNG, JPEG, TIFF, WebP, GIF or NPY"


@dataclass
class ImageFile:
    pixels: np.ndarray  # float32 in [-1, 1], [H, W, C] or [B, H, W, C], C in {1, 3}
    notes: list[str] = field(default_factory=list)


def _check_path(path: str) -> bytes:
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise MissingInput(f"no file given: choose an image file ({KINDS})")
    if not os.path.isfile(path):
        raise InputError(f"file not found: {os.fspath(path)}")
    n = os.path.getsize(path)
    if n == 0:
        raise InputError("the file is empty (0 bytes): choose another image")
    if n > MAX_FILE_BYTES:
        raise InputError(f"the file is {n / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB: downscale it")
    with open(path, "rb") as fh:
        return fh.read(32)


def _check_dims(w: int, h: int) -> None:
    if w * h > MAX_PIXELS:
        raise InputError(
            f"image is {w}x{h} = {w * h / 1e6:.0f} MP; the limit is {MAX_PIXELS / 1e6:.0f} MP: downscale it first"
        )
    if min(w, h) < MIN_SIDE:
        raise InputError(f"image is {w}x{h} pixels; need at least {MIN_SIDE}x{MIN_SIDE}")


def _to_channels(a: np.ndarray, alpha_last: bool) -> np.ndarray:
    """[H, W] or [H, W, C] in [0, 1] -> [H, W, 1|3]; alpha (last channel) composited over white."""
    if a.ndim == 2:
        return a[..., None]
    if alpha_last:
        rgb, alpha = a[..., :-1], a[..., -1:]
        a = rgb * alpha + (1.0 - alpha)
    return a[..., :3] if a.shape[-1] >= 3 else a[..., :1]


def _unit(a: np.ndarray) -> np.ndarray:
    """Integer or [0, 1]-float array -> float64 in [0, 1]."""
    if np.issubdtype(a.dtype, np.integer):
        return a.astype(np.float64) / float(np.iinfo(a.dtype).max)
    return a.astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Formats


def _npy_hw(shape: tuple[int, ...]) -> tuple[int, int]:
    """(H, W) of an array laid out [H, W], [H, W, C], [C, H, W] or [B, C, H, W] / [B, H, W, C]."""
    if len(shape) == 3 and shape[0] in (1, 3, 4) and shape[-1] not in (1, 3, 4):
        return shape[1], shape[2]
    if len(shape) == 4 and shape[1] in (1, 3, 4):
        return shape[2], shape[3]
    return (shape[-3], shape[-2]) if len(shape) >= 3 else (shape[0], shape[1])


def check_npy_header(path: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from an NPY header, checked before any data is read: a plain numeric dtype, a
    supported layout, at most MAX_PIXELS per image, and exactly the bytes the header announces."""
    try:
        with open(path, "rb") as fh:
            version = npf.read_magic(fh)
            read = {(1, 0): npf.read_array_header_1_0, (2, 0): npf.read_array_header_2_0}.get(version)
            if read is None:
                raise InputError(f"NPY format version {version} is not supported; save with numpy.save")
            shape, _, dtype = read(fh, max_header_size=10_000)
            offset = fh.tell()
    except InputError:
        raise
    except (ValueError, OSError, EOFError, SyntaxError) as e:
        raise InputError(
            f"NPY header is corrupt ({str(e).splitlines()[0][:80]}); save it again with numpy.save"
        ) from None
    if dtype.hasobject:
        raise InputError(
            "NPY array holds Python objects, which reading would need unpickling for; save a plain numeric array"
        )
    if not (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating) or dtype == np.bool_):
        raise InputError(f"NPY array has dtype {dtype}; save integers or floats")
    if len(shape) not in (2, 3, 4) or min(shape) < 1:
        raise InputError(f"NPY array has shape {shape}; use [H, W], [H, W, C], [C, H, W] or [B, C, H, W]")
    h, w = _npy_hw(tuple(int(n) for n in shape))
    _check_dims(int(w), int(h))
    values = math.prod(int(n) for n in shape)
    if values > 4 * MAX_PIXELS:
        raise InputError(
            f"NPY array holds {values / 1e6:.0f} M values; the limit is {4 * MAX_PIXELS / 1e6:.0f} M: "
            "send fewer or smaller images"
        )
    declared, held = values * dtype.itemsize, os.path.getsize(path) - offset
    if declared != held:
        raise InputError(
            f"NPY header announces {declared:,} bytes of data but the file holds {held:,}: "
            "the file is truncated or corrupt; save it again with numpy.save"
        )
    return tuple(shape), dtype


def _read_npy(path: str) -> ImageFile:
    check_npy_header(path)
    try:
        a = np.load(path, allow_pickle=False)
    except ValueError as e:
        raise InputError(f"NPY file could not be read without unpickling ({e}); save a plain numeric array") from None
    except (OSError, EOFError) as e:
        raise InputError(f"NPY file is truncated or corrupt ({e}); save it again with numpy.save") from None
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating) or a.dtype == np.bool_):
        raise InputError(f"NPY array has dtype {a.dtype}; save integers or floats")
    if a.ndim not in (2, 3, 4):
        raise InputError(f"NPY array has shape {a.shape}; use [H, W], [H, W, C], [C, H, W] or [B, C, H, W]")
    bad = int(np.size(a) - np.isfinite(a).sum()) if np.issubdtype(a.dtype, np.floating) else 0
    if bad:
        raise InputError(f"NPY array holds {bad} NaN/inf values; replace them with finite numbers")
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # [C, H, W] -> [H, W, C]
    if a.ndim == 4 and a.shape[1] in (1, 3, 4):
        a = np.moveaxis(a, 1, -1)  # [B, C, H, W] -> [B, H, W, C]
    h, w = a.shape[-3:-1] if a.ndim >= 3 else a.shape
    _check_dims(int(w), int(h))
    notes: list[str] = []
    if np.issubdtype(a.dtype, np.integer) and a.min() < 0:
        raise InputError("NPY integers must be non-negative (uint8/uint16 pixel values)")
    if np.issubdtype(a.dtype, np.floating):
        lo, hi = float(a.min()), float(a.max())
        if lo >= 0.0 and hi <= 1.0:
            notes.append("NPY floats in [0, 1] mapped to [-1, 1]")
        elif lo >= -1.0 and hi <= 1.0:
            a = (a + 1.0) / 2.0
        else:
            raise InputError(f"NPY floats span [{lo:.3g}, {hi:.3g}]; scale them to [-1, 1] or [0, 1]")
    u = _unit(a)
    if u.ndim == 4:
        u = np.stack([_to_channels(f, f.shape[-1] in (2, 4)) for f in u])
    elif u.ndim == 3 and u.shape[-1] in (1, 2, 3, 4):
        u = _to_channels(u, u.shape[-1] in (2, 4))
    else:
        u = u[..., None] if u.ndim == 2 else u
    return ImageFile((2.0 * u - 1.0).astype(np.float32), notes)


def _read_png16(path: str) -> np.ndarray:
    """16-bit PNG at full precision via pypng (Pillow drops RGB to 8 bits)."""
    w, h, rows, info = png.Reader(filename=path).asDirect()
    a = np.vstack([np.asarray(r, dtype=np.uint16) for r in rows]).reshape(h, w, info["planes"])
    return _to_channels(a.astype(np.float64) / 65535.0, info["alpha"])


def _read_tiff(path: str) -> np.ndarray | None:
    """TIFF at full precision via tifffile; None if tifffile cannot read it."""
    try:
        a = tifffile.imread(path, key=0)
    except Exception:
        return None
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise InputError("TIFF holds NaN/inf values; replace them with finite numbers")
        if a.min() < 0 or a.max() > 1:
            raise InputError(f"float TIFF spans [{a.min():.3g}, {a.max():.3g}]; scale it to [0, 1]")
    a = np.squeeze(a) if a.ndim > 3 else a
    return _to_channels(_unit(a), a.ndim == 3 and a.shape[-1] in (2, 4))


def _read_pillow(path: str, im) -> ImageFile:
    notes: list[str] = []
    frames = getattr(im, "n_frames", 1)
    if frames > 1:
        notes.append(f"animated file: used frame 1 of {frames}")
    im = ImageOps.exif_transpose(im)
    mode = im.mode
    if mode == "CMYK":
        im, mode = im.convert("RGB"), "RGB"
        notes.append("CMYK converted to RGB")
    if mode in ("P", "PA", "1", "LA", "YCbCr", "HSV", "LAB", "RGBX"):
        im = im.convert("RGBA" if ("A" in mode or "transparency" in im.info) else "RGB")
        mode = im.mode
    a = np.asarray(im)
    if mode in ("I", "I;16", "I;16B", "I;16L"):
        a = np.clip(a.astype(np.float64) / 65535.0, 0.0, 1.0)
    elif mode == "F":
        if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise InputError("float image must hold finite values in [0, 1]")
    if mode == "RGBA":
        notes.append("transparency composited over white")
    return ImageFile((2.0 * _to_channels(_unit(a), mode == "RGBA") - 1.0).astype(np.float32), notes)


def read_image_file(path: str) -> ImageFile:
    """Validate and decode one image file into float32 [-1, 1] pixels (see module docstring)."""
    head = _check_path(path)
    if head.startswith(NPY_MAGIC):
        return _read_npy(path)
    Image.MAX_IMAGE_PIXELS = None  # our own limit is checked from the header, with the sizes
    try:
        with Image.open(path) as im:  # reads the header only
            _check_dims(*im.size)
            if head.startswith(PNG_MAGIC) and head[24] == 16:
                return ImageFile((2.0 * _read_png16(path) - 1.0).astype(np.float32))
            if im.format == "TIFF":
                a = _read_tiff(path)
                if a is not None:
                    return ImageFile((2.0 * a - 1.0).astype(np.float32))
            im.load()
            return _read_pillow(path, im)
    except InputError:
        raise  # our own checks (size limits) name the problem already
    except UnidentifiedImageError:
        raise InputError(f"not an image this app can read: {os.path.basename(path)}; use {KINDS}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise InputError(
            f"image file is truncated or corrupt ({str(e).splitlines()[0][:80]}); export it again"
        ) from None
