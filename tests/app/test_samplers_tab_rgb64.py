"""A 3-channel 64 px diffusers folder in the models folder works in the Samplers tab's handlers and the CLI
(issue 24: it raised KeyError 'distinct_copies'); a model nothing can score gets no quality and no sweep."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from diffusion_core.app.samplers import handlers as H
from diffusion_core.app.samplers.view import SamplersView
from diffusion_core.cli.main import main

diffusers = pytest.importorskip("diffusers")


def test_rgb64_folder_in_the_tab_and_the_cli(tmp_path, monkeypatch, capsys):
    torch.manual_seed(0)
    unet = diffusers.UNet2DModel(
        sample_size=64,
        in_channels=3,
        out_channels=3,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "UpBlock2D"),
        norm_num_groups=4,
    )
    folder = tmp_path / "models" / "rgb64"
    unet.save_pretrained(folder / "unet")
    diffusers.DDPMScheduler().save_pretrained(folder / "scheduler")
    monkeypatch.chdir(tmp_path)  # MODELS_DIR is ./models
    view = dataclasses.replace(SamplersView(), model="rgb64", n=2, steps=3, samplers=("euler", "ddim"))
    res = H.sample_compare(view)
    assert res.numbers["metric"] is None and res.numbers["sweep"] == []
    assert all(q["value"] is None and q["nfe"] == 3 for q in res.numbers["samplers"].values())
    assert len(res.gallery) == 2 and H.sweep_after(view)[1] == []
    assert H.compare_csv(view) and H.compare_json(view)
    argv = ["sample", "--model", "rgb64", "--sampler", "auto", "--steps", "3", "--seed", "0", "--n", "2"]
    assert main([*argv, "--out", str(tmp_path / "x.npy"), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["shape"] == [2, 3, 64, 64] and r["quality"] is None and r["scheduler"] == "DDPMScheduler"
