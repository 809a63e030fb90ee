"""A trained GUD network's reverse process beside the exact Gaussian one, component by component (reference
gud.md, Secs. 3, 5.2 and 8).

Snapshots: the state chi_hat(t) in whitened components and the denoised estimate at t_k = 1 - i_k / steps, with
i_k = round(linspace(0, steps, keep)) on the grid both samplers walk (t_i = 1 - i / steps); i = steps is the end
(t = 0), whose state is the final sample.

The exact process: the Gaussian fitted to the same training data, in whitened components

    C = Cov[chi_hat(0)] = Cov[S^-1 U (x - mean)]

(diagonal when the basis diagonalises the data covariance, as PCA does: then C_ii = Sigma_i / S_i^2, 1 with the
whitened prior r = 1 wherever Sigma_i is above the variance floor), denoised exactly (process.
ComponentGaussianDenoiser) and integrated by the probability-flow ODE (Euler, process.reverse_sample) from the
same chi_hat(1) ~ N(0, I) as the network's DDIM (learned.ddim_sample draws it first from the seed's generator).

Readout (closed form, from the schedule alone): component i is resolved at t when its true log-SNR is at or above
the band's clean edge, log Sigma_i - gamma_i(t) >= -gamma_denoise, i.e. t <= start_i of its active window
(orderings.windows). Components are grouped by generation order (label rank: for the variance ordering, PCA
index; pixels by variance rank).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from ..validation import check_int
from .learned import LearnedGUD
from .process import (
    GAMMA_CAP,
    ComponentDenoiser,
    ComponentGaussianDenoiser,
    alpha_sigma,
    from_white,
    reverse_sample,
    to_white,
)
from .schedules import ComponentSchedule, gamma, true_logsnr

Tensor = torch.Tensor
DIAGONAL_TOL = 1e-8  # off-diagonal covariance below this x the largest variance counts as diagonal
EDGE_TOL = 1e-9  # a component exactly on the clean edge (the last label at t = 0) counts as resolved


@dataclass(frozen=True)
class Snapshots:
    """A reverse run seen at K steps: step indices, times t_k, states and denoised estimates [K, n, D]."""

    steps: tuple[int, ...]
    times: Tensor  # [K] float64, 1 -> 0
    states: Tensor  # [K, n, D] whitened components
    denoised: Tensor  # [K, n, D]


def snapshot_steps(steps: int, keep: int) -> tuple[int, ...]:
    """The step indices round(linspace(0, steps, keep)) (reverse_sample's marks), distinct, ascending."""
    steps = check_int("steps", steps, 1, 100_000)
    keep = check_int("snapshots", keep, 2, 64)
    return tuple(sorted(set(torch.linspace(0, steps, keep).round().long().tolist())))


def times_of(steps: int, marks: tuple[int, ...]) -> Tensor:
    """t_i = 1 - i / steps on the samplers' grid linspace(1, 0, steps + 1). [K]"""
    return torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)[list(marks)]


class Recorder:
    """A learned.ddim_sample callback that keeps the state and the denoised estimate at the snapshot steps; the
    end (i = steps) is the final sample, DDIM's last denoised estimate. `tick(i, steps)` after each evaluation."""

    def __init__(self, steps: int, keep: int, tick: Any = None) -> None:
        self.n_steps = steps
        self.marks = snapshot_steps(steps, keep)
        self.tick = tick
        self.kept: dict[int, tuple[Tensor, Tensor]] = {}

    def __call__(self, info: dict[str, Any]) -> None:
        i = int(info["i"])
        if i in self.marks:
            self.kept[i] = (info["z"].clone(), info["denoised"].clone())
        if i == self.n_steps - 1 and self.n_steps in self.marks:
            final = info["denoised"].clone()
            self.kept[self.n_steps] = (final, final)
        if self.tick is not None:
            self.tick(i + 1, self.n_steps)

    def snapshots(self) -> Snapshots:
        missing = [i for i in self.marks if i not in self.kept]
        if missing:
            raise RuntimeError(f"the sampler reported no state at steps {missing}")
        states = torch.stack([self.kept[i][0] for i in self.marks])
        denoised = torch.stack([self.kept[i][1] for i in self.marks])
        return Snapshots(self.marks, times_of(self.n_steps, self.marks), states, denoised)


def fitted_covariance(g: LearnedGUD, data: Tensor) -> Tensor:
    """Covariance of data [N, C, H, W] in the network's whitened components: [D] when diagonal (off-diagonal
    entries below DIAGONAL_TOL x the largest variance, e.g. PCA), else [D, D]. float64"""
    z = to_white(g.space, data)  # [N, D], mean-free: the space's mean is this data's
    z = z - z.mean(0, keepdim=True)
    cov = z.T @ z / z.shape[0]
    off = cov - torch.diag(torch.diagonal(cov))
    if float(off.abs().max()) <= DIAGONAL_TOL * float(torch.diagonal(cov).max()):
        return torch.diagonal(cov).clone()
    return cov


