"""GUD covariance benchmark (reference check G7): reverse SDE / PF-ODE with the exact Gaussian
denoiser of the digits' Gaussian model, per basis, a and ordering.

Reports the relative Frobenius error of the data covariance for (1) the exact covariance of the
discretised chain (no Monte Carlo) and (2) 4,096 (quick) or 16,384 samples, and the Monte Carlo
floor sqrt((tr C)^2 + ||C||_F^2) / (sqrt(n) ||C||_F) that any sampler has at that n.
"""

from __future__ import annotations

import time

import torch

from ..bases import make_basis
from ..data import load_digits
from ..gud import ScheduleSpec, build_schedule
from ..gud.process import (
    ComponentGaussianDenoiser,
    chain_covariance,
    data_covariance,
    make_space,
    recommended_steps,
    relative_frobenius,
    reverse_sample,
    terminal_covariance,
    white_covariance,
    working_variances,
)
from ..progress import track

ORDERINGS = {"pixel": "column", "fourier": "frequency", "dct": "frequency", "wavelet": "level", "pca": "variance"}


def _floor(c: torch.Tensor, n: int) -> float:
    return float(torch.sqrt((torch.trace(c) ** 2 + c.pow(2).sum()) / n) / torch.linalg.norm(c))


def _case(basis: str, ordering: str, a: float, data: torch.Tensor, cov: torch.Tensor, n: int) -> dict:
    b = make_basis(basis, (1, 8, 8), **({"data": data} if basis == "pca" else {}))
    sp = make_space(b, data, r=0.0)
    s = build_schedule(ScheduleSpec(ordering=ordering, a=a), b.labels(), sp.variances, working_variances(sp), basis)
    cw = white_covariance(sp, cov)
    den, steps, c1 = ComponentGaussianDenoiser(cw), recommended_steps(s), terminal_covariance(s, cw)
    row = {"basis": basis, "ordering": ordering, "a": a, "steps": steps}
    g = torch.Generator().manual_seed(0)
    for method in ("sde", "ode"):
        row[f"{method}_chain"] = relative_frobenius(
            data_covariance(sp, chain_covariance(s, den, c1, steps, method)), cov
        )
        z1 = torch.randn(n, 64, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(c1).T
        z0, _ = reverse_sample(s, den, z1, steps, method, g)
        row[f"{method}_sampled"] = relative_frobenius(data_covariance(sp, z0.T @ z0 / n), cov)
    return row


def run(quick: bool) -> dict:
    """Table of covariance errors for every basis x a (digits' Gaussian model, 8x8)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    data = load_digits().double()
    cov = torch.cov(data.reshape(-1, 64).T) + 1e-4 * torch.eye(64, dtype=torch.float64)
    n = 4096 if quick else 16384
    rows = []
    try:
        cases = [(b, o, a) for b, o in ORDERINGS.items() for a in ((1.0,) if quick else (0.0, 1.0, 4.0))]
        for basis, ordering, a in track(cases, "gud-covariance", unit="case"):
            rows.append(_case(basis, ordering, a, data, cov, n))
    finally:
        torch.set_num_threads(threads)
    return {"samples": n, "mc_floor": _floor(cov, n), "rows": rows, "seconds": time.perf_counter() - t0}
