"""Flexi-UNet (reference scale-space.md §7): shapes on every path, zero-filled skips, a few training steps
lower the loss, seeded sampling, the exact-vs-naive switch step, one-line errors for bad inputs."""

from __future__ import annotations

import pytest
import torch

from diffusion_core import data
from diffusion_core import scale_space as ss
from diffusion_core.networks.flexi_unet import FlexiConfig, FlexiDenoiser, FlexiUNet, path_flops
from diffusion_core.presets import load_preset
from diffusion_core.scale_space.sampler import ExactFieldDenoiser, ssd_sample, timesteps
from diffusion_core.training.scale_space import ScaleSpacePreset, train
from diffusion_core.validation import InputError

CFG = FlexiConfig(channels=1, size=32, width=8, mults=(1, 1, 2), emb=16)
TINY = """name = "tiny-flexi"
objective = "scale-space"
dataset = "field-beta2-32"
levels = 3
steps = 30
batch_size = 12
lr = 0.003
warmup = 5
seed = 3
width = 8
mults = [1, 1, 1]
emb = 16
log_every = 10
"""


@pytest.fixture(scope="module")
def net() -> FlexiUNet:
    torch.manual_seed(0)
    return FlexiUNet(CFG)


@pytest.mark.parametrize("side_in, side_out", [(32, 32), (16, 16), (8, 8), (16, 32), (8, 16)])
def test_every_level_and_switch_gives_the_output_side(net, side_in, side_out):
    x = torch.randn(3, 1, side_in, side_in)
    y = net(x, torch.zeros(3), side_out)
    assert y.shape == (3, 1, side_out, side_out)


def test_paths_enter_and_exit_at_the_matching_levels(net):
    assert net.path(8, 8).blocks(3) == ["inp", "in_adapt.2", "enc.2", "mid", "dec.2", "out_adapt.2", "head"]
    up = net.path(8, 16)  # resolution-increasing: one decoder level more
    assert up.blocks(3) == ["inp", "in_adapt.2", "enc.2", "mid", "dec.2", "up.2", "dec.1", "out_adapt.1", "head"]
    assert up.zero_skips == [1]
    top = net.path(16, 32)  # output at the top grid: resize up, full path
    assert top.resized_up and top.blocks(3) == net.path(32, 32).blocks(3)
    assert net.path(16, 16).zero_skips == [] and net.path(32, 32).blocks(3)[:3] == ["inp", "enc.0", "down.0"]


def test_the_extra_decoder_level_gets_a_zero_skip(net):
    seen = {}
    hook = net.dec[1].register_forward_pre_hook(lambda m, a: seen.update(x=a[0]))
    try:
        net(torch.randn(2, 1, 8, 8), torch.zeros(2), 16)
    finally:
        hook.remove()
    h, skip = seen["x"].chunk(2, dim=1)  # [h from below, skip]
    assert skip.abs().max() == 0.0 and h.abs().max() > 0.0


def test_coarse_paths_cost_less(net):
    full, mid, low, up = (path_flops(CFG, a, b) for a, b in ((32, 32), (16, 16), (8, 8), (8, 16)))
    assert low < up < mid < full
    assert path_flops(CFG, 16, 32) == full  # resized up: the whole network


@pytest.mark.parametrize(
    "side_in, side_out, msg",
    [
        (24, 24, "input side 24 is not a level of this Flexi-UNet (sides [32, 16, 8])"),
        (4, 4, "input side 4 is not a level"),
        (64, 64, "input side 64 is not a level"),
        (8, 32, "a Flexi-UNet step keeps the side or doubles it: 8 -> 32 is neither"),
        (16, 8, "keeps the side or doubles it"),
    ],
)
def test_bad_sides_are_one_line_errors(net, side_in, side_out, msg):
    with pytest.raises(
        InputError, match=msg.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")
    ):
        net.path(side_in, side_out)


