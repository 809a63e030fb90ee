"""Device handling (devices.py): auto's order, one-line errors for missing devices, and where tensors land.

This machine has no GPU, so the placement tests use torch's `meta` device: a network moved there
computes shapes only, and any CPU tensor mixed into its arithmetic raises. A sampler run that finishes
with every state and denoiser output on `meta` therefore keeps everything on the model's device.
Tests that need a real GPU are skipped where torch sees none.
"""

from __future__ import annotations

import pytest
import torch

from diffusion_core import devices
from diffusion_core.cli.main import main
from diffusion_core.networks.unet import NetDenoiser, UNet, UNetConfig
from diffusion_core.noise.samplers import SAMPLERS
from diffusion_core.nonnormal.laws import noise_sampler
from diffusion_core.sampling import run as S
from diffusion_core.validation import InputError

CUDA = torch.cuda.is_available()


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "mps_available", lambda: False)
    assert devices.resolve_device("auto") == torch.device("cpu")
    monkeypatch.setattr(devices, "mps_available", lambda: True)
    assert devices.resolve_device("auto") == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert devices.resolve_device("auto") == torch.device("cuda")
    assert devices.available() == ["cuda", "mps", "cpu"]
    assert (
        devices.dist_backend(torch.device("cuda", 1)) == "nccl" and devices.dist_backend(torch.device("cpu")) == "gloo"
    )


@pytest.mark.skipif(CUDA, reason="checks the error path of a machine without CUDA")
def test_missing_or_unknown_devices_are_one_line_errors(monkeypatch):
    monkeypatch.setattr(devices, "mps_available", lambda: False)
    for name, text in [
        ("cuda", "torch sees no CUDA GPU"),
        ("mps", "no Apple MPS"),
        ("tpu", "unknown device 'tpu'"),
        ("cuda:0", "torch sees no CUDA GPU"),
    ]:
        with pytest.raises(InputError, match=text) as e:
            devices.resolve_device(name)
        assert "\n" not in str(e.value)
    assert devices.resolve_device("CPU ") == torch.device("cpu")
    with pytest.raises(InputError, match="no GPU"):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
        devices.rank_device("cuda", 2)
    assert devices.rank_device("cuda", 1) == torch.device("cuda", 1)  # one GPU per torchrun rank


@pytest.mark.skipif(CUDA, reason="checks the error path of a machine without CUDA")
@pytest.mark.parametrize(
    "argv",
    [
        [
            "sample",
            "--model",
            "digits-pca-gaussian",
            "--sampler",
            "euler",
            "--steps",
            "2",
            "--seed",
            "0",
            "--n",
            "1",
            "--out",
            "x.npy",
            "--device",
            "cuda",
        ],
        ["bench", "sampling", "--device", "cuda"],
        ["train", "train/field-beta2-32-unet.toml", "--device", "cuda"],
        [
            "sample",
            "--model",
            "digits-pca-gaussian",
            "--sampler",
            "euler",
            "--steps",
            "2",
            "--seed",
            "0",
            "--n",
            "1",
            "--out",
            "x.npy",
            "--device",
            "gpu",
        ],
    ],
)
def test_cli_device_errors_exit_2_with_one_line(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "device" in err and not (tmp_path / "x.npy").exists()


def _tiny_net() -> UNet:
    torch.manual_seed(0)
    net = UNet(UNetConfig(width=8, mults=(1, 2), emb=16, padding="zeros"))
    torch.nn.init.normal_(net.out.weight, std=0.1)  # not the zero init: outputs depend on x
    return net


@pytest.mark.parametrize("sampler", list(SAMPLERS))
def test_every_sampler_keeps_state_and_denoiser_output_on_the_model_device(sampler):
    den = NetDenoiser(_tiny_net().to("meta"))
    seen = []
    sigmas = torch.tensor([80.0, 5.0, 0.5, 0.0], dtype=torch.float64)
    x = torch.randn(2, 1, 8, 8).to("meta") * 80
    out = SAMPLERS[sampler](
        den,
        x,
        sigmas,
        generator=torch.Generator().manual_seed(0),
        noise=noise_sampler("laplace"),
        callback=lambda info: seen.append((info["x"].device.type, info["denoised"].device.type)),
    )
    assert out.device.type == "meta" and out.dtype == torch.float32
    assert seen and set(seen) == {("meta", "meta")}


def test_model_to_device_moves_a_copy_and_sampling_runs_in_float32():
    from diffusion_core.models.registry import Model, ModelSpec

    spec = ModelSpec("tiny", "trained", "none", (1, 8, 8), "tiny")
    net = _tiny_net()
    m = Model(spec, NetDenoiser(net), None, net=net)
    moved = m.to(torch.device("meta"))
    assert moved.device.type == "meta" and m.device.type == "cpu" and next(net.parameters()).device.type == "cpu"
    x = S.run_sampler(m, "dpmpp_2m", torch.tensor([80.0, 1.0, 0.0], dtype=torch.float64), 3, 0)
    assert x.dtype == torch.float32 and x.device.type == "cpu"
    x64 = S.run_sampler(m, "dpmpp_2m", torch.tensor([80.0, 1.0, 0.0], dtype=torch.float64), 3, 0, dtype=torch.float64)
    assert x64.dtype == torch.float64
    assert torch.allclose(x.double(), x64, atol=1e-4)  # the net runs in float32 either way


def test_exact_models_stay_on_the_cpu_in_any_case():
    from diffusion_core.models import get_model

    m = get_model("digits-pca-gaussian", "auto")
    assert m.device.type == "cpu" and m.to(torch.device("meta")) is m


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_cuda_sampling_matches_cpu_from_the_same_seed():
    from diffusion_core.models.registry import Model, ModelSpec

    spec = ModelSpec("tiny", "trained", "none", (1, 8, 8), "tiny")
    net = _tiny_net()
    m = Model(spec, NetDenoiser(net), None, net=net)
    sig = torch.tensor([80.0, 1.0, 0.1, 0.0], dtype=torch.float64)
    a = S.run_sampler(m, "ddpm_ancestral", sig, 4, 7, "laplace")
    b = S.run_sampler(m.to(torch.device("cuda")), "ddpm_ancestral", sig, 4, 7, "laplace")
    assert torch.allclose(a, b, atol=1e-3)  # same noise, drawn on the CPU
