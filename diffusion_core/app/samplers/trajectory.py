"""Samplers tab: one sample's trajectory under one sampler, as frames (via the sampler callback), a GIF or an MP4."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ...animate import frames_to_gif, frames_to_mp4, upscale_nearest
from ...caching import frozen_memo
from ...exports import export_path
from ...noise.readouts import vp_state
from ...noise.samplers import SAMPLERS
from ...sampling import run as S
from ...validation import check_choice, check_int
from .handlers import view_model
from .view import SamplersView


def _frame(x: torch.Tensor, sigma: float, denoised: torch.Tensor) -> np.ndarray:
    """One frame: VP-scaled state x / sqrt(1 + sigma^2) | the denoiser's x0 estimate. uint8 [H, W', 3]"""
    state = S.to_uint8(vp_state(x, sigma)[None])[0]
    est = S.to_uint8(denoised[None])[0]
    gap = np.full((state.shape[0], max(1, state.shape[1] // 8), state.shape[2]), 255, np.uint8)
    row = np.concatenate([state, gap, est], axis=1)
    return upscale_nearest(np.repeat(row, 3, axis=-1) if row.shape[-1] == 1 else row, 192)


@frozen_memo(maxsize=8, ignore=())
def trajectory_frames(view: SamplersView, sampler: str | None = None, index: int = 0) -> list[np.ndarray]:
    """Frames of sample `index` under `sampler` (default: the first chosen), via the sampler callback; remembered,
    so the GIF and the MP4 of one view share one run."""
    sampler = check_choice("sampler", sampler or view.samplers[0], SAMPLERS)
    index = check_int("index", index, 0, view.n - 1)
    model = view_model(view)
    sigmas = S.model_sigmas(model, view.schedule, view.steps)
    frames: list[np.ndarray] = []

    def grab(info: dict[str, Any]) -> None:
        frames.append(_frame(info["x"][index], float(info["sigma"]), info["denoised"][index]))

    x = S.run_sampler(model, sampler, sigmas, view.n, view.seed, view.sampling_noise(), callback=grab)
    return frames + [_frame(x[index], 0.0, x[index])] * 3


def trajectory_gif(view: SamplersView, sampler: str | None = None, index: int = 0, fmt: str = "gif") -> str:
    """The trajectory as a looping GIF (or an MP4) in the export folder; returns its path."""
    check_choice("format", fmt, ("gif", "mp4"))
    frames = trajectory_frames(view, sampler, index)
    fps = max(2.0, min(12.0, len(frames) / 4))
    write = frames_to_gif if fmt == "gif" else frames_to_mp4
    return str(write(frames, export_path(f"samplers-{view.model}", f".{fmt}"), fps=fps))
