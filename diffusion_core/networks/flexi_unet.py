"""Flexi-UNet: one UNet that denoises at every resolution of a scale-space level schedule
(Mukhopadhyay, Udhayanan, Shrivastava, *Scale Space Diffusion*, CVPR 2026, reference §7).

Level l of the network has the native grid R / 2^l and width w_l = width * mults[l]. An input of
side r = R / 2^a enters at level a and the network predicts x0 at side R / 2^b, b in {a, a - 1}:

  entry   shared 3x3 conv (any size) -> 1x1 input adapter to w_a          (outer encoder levels skipped)
  core    encoder levels a .. n-1, middle block at the bottom level
  exit    decoder levels n-1 .. b; b = a - 1 (resolution-increasing step) runs one decoder level more,
          whose skip the coarse input never produced: filled with zeros
  output  1x1 output adapter w_b -> w_0, then the shared GroupNorm -> SiLU -> 3x3 conv head

When the output is the top grid (b = 0 < a) the input is first resized up to R and runs the full
path, as the official code does. Full-resolution diffusion is the path (0, 0): the whole UNet.
The network is conditioned on c = -lambda / 10 (logSNR lambda of the DDPM step) and predicts x0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from ..validation import InputError
from .unet import FourierEmbedding, ResBlock

Tensor = torch.Tensor


@dataclass(frozen=True)
class FlexiConfig:
    """Architecture of `FlexiUNet` (stored in the weights' JSON sidecar)."""

    channels: int = 1  # image channels C
    size: int = 32  # top (native) resolution R
    width: int = 32  # feature channels at level 0
    mults: tuple[int, ...] = (1, 1, 1)  # width multiplier per level; level l is R / 2^l
    emb: int = 64  # noise-embedding width
    padding: str = "zeros"

    def __post_init__(self) -> None:
        if self.size & (self.size - 1) or self.size < 4:
            raise InputError(f"Flexi-UNet size must be a power of two >= 4, got {self.size}")
        if not 1 <= len(self.mults) <= int(math.log2(self.size)) - 1:
            raise InputError(
                f"Flexi-UNet levels (mults) must number 1..log2(size) - 1 = "
                f"{int(math.log2(self.size)) - 1} for size {self.size}, got {len(self.mults)}"
            )

    @property
    def levels(self) -> int:
        return len(self.mults)

    def widths(self) -> list[int]:
        return [self.width * m for m in self.mults]

    def level_of(self, side: int) -> int:
        """l with R / 2^l = side; one-line error otherwise."""
        l = int(round(math.log2(self.size / side))) if side > 0 else -1
        if not 0 <= l < self.levels or self.size >> l != side:
            sides = [self.size >> k for k in range(self.levels)]
            raise InputError(f"input side {side} is not a level of this Flexi-UNet (sides {sides})")
        return l

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["mults"] = list(self.mults)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FlexiConfig:
        return cls(**{**d, "mults": tuple(d["mults"])})


def c_noise_of(lam: Tensor) -> Tensor:
    """Network conditioning c = -lambda / 10 (lambda in [-10.3, 9.2] for DDPM linear betas, T = 1000)."""
    return -lam / 10.0


@dataclass(frozen=True)
class Path:
    """Blocks one call runs: entry level a, exit level b, whether the input is resized up to R first."""

    entry: int
    exit: int
    resized_up: bool

    def blocks(self, levels: int) -> list[str]:
        """Names of the blocks on this path, in execution order (for the path diagram)."""
        names = ["inp"] + ([f"in_adapt.{self.entry}"] if self.entry else [])
        for l in range(self.entry, levels):
            names += [f"enc.{l}"] + ([f"down.{l}"] if l < levels - 1 else [])
        names.append("mid")
        for l in range(levels - 1, self.exit - 1, -1):
            names += [f"dec.{l}"] + ([f"up.{l}"] if l > self.exit else [])
        return names + ([f"out_adapt.{self.exit}"] if self.exit else []) + ["head"]

    @property
    def zero_skips(self) -> list[int]:
        """Decoder levels whose skip is zero-filled (no encoder counterpart on this path)."""
        return list(range(self.exit, self.entry))


class FlexiUNet(nn.Module):
    """x0_hat at side `out_side` from x_t at side r, conditioned on c_noise [B]."""

    def __init__(self, cfg: FlexiConfig):
        super().__init__()
        self.cfg = cfg
        ws, pad, n = cfg.widths(), cfg.padding, cfg.levels
        self.embed = FourierEmbedding(cfg.emb)
        self.inp = nn.Conv2d(cfg.channels, ws[0], 3, padding=1, padding_mode=pad)
        self.in_adapt = nn.ModuleList([nn.Identity()] + [nn.Conv2d(ws[0], w, 1) for w in ws[1:]])
        self.enc = nn.ModuleList(ResBlock(w, w, cfg.emb, pad) for w in ws)
        self.down = nn.ModuleList(nn.Conv2d(ws[l], ws[l + 1], 1) for l in range(n - 1))  # after 2x avg-pool
        self.mid = ResBlock(ws[-1], ws[-1], cfg.emb, pad)
        self.dec = nn.ModuleList(ResBlock(2 * w, w, cfg.emb, pad) for w in ws)
        self.up = nn.ModuleList(
            [nn.Identity()] + [nn.Conv2d(ws[l], ws[l - 1], 1) for l in range(1, n)]
        )  # after 2x nearest
        self.out_adapt = nn.ModuleList([nn.Identity()] + [nn.Conv2d(w, ws[0], 1) for w in ws[1:]])
        self.head_norm = nn.GroupNorm(min(8, ws[0]), ws[0])
        self.head = nn.Conv2d(ws[0], cfg.channels, 3, padding=1, padding_mode=pad)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def path(self, in_side: int, out_side: int) -> Path:
        """The path for r(t) = in_side -> r(s) = out_side; one-line error for anything but r or 2r."""
        a, b = self.cfg.level_of(in_side), self.cfg.level_of(out_side)
        if b not in (a, a - 1):
            raise InputError(
                f"a Flexi-UNet step keeps the side or doubles it: {in_side} -> {out_side} is neither "
                "(with so few sampling steps one step skips a level; use more steps)"
            )
        return Path(0, 0, True) if (b == 0 and a > 0) else Path(a, b, False)

    def forward(self, x: Tensor, c_noise: Tensor, out_side: int | None = None) -> Tensor:
        p = self.path(x.shape[-1], x.shape[-1] if out_side is None else out_side)
        if p.resized_up:
            x = F.interpolate(x, size=(self.cfg.size, self.cfg.size), mode="bilinear", align_corners=False)
        e = self.embed(c_noise)  # [B, emb]
        h = self.in_adapt[p.entry](self.inp(x))  # [B, w_a, r, r]
        skips: dict[int, Tensor] = {}
        n = self.cfg.levels
        for l in range(p.entry, n):
            h = self.enc[l](h, e)
            skips[l] = h
            if l < n - 1:
                h = self.down[l](F.avg_pool2d(h, 2))  # [B, w_{l+1}, r/2, r/2]
        h = self.mid(h, e)
        for l in range(n - 1, p.exit - 1, -1):
            s = skips[l] if l in skips else torch.zeros_like(h)  # zero-filled skip (no encoder level)
            h = self.dec[l](torch.cat([h, s], dim=1), e)
            if l > p.exit:
                h = self.up[l](F.interpolate(h, scale_factor=2.0, mode="nearest"))  # [B, w_{l-1}, 2r, 2r]
        h = self.out_adapt[p.exit](h)
        return self.head(F.silu(self.head_norm(h)))


# ---------------------------------------------------------------------------------------------
# Cost of a path: FLOPs of its convolutions and linear layers, 2 per multiply-add (FlopCounterMode's
# convention), counted by forward hooks on one image


def _layer_flops(m: nn.Module, out: Tensor) -> int:
    if isinstance(m, nn.Conv2d):
        return 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
    return 2 * out.numel() * m.in_features  # nn.Linear


@lru_cache(maxsize=64)
def _path_flops(cfg: FlexiConfig, in_side: int, out_side: int) -> int:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = FlexiUNet(cfg)
    total = [0]
    hooks = [
        m.register_forward_hook(lambda m, a, out: total.__setitem__(0, total[0] + _layer_flops(m, out)))
        for m in net.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    with torch.no_grad():
        net(torch.zeros(1, cfg.channels, in_side, in_side), torch.zeros(1), out_side)
    for h in hooks:
        h.remove()
    return total[0]


def path_flops(cfg: FlexiConfig, in_side: int, out_side: int) -> int:
    """FLOPs of one network call per image on the path in_side -> out_side."""
    return _path_flops(cfg, in_side, out_side)


# ---------------------------------------------------------------------------------------------
# The trained network as the SSD sampler's denoiser


def schedule_label(s: dict[str, Any]) -> str:
    """'3 levels 32->16->8, convex 0.5, T = 1000' for a schedule dict (size, levels, family, gamma, T)."""
    sides = "->".join(str(s["size"] >> l) for l in range(s["levels"]))
    return f"{s['levels']} level(s) {sides}, {s['family']} {s['gamma']:g}, T = {s['T']}"


class FlexiDenoiser:
    """x0_hat(x_t, abar_t, size_s) = FlexiUNet(x_t, c(lambda_t), size_s), clipped to [-1, 1]; float32 inside."""

    def __init__(self, net: FlexiUNet, trained_for: dict[str, Any], name: str = "flexi"):
        self.net, self.trained_for, self.name = net.eval(), dict(trained_for), name
        self.size, self.channels = net.cfg.size, net.cfg.channels

    def check_schedule(self, sched: Any) -> None:
        """One-line error when the sampling schedule is not the one this checkpoint was trained for."""
        got = {"size": sched.size, "levels": sched.levels, "family": sched.family, "gamma": sched.gamma, "T": sched.T}
        if any(got[k] != self.trained_for[k] for k in got):
            raise InputError(
                f"checkpoint {self.name} was trained for {schedule_label(self.trained_for)}; got {schedule_label(got)}"
            )

    @torch.no_grad()
    def x0_hat(self, x_t: Tensor, abar_t: float, size_s: int) -> Tensor:
        c = c_noise_of(torch.full((x_t.shape[0],), math.log(abar_t / (1.0 - abar_t))))
        return self.net(x_t.to(torch.float32), c, size_s).clamp(-1.0, 1.0).to(x_t.dtype)
