"""The project's MNIST classifier and the digit-quality metrics (evaluation/metrics.py)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from diffusion_core import data
from diffusion_core.evaluation import metrics
from diffusion_core.networks import classifier
from diffusion_core.validation import InputError


def test_classifier_is_hash_checked_and_accurate_on_held_out():
    net = classifier.load_classifier()
    x, y = data.load_mnist("heldout")
    assert classifier.accuracy(net, x, y) >= 0.985  # measured: 0.991
    side = json.loads((classifier.CLASSIFIER_DIR / "mnist-cnn.json").read_text())
    assert side["heldout_accuracy"] == pytest.approx(classifier.accuracy(net, x, y), abs=1e-4)


def test_tampered_classifier_is_refused(tmp_path):
    shutil.copy(classifier.CLASSIFIER_DIR / "mnist-cnn.json", tmp_path)
    raw = bytearray((classifier.CLASSIFIER_DIR / "mnist-cnn.safetensors").read_bytes())
    raw[-5] ^= 0x01
    (tmp_path / "mnist-cnn.safetensors").write_bytes(bytes(raw))
    with pytest.raises(InputError, match="sha256"):
        classifier.load_classifier.__wrapped__(tmp_path)


def test_frechet_distance_of_gaussians_matches_closed_form():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((200_000, 2))
    b = rng.standard_normal((200_000, 2)) * np.array([2.0, 1.0]) + np.array([1.0, 0.0])
    # ||mu||^2 + tr(Ca + Cb - 2 (Ca Cb)^1/2) = 1 + (1 + 4 + 1 + 1) - 2 (2 + 1) = 2
    assert metrics.frechet_distance(a, b) == pytest.approx(2.0, abs=0.03)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)


def test_class_tv_and_nearest_distance():
    assert metrics.class_tv(np.arange(10).repeat(3)) == pytest.approx(0.0)
    assert metrics.class_tv(np.zeros(7, dtype=int)) == pytest.approx(0.9)
    ref = torch.zeros(3, 1, 2, 2)
    ref[1] = 1.0
    x = torch.full((2, 1, 2, 2), 0.9)
    assert metrics.memorisation(x, ref)["mean_nn_rms"] == pytest.approx(0.1)


def test_real_digits_score_near_the_floor_and_noise_far_from_it():
    x, _ = data.load_mnist("heldout")
    real = metrics.digit_quality(x[torch.randperm(1000, generator=torch.Generator().manual_seed(1))[:256]])
    noise = metrics.digit_quality(torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1)
    assert real["confident"] >= 0.9 and real["class_tv"] < 0.1  # measured: 0.95, 0.05
    assert real["fd"] < 1.5 * real["fd_floor"] < noise["fd"] / 10
    assert noise["nn_train"] > 2 * real["nn_train"]
