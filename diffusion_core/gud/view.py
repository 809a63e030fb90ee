"""What a GUD view computes: the schedule table, forward and reverse runs, component-space maps.

Returns plain tensors / dicts; the Bases tab, the CLI and the presets call these (no plotting here).
"""
from __future__ import annotations

import torch

from ..bases.fourier import FourierBasis
from .orderings import active, overlap_fraction, threshold_a, windows
from .process import (alpha_sigma, forward_frames, from_white, prior_sample, recommended_steps, steps_for_rule,
                          reverse_sample, scale, terminal_covariance, to_white)
from .schedules import beta, gamma, sigma2, true_logsnr
from .setup import BasesView, Setup, model_white_covariance, view_denoiser
from ..validation import check_int

Tensor = torch.Tensor


def schedule_table(setup: Setup, n_times: int = 11) -> dict:
    """gamma_i(t), sigma_i^2(t), beta_i(t), true log-SNR_i(t) on n_times points, windows, readouts."""
    n_times = check_int("times", n_times, 2, 1001)
    s = setup.schedule
    t = torch.linspace(0.0, 1.0, n_times, dtype=torch.float64)
    start, end = windows(s)
    return {
        "basis": setup.basis.name, "components": int(s.labels.numel()), "model": setup.model,
        "times": t.tolist(), "labels": s.labels.tolist(), "variances": setup.space.variances.tolist(),
        "gamma": gamma(s, t).tolist(), "sigma2": sigma2(gamma(s, t)).tolist(), "beta": beta(s, t).tolist(),
        "true_logsnr": true_logsnr(s, t).tolist(), "window_start": start.tolist(), "window_end": end.tolist(),
        "active_counts": [int(active(s, float(x)).sum()) for x in t],
        "slope": s.slope, "overlap_fraction": overlap_fraction(s),
        "threshold_a": threshold_a(s.labels, *s.band), "band": list(s.band),
    }


def component_map(setup: Setup, z: Tensor) -> Tensor:
    """log10 |coefficient| of whitened states z [T, D] laid out as images [T, H, W] (channel mean).
    Fourier: |F(k)| fftshifted (DC centre); other bases: the coefficient array (PCA: index order)."""
    chi = z * scale(setup.space)                                   # unwhitened coefficients [T, D]
    c, h, w = setup.basis.shape
    if isinstance(setup.basis, FourierBasis):
        mag = torch.fft.fftshift(setup.basis.to_complex(chi).abs(), dim=(-2, -1))   # [T, C, H, W]
    else:
        mag = chi.abs().reshape(-1, c, h, w)
    return torch.log10(mag.mean(1) + 1e-6)


def forward_run(setup: Setup, view: BasesView) -> dict:
    """The image noised at `frames` times t = 0 .. 1 (one noise draw): data frames and component maps."""
    n = check_int("frames", view.frames, 2, 200)
    t = torch.linspace(0.0, 1.0, n, dtype=torch.float64)
    x, z = forward_frames(setup.space, setup.schedule, setup.x0, t, torch.Generator().manual_seed(view.seed))
    return {"times": t.tolist(), "frames": x, "components": z, "maps": component_map(setup, z)}


def reverse_run(setup: Setup, view: BasesView, n: int = 1) -> dict:
    """Reverse SDE / PF-ODE from the exact t = 1 marginal with the view's exact denoiser."""
    s, g = setup.schedule, torch.Generator().manual_seed(view.seed)
    den = view_denoiser(setup, view)
    if view.denoiser == "empirical":                              # exact start: a noised training image
        train = to_white(setup.space, setup.data)
        idx = torch.randint(0, train.shape[0], (n,), generator=g)
        a, sg = alpha_sigma(s, 1.0)
        z1 = a * train[idx] + sg * torch.randn(n, train.shape[1], generator=g, dtype=torch.float64)
    else:
        c1 = terminal_covariance(s, model_white_covariance(setup))
        z1 = torch.randn(n, c1.shape[0], generator=g, dtype=torch.float64) @ torch.linalg.cholesky(c1).T
    steps = steps_for_rule(s, view.steps)
    nf = check_int("frames", view.frames, 2, 200)
    z0, snaps = reverse_sample(s, den, z1, steps, view.method, g, keep=nf)
    z = torch.stack([f[0] for f in snaps])                         # [T, D], first sample
    return {"times": torch.linspace(1.0, 0.0, len(snaps)).tolist(), "frames": from_white(setup.space, z),
            "components": z, "maps": component_map(setup, z), "samples": from_white(setup.space, z0),
            "steps": steps}


def prior_images(setup: Setup, n: int, seed: int) -> Tensor:
    """Draws of the prior N(mean, U^T S^2 U) in data space. [n, C, H, W]"""
    return prior_sample(setup.space, n, torch.Generator().manual_seed(seed))
