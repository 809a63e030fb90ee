"""A small UNet denoiser with EDM preconditioning, wrapped as the one `Denoiser` D(x, lam).

    D(x; sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x; c_noise(sigma))     (EDM Table 1)

with sigma = exp(-lam / 2) (VE state x = x0 + sigma n). F is a two-level UNet with residual blocks,
FiLM conditioning on Fourier features of c_noise, and circular padding (the power-law fields are
periodic, and their exact denoiser is a circular convolution). A few hundred K parameters at most.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from ..noise.parameterization import c_in, c_noise, c_out, c_skip
from ..protocols import lam_to_sigma

Tensor = torch.Tensor


@dataclass(frozen=True)
class UNetConfig:
    """Architecture of `UNet` (stored in the weights' JSON sidecar; the state dict holds only tensors)."""

    channels: int = 1  # image channels C
    width: int = 32  # feature channels at full resolution
    mults: tuple[int, ...] = (1, 2, 2)  # width multipliers per level (one 2x downsampling between levels)
    emb: int = 64  # noise-embedding width
    padding: str = "circular"  # "circular" (periodic data) or "zeros"
    sigma_data: float = 0.5  # expected std of the data (EDM sigma_data)
    blocks: int = 1  # ResBlocks per level on the way down (and up)
    attention: bool = False  # one self-attention block at the lowest resolution (middle)
    cond: int = 0  # extra conditioning inputs c [B, cond] (a linear map added to the noise embedding)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["mults"] = list(self.mults)
        if not self.cond:
            del d["cond"]  # unconditioned networks keep the sidecar format they always had
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> UNetConfig:
        return cls(**{**d, "mults": tuple(d["mults"])})  # sidecars older than a field get its default


# ---------------------------------------------------------------------------------------------
# Layers


class FourierEmbedding(nn.Module):
    """Fixed sinusoidal features of the scalar c_noise, then a 2-layer MLP."""

    def __init__(self, emb: int):
        super().__init__()
        self.register_buffer("freqs", torch.exp(torch.linspace(0.0, math.log(64.0), emb // 2)))
        self.mlp = nn.Sequential(nn.Linear(emb, emb), nn.SiLU(), nn.Linear(emb, emb))

    def forward(self, t: Tensor) -> Tensor:
        a = t[:, None] * self.freqs[None]  # [B, emb/2]
        return self.mlp(torch.cat([a.sin(), a.cos()], dim=1))  # [B, emb]


class ResBlock(nn.Module):
    """x + conv(act(FiLM(norm(conv(act(norm x))))))."""

    def __init__(self, cin: int, cout: int, emb: int, padding: str):
        super().__init__()
        self.n1, self.n2 = nn.GroupNorm(min(8, cin), cin), nn.GroupNorm(min(8, cout), cout)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1, padding_mode=padding)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1, padding_mode=padding)
        self.film = nn.Linear(emb, 2 * cout)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: Tensor, e: Tensor) -> Tensor:
        h = self.c1(F.silu(self.n1(x)))
        scale, shift = self.film(e)[:, :, None, None].chunk(2, dim=1)  # [B, cout, 1, 1] each
        h = self.c2(F.silu(self.n2(h) * (1 + scale) + shift))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """x + proj(softmax(q k^T / sqrt(c)) v) over the H W positions (one head, GroupNorm first)."""

    def __init__(self, c: int):
        super().__init__()
        self.norm, self.qkv, self.proj = nn.GroupNorm(min(8, c), c), nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: Tensor) -> Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).transpose(2, 3).unbind(1)  # [B, HW, c] each
        a = F.scaled_dot_product_attention(q, k, v)  # [B, HW, c]
        return x + self.proj(a.transpose(1, 2).reshape(b, c, h, w))


