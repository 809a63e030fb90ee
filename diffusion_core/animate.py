"""Write animation frames (uint8 [H, W, 3] arrays) as GIF (Pillow) or MP4 (imageio-ffmpeg, optional extra)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from PIL import Image

from .validation import InputError


def _check_frames(frames: Sequence[np.ndarray]) -> list[np.ndarray]:
    if len(frames) == 0:
        raise InputError("no frames to write: run the process first")
    out = []
    for f in frames:
        a = np.asarray(f)
        if a.dtype != np.uint8:
            raise InputError(f"frames must be uint8 images, got {a.dtype}")
        out.append(np.repeat(a[..., None], 3, axis=-1) if a.ndim == 2 else a[..., :3])
    return out


def upscale_nearest(frame: np.ndarray, min_side: int = 256) -> np.ndarray:
    """Enlarge a small frame by an integer factor (nearest) so pixels stay crisp on screen."""
    k = max(1, min_side // max(1, min(frame.shape[:2])))
    return np.repeat(np.repeat(frame, k, axis=0), k, axis=1) if k > 1 else frame


def frames_to_gif(frames: Sequence[np.ndarray], path: str | Path, fps: float = 8.0) -> Path:
    """Looping GIF at `fps` frames per second."""
    imgs = [Image.fromarray(f) for f in _check_frames(frames)]
    path = Path(path)
    imgs[0].save(path, save_all=True, append_images=imgs[1:], duration=int(1000 / fps), loop=0)
    return path


def frames_to_mp4(frames: Sequence[np.ndarray], path: str | Path, fps: float = 8.0) -> Path:
    """H.264 MP4 (sides padded to even numbers, as yuv420p requires); needs the `mp4` extra."""
    fs = _check_frames(frames)
    if importlib.util.find_spec("imageio_ffmpeg") is None:
        raise InputError("MP4 needs ffmpeg, which is optional: pip install 'diffusion-lab[mp4]', or export a GIF")
    h, w = fs[0].shape[:2]
    pad = ((0, h % 2), (0, w % 2), (0, 0))
    path = Path(path)
    with imageio.get_writer(path, fps=fps, codec="libx264", pixelformat="yuv420p", macro_block_size=1) as wr:
        for f in fs:
            wr.append_data(np.pad(f, pad, mode="edge"))
    return path
