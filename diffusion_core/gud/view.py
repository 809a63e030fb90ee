"""What a GUD view computes: the schedule table, forward and reverse runs, component-space maps.

Returns plain tensors / dicts; the Bases tab, the CLI and the presets call these (no plotting here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..bases.fourier import FourierBasis
from ..validation import check_int
from .orderings import active, overlap_fraction, threshold_a, windows
from .process import (
    alpha_sigma,
    forward_frames,
    from_white,
    prior_sample,
    reverse_sample,
    scale,
    steps_for_rule,
    terminal_covariance,
    to_white,
)
from .schedules import beta, gamma, sigma2, true_logsnr
from .setup import BasesView, Setup, model_white_covariance, view_denoiser

Tensor = torch.Tensor


@dataclass(frozen=True)
class ScheduleTable:
    """One view's component schedule on a time grid: what the figures plot and the readouts quote."""

    basis: str
    model: str
    times: Tensor  # [T], 0 .. 1
    labels: Tensor  # [D]
    variances: Tensor  # [D] data variances Sigma_i in the basis
    gamma: Tensor  # [T, D] gamma_i(t) = -process logSNR
    sigma2: Tensor  # [T, D]
    beta: Tensor  # [T, D]
    true_logsnr: Tensor  # [T, D] log Sigma_i - gamma_i(t)
    window_start: Tensor  # [D] when component i enters the band
    window_end: Tensor  # [D] when it leaves it
    active_counts: list[int]  # [T] components inside the band
    slope: float
    overlap_fraction: float
    threshold_a: float
    band: tuple[float, float]

    @property
    def components(self) -> int:
        return int(self.labels.numel())

    def to_json(self) -> dict:
        """The `component-schedule` JSON (lists, [T][D] for the per-time arrays)."""
        return {
            "basis": self.basis,
            "components": self.components,
            "model": self.model,
            "times": self.times.tolist(),
            "labels": self.labels.tolist(),
            "variances": self.variances.tolist(),
            "gamma": self.gamma.tolist(),
            "sigma2": self.sigma2.tolist(),
            "beta": self.beta.tolist(),
            "true_logsnr": self.true_logsnr.tolist(),
            "window_start": self.window_start.tolist(),
            "window_end": self.window_end.tolist(),
            "active_counts": self.active_counts,
            "slope": self.slope,
            "overlap_fraction": self.overlap_fraction,
            "threshold_a": self.threshold_a,
            "band": list(self.band),
        }


def compute_table(setup: Setup, n_times: int = 11) -> ScheduleTable:
    """gamma_i(t), sigma_i^2(t), beta_i(t), true log-SNR_i(t) on n_times points, windows, readouts."""
    n_times = check_int("times", n_times, 2, 1001)
    s = setup.schedule
    t = torch.linspace(0.0, 1.0, n_times, dtype=torch.float64)
    g = gamma(s, t)
    start, end = windows(s)
    return ScheduleTable(
        basis=setup.basis.name,
        model=setup.model,
        times=t,
        labels=s.labels,
        variances=setup.space.variances,
        gamma=g,
        sigma2=sigma2(g),
        beta=beta(s, t),
        true_logsnr=true_logsnr(s, t),
        window_start=start,
        window_end=end,
        active_counts=[int(active(s, float(x)).sum()) for x in t],
        slope=s.slope,
        overlap_fraction=overlap_fraction(s),
        threshold_a=threshold_a(s.labels, *s.band),
        band=tuple(s.band),
    )


def schedule_table(setup: Setup, n_times: int = 11) -> dict:
    """compute_table as the CLI's JSON."""
    return compute_table(setup, n_times).to_json()


def schedule_columns(table: ScheduleTable) -> dict[str, list]:
    """The schedule table as CSV columns, one row per component: label, variance, window, gamma at each time."""
    cols = {
        "component": list(range(table.components)),
        "label": table.labels.tolist(),
        "variance": table.variances.tolist(),
        "window_start": table.window_start.tolist(),
        "window_end": table.window_end.tolist(),
    }
    for k, t in enumerate(table.times.tolist()):
        cols[f"gamma@t={t:.3f}"] = table.gamma[k].tolist()  # [D] at time t
    return cols


def component_map(setup: Setup, z: Tensor) -> Tensor:
    """log10 |coefficient| of whitened states z [T, D] laid out as images [T, H, W] (channel mean).
    Fourier: |F(k)| fftshifted (DC centre); other bases: the coefficient array (PCA: index order)."""
    chi = z * scale(setup.space)  # unwhitened coefficients [T, D]
    c, h, w = setup.basis.shape
    if isinstance(setup.basis, FourierBasis):
        mag = torch.fft.fftshift(setup.basis.to_complex(chi).abs(), dim=(-2, -1))  # [T, C, H, W]
    else:
        mag = chi.abs().reshape(-1, c, h, w)
    return torch.log10(mag.mean(1) + 1e-6)


def forward_run(setup: Setup, view: BasesView) -> dict:
    """The image noised at `frames` times t = 0 .. 1 (one noise draw): data frames and component maps."""
    n = check_int("frames", view.frames, 2, 200)
    t = torch.linspace(0.0, 1.0, n, dtype=torch.float64)
    x, z = forward_frames(setup.space, setup.schedule, setup.x0, t, torch.Generator().manual_seed(view.seed))
    return {"times": t.tolist(), "frames": x, "components": z, "maps": component_map(setup, z)}


def reverse_run(setup: Setup, view: BasesView, n: int = 1, callback: Callable[[int, int], None] | None = None) -> dict:
    """Reverse SDE / PF-ODE from the exact t = 1 marginal with the view's exact denoiser
    (callback(done, steps) after each step)."""
    s, g = setup.schedule, torch.Generator().manual_seed(view.seed)
    den = view_denoiser(setup, view)
    if view.denoiser == "empirical":  # exact start: a noised training image
        train = to_white(setup.space, setup.data)
        idx = torch.randint(0, train.shape[0], (n,), generator=g)
        a, sg = alpha_sigma(s, 1.0)
        z1 = a * train[idx] + sg * torch.randn(n, train.shape[1], generator=g, dtype=torch.float64)
    else:
        c1 = terminal_covariance(s, model_white_covariance(setup))
        z1 = torch.randn(n, c1.shape[0], generator=g, dtype=torch.float64) @ torch.linalg.cholesky(c1).T
    steps = steps_for_rule(s, view.steps)
    nf = check_int("frames", view.frames, 2, 200)
    z0, snaps = reverse_sample(s, den, z1, steps, view.method, g, keep=nf, callback=callback)
    z = torch.stack([f[0] for f in snaps])  # [T, D], first sample
    return {
        "times": torch.linspace(1.0, 0.0, len(snaps)).tolist(),
        "frames": from_white(setup.space, z),
        "components": z,
        "maps": component_map(setup, z),
        "samples": from_white(setup.space, z0),
        "steps": steps,
    }


def prior_images(setup: Setup, n: int, seed: int) -> Tensor:
    """Draws of the prior N(mean, U^T S^2 U) in data space. [n, C, H, W]"""
    return prior_sample(setup.space, n, torch.Generator().manual_seed(seed))