class UNet(nn.Module):
    """F(x_in, c_noise): `blocks` ResBlocks per level down, one in the middle (plus self-attention when
    `attention`), `blocks` per level up. The first block of a level keeps the one-block layout's names
    (down / up), the extra ones are down_more / up_more, so one-block weights load unchanged."""

    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        ws = [cfg.width * m for m in cfg.mults]
        self.embed = FourierEmbedding(cfg.emb)
        self.cond = nn.Linear(cfg.cond, cfg.emb) if cfg.cond else None
        self.inp = nn.Conv2d(cfg.channels, ws[0], 3, padding=1, padding_mode=cfg.padding)
        self.down = nn.ModuleList(ResBlock(a, b, cfg.emb, cfg.padding) for a, b in zip([ws[0], *ws[:-1]], ws))
        self.mid = ResBlock(ws[-1], ws[-1], cfg.emb, cfg.padding)
        self.up = nn.ModuleList(ResBlock(2 * b, a, cfg.emb, cfg.padding) for a, b in zip([ws[0], *ws[:-1]], ws))
        extra = range(cfg.blocks - 1)
        self.down_more = nn.ModuleList(ResBlock(b, b, cfg.emb, cfg.padding) for b in ws for _ in extra)
        self.up_more = nn.ModuleList(ResBlock(a, a, cfg.emb, cfg.padding) for a in [ws[0], *ws[:-1]] for _ in extra)
        self.mid_attn = SelfAttention(ws[-1]) if cfg.attention else None
        self.out = nn.Conv2d(ws[0], cfg.channels, 3, padding=1, padding_mode=cfg.padding)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: Tensor, t: Tensor, c: Tensor | None = None) -> Tensor:
        e = self.embed(t)
        if self.cond is not None:
            if c is None:
                raise ValueError(f"this network is conditioned on {self.cfg.cond} numbers per sample: pass c")
            e = e + self.cond(c.to(e.dtype))  # [B, emb]
        h = self.inp(x)
        skips = []
        more = self.cfg.blocks - 1
        for i, blk in enumerate(self.down):
            h = blk(h, e)
            for extra in self.down_more[i * more : (i + 1) * more]:
                h = extra(h, e)
            skips.append(h)
            if i < len(self.down) - 1:
                h = F.avg_pool2d(h, 2)  # [B, c, H/2, W/2]
        h = self.mid(h, e)
        if self.mid_attn is not None:
            h = self.mid_attn(h)
        for i, blk in reversed(list(enumerate(self.up))):
            h = blk(torch.cat([h, skips[i]], dim=1), e)
            for extra in self.up_more[i * more : (i + 1) * more]:
                h = extra(h, e)
            if i > 0:
                h = F.interpolate(h, scale_factor=2.0, mode="nearest")  # [B, c, 2H, 2W]
        return self.out(F.silu(h))


def param_count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


# ---------------------------------------------------------------------------------------------
# EDM preconditioning: the network as a Denoiser


def precond(
    net: nn.Module, x: Tensor, sigma: Tensor, sigma_data: float | None = None, cond: Tensor | None = None
) -> Tensor:
    """D(x; sigma) = c_skip x + c_out F(c_in x; c_noise[, c]), float32 inside; x [B, C, H, W], sigma [B].

    `net` is a UNet or a wrapper of one (DDP); sigma_data defaults to net.cfg.sigma_data; `cond` [B, k] goes to
    a network built with cfg.cond = k (the per-instance spectral network's schedule endpoints)."""
    sd = net.cfg.sigma_data if sigma_data is None else sigma_data
    s = sigma.to(torch.float32).reshape(-1, 1, 1, 1)  # [B, 1, 1, 1]
    xf = x.to(torch.float32)
    t = c_noise(s.clamp_min(1e-8)).reshape(-1)
    f = net(c_in(s, sd) * xf, t) if cond is None else net(c_in(s, sd) * xf, t, cond.to(xf.device, torch.float32))
    return c_skip(s, sd) * xf + c_out(s, sd) * f


class NetDenoiser:
    """The `Denoiser` protocol for a trained UNet: D(x, lam) with lam [B] or scalar; output in x's dtype.

    The network runs on its own device in float32; x may come on that device (the sampler's state)."""

    def __init__(self, net: nn.Module):
        self.net = net.eval()

    @property
    def device(self) -> torch.device:
        return next(self.net.parameters()).device

    def to(self, device: torch.device) -> NetDenoiser:
        """A denoiser over a copy of the network on `device`."""
        return NetDenoiser(copy.deepcopy(self.net).to(device))

    @torch.no_grad()
    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        dev = self.device
        lam = torch.as_tensor(lam).to(dev, torch.float32).reshape(-1).expand(x.shape[0])
        sigma = lam_to_sigma(lam)  # [B] float32 on the net's device
        return precond(self.net, x.to(dev), sigma).to(x.dtype)
