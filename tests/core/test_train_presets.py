"""Training presets: every shipped file validates; unknown keys, wrong types and bad values are one-line
InputErrors; the CLI turns them into exit code 2 before launching anything."""

from __future__ import annotations

import pytest
import torch

from diffusion_core.cli.main import main
from diffusion_core.presets import PRESET_ROOT, load_preset
from diffusion_core.training.edm import TrainPreset
from diffusion_core.training.loop import lr_at
from diffusion_core.training.loss import edm_weight, residual_loss
from diffusion_core.training.scale_space import ScaleSpacePreset, load_train_preset
from diffusion_core.validation import InputError

BASE = 'name = "t"\n'


def test_every_shipped_train_preset_loads():
    files = sorted((PRESET_ROOT / "train").glob("*.toml"))
    assert {f.stem for f in files} >= {"field-beta2-32-unet", "field-beta2-32-unet-marginal-laplace", "smoke"}
    for f in files:
        p = load_train_preset(f"train/{f.name}")
        cfg = p.flexi_config() if isinstance(p, ScaleSpacePreset) else p.unet_config()
        assert p.name == f.stem and cfg.channels == 1


def test_laplace_preset_differs_from_the_gaussian_one_only_in_law_and_loss():
    g = load_preset("train/field-beta2-32-unet.toml", TrainPreset)
    lap = load_preset("train/field-beta2-32-unet-marginal-laplace.toml", TrainPreset)
    diff = {k for k in g.__dataclass_fields__ if getattr(g, k) != getattr(lap, k)}
    assert diff == {"name", "increment_law", "loss"}
    assert (lap.increment_law, lap.loss) == ("laplace", "soft-l1")


@pytest.mark.parametrize("pair", ["gaussian-gaussian", "laplace-laplace", "uniform-laplace"])
def test_second_seed_of_each_pair_network_differs_only_in_seed(pair):
    """The pair table's training-seed spread (issue 22) compares two trainings of one recipe: the seed-1
    preset is the seed-0 one but for name and seed, and its shipped network says so in its sidecar."""
    from diffusion_core.bench.pair_seeds import network
    from diffusion_core.models.registry import SIDECARS

    a = load_preset(f"train/mnist-li-{pair}-unet2d.toml", TrainPreset)
    b = load_preset(f"train/mnist-li-{pair}-unet2d-seed1.toml", TrainPreset)
    assert {k for k in a.__dataclass_fields__ if getattr(a, k) != getattr(b, k)} == {"name", "seed"}
    assert (a.seed, b.seed) == (0, 1) and network(pair, 1) == b.name
    side = SIDECARS[b.name]
    assert side["seed"] == 1 and side["steps"] == a.steps and side["sha256"] != SIDECARS[a.name]["sha256"]


@pytest.mark.parametrize(
    "text, message",
    [
        (BASE + "stepz = 10\n", "unknown preset key(s) stepz"),
        (BASE + 'steps = "10"\n', "preset key 'steps' must be int"),
        (BASE + "lr = true\n", "preset key 'lr' must be float"),
        (BASE + 'loss = "l3"\n', "preset key 'loss' must be one of ['mse', 'soft-l1']"),
        (BASE + 'increment_law = "cauchy"\n', "unknown increment law 'cauchy'"),
        (BASE + 'dataset = "cifar"\n', "unknown dataset 'cifar'"),
        (BASE + "steps = 0\n", "steps"),
        (BASE + "lr = -1.0\n", "lr"),
        (BASE + "mults = [1, 9]\n", "mults must be 1 to 4 integers in 1..8"),
        ('name = "../evil"\n', "name must be letters, digits"),
        ("steps = 5\n", "preset is invalid"),
    ],
)
def test_bad_presets_are_one_line_input_errors(text, message):
    with pytest.raises(InputError) as e:
        load_preset(text, TrainPreset, text=True)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_cli_bad_preset_exits_2(capsys):
    assert main(["train", "train/nope.toml"]) == 2
    assert "preset not found" in capsys.readouterr().err
    assert main(["train", "/etc/passwd.toml"]) == 2
    assert main(["train", "presets/train/smoke.toml", "--nproc", "0"]) == 2  # repo-root path form accepted
    assert "nproc must be in [1, 64], got 0" in capsys.readouterr().err


def test_edm_weight_lr_schedule_and_losses():
    s = torch.tensor([0.5, 2.0])
    c_out = s * 0.5 / (s**2 + 0.25).sqrt()  # EDM Table 1
    assert torch.allclose(edm_weight(s, 0.5), 1 / c_out**2)
    p = TrainPreset(name="t", steps=1000, warmup=100, lr=1e-3)
    assert lr_at(0, p) == pytest.approx(1e-5) and lr_at(99, p) == pytest.approx(1e-3)
    assert lr_at(999, p) == pytest.approx(
        1e-3 * (0.05 + 0.95 * 0.5 * (1 + torch.cos(torch.tensor(torch.pi * 899 / 900)).item()))
    )
    r = torch.tensor([1e-3, 0.5, 50.0])
    assert torch.allclose(residual_loss(r, "mse", 1.0), r**2)
    soft = residual_loss(r, "soft-l1", 1.0)  # (2/v^2)(e^{-v|r|} - 1 + v|r|)
    assert soft[0] == pytest.approx(1e-6, rel=1e-3)  # quadratic for small residuals
    assert soft[2] == pytest.approx(2 * (50 - 1), rel=1e-6)  # linear (2/v)|r| - 2/v^2 for large ones


def test_edm_loss_floor_matches_monte_carlo_over_sigma():
    from diffusion_core import data
    from diffusion_core.evaluation.denoising import edm_loss_floor, wiener_mse

    v = data.power_law_variance(32, 2.0)
    g = torch.Generator().manual_seed(0)
    sig = torch.exp(-1.2 + 1.2 * torch.randn(4000, generator=g, dtype=torch.float64))
    mc = torch.tensor([float(edm_weight(s, 0.5)) * wiener_mse(v, float(s)) for s in sig])
    floor = edm_loss_floor(v)
    assert floor == pytest.approx(0.75737, abs=1e-4)  # quadrature value
    assert abs(float(mc.mean()) - floor) < 3 * float(mc.std()) / 4000**0.5
