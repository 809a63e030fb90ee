"""Every model `difflab models --json` lists samples with `difflab sample --model NAME --sampler auto`; the digit
headline is the share confident AND real-looking, so pure noise cannot score high."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from diffusion_core import data
from diffusion_core.cli.main import main
from diffusion_core.evaluation.truth import DigitTruth


def _json(capsys, argv: list[str]) -> dict | list:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_every_listed_model_samples(tmp_path, capsys):
    names = [m["name"] for m in _json(capsys, ["models", "--json"])["models"]]
    assert "mnist-ssd3-flexi" in names and "mnist-ddpm-baseline" in names
    for name in names:
        out = tmp_path / f"{name}.npy"
        argv = ["sample", "--model", name, "--sampler", "auto", "--steps", "4", "--seed", "0", "--n", "2"]
        r = _json(capsys, [*argv, "--out", str(out), "--json"])
        x = np.load(out)
        assert r["model"] == name and x.shape[0] == 2 and np.isfinite(x).all(), name


def test_scale_space_model_samples_with_its_own_sampler(tmp_path, capsys):
    argv = ["sample", "--model", "mnist-ddpm-baseline", "--sampler", "auto", "--steps", "3", "--seed", "0", "--n", "2"]
    r = _json(capsys, [*argv, "--out", str(tmp_path / "b.npy"), "--json"])
    assert (r["kind"], r["sampler"], r["shape"]) == ("scale-space", "ssd", [2, 1, 28, 28])
    assert r["quality_metric"] == "confident" and 0 <= r["quality"] <= 1
    assert main([*argv[:4], "euler", *argv[5:], "--out", str(tmp_path / "c.npy")]) != 0
    assert "use --sampler auto" in capsys.readouterr().err


def test_noise_scores_zero_and_heldout_digits_score_high():
    truth = DigitTruth()
    noise = truth.score_samples(torch.randn(256, 1, 28, 28, generator=torch.Generator().manual_seed(0))).to_json()
    held, _ = data.load_mnist("heldout")
    real = truth.score_samples(held[:256]).to_json()
    print("noise", noise["confident"], noise["value"], "held-out", real["confident"], real["value"])
    assert noise["confident"] > 0.9 and noise["value"] == 0.0  # the classifier alone is fooled; the headline is not
    assert real["value"] > 0.9 and real["real"] > 0.95
