"""Folders sampled under their own scheduler config: parity with diffusers' own scheduler loops.

A tiny random UNet2DModel is saved with a scheduler config into tmp_path; the project's sampler over the folder's
sigmas (models/schedulers.py), from the state diffusers starts in (same z), reproduces diffusers' loop.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from diffusion_core.cli.main import main
from diffusion_core.models import folders
from diffusion_core.models.schedulers import SAMPLER_OF
from diffusion_core.noise.samplers import get_sampler
from diffusion_core.protocols import gaussian_noise
from diffusion_core.sampling import run as S
from diffusion_core.validation import InputError

diffusers = pytest.importorskip("diffusers")


def tiny_unet(channels: int = 1, size: int = 8) -> diffusers.UNet2DModel:
    torch.manual_seed(0)
    return diffusers.UNet2DModel(
        sample_size=size,
        in_channels=channels,
        out_channels=channels,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "UpBlock2D"),
        norm_num_groups=4,
    )


def save(folder: Path, sched, channels: int = 1, size: int = 8) -> Path:
    unet = tiny_unet(channels, size)
    unet.save_pretrained(folder / "unet")
    sched.save_pretrained(folder / "scheduler")
    return folder


def ours(folder: Path, steps: int, dtype: torch.dtype = S.DTYPE, sampler: str | None = None) -> torch.Tensor:
    """difflab's run over the folder's own scheduler (seed 1, n 2); float64: the network too."""
    m = folders.load_folder(folder)
    m.net.to(dtype)
    sig = S.model_sigmas(m, S.SCHEDULER, steps)
    init = m.scheduler.init_sigma(float(sig[0]))
    return S.run_sampler(m, sampler or m.scheduler.sampler, sig, 2, 1, dtype=dtype, init_sigma=init).double()


def theirs(folder: Path, steps: int, dtype: torch.dtype = torch.float32, **step_kw) -> torch.Tensor:
    """diffusers' own loop (scale_model_input, UNet, step) from the same z as S.initial_noise (seed 1, n 2)."""
    unet = diffusers.UNet2DModel.from_pretrained(folder / "unet").eval().to(dtype)
    cfg = json.loads((folder / "scheduler" / "scheduler_config.json").read_text())
    sched = getattr(diffusers, cfg["_class_name"]).from_pretrained(folder / "scheduler")
    sched.set_timesteps(steps)
    c, size = unet.config.in_channels, unet.config.sample_size
    z = torch.randn((2, c, size, size), generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    x = z.to(torch.float32).to(dtype) * getattr(sched, "init_noise_sigma", 1.0)  # FlowMatch starts from z
    scale = getattr(sched, "scale_model_input", lambda x, t: x)  # FlowMatch has none
    with torch.no_grad():
        for t in sched.timesteps:
            x = sched.step(unet(scale(x, t).to(dtype), t).sample, t, x, **step_kw).prev_sample
    return x.double()


def errors(folder: Path, steps: int, **kw) -> tuple[float, float]:
    """max |difflab - diffusers| in float64 (both) and in float32 (both, as shipped)."""
    e64 = float((ours(folder, steps, torch.float64) - theirs(folder, steps, torch.float64, **kw)).abs().max())
    e32 = float((ours(folder, steps) - theirs(folder, steps, **kw)).abs().max())
    print(folder.name, f"float64 {e64:.2e} float32 {e32:.2e}")
    return e64, e32


def test_flow_match_folder_is_sampled_as_a_flow(tmp_path):
    folder = save(tmp_path / "flow", diffusers.FlowMatchEulerDiscreteScheduler(shift=3.0))
    e64, e32 = errors(folder, 8)
    assert e64 < 1e-5 and e32 < 1e-4
    m = folders.load_model_ref(str(folder))
    assert m.scheduler.kind == "flow" and m.scheduler.sampler == "euler"
    assert "FlowMatchEulerDiscreteScheduler (flow prediction" in m.spec.description


@pytest.mark.parametrize("spacing", ["leading", "trailing"])
def test_ddim_defaults_match_ddim_scheduler(tmp_path, spacing):
    """clip_sample=True (x0 clipped, the network's eps kept), set_alpha_to_one=True, steps_offset=0. In float32
    diffusers' own loop differs from itself in float64 by ~5e-5 (the clipped chain at sigma ~ 100)."""
    folder = save(tmp_path / f"ddim-{spacing}", diffusers.DDIMScheduler(timestep_spacing=spacing))
    e64, e32 = errors(folder, 10)
    assert e64 < 1e-5 and e32 < 2e-4


def test_ddim_steps_offset_final_alpha_and_v_prediction(tmp_path):
    sched = diffusers.DDIMScheduler(
        steps_offset=1, set_alpha_to_one=False, prediction_type="v_prediction", clip_sample=False
    )
    folder = save(tmp_path / "ddim-offset", sched)
    a, b = ours(folder, 10, torch.float64), theirs(folder, 10, torch.float64)
    ac0 = float(sched.alphas_cumprod[0])
    err = float((a * ac0**0.5 - b).abs().max())  # diffusers returns the VP state at the final level abar_0
    print("ddim offset", err)
    assert err < 1e-5
    assert float(folders.load_folder(folder).scheduler.sigmas(10)[-1]) == pytest.approx(((1 - ac0) / ac0) ** 0.5)


def test_v_prediction_ddpm_folder_is_read_as_v_prediction(tmp_path):
    """The DDPM folder's deterministic path (diffusers' DDIMScheduler from the same config) to 1e-5."""
    folder = save(tmp_path / "v", diffusers.DDPMScheduler(prediction_type="v_prediction", clip_sample=False))
    m = folders.load_folder(folder)
    assert m.scheduler.sampler == "ddpm_ancestral" and m.denoiser.prediction_type == "v_prediction"
    ddim = save(tmp_path / "v-ddim", diffusers.DDIMScheduler.from_config(m.scheduler.config))
    e64, e32 = errors(ddim, 10)
    assert e64 < 1e-5 and e32 < 1e-4
    m.net.double()
    sig = S.model_sigmas(m, S.SCHEDULER, 10)
    a = S.run_sampler(m, "ddim", sig, 2, 1, dtype=torch.float64, init_sigma=m.scheduler.init_sigma(float(sig[0])))
    assert float((a - theirs(ddim, 10, torch.float64)).abs().max()) < 1e-5


@pytest.mark.parametrize(
    "sched, tol",
    [
        (diffusers.EulerDiscreteScheduler(prediction_type="v_prediction"), 5e-5),
        (diffusers.EulerDiscreteScheduler(timestep_spacing="leading", steps_offset=1), 5e-5),
        (diffusers.HeunDiscreteScheduler(), 2e-4),
        (diffusers.DPMSolverMultistepScheduler(), 5e-4),
        (diffusers.EDMEulerScheduler(), 1e-5),
    ],
    ids=["euler-v", "euler-leading", "heun", "dpmsolver", "edm"],
)
def test_deterministic_schedulers_match_their_diffusers_loop(tmp_path, sched, tol):
    """Measured (float64): euler 1.8e-5 / 9e-6, heun 7.9e-5, DPM-Solver++(2M) 1.5e-4 (k-diffusion's form of the
    multistep update against diffusers'), EDM 2.5e-7; a wrong initial state or spacing is off by > 5e-2."""
    folder = save(tmp_path / type(sched).__name__, sched)
    e64, e32 = errors(folder, 6)
    assert e64 < tol and e32 < 2 * tol


def test_unknown_scheduler_class_is_one_line_naming_the_supported(tmp_path):
    folder = save(tmp_path / "lms", diffusers.LMSDiscreteScheduler())
    with pytest.raises(InputError) as e:
        folders.load_folder(folder)
    msg = str(e.value)
    assert "LMSDiscreteScheduler" in msg and "FlowMatchEulerDiscreteScheduler" in msg and "\n" not in msg


def test_fp16_variant_is_loaded_as_float32(tmp_path):
    folder = tmp_path / "fp16"
    tiny_unet().to(torch.float16).save_pretrained(folder / "unet", variant="fp16")
    diffusers.DDPMScheduler().save_pretrained(folder / "scheduler")
    assert (folder / "unet" / "diffusion_pytorch_model.fp16.safetensors").is_file()
    m = folders.load_folder(folder)
    ref = tiny_unet().to(torch.float16).to(torch.float32)
    assert m.denoiser.dtype == torch.float32
    assert all(torch.equal(a, b) for a, b in zip(m.net.state_dict().values(), ref.state_dict().values(), strict=True))


def test_bare_unet_folder_gets_the_fix(tmp_path):
    tiny_unet().save_pretrained(tmp_path / "bare")
    with pytest.raises(InputError) as e:
        folders.load_folder(tmp_path / "bare")
    assert "scheduler" in str(e.value) and "save_pretrained" in str(e.value) and "unet/" in str(e.value)


def _sample(capsys, *args: str) -> dict:
    assert main(["sample", "--steps", "5", "--seed", "1", "--n", "2", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_samples_a_folder_under_its_scheduler_and_set_overrides_it(tmp_path, capsys):
    import numpy as np

    folder = save(tmp_path / "ddim", diffusers.DDIMScheduler(timestep_spacing="trailing"))
    r = _sample(capsys, "--model", str(folder), "--sampler", "auto", "--out", str(tmp_path / "a.npy"))
    assert (r["schedule"], r["scheduler"], r["sampler"]) == ("scheduler", "DDIMScheduler", "ddim")
    assert np.allclose(np.load(tmp_path / "a.npy"), theirs(folder, 5).clamp(-1, 1).numpy(), atol=2e-4)
    r = _sample(
        capsys,
        "--model",
        str(folder),
        "--sampler",
        "auto",
        "--set",
        "timestep_spacing=leading",
        "--set",
        "clip_sample=false",
        "--out",
        str(tmp_path / "b.npy"),
    )
    assert r["scheduler_overrides"] == {"timestep_spacing": "leading", "clip_sample": "false"}
    lead = save(tmp_path / "lead", diffusers.DDIMScheduler(timestep_spacing="leading", clip_sample=False))
    assert np.allclose(np.load(tmp_path / "b.npy"), theirs(lead, 5).clamp(-1, 1).numpy(), atol=2e-4)
    assert r["sigma_max"] == pytest.approx(float(folders.load_folder(lead).scheduler.sigmas(5)[0]))
    flow = save(tmp_path / "flow", diffusers.FlowMatchEulerDiscreteScheduler())
    r = _sample(
        capsys, "--model", str(flow), "--sampler", "euler", "--set", "shift=3", "--out", str(tmp_path / "f.npy")
    )
    shifted = save(tmp_path / "flow3", diffusers.FlowMatchEulerDiscreteScheduler(shift=3.0))
    assert np.allclose(np.load(tmp_path / "f.npy"), theirs(shifted, 5).clamp(-1, 1).numpy(), atol=1e-5)


@pytest.mark.parametrize(
    "item, words", [("nonsense=1", "unknown option"), ("clip_sample=maybe", "true or false"), ("oops", "KEY=VALUE")]
)
def test_bad_set_is_one_line(tmp_path, capsys, item, words):
    folder = save(tmp_path / "ddpm", diffusers.DDPMScheduler())
    args = ["--model", str(folder), "--sampler", "auto", "--set", item, "--out", str(tmp_path / "x.npy")]
    assert main(["sample", "--steps", "5", "--seed", "1", "--n", "2", *args]) != 0
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err


def test_v_prediction_ddpm_ancestral_matches_ddpm_scheduler_on_the_same_noise_stream(tmp_path):
    """z first, then one float32 torch.randn draw per step from the same generator (protocols.gaussian_noise), as
    DDPMScheduler.step(generator=g) draws; the project's own laws draw by inverse CDF instead (nonnormal/laws.py)."""
    folder = save(tmp_path / "v-anc", diffusers.DDPMScheduler(prediction_type="v_prediction"))  # clip_sample on
    unet = diffusers.UNet2DModel.from_pretrained(folder / "unet").eval()
    sched = diffusers.DDPMScheduler.from_pretrained(folder / "scheduler")
    sched.set_timesteps(10)
    g = torch.Generator().manual_seed(1)
    x = torch.randn((2, 1, 8, 8), generator=g, dtype=torch.float64).to(torch.float32)
    with torch.no_grad():
        for t in sched.timesteps:
            x = sched.step(unet(x, t).sample, t, x, generator=g).prev_sample
    m = folders.load_folder(folder)
    sig = m.scheduler.sigmas(10)
    g = torch.Generator().manual_seed(1)
    z = torch.randn((2, 1, 8, 8), generator=g, dtype=torch.float64)
    x0 = (m.scheduler.init_sigma(float(sig[0])) * z).to(torch.float32)
    a = get_sampler("ddpm_ancestral")(m.denoiser, x0, sig, generator=g, noise=gaussian_noise)
    err = float((a - x).abs().max())
    print("ddpm ancestral v", err)
    assert err < 1e-4


@pytest.mark.parametrize("cls", sorted(SAMPLER_OF))
def test_every_supported_class_samples_from_the_cli(tmp_path, capsys, cls):
    folder = save(tmp_path / cls, getattr(diffusers, cls)())
    r = _sample(capsys, "--model", str(folder), "--sampler", "auto", "--out", str(tmp_path / "x.npy"))
    assert (r["scheduler"], r["sampler"], r["nfe"] > 0) == (cls, SAMPLER_OF[cls], True)
    x = np.load(tmp_path / "x.npy")
    assert x.shape == (2, 1, 8, 8) and np.isfinite(x).all()
