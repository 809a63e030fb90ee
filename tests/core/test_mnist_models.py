"""The shipped MNIST models of Li's construction: registered with their pair, hash-checked, and a short
run of each gives digits the project's classifier recognises; ancestral sampling uses the pair's q."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
import torch

from diffusion_core.bench.mnist_models import ancestral_sample, model_of, pair_samples
from diffusion_core.evaluation import metrics
from diffusion_core.models.registry import SIDECARS, SPECS, WEIGHTS_DIR, get_model, load_weights
from diffusion_core.training.vp_chain import STEP_LAW, TRAINED_PAIRS, step_law
from diffusion_core.validation import InputError

# Share classified with confidence >= 0.9 at heun NFE 9 (benchmarks/mnist_models.md, 256 samples): 0.62-0.70 per pair
# (real held-out digits: 0.965); the bound leaves room for 48-sample noise and BLAS differences.
CONFIDENT = {"gaussian-gaussian": 0.4, "laplace-laplace": 0.4, "uniform-laplace": 0.4}


@pytest.mark.parametrize("pair", TRAINED_PAIRS)
def test_registered_with_pair_hash_and_quality(pair):
    spec = SPECS[f"mnist-li-{pair}"]
    side = SIDECARS[spec.name]
    assert (spec.kind, spec.pair, spec.shape, spec.increment_law) == ("trained", pair, (1, 28, 28), "gaussian")
    assert spec.sha256 == hashlib.sha256((WEIGHTS_DIR / spec.weights).read_bytes()).hexdigest()
    assert side["chain_steps"] == 50 and side["dataset"] == "mnist" and side["steps"] == 8000
    assert spec.quality["confident"] > 0.4 and spec.quality["nfe"] == 25 and spec.quality["fd_floor"] > 0
    with pytest.raises(InputError, match="sha256"):
        load_weights(dataclasses.replace(spec, sha256="0" * 64))


@pytest.mark.parametrize("pair", TRAINED_PAIRS)
def test_a_short_run_gives_recognisable_digits(pair):
    x, nfe = pair_samples(pair, "heun", 10, 48, seed=3)  # 5 Heun steps, NFE 9
    assert nfe == 9 and x.shape == (48, 1, 28, 28)
    pred, top, _ = metrics.classify(x)
    assert float((top >= 0.9).mean()) >= CONFIDENT[pair]
    assert len(set(pred.tolist())) >= 8  # not one class


def test_ancestral_sampling_injects_the_pairs_p():
    """Li's chain draws its increments from p: uniform-laplace and laplace-laplace both inject Laplace steps (the
    same network and seed give the same samples), gaussian-gaussian and uniform-gaussian Gaussian ones."""
    model = get_model(model_of("laplace-laplace"))
    a = ancestral_sample(model, "laplace-laplace", 4, 6, seed=0)
    b = ancestral_sample(model, "uniform-laplace", 4, 6, seed=0)  # same network, p = Laplace in both
    g = ancestral_sample(model, "gaussian-gaussian", 4, 6, seed=0)  # same network, Gaussian steps
    assert torch.isfinite(a).all() and torch.equal(a, b) and not torch.allclose(a, g)
    assert STEP_LAW == {
        "gaussian-gaussian": "gaussian",
        "laplace-laplace": "laplace",
        "uniform-gaussian": "gaussian",
        "uniform-laplace": "laplace",
    }
    assert step_law("uniform-laplace", "q") == "uniform"


def _measured_study(name: str) -> tuple:
    """(spec, sidecar, study) of a study network, after the checks every one shares: its weights hash to the
    registry's sha256, it has an entry in mnist_models.json's studies, and its sidecar quality is that entry's own
    Heun NFE-25 row (not the pair table's network's)."""
    import json

    spec = SPECS[name]
    assert spec.sha256 == hashlib.sha256((WEIGHTS_DIR / spec.weights).read_bytes()).hexdigest()
    studies = json.loads((WEIGHTS_DIR.parents[2] / "benchmarks" / "mnist_models.json").read_text())["studies"]
    study = next(st for st in studies if st["model"] == spec.name and not st.get("guide"))
    row = next(r for r in study["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == 25)
    assert row["model"] == spec.name
    assert spec.quality["confident"] == row["confident"] and spec.quality["fd"] == row["fd"]
    return spec, SIDECARS[name], study


def test_the_longer_budget_network_is_registered_and_measured():
    """mnist-li-gaussian-gaussian-long: the gaussian-gaussian preset at 14,000 steps."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-long")
    assert (spec.pair, side["steps"], side["chain_steps"]) == ("gaussian-gaussian", 14000, 50)
    assert study["change"] == "1.75× the steps (14,000)"
    assert spec.quality["confident"] > SPECS["mnist-li-gaussian-gaussian"].quality["confident"]


