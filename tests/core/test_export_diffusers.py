"""Issue 24: a trained network exports as a folder plain diffusers loads, and the card's loop reproduces difflab."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diffusion_core.cli.main import main
from diffusion_core.models.export import exportable
from diffusion_core.models.registry import SIDECARS
from diffusion_core.validation import InputError

UNET2D = sorted(n for n in SIDECARS if exportable(n))
BLOCK = """import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "diffusion_core" or name.startswith("diffusion_core."):
            raise ImportError("diffusion_core is blocked in this test")
sys.meta_path.insert(0, Block())
"""


def test_a_project_unet_is_refused_in_one_line(tmp_path):
    from diffusion_core.models.export import export_diffusers

    with pytest.raises(InputError, match="cannot express") as e:
        export_diffusers("mnist-li-gaussian-gaussian", tmp_path / "x")
    assert "\n" not in str(e.value) and not (tmp_path / "x").exists()


@pytest.mark.skipif(not UNET2D, reason="no UNet2DModel network shipped")
def test_the_cards_loop_in_plain_diffusers_reproduces_difflab_sample(tmp_path, capsys):
    name = UNET2D[0]
    assert main(["models", "--export", name, "--out", str(tmp_path / "x"), "--json"]) == 0
    folder = Path(json.loads(capsys.readouterr().out)["folder"])
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "diffusion_lab.json", "scheduler", "unet"]
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: diffusers\n") and "pytorch_model_hub_mixin" not in card
    assert SIDECARS[name]["sha256"] in card and "cc-by-sa-3.0" in card
    code = re.search(r"```python\n(.*?)```", card, re.S).group(1).replace("THIS_FOLDER", str(folder))
    assert len(code.strip().splitlines()) <= 20 and "diffusion_core" not in code
    script = (
        BLOCK + code + f"\nimport numpy\nnumpy.save({str(tmp_path / 'diffusers.npy')!r}, images.double().numpy())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    ours = tmp_path / "difflab.npy"
    argv = ["sample", "--model", name, "--sampler", "euler", "--schedule", "karras", "--steps", "25", "--seed", "0"]
    assert main([*argv, "--n", "16", "--out", str(ours)]) == 0
    a, b = np.load(tmp_path / "diffusers.npy"), np.load(ours)
    assert a.shape == b.shape == (16, *SIDECARS[name]["shape"])
    assert np.abs(a - b).max() < 1e-4


@pytest.mark.skipif(not UNET2D, reason="no UNet2DModel network shipped")
def test_the_exported_folder_reads_back_as_the_same_denoiser(tmp_path):
    """Read back by the diffusers-folder reader (models/foreign.py, EDMEulerScheduler): the same D(x, lam)."""
    import torch

    from diffusion_core.models.export import export_diffusers
    from diffusion_core.models.folders import load_model_ref
    from diffusion_core.models.registry import get_model
    from diffusion_core.protocols import sigma_to_lam

    name = UNET2D[0]
    a, b = get_model(name), load_model_ref(str(export_diffusers(name, tmp_path / "x")))
    x, lam = torch.randn(3, *a.spec.shape, dtype=torch.float64), sigma_to_lam(torch.tensor([0.01, 0.5, 20.0]))
    assert (a.denoiser(x, lam) - b.denoiser(x, lam)).abs().max() < 1e-5
