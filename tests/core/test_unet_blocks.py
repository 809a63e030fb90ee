"""The UNet's depth options: `blocks` ResBlocks per level and a middle self-attention block. One-block weights
keep their state-dict names (the shipped networks load unchanged); the deeper network's size is exact and its
attention starts as the identity (zero-initialised output projection)."""

from __future__ import annotations

import torch

from diffusion_core.models.registry import SIDECARS
from diffusion_core.networks.unet import SelfAttention, UNet, UNetConfig, param_count


def test_one_block_layout_keeps_its_state_dict_names():
    plain = UNet(UNetConfig(width=8, mults=(1, 2), emb=16, padding="zeros"))
    assert not any(k.startswith(("down_more", "up_more", "mid_attn")) for k in plain.state_dict())
    old = {k: v for k, v in SIDECARS["mnist-li-gaussian-gaussian"]["arch"].items()}
    assert "blocks" not in old and UNetConfig.from_json(old).blocks == 1  # sidecars older than the field


def test_deeper_network_size_and_shapes():
    cfg = UNetConfig(channels=1, width=16, mults=(1, 4, 4), padding="zeros", blocks=2, attention=True)
    net = UNet(cfg)
    # 398,577 (one block) + one extra ResBlock per level down (16, 64, 64 ch) and up, + attention on 64 channels
    extra = sum(param_count(m) for m in (*net.down_more, *net.up_more)) + param_count(net.mid_attn)
    assert param_count(net) == 682_993 and param_count(net) - extra == 398_577
    assert param_count(net.mid_attn) == 64 * 2 + 64 * 192 + 192 + 64 * 64 + 64  # norm, qkv, proj
    y = net(torch.randn(3, 1, 28, 28), torch.randn(3))
    assert y.shape == (3, 1, 28, 28)


def test_attention_starts_as_identity_and_mixes_positions_once_trained():
    torch.manual_seed(0)
    att = SelfAttention(8)
    x = torch.randn(2, 8, 5, 5)
    assert torch.equal(att(x), x)
    torch.nn.init.normal_(att.proj.weight)
    y = att(x)
    x2 = x.clone()
    x2[:, :, 0, 0] += 1.0  # one position changes every output position
    assert (att(x2) - y)[:, :, 4, 4].abs().max() > 1e-4