def test_the_deeper_network_is_registered_and_measured():
    """mnist-li-gaussian-gaussian-deep: the gaussian-gaussian preset on a UNet with two ResBlocks per level and
    middle self-attention."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-deep")
    assert (spec.pair, side["steps"], side["arch"]["blocks"], side["arch"]["attention"]) == (
        "gaussian-gaussian",
        9000,
        2,
        True,
    )
    assert side["params"] == 682_993
    assert study["change"].startswith("1.12× the steps (9,000), 2 ResBlocks per level, self-attention")
    net = get_model(spec.name)
    x = torch.randn(2, 1, 28, 28, dtype=torch.float64)
    assert net.denoiser(x, torch.tensor(0.0)).shape == x.shape


def test_the_higher_training_sigma_network_is_registered_and_measured():
    """mnist-li-gaussian-gaussian-deep-sigma: the deep network with EDM's training sigma centred higher (p_mean -0.6);
    its study names that change, read from the preset."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-deep-sigma")
    assert side["params"] == 682_993 and side["steps"] == 9000
    assert study["change"].endswith("682,993 parameters, p_mean -0.6 (not -1.2)")


def test_the_training_sigma_centred_at_one_network_is_registered_and_measured():
    """mnist-li-gaussian-gaussian-deep-sigma-high: the deep network with EDM's training sigma centred at 1
    (p_mean 0.0); its study names that change, read from the preset."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-deep-sigma-high")
    assert side["params"] == 682_993 and side["steps"] == 9000
    assert study["change"].endswith("682,993 parameters, p_mean 0 (not -1.2)")


def test_the_training_sigma_centred_higher_still_network_is_registered_and_measured():
    """mnist-li-gaussian-gaussian-deep-sigma-higher: p_mean 0.6, one step past the best centre of the study."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-deep-sigma-higher")
    assert side["params"] == 682_993 and side["steps"] == 9000
    assert study["change"].endswith("682,993 parameters, p_mean 0.6 (not -1.2)")
    assert spec.quality["confident"] < SPECS["mnist-li-gaussian-gaussian-deep-sigma-high"].quality["confident"]


def test_the_continued_network_is_registered_and_measured_with_both_runs():
    """mnist-li-gaussian-gaussian-deep-sigma-high-continued: the p_mean 0 network trained 9,000 steps more from its
    shipped weights (init); the listing and the study count both runs."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-deep-sigma-high-continued")
    start = SIDECARS["mnist-li-gaussian-gaussian-deep-sigma-high"]
    assert side["init"] == {
        "name": start["name"],
        "sha256": start["sha256"],
        "steps": 9000,
        "train_time": start["train_time"],
    }
    assert (side["steps"], study["steps"], side["arch"]) == (9000, 18000, start["arch"])
    assert study["train_time"] == side["train_time"] + start["train_time"]
    assert study["change"].startswith(
        "training continued from mnist-li-gaussian-gaussian-deep-sigma-high "
        "(9,000 + 9,000 steps), 2.25× the steps (18,000)"
    )
    assert study["change"].endswith("p_mean 0 (not -1.2), lr 0.001 (not 0.002)")
    assert "18,000 steps and 97 min in all" in spec.description


def test_the_wider_network_is_registered_and_measured():
    """mnist-li-gaussian-gaussian-deep-sigma-high-wide: 128 channels at 7x7, 6,000 steps (equal time)."""
    spec, side, study = _measured_study("mnist-li-gaussian-gaussian-deep-sigma-high-wide")
    assert side["params"] == 1_438_833 and side["steps"] == 6000 and side["arch"]["mults"] == [1, 4, 8]
    assert "width 16 × [1, 4, 8], 1,438,833 parameters, p_mean 0 (not -1.2)" in study["change"]


def test_the_autoguided_network_meets_the_confident_target_at_nfe_50_counting_both_networks():
    """The p_mean 0 network guided by the pair table's Gaussian network at w = 2.5 (bench.mnist_models --guide):
    measured cells, each NFE counting both networks; the network's own study and sidecar quality are untouched."""
    import json

    res = json.loads((WEIGHTS_DIR.parents[2] / "benchmarks" / "mnist_models.json").read_text())
    study = next(st for st in res["studies"] if st.get("guide") == "mnist-li-gaussian-gaussian")
    assert (study["model"], study["w"]) == ("mnist-li-gaussian-gaussian-deep-sigma-high", 2.5)
    cells = {(r["sampler"], r["nfe_budget"]): r for r in study["rows"]}
    assert [cells[("heun", b)]["nfe"] for b in (10, 25, 50)] == [10, 22, 50]  # 2 x (2N - 1)
    assert [cells[("ancestral-q", b)]["nfe"] for b in (10, 25, 50)] == [10, 24, 50]  # 2 x N
    best = max(study["rows"], key=lambda r: r["confident"])
    assert best["nfe"] <= 50 and best["confident"] >= 0.9
    assert best["fd"] <= 2 * res["floor"]["fd_floor"]
    alone = next(st for st in res["studies"] if st["model"] == study["model"] and not st.get("guide"))
    assert cells[("heun", 50)]["confident"] > max(r["confident"] for r in alone["rows"] if r["sampler"] == "heun")
    assert (
        SPECS[study["model"]].quality["confident"]
        == next(r for r in alone["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == 25)["confident"]
    )
