"""Image extension with a column-wise GUD schedule (reference Sec. 9, PCAM Fig. 6; procedure [derived]).

Data model: the stationary power-law Gaussian field fitted to a texture photo, in the pixel basis with
the sequential column schedule (left columns generated first) and the exact Gaussian denoiser.
1. generate an H x W window by the reverse process from t = 1;
2. shift it left by k columns; the k new right-hand columns hold no content (the mean);
3. re-noise the window to t* = end of the active window of the first new column, so every new
   column is at its scheduled (noisy-edge) level and the kept columns at theirs;
4. continue the reverse process t* -> 0 and append the k new columns; repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..validation import InputError, check_choice, check_int, check_range
from .orderings import windows
from .process import alpha_sigma, from_white, recommended_steps, reverse_sample, terminal_covariance, to_white
from .setup import BasesView, build, model_white_covariance, view_denoiser

Tensor = torch.Tensor
TEXTURES = ("field:2.0", "field:3.0", "camera", "astronaut", "coffee", "coins")


@dataclass(frozen=True)
class ExtensionView:
    texture: str = "field:2.0"
    size: int = 16  # window H = W
    shift: int = 4  # k new columns per step
    repeats: int = 6
    softness: float = 1.25  # sequential column schedule: tau_max = min(1/b, 0.99)
    method: str = "sde"
    seed: int = 0


def _window_view(v: ExtensionView) -> BasesView:
    return BasesView(
        image=v.texture,
        size=v.size,
        gray=True,
        basis="pixel",
        r=0.0,
        kind="sequential",
        ordering="column",
        softness=v.softness,
        method=v.method,
        seed=v.seed,
    )


def restart_time(start_end: tuple[Tensor, Tensor], width: int, shift: int) -> float:
    """t* = end of the active window of column W - k (the first new column; row 0)."""
    return float(start_end[1][width - shift])


def extend(v: ExtensionView) -> dict:
    """Returns the canvas [1, 1, H, W + repeats k], the window after each step, t* and stationarity numbers."""
    check_choice("texture", v.texture, TEXTURES)
    size = check_int("size", v.size, 8, 32)
    k = check_int("shift", v.shift, 1, size - 1)
    reps = check_int("repeats", v.repeats, 0, 40)
    check_range("softness", v.softness, 0.5, 100.0)
    setup = build(_window_view(v))
    s, g = setup.schedule, torch.Generator().manual_seed(v.seed)
    den = view_denoiser(setup, _window_view(v))
    cw = model_white_covariance(setup)
    z1 = (
        torch.randn(1, size * size, generator=g, dtype=torch.float64)
        @ torch.linalg.cholesky(terminal_covariance(s, cw)).T
    )
    steps = recommended_steps(s)
    z0, _ = reverse_sample(s, den, z1, steps, v.method, g)
    window = from_white(setup.space, z0)  # [1, 1, H, W]
    canvas, shots = window.clone(), [window.clone()]
    t_star = restart_time(windows(s), size, k)
    if t_star <= 0:
        raise InputError(f"shift {k} is too large for softness {v.softness:g}: the new columns are never noised")
    a, sg = alpha_sigma(s, t_star)
    for _ in range(reps):
        shifted = setup.space.mean.expand_as(window).clone()
        shifted[..., : size - k] = window[..., k:]  # [1, 1, H, W]: shift left by k
        z = to_white(setup.space, shifted)
        z = a * z + sg * torch.randn(z.shape, generator=g, dtype=torch.float64)  # re-noise to t*
        z0, _ = reverse_sample(s, den, z, max(1, round(steps * t_star)), v.method, g, t_start=t_star)
        window = from_white(setup.space, z0)
        canvas = torch.cat([canvas[..., : canvas.shape[-1] - (size - k)], window], dim=-1)
        shots.append(window.clone())
    return {
        "canvas": canvas,
        "windows": shots,
        "t_star": t_star,
        "steps": steps,
        **stationarity(canvas, size, float(cw.diagonal().mean() if cw.ndim == 2 else cw.mean()), setup),
    }


def stationarity(canvas: Tensor, size: int, model_var_white: float, setup) -> dict:
    """Pixel variance and neighbour-column correlation: first window vs the extended part."""
    x = canvas[0, 0] - canvas.mean()
    first, ext = x[:, :size], x[:, size:]

    def corr(a: Tensor) -> float:
        return float((a[:, 1:] * a[:, :-1]).mean() / a.pow(2).mean()) if a.shape[1] > 1 else float("nan")

    return {
        "model_pixel_var": float(setup.space.variances.mean()),
        "first_window_var": float(first.pow(2).mean()),
        "extended_var": float(ext.pow(2).mean()) if ext.numel() else float("nan"),
        "first_window_corr": corr(first),
        "extended_corr": corr(ext) if ext.numel() else float("nan"),
    }