def test_bad_configs_and_presets_are_one_line_errors():
    with pytest.raises(InputError, match="size must be a power of two"):
        FlexiConfig(size=24)
    with pytest.raises(InputError, match=r"levels \(mults\) must number 1..log2\(size\) - 1 = 4"):
        FlexiConfig(size=32, mults=(1, 1, 1, 1, 1))
    with pytest.raises(InputError, match=r"levels must be in \[1, 5\] for size 32"):
        ScaleSpacePreset(name="x", dataset="field-beta2-32", levels=6)
    with pytest.raises(InputError, match="size must be a power of two"):
        ScaleSpacePreset(name="x", dataset="digits", pad_to=12, levels=2)
    with pytest.raises(InputError, match="levels 3 needs at least 3 network levels"):
        ScaleSpacePreset(name="x", dataset="field-beta2-32", levels=3, mults=(1, 2))


# ---------------------------------------------------------------------------------------------
# Training and sampling


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("flexi")
    p = load_preset(TINY, ScaleSpacePreset, text=True)
    side = train(p, out, "inline", quick_eval=True, log=lambda *a, **k: None)
    from safetensors.torch import load_file

    net = FlexiUNet(FlexiConfig.from_json(side["arch"]))
    net.load_state_dict(load_file(str(out / "tiny-flexi.safetensors")), strict=True)
    return side, FlexiDenoiser(net, side["schedule"], "tiny-flexi")


def test_a_few_training_steps_lower_the_loss(tiny):
    side, _ = tiny
    assert side["final_loss"] < 0.6 * side["first_loss"]  # measured: 0.179 -> 0.059
    assert side["kind"] == "scale-space" and side["schedule"]["levels"] == 3
    assert sum(side["batches_per_level"]) == 30 and all(n > 0 for n in side["batches_per_level"])


def test_sampling_is_seeded_and_reproducible(tiny):
    _, den = tiny
    sched = ss.resolution_schedule(32, 3)
    a, b = (ssd_sample(den, sched, 4, torch.Generator().manual_seed(7), steps=12) for _ in range(2))
    c = ssd_sample(den, sched, 4, torch.Generator().manual_seed(8), steps=12)
    assert a.shape == (4, 1, 32, 32) and torch.equal(a, b) and not torch.equal(a, c)


def test_a_checkpoint_refuses_another_level_schedule(tiny):
    _, den = tiny
    with pytest.raises(
        InputError,
        match=r"checkpoint tiny-flexi was trained for 3 level\(s\) 32->16->8, convex 0.5, "
        r"T = 1000; got 1 level\(s\) 32, convex 0.5, T = 1000",
    ):
        ssd_sample(den, ss.resolution_schedule(32, 1), 2, torch.Generator().manual_seed(0), steps=10)


def test_exact_switch_step_restores_fine_band_power_naive_does_not():
    """Right after the 8 -> 16 switch, the exact posterior noise keeps variance sigma_s^2 in the null space
    of M, so the fine band (above the 8-grid Nyquist) holds the forward marginal's power; upsampling plus
    DDPM's white beta~ leaves it almost empty (reference §5)."""
    den, sched, n = ExactFieldDenoiser(16, 2.0), ss.resolution_schedule(16, 3), 128
    got = {}
    for tr in ("exact", "naive"):

        def keep(d, tr=tr):
            if d["size_t"] < d["size_s"] and d["size_s"] == 16:
                got[tr] = (d["x"], d["t"])

        ssd_sample(den, sched, n, torch.Generator().manual_seed(0), steps=50, callback=keep, transition=tr)
    (xe, t), (xn, _) = got["exact"], got["naive"]
    ts = timesteps(1000, 50)
    s = ts[ts.index(t) + 1]
    fine = ss.fine_band_mask(16)
    band = lambda x: float((torch.fft.fft2(x[:, 0], norm="ortho").abs() ** 2)[:, fine].mean())  # noqa: E731
    x0 = data.gaussian_field(2.0, 16, 4 * n, torch.Generator().manual_seed(1)).double()
    true = band(ss.forward_marginal(x0, s, sched, torch.Generator().manual_seed(2)))
    sigma_s2 = 1.0 - float(ss.ddpm_alpha_bar(1000)[s])
    assert band(xe) == pytest.approx(true, rel=0.05)  # measured: 0.956 vs 0.947 (sigma_s^2 = 0.954)
    assert band(xn) < 0.5 * true and true > 0.9 * sigma_s2  # naive starves the fine band: 0.293
