"""The training objectives, one small class each (in the style of EDM's training/loss.py): called with the
network (or its DDP wrapper), a batch x0 [B, C, H, W] drawn on the CPU and the rank's generator, each returns
the batch's loss on the network's device. training/loop.fit runs any of them.

EDM (Karras et al. 2022, Sec. 5 and Table 1):
    sigma = exp(P_mean + P_std xi), xi ~ N(0, 1)            log-normal noise levels
    n ~ increment law (unit variance, nonnormal/laws.noise_sampler), x = x0 + sigma n
    u = sqrt(lambda(sigma)) (D(x; sigma) - x0),  lambda = 1 / c_out^2 = (sigma^2 + sd^2) / (sigma sd)^2
    loss = mean rho(u)       (u = F - F_target, the network-output error, unit scale)
  rho = u^2 ("mse": EDM's loss, the Gaussian-Gaussian pair) or (2 / v^2) soft_l1(v |u|) ("soft-l1": the
  Laplace-Laplace pair's d(v|r|) of nonnormal/losses.py, scaled to equal u^2 for small residuals and to grow
  like (2 / v)|u| for large ones).
Li's construction (training/vp_chain.py): the same sigmas and Gaussian marginal, the pair's per-step loss in
  r = eps - eps_theta with the w_k, v_k of `chain_steps` steps.
Scale space (reference scale-space.md §4), on data padded to R x R (MNIST 28 -> 32 with the background -1):
    band    t0 ~ U{0..T-1} picks the level l = l(t0); the whole batch draws t ~ U(band of l), so it
            shares one shape (the official rule: a batch never mixes resolutions)
    path    resolution-preserving (x0 at r(t)), or with probability p_up when l > 0 the
            resolution-increasing step (x0 at 2 r(t)); the official code meets the latter only at the
            switch t itself, drawing it across the band lets any sampling stride hit a trained switch
    x_t     = sqrt(abar_t) M_{0:t} x0 + sqrt(1 - abar_t) eps,  eps white at r(t)
    loss    min(SNR_t, min_snr) |x0_hat - M_{0:s} x0|^2 (x0 prediction, min-SNR-gamma weighting,
            Hang et al. 2023), SNR_t = abar_t / (1 - abar_t); DDPM linear betas, T steps
  Band and path come from a generator seeded by `seed` alone (every rank takes the same path); t and noise
  from the rank's generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import scale_space as ss
from ..gud.learned import LearnedGUD, gud_loss
from ..networks.flexi_unet import c_noise_of
from ..networks.unet import precond
from ..nonnormal.laws import noise_sampler
from ..nonnormal.losses import soft_l1
from ..spectral.tight import TightParams, image_params, instance_condition, instance_lams, tight_lam_fn
from .vp_chain import li_loss

Tensor = torch.Tensor


def _device(net: nn.Module) -> torch.device:
    return next(net.parameters()).device


# ---------------------------------------------------------------------------------------------
# EDM's loss and Li's pair losses: log-normal sigmas, x = x0 + sigma n, the preconditioned UNet


def edm_weight(sigma: Tensor, sigma_data: float) -> Tensor:
    """lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2 (EDM Table 1)."""
    return (sigma**2 + sigma_data**2) / (sigma * sigma_data) ** 2


def residual_loss(r: Tensor, kind: str, v: float) -> Tensor:
    """rho(r) per element: r^2 (mse) or (2 / v^2) soft_l1(v |r|) (soft-l1)."""
    return r**2 if kind == "mse" else 2.0 * soft_l1(v * r.abs()) / v**2


class EDMLoss:
    """EDM's weighted denoising loss with noise n of any increment law, rho = mse or soft-l1."""

    find_unused = False  # DDP: every parameter gets a gradient

    def __init__(
        self,
        p_mean: float = -1.2,
        p_std: float = 1.2,
        sigma_data: float = 0.5,
        law: str = "gaussian",
        kind: str = "mse",
        v: float = 1.0,
    ) -> None:
        self.p_mean = p_mean  # ln sigma ~ N(p_mean, p_std^2)
        self.p_std = p_std
        self.sigma_data = sigma_data  # expected std of the data
        self.noise = noise_sampler(law)  # law of the forward noise n (unit variance)
        self.kind = kind  # "mse" | "soft-l1"
        self.v = v  # soft-l1: residual scale of the L2 -> L1 switch

    def draw_sigma(self, x0: Tensor, g: torch.Generator) -> tuple[Tensor, Tensor | None]:
        """sigma [B] (float32, CPU) from g, and the network's extra conditioning (None: sigma only)."""
        return torch.exp(self.p_mean + self.p_std * torch.randn(x0.shape[0], generator=g)), None

    def noised(self, net: nn.Module, x0: Tensor, g: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
        """(D(x; sigma), x0, sigma) on the net's device for sigmas and noise drawn on the CPU from g."""
        dev = _device(net)
        sigma, cond = self.draw_sigma(x0, g)
        sigma = sigma.to(dev)  # [B]
        n = self.noise(x0.shape, g, torch.float32).to(dev)
        x0 = x0.to(dev)
        x = x0 + sigma.reshape(-1, 1, 1, 1) * n
        return precond(net, x, sigma, self.sigma_data, cond), x0, sigma  # net: UNet or DDP(UNet)

    def __call__(self, net: nn.Module, x0: Tensor, g: torch.Generator) -> Tensor:
        d, x0, sigma = self.noised(net, x0, g)
        u = (d - x0) * edm_weight(sigma, self.sigma_data).sqrt().reshape(-1, 1, 1, 1)  # = F - F_target
        return residual_loss(u, self.kind, self.v).mean()

    def record(self) -> dict[str, Any]:
        return {}


class TightLoss(EDMLoss):
    """EDM's weighted loss with sigma = exp(-lam(t) / 2), t ~ U(0, 1), lam the data set's tight schedule
    (spectral/tight.py: one schedule between the bounds of the data set's mean spectrum)."""

    def __init__(self, tp: TightParams, kind: str = "mixed", sigma_data: float = 0.5) -> None:
        super().__init__(sigma_data=sigma_data)
        self.lam = tight_lam_fn(kind, tp)  # lam(t), t = 0 data -> 1 noise

    def draw_sigma(self, x0: Tensor, g: torch.Generator) -> tuple[Tensor, Tensor | None]:
        t = torch.rand(x0.shape[0], generator=g, dtype=torch.float64)  # [B]
        return torch.exp(-0.5 * self.lam(t)).to(torch.float32), None


class InstanceTightLoss(EDMLoss):
    """The paper's per-instance form: each image's own tight schedule from its own RAPSD (bounds and slope,
    spectral/tight.image_params; an image without a usable range takes the data set's), sigma = exp(-lam_b(t) / 2)
    with t ~ U(0, 1), and the network conditioned on c = (lam_b(0), lam_b(1)) besides sigma."""

    def __init__(self, fallback: TightParams, kind: str = "mixed", sigma_data: float = 0.5) -> None:
        super().__init__(sigma_data=sigma_data)
        self.fallback = np.array([fallback.beta, fallback.logsnr_min, fallback.logsnr_max])
        self.kind = kind

    def draw_sigma(self, x0: Tensor, g: torch.Generator) -> tuple[Tensor, Tensor | None]:
        params = image_params(x0)  # [B, 3]
        params[~np.isfinite(params).all(axis=1)] = self.fallback
        t = torch.rand(x0.shape[0], generator=g, dtype=torch.float64)  # [B]
        lam = instance_lams(params, t, x0.shape[-1], self.kind)
        return torch.exp(-0.5 * lam).to(torch.float32), instance_condition(params)


class GUDLoss:
    """GUD's eps loss in whitened components of a fixed space and soft-conditioning schedule (gud/learned.py)."""

    find_unused = False

    def __init__(self, space: LearnedGUD) -> None:
        self.space = space  # basis, prior and schedule, fitted on the training data

    def __call__(self, net: nn.Module, x0: Tensor, g: torch.Generator) -> Tensor:
        return gud_loss(net, self.space, x0, g)

    def record(self) -> dict[str, Any]:
        return {}


class LiPairLoss(EDMLoss):
    """Li's construction: Gaussian marginal, the (q, p) pair's per-step loss with the w_k, v_k of N steps."""

    def __init__(
        self,
        pair: str,
        chain_steps: int = 50,
        p_mean: float = -1.2,
        p_std: float = 1.2,
        sigma_data: float = 0.5,
        form: str = "coordinate",
    ) -> None:
        super().__init__(p_mean, p_std, sigma_data)
        self.pair = pair  # training/vp_chain.TRAINED_PAIRS
        self.chain_steps = chain_steps  # N of the discrete chain
        self.form = form  # "coordinate": KL of the sampled laws; "paper": the printed form

    def __call__(self, net: nn.Module, x0: Tensor, g: torch.Generator) -> Tensor:
        d, x0, sigma = self.noised(net, x0, g)
        return li_loss(d, x0, sigma, self.pair, self.chain_steps, self.sigma_data, self.form)


# ---------------------------------------------------------------------------------------------
# Scale space: bands, paths and the min-SNR x0 loss of the Flexi-UNet


def pad_to(x: Tensor, side: int) -> Tensor:
    """Centre x [B, C, h, w] on a side x side canvas of the background value -1."""
    ph, pw = side - x.shape[-2], side - x.shape[-1]
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), value=-1.0) if ph or pw else x