class GaussianPosterior:
    """E[chi0 | y] for chi0 ~ N(0, C), y = chi0 + s eps, s_i^2 = exp(-lam_i): process.ComponentGaussianDenoiser,
    through C's eigendecomposition C = V diag(w) V^T when a full C meets the same noise level in every component
    (C (C + s^2 I)^-1 = V diag(w / (w + s^2)) V^T: O(D^2) a call instead of a D x D solve)."""

    def __init__(self, cov: Tensor) -> None:
        self.solve = ComponentGaussianDenoiser(cov)
        self.eig = torch.linalg.eigh(cov.to(torch.float64)) if cov.ndim == 2 else None

    def __call__(self, y: Tensor, lam: Tensor) -> Tensor:
        lam = torch.as_tensor(lam, dtype=torch.float64).reshape(-1)
        if self.eig is None or float(lam.max() - lam.min()) > 1e-12 * max(1.0, float(lam.abs().max())):
            return self.solve(y, lam)
        w, v = self.eig
        return ((y @ v) * (w / (w + torch.exp(-lam[0])))) @ v.T


def _denoised(s: ComponentSchedule, den: ComponentDenoiser, z: Tensor, t: float) -> Tensor:
    """E[chi_hat(0) | chi_hat(t) = z] under the Gaussian: D(z / alpha(t), -gamma(t)). [n, D]"""
    a, _ = alpha_sigma(s, t)
    return den(z / a, -gamma(s, torch.tensor([t])).clamp(-GAMMA_CAP, GAMMA_CAP))


def exact_reverse(
    g: LearnedGUD, den: ComponentDenoiser, steps: int, n: int, seed: int, keep: int, tick: Any = None
) -> tuple[Snapshots, Tensor]:
    """The exact reverse process of the Gaussian `den` denoises for (PF-ODE, Euler, `steps` steps) from
    learned.ddim_sample's chi_hat(1) for this seed: (snapshots, final state [n, D]). tick(done, steps) after each
    step."""
    n = check_int("n", n, 1, 4096)
    d = g.space.variances.numel()
    gen = torch.Generator().manual_seed(seed)
    z1 = torch.randn(n, d, generator=gen, dtype=torch.float64)  # ddim_sample's first draw
    marks = snapshot_steps(steps, keep)
    z, frames = reverse_sample(g.schedule, den, z1, steps, "ode", gen, keep=keep, callback=tick)
    states = torch.stack(frames)  # [K, n, D], at the same marks
    times = times_of(steps, marks)
    denoised = [z if i == steps else _denoised(g.schedule, den, st, float(t)) for i, st, t in zip(marks, states, times)]
    return Snapshots(marks, times, states, torch.stack(denoised)), z


def to_data(g: LearnedGUD, z: Tensor) -> Tensor:
    """Whitened components [..., D] -> data-space images [..., C, H, W] (float32, not clipped)."""
    lead = z.shape[:-1]
    x = from_white(g.space, z.reshape(-1, z.shape[-1]))
    return x.reshape(*lead, *x.shape[1:]).to(torch.float32)


def component_groups(s: ComponentSchedule, groups: int) -> list[Tensor]:
    """Component indices in generation order (label ascending, stable) cut into `groups` near-equal groups."""
    groups = check_int("groups", groups, 1, s.labels.numel())
    order = torch.argsort(s.labels, stable=True)
    return list(torch.tensor_split(order, groups))


def group_ranks(s: ComponentSchedule, groups: int) -> list[tuple[int, int]]:
    """Each group's first and last rank in generation order, counted from 1."""
    ends = torch.cumsum(torch.tensor([len(idx) for idx in component_groups(s, groups)]), 0).tolist()
    return [(1 + (ends[k - 1] if k else 0), e) for k, e in enumerate(ends)]


def resolved_shares(s: ComponentSchedule, times: Tensor, groups: int = 8) -> Tensor:
    """Share of each group's components resolved at each t (true log-SNR >= the band's clean edge). [K, G]"""
    clean = -s.band[0]
    resolved = (true_logsnr(s, times) >= clean - EDGE_TOL).to(torch.float64)  # [K, D]
    return torch.stack([resolved[:, idx].mean(1) for idx in component_groups(s, groups)], dim=1)


def rms_gap(a: Snapshots, b: Snapshots) -> Tensor:
    """RMS difference of two runs' states at each snapshot, over samples and components. [K]"""
    return (a.states - b.states).pow(2).mean(dim=(1, 2)).sqrt()
