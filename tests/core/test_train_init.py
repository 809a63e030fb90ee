"""Continued training (`init` in a train preset): the run starts from a shipped model's hash-checked weights,
refuses another architecture or a name that is not a shipped trained model at preset load, and the sidecar
records what it started from."""

from __future__ import annotations

import json
import re

import pytest
import torch

from diffusion_core.models.registry import SIDECARS, SPECS, load_weights
from diffusion_core.presets import load_preset
from diffusion_core.training.edm import TrainPreset, new_net, train
from diffusion_core.validation import InputError

BASE = "mnist-li-gaussian-gaussian-deep-sigma-high"
ARCH = """dataset = "mnist"
pair = "gaussian-gaussian"
p_mean = 0.0
width = 16
mults = [1, 4, 4]
blocks = 2
attention = true
padding = "zeros"
"""


def preset(extra: str = "", arch: str = ARCH) -> TrainPreset:
    return load_preset(f'name = "t"\ninit = "{BASE}"\n{arch}{extra}', TrainPreset, text=True)


def test_the_initial_network_is_the_shipped_model_tensor_for_tensor():
    net, shipped = new_net(preset()), load_weights(SPECS[BASE])
    state = net.state_dict()
    assert state.keys() == shipped.keys()
    assert all(torch.equal(state[k], shipped[k]) for k in shipped)
    scratch = new_net(load_preset(f'name = "t"\n{ARCH}', TrainPreset, text=True)).state_dict()
    assert not any(torch.equal(scratch[k], shipped[k]) for k in shipped if k.endswith("weight"))


def test_a_continued_run_starts_at_the_trained_loss_and_records_its_origin(tmp_path):
    extra = "steps = 3\nbatch_size = 16\nwarmup = 1\nlr = 0.0001\nlog_every = 1\n"
    side = train(preset(extra), tmp_path, "inline", log=lambda *a, **k: None)
    cold = train(
        load_preset(f'name = "c"\n{ARCH}{extra}', TrainPreset, text=True), tmp_path, "inline", log=lambda *a, **k: None
    )
    # the shipped network's loss is ~0.29 (its sidecar's final_loss); from the seed it is ~2.8
    assert side["first_loss"] < 0.6 < 2.0 < cold["first_loss"]
    src = SIDECARS[BASE]
    assert side["init"] == {
        "name": BASE,
        "sha256": src["sha256"],
        "steps": src["steps"],
        "train_time": src["train_time"],
    }
    assert "init" not in cold
    assert json.loads((tmp_path / "t.json").read_text())["init"]["sha256"] == src["sha256"]


@pytest.mark.parametrize(
    "text, message",
    [
        (ARCH.replace("width = 16", "width = 24"), f"init {BASE} has another architecture: width 16 (preset: 24)"),
        (
            ARCH.replace("blocks = 2", "blocks = 1").replace("attention = true", "attention = false"),
            "blocks 2 (preset: 1), attention True (preset: False)",
        ),
    ],
)
def test_another_architecture_is_a_one_line_error_at_load(text, message):
    with pytest.raises(InputError) as e:
        preset(arch=text)
    assert message in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("name", ["nope", "mnist-ssd3-flexi", "../weights/x", "field-beta2-32"])
def test_init_must_name_a_shipped_trained_unet(name):
    with pytest.raises(
        InputError, match=re.escape(f"init must name a shipped trained model (difflab models), got '{name}'")
    ):
        load_preset(f'name = "t"\ninit = "{name}"\n{ARCH}', TrainPreset, text=True)


def test_shipped_continued_presets_name_a_shipped_model_of_their_architecture():
    from diffusion_core.presets import PRESET_ROOT

    continued = [
        load_preset(f"train/{f.name}", TrainPreset)
        for f in sorted((PRESET_ROOT / "train").glob("*.toml"))
        if "init =" in f.read_text()
    ]
    assert [p.name for p in continued] == ["mnist-li-gaussian-gaussian-deep-sigma-high-continued"]
    assert all(SIDECARS[p.init]["arch"] == p.unet_config().to_json() for p in continued)


def test_a_continued_network_is_listed_and_studied_with_both_runs_budgets():
    from diffusion_core.bench.mnist_models import study_change
    from diffusion_core.models.descriptions import budget_text, run_totals

    src = SIDECARS[BASE]
    side = {
        **src,
        "name": "t",
        "steps": 4000,
        "train_time": 1200.0,
        "preset": src["preset"],
        "init": {"name": BASE, "sha256": src["sha256"], "steps": 9000, "train_time": 3306.7},
    }
    assert run_totals(side) == (13000, 4506.7) and run_totals(src) == (9000, src["train_time"])
    assert budget_text(side).endswith(f"continued from {BASE}'s weights: 13,000 steps and 75 min in all")
    assert "continued" not in budget_text(src)
    assert study_change(side, SIDECARS["mnist-li-gaussian-gaussian"]).startswith(
        f"training continued from {BASE} (9,000 + 4,000 steps), 1.62× the steps (13,000), 2 ResBlocks per level"
    )
