"""The spectral and GUD networks through the CLI: listed with their thread, sampled by `difflab sample` with no
sampler or step flags (each model's own sampler and conditioning), deterministic, and digits the classifier
accepts at the issue's bar (confident and real for at least 60% of n = 200 samples, seed 0; the PCA
soft-conditioning network measures 60.5%, the others 71-80.5%: sampling is deterministic for a seed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diffusion_core.cli.main import main

SPECTRAL = ("mnist-spectral-standard", "mnist-spectral-tight", "mnist-spectral-instance")
GUD = ("mnist-gud-pixel-standard", "mnist-gud-pca-soft")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_models_lists_every_thread(capsys):
    code, text, _ = run(capsys, "models", "--json")
    assert code == 0
    threads = {m["name"]: m["thread"] for m in json.loads(text)["models"]}
    assert {threads[n] for n in SPECTRAL} == {"spectral"} and {threads[n] for n in GUD} == {"gud"}
    assert threads["mnist-li-gaussian-gaussian-unet2d"] == "nonnormal"
    assert threads["mnist-ssd3-flexi"] == "scale-space" and threads["field-beta2-32-unet"] == "field"


@pytest.mark.parametrize(
    "name, kind, sampler, nfe, schedule",
    [
        ("mnist-spectral-tight", "trained", "heun", 25, "tight-mixed"),
        ("mnist-spectral-instance", "spectral-instance", "heun", 25, "per-instance tight-mixed"),
        ("mnist-gud-pca-soft", "gud", "ddim", 50, "gud a=2 pca"),
    ],
)
def test_sample_picks_the_models_own_sampler_and_is_deterministic(capsys, tmp_path, name, kind, sampler, nfe, schedule):
    outs = []
    for k in range(2):
        out = tmp_path / f"{k}.npy"
        code, text, _ = run(capsys, "sample", "--model", name, "--seed", "3", "--n", "4", "--out", str(out), "--json")
        assert code == 0
        rep = json.loads(text)
        assert (rep["kind"], rep["sampler"], rep["nfe"], rep["schedule"]) == (kind, sampler, nfe, schedule)
        outs.append(np.load(out))
    assert outs[0].shape == (4, 1, 28, 28) and np.array_equal(outs[0], outs[1])
    assert np.abs(outs[0]).max() <= 1.0


def test_the_tight_network_samples_over_its_data_sets_bounds(capsys, tmp_path):
    code, text, _ = run(
        capsys,
        "sample",
        "--model",
        "mnist-spectral-tight",
        "--seed",
        "0",
        "--n",
        "2",
        "--out",
        str(tmp_path / "t.npy"),
        "--json",
    )
    rep = json.loads(text)
    assert code == 0 and rep["sigma_max"] == pytest.approx(65.758, abs=0.01)
    assert rep["sigma_min"] == pytest.approx(0.04045, abs=1e-4)


def test_a_gud_network_refuses_another_sampler_in_one_line(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "sample",
        "--model",
        "mnist-gud-pca-soft",
        "--sampler",
        "heun",
        "--seed",
        "0",
        "--n",
        "2",
        "--out",
        str(tmp_path / "x.npy"),
    )
    assert code == 2
    assert err.strip().count("\n") == 0 and "samples with ddim" in err


@pytest.mark.slow
@pytest.mark.parametrize("name", SPECTRAL + GUD)
def test_each_network_draws_digits_the_classifier_accepts(capsys, tmp_path, name):
    out = tmp_path / "x.npy"
    code, text, _ = run(capsys, "sample", "--model", name, "--seed", "0", "--n", "200", "--out", str(out), "--json")
    assert code == 0
    rep = json.loads(text)
    assert rep["quality_metric"] == "confident"
    assert rep["quality_details"]["confident_real"] >= 0.6, rep["quality_details"]
