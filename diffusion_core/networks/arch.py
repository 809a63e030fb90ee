"""One network from a sidecar's `arch`: the project's UNet, or the diffusers UNet2DModel backbone."""

from __future__ import annotations

from typing import Any

from torch import nn

from .unet import UNet, UNetConfig
from .unet2d import UNet2DConfig, UNet2DNet, is_unet2d


def config_from_arch(arch: dict[str, Any]) -> UNetConfig | UNet2DConfig:
    """The architecture record of a sidecar as its config dataclass."""
    return UNet2DConfig.from_json(arch) if is_unet2d(arch) else UNetConfig.from_json(arch)


def net_from_config(cfg: UNetConfig | UNet2DConfig) -> nn.Module:
    """A freshly initialised network of that architecture (the caller seeds torch)."""
    return UNet2DNet(cfg) if isinstance(cfg, UNet2DConfig) else UNet(cfg)


def net_from_arch(arch: dict[str, Any]) -> nn.Module:
    return net_from_config(config_from_arch(arch))
