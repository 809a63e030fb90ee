"""Training runs: a tiny in-process run lowers the loss and writes safetensors + a sidecar whose sha256
is the file's; the same preset gives the same bytes; a 2-process torchrun (DDP over gloo) smoke run."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from diffusion_core.networks.unet import NetDenoiser, UNet, UNetConfig
from diffusion_core.presets import load_preset
from diffusion_core.training.edm import TrainPreset, train

pytestmark = pytest.mark.slow  # minutes of CPU: `make test` runs it, `make test-quick` does not

ROOT = Path(__file__).resolve().parents[2]
TINY = """name = "tiny"
steps = 40
batch_size = 16
lr = 0.003
warmup = 5
seed = 3
width = 8
mults = [1, 2]
emb = 16
log_every = 10
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    side = train(load_preset(TINY, TrainPreset, text=True), out, "inline", quick_eval=True, log=lambda *a, **k: None)
    return out, side


def test_tiny_run_lowers_the_loss_and_writes_weights_and_sidecar(tiny):
    out, side = tiny
    path = out / "tiny.safetensors"
    assert side["final_loss"] < 0.9 * side["first_loss"]  # measured: 0.943 -> 0.809
    assert side["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert json.loads((out / "tiny.json").read_text()) == json.loads(json.dumps(side))
    assert (side["kind"], side["dataset"], side["increment_law"], side["world_size"]) == (
        "trained",
        "field-beta2-32",
        "gaussian",
        1,
    )
    net = UNet(UNetConfig.from_json(side["arch"]))
    assert side["params"] == sum(p.numel() for p in net.parameters())
    net.load_state_dict(load_file(str(path)), strict=True)  # state dict only, no pickle
    assert path.read_bytes()[:8] != b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46"  # not a torch pickle
    x = torch.randn(2, 1, 32, 32, dtype=torch.float64)
    y = NetDenoiser(net)(x, torch.tensor([0.0, 2.0], dtype=torch.float64))
    assert y.shape == x.shape and y.dtype == torch.float64
    q = side["quality"]["denoising"]
    assert [r["sigma"] for r in q] == [0.1, 0.5, 1.0, 2.0, 5.0]
    assert all(r["mse_exact"] == pytest.approx(r["mse_exact_closed"], rel=0.1) for r in q)  # MC vs closed form


def test_same_preset_same_weights(tiny, tmp_path):
    out, side = tiny
    again = train(
        load_preset(TINY, TrainPreset, text=True), tmp_path, "inline", quick_eval=True, log=lambda *a, **k: None
    )
    assert again["sha256"] == side["sha256"]


def test_denoiser_sigma_limits_follow_the_preconditioning():
    net = UNet(UNetConfig(width=8, mults=(1, 2), emb=16))
    d = NetDenoiser(net)
    x = torch.randn(3, 1, 32, 32, dtype=torch.float64)
    # the output layer starts at zero, so D = c_skip x exactly: x at tiny sigma, ~0 at huge sigma
    assert torch.allclose(d(x, torch.tensor(2 * 9.0)), x, atol=1e-6)  # sigma = e^-9
    lam = -2 * torch.log(torch.tensor(80.0, dtype=torch.float64))
    assert torch.allclose(d(x, lam), x * 0.25 / (6400 + 0.25), atol=1e-6)


def test_two_process_torchrun_gloo(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "diffusion_core",
        "train",
        "train/smoke.toml",
        "--nproc",
        "2",
        "--out-dir",
        str(tmp_path),
        "--quick-eval",
        "--json",
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180, cwd=ROOT)
    if r.returncode != 0 and ("rendezvous" in r.stderr.lower() or "address already in use" in r.stderr.lower()):
        pytest.skip(f"torchrun could not start its rendezvous: {r.stderr.strip().splitlines()[-1]}")
    assert r.returncode == 0, r.stderr[-2000:]
    side = json.loads(r.stdout.strip().splitlines()[-1])
    assert side["world_size"] == 2 and side["steps"] == 8
    assert side["sha256"] == hashlib.sha256((tmp_path / "smoke.safetensors").read_bytes()).hexdigest()
