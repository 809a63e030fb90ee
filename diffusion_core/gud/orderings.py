"""GUD: orderings, schedule specs and readouts over the component schedules of `gud.schedules`.

Reference: Gerdes, Welling, Cheng, *GUD: Generation with Unified Diffusion*, arXiv 2410.02667;
Diffusion Lab notes in reference/gud.md. The processes (forward, reverse SDE / ODE, exact
denoisers) live in `gud.process`. Labels l_i order the components: higher = noised earlier,
generated later.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..validation import InputError, check_choice, check_int
from .schedules import GAMMA_DENOISE, GAMMA_NOISE, ComponentSchedule, level_column_labels, sequential, soft_conditioning

Tensor = torch.Tensor
ORDERINGS = ("variance", "frequency", "level", "column", "row", "random", "custom")
KINDS = ("soft", "sequential", "level-column")


@dataclass(frozen=True)
class ScheduleSpec:
    """Everything that defines a component schedule (presets, CLI, app)."""

    kind: str = "soft"  # soft | sequential (column/row, softness b) | level-column (wavelet)
    ordering: str = "variance"  # see ORDERINGS (sequential: column or row)
    a: float = 1.0  # inverse softness of the soft-conditioning line
    softness: float = 1.0  # sequential: tau_max = min(1/softness, 0.99)
    column_weight: float = 0.5  # level-column: l = level + w * column
    gamma_denoise: float = GAMMA_DENOISE
    gamma_noise: float = GAMMA_NOISE
    clip: bool = False
    seed: int = 0  # random ordering


# ---------------------------------------------------------------------------------------------
# Orderings -> labels


def dense_rank(values: Tensor, decimals: int = 9) -> Tensor:
    """0, 1, 2, ... over the sorted distinct values (ties share a rank). [D]"""
    _, inverse = torch.unique(torch.round(values.to(torch.float64), decimals=decimals), return_inverse=True)
    return inverse.to(torch.float64)


def _basis_label(name: str, basis_labels: dict[str, Tensor], basis_name: str) -> Tensor:
    if name not in basis_labels:
        have = {"frequency": "fourier, dct", "level": "wavelet", "column": "pixel, wavelet", "row": "pixel, wavelet"}[
            name
        ]
        raise InputError(f"ordering {name!r} does not apply to basis {basis_name!r}; use it with: {have}")
    return basis_labels[name]


def ordering_labels(
    ordering: str,
    basis_labels: dict[str, Tensor],
    variances: Tensor,
    basis_name: str = "",
    seed: int = 0,
    custom: Tensor | None = None,
) -> Tensor:
    """Labels l_i: variance -> -log Sigma_i; frequency/column/row -> rank; level; random; custom."""
    check_choice("ordering", ordering, ORDERINGS)
    d = variances.numel()
    if ordering == "variance":
        return -torch.log(variances.to(torch.float64))
    if ordering == "random":
        g = torch.Generator().manual_seed(check_int("seed", seed, 0, 2**63 - 1))
        return torch.randperm(d, generator=g).to(torch.float64)
    if ordering == "custom":
        if custom is None or custom.numel() != d or not torch.isfinite(custom).all():
            got = "none" if custom is None else f"{custom.numel()} values"
            raise InputError(f"custom ordering needs {d} finite labels (one per component), got {got}")
        return custom.reshape(-1).to(torch.float64)
    lab = _basis_label(ordering, basis_labels, basis_name)
    return lab.to(torch.float64) if ordering == "level" else dense_rank(lab)


def build_schedule(
    spec: ScheduleSpec,
    basis_labels: dict[str, Tensor],
    variances: Tensor,
    working_variances: Tensor,
    basis_name: str = "",
    custom: Tensor | None = None,
) -> ComponentSchedule:
    """Labels from the DATA variances; the log Sigma_i term from the working (whitened) space."""
    check_choice("schedule kind", spec.kind, KINDS)
    log_var = torch.log(working_variances.to(torch.float64))
    if spec.kind == "sequential":
        check_choice("sequential ordering", spec.ordering, ("column", "row"))
        lab = _basis_label(spec.ordering, basis_labels, basis_name)
        return sequential(lab, log_var, spec.softness, spec.gamma_denoise, spec.gamma_noise)
    if spec.kind == "level-column":
        lev = _basis_label("level", basis_labels, basis_name)
        lab = level_column_labels(lev, _basis_label("column", basis_labels, basis_name), spec.column_weight)
        return soft_conditioning(lab, log_var, spec.a, spec.gamma_denoise, spec.gamma_noise, clip=True)
    lab = ordering_labels(spec.ordering, basis_labels, variances, basis_name, spec.seed, custom)
    return soft_conditioning(lab, log_var, spec.a, spec.gamma_denoise, spec.gamma_noise, spec.clip)


# ---------------------------------------------------------------------------------------------
# Readouts


def windows(s: ComponentSchedule) -> tuple[Tensor, Tensor]:
    """Active window [start_i, end_i] in t: true log-SNR inside (-g_noise, -g_denoise). Each [D]."""
    gd, gn = s.band
    offset = s.log_var - s.gamma0  # log SNR_i(0) on the unclipped line
    start = ((offset + gd) / s.slope).clamp(0.0, 1.0)  # logSNR = -g_d
    end = ((offset + gn) / s.slope).clamp(0.0, 1.0)  # logSNR = -g_n
    return start, end


def active(s: ComponentSchedule, t: float) -> Tensor:
    """Components strictly inside the band at time t (neither clean nor pure noise). [D] bool"""
    start, end = windows(s)
    return (start < t) & (t < end)


def _label_windows(s: ComponentSchedule) -> Tensor:
    """One window per distinct label: [G, 2]."""
    start, end = windows(s)
    _, inv = torch.unique(torch.round(s.labels, decimals=9), return_inverse=True)
    g = int(inv.max()) + 1
    lo = torch.full((g,), 2.0, dtype=torch.float64).scatter_reduce(0, inv, start, "amin")
    hi = torch.full((g,), -1.0, dtype=torch.float64).scatter_reduce(0, inv, end, "amax")
    return torch.stack([lo, hi], 1)


def overlap_fraction(s: ComponentSchedule) -> float:
    """Fraction of t in [0, 1] at which components of two or more distinct labels are active."""
    w = _label_windows(s)
    w = w[w[:, 1] > w[:, 0]]
    if w.shape[0] < 2:
        return 0.0
    # sweep; at equal times ends (-1) sort before starts (+1): touching windows do not overlap
    w = torch.round(w, decimals=12)  # touching windows: round-off is not overlap
    events = sorted([(t, 1) for t in w[:, 0].tolist()] + [(t, -1) for t in w[:, 1].tolist()])
    total, count, prev = 0.0, 0, 0.0
    for t, d in events:
        if count >= 2:
            total += t - prev
        count, prev = count + d, t
    return total


def threshold_a(labels: Tensor, gamma_denoise: float = GAMMA_DENOISE, gamma_noise: float = GAMMA_NOISE) -> float:
    """Smallest a with disjoint windows: a * min dl >= g_noise - g_denoise (inf if one label)."""
    u = torch.unique(torch.round(labels.to(torch.float64), decimals=9))
    if u.numel() < 2:
        return float("inf")
    return (gamma_noise - gamma_denoise) / float((u[1:] - u[:-1]).min())