def min_snr_weight(abar: Tensor, gamma: float) -> Tensor:
    """min(SNR_t, gamma), SNR_t = abar_t / (1 - abar_t) (min-SNR weighting of an x0 loss)."""
    return torch.clamp(abar / (1.0 - abar), max=gamma)


def bands(sched: ss.ResolutionSchedule) -> list[tuple[int, int]]:
    """[first t, last t] of each level (level 0 first)."""
    return [
        (int(np.flatnonzero(sched.level == l)[0]), int(np.flatnonzero(sched.level == l)[-1]))
        for l in range(sched.levels)
    ]


@dataclass(frozen=True)
class Batch:
    t: Tensor  # [B] timesteps
    x_t: Tensor  # [B, C, r(t), r(t)]
    target: Tensor  # [B, C, r_out, r_out]: M_{0:s} x0
    weight: Tensor  # [B] min-SNR weights
    lam: Tensor  # [B] logSNR

    def to(self, dev: torch.device) -> Batch:
        """Drawn on the CPU from the rank's generator (device-independent draws), computed on `dev`."""
        return Batch(*(getattr(self, f).to(dev) for f in ("t", "x_t", "target", "weight", "lam")))


def draw_batch(
    x0: Tensor, sched: ss.ResolutionSchedule, p_up: float, gamma: float, g_path: torch.Generator, g: torch.Generator
) -> Batch:
    """One band, one path, per-sample t and noise (module docstring)."""
    abar = ss.ddpm_alpha_bar(sched.T)
    t0 = int(torch.randint(0, sched.T, (1,), generator=g_path))
    lvl = int(sched.level[t0])
    up = lvl > 0 and float(torch.rand(1, generator=g_path)) < p_up
    lo, hi = bands(sched)[lvl]
    t = torch.randint(lo, hi + 1, (x0.shape[0],), generator=g)
    ab = abar[t].to(torch.float32)  # [B]
    r_in = sched.size >> lvl
    r_out = r_in * 2 if up else r_in
    m = ss.to_size(x0, r_in)
    eps = torch.randn(m.shape, generator=g)
    x_t = ab.sqrt().reshape(-1, 1, 1, 1) * m + (1 - ab).sqrt().reshape(-1, 1, 1, 1) * eps
    lam = torch.log(ab / (1 - ab))
    return Batch(t, x_t, ss.to_size(x0, r_out), min_snr_weight(ab, gamma), lam)


