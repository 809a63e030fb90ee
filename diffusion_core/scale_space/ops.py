"""Scale-space diffusion operators: the resize M, its adjoint, Lanczos square roots, and the
timestep -> resolution schedules with their switch points and pixel-work cost.

Mukhopadhyay, Udhayanan, Shrivastava, *Scale Space Diffusion*, CVPR 2026 (arXiv 2603.08709);
official code github.com/prateksha/ScaleSpaceDiffusion (ssd_utils.py, ssd_math_util.py).
Level 0 is the full resolution R; level l has R / 2^l pixels per side. Time t = 0 (data) .. T-1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from ..validation import InputError, check_int, check_range

Tensor = torch.Tensor
FAMILIES = ("convex", "equal", "sigmoid", "tanh")
SIZES = (8, 16, 32, 64, 128, 256)
MIN_SIDE = 2  # the coarsest grid must keep at least 2x2 pixels

# ---------------------------------------------------------------------------------------------
# Resize operator M (bilinear, antialiased) and its adjoint M^T via a vector-Jacobian product


def resize(x: Tensor, size: int) -> Tensor:
    """M x: torch bilinear resize, align_corners=False, antialias=True (the official operator). [B,C,h,w]"""
    if x.shape[-1] == size and x.shape[-2] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


def resize_chain(x: Tensor, sizes: list[int] | tuple[int, ...]) -> Tensor:
    """M_{0:t} x = M_t ... M_1 x: successive 2x resizes through the listed sizes (not one direct resize)."""
    for s in sizes:
        x = resize(x, s)
    return x


def adjoint(fn: Callable[[Tensor], Tensor], y: Tensor, in_shape: tuple[int, ...]) -> Tensor:
    """M^T y = d<M x, y>/dx, the VJP of a linear map fn at any x (here x = 0)."""
    with torch.enable_grad():
        x = torch.zeros(in_shape, dtype=y.dtype, device=y.device, requires_grad=True)
        (g,) = torch.autograd.grad(fn(x), x, grad_outputs=y)
    return g


def chain_sizes(size_in: int, size_out: int) -> list[int]:
    """The grids a chain of 2x downsamplings visits after size_in, ending at size_out."""
    out, s = [], size_in
    while s > size_out:
        s //= 2
        out.append(s)
    return out


@lru_cache(maxsize=64)
def resize_matrix(size_in: int, size_out: int) -> Tensor:
    """The dense matrix of M_{size_in -> size_out} (a chain of 2x resizes), float64. [out^2, in^2]"""
    n = size_in * size_in
    eye = torch.eye(n, dtype=torch.float64).reshape(n, 1, size_in, size_in)
    cols = resize_chain(eye, chain_sizes(size_in, size_out))  # [in^2, 1, out, out]
    return cols.reshape(n, -1).T.contiguous()


def lambda_max_power(
    apply: Callable[[Tensor], Tensor], shape: tuple[int, ...], iters: int = 20, generator: torch.Generator | None = None
) -> float:
    """Power-iteration estimate of the top eigenvalue of a PSD operator (Rayleigh quotient)."""
    v = torch.randn(shape, generator=generator, dtype=torch.float64)
    v = v / v.norm()
    lam = 0.0
    for _ in range(iters):
        w = apply(v)
        lam = float((v * w).sum())
        v = w / w.norm().clamp_min(1e-300)
    return max(lam, 0.0)


# ---------------------------------------------------------------------------------------------
# Lanczos: y = f(A) b for a symmetric operator A, batched over rows of b


def lanczos_fab(apply: Callable[[Tensor], Tensor], b: Tensor, f: Callable[[Tensor], Tensor], iters: int = 40) -> Tensor:
    """f(A) b ~ ||b|| Q_m f(T_m) e_1 from m Lanczos steps (full reorthogonalisation). b: [N, D]"""
    nrm = b.norm(dim=1, keepdim=True).clamp_min(1e-300)
    q, q_prev = b / nrm, torch.zeros_like(b)
    Q, alphas, betas = [q], [], []
    beta = torch.zeros(b.shape[0], 1, dtype=b.dtype)
    for _ in range(min(iters, b.shape[1])):
        z = apply(q)
        a = (q * z).sum(1, keepdim=True)
        z = z - a * q - beta * q_prev
        Qm = torch.stack(Q, 1)  # [N, m, D]
        z = z - torch.einsum("nmd,nm->nd", Qm, torch.einsum("nmd,nd->nm", Qm, z))
        beta = z.norm(dim=1, keepdim=True)
        alphas.append(a[:, 0])
        betas.append(beta[:, 0])
        if float(beta.max()) < 1e-12 * float(nrm.min()):
            break
        q_prev, q = q, z / beta.clamp_min(1e-300)
        Q.append(q)
    m = len(alphas)
    T = torch.diag_embed(torch.stack(alphas, 1))  # [N, m, m]
    if m > 1:
        off = torch.stack(betas[: m - 1], 1)
        T = T + torch.diag_embed(off, 1) + torch.diag_embed(off, -1)
    ev, V = torch.linalg.eigh(T)
    coef = V @ (f(ev.clamp_min(0.0)) * V[:, 0, :]).unsqueeze(-1)  # [N, m, 1] = V f(L) V^T e1
    return nrm * torch.einsum("nmd,nm->nd", torch.stack(Q[:m], 1), coef[..., 0])


# ---------------------------------------------------------------------------------------------
# Timestep -> resolution schedules (ssd_utils.get_resolution_scale_space)


def _smoothstep_sharp(t: np.ndarray, gamma: float) -> np.ndarray:
    """sharper_ft(t) / sharper_ft(-1/2): x = sign(t)|t|^g + 1/2, 3x^2 - 2x^3 - 1/2, decreasing on [-1/2, 1/2].

    x is clipped to [0, 1]: for g >= 1 it never leaves it (the official formula, unchanged); for g < 1
    |t|^g exceeds 1/2 and the cubic folds back (non-monotone, beyond its endpoints), so it is held flat.
    """

    def raw(u: np.ndarray) -> np.ndarray:
        x = np.clip(np.sign(u) * np.abs(u) ** gamma + 0.5, 0.0, 1.0)
        return 3 * x**2 - 2 * x**3 - 0.5

    return raw(t) / raw(np.asarray(-0.5))


def tanh_like(t: np.ndarray, gamma: float) -> np.ndarray:
    """tanh_like(t) = 1/2 f(t - 1/2) + 1/2, f the normalised sharpened smoothstep (1 at t=0, 0 at t=1)."""
    return 0.5 * _smoothstep_sharp(np.asarray(t, dtype=np.float64) - 0.5, gamma) + 0.5


def _invert_half_f(y: np.ndarray, gamma: float) -> np.ndarray:
    """u in [-1/2, 1/2] with f(u)/2 = y, f decreasing (bisection; the edge of a flat stretch)."""
    lo, hi = np.full_like(y, -0.5), np.full_like(y, 0.5)
    for _ in range(48):  # 2^-49 in u
        mid = 0.5 * (lo + hi)
        above = 0.5 * _smoothstep_sharp(mid, gamma) > y
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def sigmoid_like(t: np.ndarray, gamma: float) -> np.ndarray:
    """sigmoid_like(t) = 1/2 u(t - 1/2) / u(-1/2) + 1/2, u the inverse of u -> f(u)/2 (1 at t=0, 0 at t=1)."""
    y = np.asarray(t, dtype=np.float64) - 0.5
    u_end = float(_invert_half_f(np.asarray([-0.5]), gamma)[0])  # 1/2 for g >= 1
    return np.clip(0.5 * _invert_half_f(y, gamma) / u_end + 0.5, 0.0, 1.0)


def _one_step_per_level(level: np.ndarray, L: int) -> np.ndarray:
    """Move switch points so that every level keeps >= 1 step (extreme g can leave a level empty)."""
    T = level.size
    first = [int(np.argmax(level >= l)) if (level >= l).any() else T for l in range(L)]  # first t at level >= l
    for l in range(1, L):
        first[l] = min(max(first[l], first[l - 1] + 1), T - (L - l))
    out = np.zeros(T, dtype=np.int64)
    for l in range(1, L):
        out[first[l] :] = l
    return out


def level_of_t(t: np.ndarray, T: int, L: int, family: str, gamma: float) -> np.ndarray:
    """Level l(t) in 0..L-1 (0 = full resolution), tau = t/(T-1); convex: floor((1-(1-tau)^g) L)."""
    tau = np.asarray(t, dtype=np.float64) / (T - 1)
    if family == "equal":
        x = tau
    elif family == "convex":
        x = 1 - (1 - tau) ** gamma
    else:  # the official code indexes the coarse-first list here: idx = min(floor(x L), L-1), l = L-1-idx
        x = 1 - (sigmoid_like if family == "sigmoid" else tanh_like)(1 - tau, gamma)
        return L - 1 - np.minimum(np.floor(x * L).astype(np.int64), L - 1)
    return np.minimum(np.floor(x * L).astype(np.int64), L - 1)


@dataclass(frozen=True)
class ResolutionSchedule:
    """r(t) = R / 2^l(t) for t = 0..T-1, with its switch points and level occupancy."""

    size: int
    levels: int
    family: str
    gamma: float
    T: int
    level: np.ndarray  # [T] int, level per timestep

    @property
    def resolutions(self) -> list[int]:
        return [self.size >> l for l in range(self.levels)]

    def res(self, t: int) -> int:
        return self.size >> int(self.level[t])

    @property
    def switches(self) -> list[int]:
        """Timesteps t with r(t) < r(t-1) (the first t at each coarser level)."""
        return [int(t) for t in np.nonzero(np.diff(self.level) > 0)[0] + 1]

    @property
    def occupancy(self) -> list[int]:
        return [int((self.level == l).sum()) for l in range(self.levels)]


def check_levels(size: int, levels: int) -> tuple[int, int]:
    """Image size and level count that a chain of 2x downsamplings can serve (>= 2x2 at the bottom)."""
    size = check_int("size", size, 4, 1024)
    if size & (size - 1):
        raise InputError(f"size must be a power of two (8, 16, 32, 64, 128, 256), got {size}")
    max_levels = int(math.log2(size // MIN_SIDE)) + 1
    levels = check_int("levels", levels, 1, 8)
    if levels > max_levels:
        raise InputError(
            f"levels must be in [1, {max_levels}] for size {size} (size/2^(L-1) >= {MIN_SIDE}), got {levels}"
        )
    return size, levels


def resolution_schedule(
    size: int = 64, levels: int = 4, family: str = "convex", gamma: float = 0.5, T: int = 1000
) -> ResolutionSchedule:
    """Validated schedule; family in convex (ConvexDecay_g), equal, sigmoid (SigmoidLikeDecay_g), tanh."""
    size, levels = check_levels(size, levels)
    if family not in FAMILIES:
        raise InputError(f"unknown resolution schedule {family!r}; choose one of: {', '.join(FAMILIES)}")
    gamma = check_range("gamma", gamma, 0.05, 10.0)
    T = check_int("T", T, 2, 10_000)
    if T < levels:
        raise InputError(f"T must be at least the number of levels ({levels}), got {T}")
    return ResolutionSchedule(size, levels, family, gamma, T, _levels(T, levels, family, gamma))


@lru_cache(maxsize=256)
def _levels(T: int, L: int, family: str, gamma: float) -> np.ndarray:
    """l(t) for t = 0..T-1, cached and read-only (shared by every schedule with these settings)."""
    lv = _one_step_per_level(level_of_t(np.arange(T), T, L, family, gamma), L)
    lv.flags.writeable = False
    return lv


def pixel_work_fraction(s: ResolutionSchedule) -> float:
    """Sum_l (steps at level l) 4^-l / T: pixels processed relative to DDPM at full resolution."""
    return float(sum(n * 4.0 ** (-l) for l, n in enumerate(s.occupancy)) / s.T)
