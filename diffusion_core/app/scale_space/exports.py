"""Scale space tab exports: the information curves as CSV, the forward and reverse processes as GIFs (they reuse
the tab's cached curves and schedule; plain functions, no gradio)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ... import scale_space as ss
from ...animate import frames_to_gif
from ...exports import export_path, write_csv
from ...noise.conventions import stream_generator
from ...scale_space.readouts import field_denoiser
from ...scale_space.sampler import ssd_sample
from ...validation import check_int
from .handlers import _panel, _ticker, information, load, schedule_of
from .view import ScaleSpaceView, T


def scale_space_csv(v: ScaleSpaceView, upload: str | None = None) -> str:
    """Per timestep: level, resolution, abar, logSNR, signal fraction, area ratio, MI share (on the curve grid)."""
    sched = schedule_of(v)
    c = information(v, upload)
    ab = ss.ddpm_alpha_bar(T).numpy()
    ts = c["t"]
    return str(
        write_csv(
            "scale-space",
            {
                "t_step": ts.tolist(),
                "t": c["u"].tolist(),
                "level": sched.level[ts].tolist(),
                "resolution": [sched.res(int(t)) for t in ts],
                "alpha_bar": ab[ts].tolist(),
                "logsnr": c["lam"].tolist(),
                "signal_dominated_fraction": c["signal"].tolist(),
                "area_ratio": c["area"].tolist(),
                "mi_share_above_half_nyquist": c["mi_share"].tolist(),
                "mi_total_nats": c["mi_total"].tolist(),
            },
        )
    )


def forward_gif(v: ScaleSpaceView, upload: str | None = None, frames: int = 40) -> str:
    """x_t at its own resolution for t from 0 to 1 (one noise draw per frame), as a looping GIF."""
    sched = schedule_of(v)
    x0 = load(v, upload)
    side = max(sched.size, 128)
    g = stream_generator(v.seed, "forward-noise")
    ts = np.linspace(0, T - 1, check_int("frames", frames, 2, 200)).round().astype(int)
    fr = [_panel(ss.forward_marginal(x0, int(t), sched, g).clamp(-1, 1), side) for t in ts]
    return str(frames_to_gif(fr, export_path("scale-space-forward", ".gif"), fps=8))


def reverse_gif(v: ScaleSpaceView, frames: int = 40, progress: Callable[[float, str], None] | None = None) -> str:
    """The first SSD sample's trajectory (x_t at r(t), upscaled), as a looping GIF (progress after every step)."""
    sched = ss.resolution_schedule(v.sample_size, v.sample_levels, v.family, v.gamma, T)
    every = max(1, v.steps // check_int("frames", frames, 2, 200))
    fr: list[np.ndarray] = []
    tick = _ticker(progress, v.steps, "SSD trajectory", 0.0, 0.9)

    def keep(d: dict) -> None:
        if tick is not None:
            tick(d)
        if d["i"] % every == 0 or d["t"] == 0:
            fr.append(_panel(d["x"][:1].clamp(-1, 1), 256))

    ssd_sample(field_denoiser(v.sample_size, v.beta), sched, 1, torch.Generator().manual_seed(v.seed), v.steps, keep)
    return str(frames_to_gif(fr, export_path("scale-space-reverse", ".gif"), fps=8))
