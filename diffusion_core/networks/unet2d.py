"""The diffusers backbone: a `diffusers.UNet2DModel` as the F of EDM's preconditioning, so that a trained network
exports as a `unet/` folder that plain diffusers loads and samples with `EDMEulerScheduler`.

    D(x; sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x; c_noise(sigma))     (EDM Table 1)

F = UNet2DModel(sample, timestep = c_noise = ln(sigma) / 4).sample: diffusers' EDM schedulers compute the same
c_in (`precondition_inputs`), c_noise (`precondition_noise`) and, with prediction_type "epsilon", the same
c_skip and c_out (`precondition_outputs`), so the preconditioning stays outside the network as they expect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from diffusers import UNet2DModel
from torch import nn

Tensor = torch.Tensor
BACKBONE = "unet2d"


@dataclass(frozen=True)
class UNet2DConfig:
    """Architecture of `UNet2DNet` (the sidecar's `arch`, with "backbone": "unet2d")."""

    channels: int = 1  # image channels C
    size: int = 28  # sample_size (H = W)
    block_out_channels: tuple[int, ...] = (16, 32, 64)  # one level each, a 2x downsampling between levels
    layers_per_block: int = 1  # ResnetBlock2Ds per level down (up: one more)
    attention: bool = False  # the middle block's self-attention (add_attention)
    sigma_data: float = 0.5  # expected std of the data (EDM sigma_data)

    def to_json(self) -> dict[str, Any]:
        return {"backbone": BACKBONE, **asdict(self), "block_out_channels": list(self.block_out_channels)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> UNet2DConfig:
        d = {k: v for k, v in d.items() if k != "backbone"}
        return cls(**{**d, "block_out_channels": tuple(d["block_out_channels"])})

    def diffusers_config(self) -> dict[str, Any]:
        """UNet2DModel's constructor arguments (what `unet/config.json` holds)."""
        levels = len(self.block_out_channels)
        return {
            "sample_size": self.size,
            "in_channels": self.channels,
            "out_channels": self.channels,
            "block_out_channels": list(self.block_out_channels),
            "layers_per_block": self.layers_per_block,
            "down_block_types": ["DownBlock2D"] * levels,
            "up_block_types": ["UpBlock2D"] * levels,
            "norm_num_groups": 8,
            "time_embedding_type": "positional",
            "flip_sin_to_cos": True,
            "freq_shift": 0,
            "add_attention": self.attention,
        }


def is_unet2d(arch: dict[str, Any]) -> bool:
    """Whether a sidecar's `arch` describes this backbone."""
    return arch.get("backbone") == BACKBONE


class UNet2DNet(nn.Module):
    """F(x_in, c_noise) = UNet2DModel(x_in, c_noise).sample; `cfg.sigma_data` for the preconditioning."""

    def __init__(self, cfg: UNet2DConfig):
        super().__init__()
        self.cfg = cfg
        self.unet = UNet2DModel(**cfg.diffusers_config())

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        return self.unet(x, t).sample
