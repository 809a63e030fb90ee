"""diffusers interop both ways: DDPMPipeline folders as the project's denoiser, shipped models as hub folders.

Parity (minGPT style): the project's deterministic DDIM (= Euler in VE form) on a tiny random UNet2DModel,
wrapped the k-diffusion way, reproduces diffusers' own DDIMScheduler loop on the same timesteps, for
epsilon and v prediction, and with clip_sample (x0_hat clipped, epsilon recomputed from it, as
DDPMScheduler's posterior does and DDIM does with use_clipped_model_output). No download: every model is made here and saved to a temporary folder.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
import torch

from diffusion_core.cli.main import main
from diffusion_core.models import folders, foreign
from diffusion_core.models.registry import SIDECARS, get_model
from diffusion_core.noise.samplers import sample_euler
from diffusion_core.protocols import sigma_to_lam
from diffusion_core.validation import InputError

diffusers = pytest.importorskip("diffusers")


def tiny_unet(channels: int = 1) -> diffusers.UNet2DModel:
    torch.manual_seed(0)
    return diffusers.UNet2DModel(
        sample_size=8,
        in_channels=channels,
        out_channels=channels,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "UpBlock2D"),
        norm_num_groups=4,
    )


def save_pipeline(folder: Path, prediction: str = "epsilon", steps: int = 100, clip: bool = True) -> Path:
    sched = diffusers.DDPMScheduler(num_train_timesteps=steps, prediction_type=prediction, clip_sample=clip)
    diffusers.DDPMPipeline(unet=tiny_unet(), scheduler=sched).save_pretrained(folder)
    return folder


@pytest.mark.parametrize("prediction, clip", [("epsilon", True), ("epsilon", False), ("v_prediction", False)])
def test_wrapped_unet_reproduces_diffusers_ddim(tmp_path, prediction, clip):
    folder = save_pipeline(tmp_path / "pipe", prediction, clip=clip)
    model = folders.load_model_ref(str(folder))
    sched = diffusers.DDIMScheduler.from_pretrained(folder / "scheduler", prediction_type=prediction)
    sched.set_timesteps(10)
    ac = sched.alphas_cumprod.to(torch.float64)
    ts = sched.timesteps  # [90, 80, ..., 0]
    z = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    x = z.clone()
    with torch.no_grad():
        for t in ts:
            x = sched.step(model.net(x, t).sample, t, x, use_clipped_model_output=True).prev_sample  # eta = 0
    sig = torch.cat([((1 - ac[ts]) / ac[ts]).sqrt(), torch.zeros(1, dtype=torch.float64)])  # set_alpha_to_one: last 0
    ours = sample_euler(model.denoiser, z * (1 + sig[0] ** 2).sqrt(), sig)  # VE state x_vp / alpha
    assert torch.allclose(ours, x, atol=2e-4), float((ours - x).abs().max())
    assert (model.spec.kind, model.spec.shape) == ("diffusers", (1, 8, 8))
    assert model.spec.sigma_max == pytest.approx(float(((1 - ac[-1]) / ac[-1]).sqrt()), rel=1e-5)


def test_sigma_to_t_interpolates_in_log_sigma():
    ac = diffusers.DDPMScheduler(num_train_timesteps=50).alphas_cumprod
    den = foreign.DiscreteDDPMDenoiser(tiny_unet(), ac)
    s = foreign.ddpm_sigmas(ac).to(torch.float32)
    assert torch.allclose(den.sigma_to_t(s[[0, 7, 49]]), torch.tensor([0.0, 7.0, 49.0]), atol=1e-3)
    mid = (s[10].log() + s[11].log()).div(2).exp()
    assert float(den.sigma_to_t(mid[None])) == pytest.approx(10.5, abs=1e-3)
    assert float(den.sigma_to_t(torch.tensor([1e3]))) == 49.0 and float(den.sigma_to_t(torch.tensor([1e-6]))) == 0.0


def test_cli_samples_a_diffusers_folder_with_every_noise_law(tmp_path, capsys):
    folder = save_pipeline(tmp_path / "pipe")
    for law in ("gaussian", "laplace", "uniform"):
        code = main(
            [
                "sample",
                "--model",
                str(folder),
                "--sampler",
                "ddpm_ancestral",
                "--steps",
                "4",
                "--seed",
                "3",
                "--n",
                "2",
                "--noise-law",
                law,
                "--out",
                str(tmp_path / f"{law}.npy"),
                "--json",
            ]
        )
        r = json.loads(capsys.readouterr().out)
        assert code == 0 and r["kind"] == "diffusers" and r["nfe"] == 4 and r["device"] == "cpu"
    import numpy as np

    a, b = np.load(tmp_path / "gaussian.npy"), np.load(tmp_path / "laplace.npy")
    assert a.shape == (2, 1, 8, 8) and not np.allclose(a, b)


def _err(ref: str, **kw) -> str:
    with pytest.raises(InputError) as e:
        folders.load_model_ref(ref, **kw)
    assert "\n" not in str(e.value)
    return str(e.value)


def test_bad_folders_are_one_line_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "not a model folder" in _err(str(tmp_path / "empty"))
    assert "no such folder" in _err(str(tmp_path / "missing"))
    folder = save_pipeline(tmp_path / "shapes")
    cfg = json.loads((folder / "unet" / "config.json").read_text())
    (folder / "unet" / "config.json").write_text(json.dumps({**cfg, "block_out_channels": [8, 24]}))
    assert "do not fit the config" in _err(str(folder)) and "needs" in _err(str(folder))
    folder = save_pipeline(tmp_path / "notjson")
    (folder / "scheduler" / "scheduler_config.json").write_text("{oops")
    assert "not valid JSON" in _err(str(folder))


class Bomb:
    def __reduce__(self):
        return (Path.touch, (Path(MARK),))


MARK = ""


def test_pickle_checkpoints_are_refused_and_never_unpickled(tmp_path):
    global MARK
    MARK = str(tmp_path / "unpickled")
    folder = save_pipeline(tmp_path / "pickled")
    (folder / "unet" / foreign.WEIGHTS).unlink()
    (folder / "unet" / "diffusion_pytorch_model.bin").write_bytes(pickle.dumps(Bomb()))
    assert "pickle checkpoint: refused" in _err(str(folder))
    assert not Path(MARK).exists()


def test_app_field_takes_registry_names_and_folders_in_the_models_dir_only(tmp_path):
    save_pipeline(tmp_path / "mine")
    assert folders.load_model_ref("mine", allow_paths=False, models_dir=tmp_path).spec.kind == "diffusers"
    assert (
        folders.load_model_ref("digits-pca-gaussian", allow_paths=False, models_dir=tmp_path).spec.kind
        == "analytic-gaussian"
    )
    assert folders.folder_models(tmp_path) == ["mine"]
    for bad in ("../mine", str(tmp_path / "mine"), "/etc", "a/b", ".hidden", "nope", "mine/unet"):
        assert "registry name" in _err(bad, allow_paths=False, models_dir=tmp_path)


def test_offline_hub_id_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "could not fetch hub id" in _err("nobody-here/no-such-model-xyz")


def write_project_folder(name: str, folder: Path) -> Path:
    """The layout `difflab models --export` wrote before the diffusers export (config.json + model.safetensors):
    folders already written by users still load."""
    side = SIDECARS[name]
    folder.mkdir(parents=True)
    weights = Path(folders.__file__).resolve().parent / "weights" / side["weights"]
    shutil.copyfile(weights, folder / folders.WEIGHTS)
    cfg = {"_class_name": folders.CLASS_NAME, **{k: side[k] for k in folders.META_KEYS if k in side}}
    (folder / folders.CONFIG).write_text(json.dumps({**cfg, "arch": side["arch"], "sha256": side["sha256"]}))
    return folder


@pytest.mark.skipif("field-beta2-32-unet" not in SIDECARS, reason="no project UNet in the registry")
def test_a_project_folder_still_loads_and_is_hash_checked(tmp_path):
    name = "field-beta2-32-unet"
    folder = write_project_folder(name, tmp_path / "x")
    a, b = get_model(name), folders.load_model_ref(str(folder))
    assert b.spec.sha256 == a.spec.sha256 and b.spec.params == a.spec.params
    x, lam = torch.randn(2, *a.spec.shape), sigma_to_lam(torch.tensor([0.5, 3.0]))
    assert torch.equal(a.denoiser(x, lam), b.denoiser(x, lam))
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[-1] ^= 1
    (folder / "model.safetensors").write_bytes(bytes(data))
    assert "sha256" in _err(str(folder))