def batch_loss(net: nn.Module, b: Batch) -> Tensor:
    """mean_b w_b mean_pixels (x0_hat - target)^2."""
    out = net(b.x_t, c_noise_of(b.lam), b.target.shape[-1])
    return (b.weight * (out - b.target).pow(2).mean(dim=(1, 2, 3))).mean()


class ScaleSpaceLoss:
    """The Flexi-UNet's x0 loss on one band and path per batch; counts the batches each level gets."""

    find_unused = True  # DDP: a batch at one level leaves the other levels' blocks idle

    def __init__(
        self, sched: ss.ResolutionSchedule, pad: int, p_up: float = 0.25, min_snr: float = 5.0, seed: int = 0
    ) -> None:
        self.sched = sched  # the level schedule R, R/2, ... over T DDPM steps
        self.pad = pad  # R: data padded to R x R (background -1)
        self.p_up = p_up  # share of coarse-band batches on the resolution-increasing path
        self.min_snr = min_snr  # min-SNR-gamma weight of the x0 loss
        self.g_path = torch.Generator().manual_seed(seed)  # band and path: the same on every rank
        self.levels_seen = [0] * sched.levels

    def __call__(self, net: nn.Module, x0: Tensor, g: torch.Generator) -> Tensor:
        b = draw_batch(pad_to(x0, self.pad), self.sched, self.p_up, self.min_snr, self.g_path, g)
        self.levels_seen[int(self.sched.level[int(b.t[0])])] += 1
        return batch_loss(net, b.to(_device(net)))

    def record(self) -> dict[str, Any]:
        return {"batches_per_level": self.levels_seen}
