"""Brownian-tree noise: one path for every step count, N(0, 1) increments, independent across steps."""

from __future__ import annotations

import math

import pytest
import torch

from diffusion_core.noise.brownian import BrownianTree, brownian_noise
from diffusion_core.noise.discretization import build_schedule


def test_same_path_for_any_step_count():
    """W(s_0) - W(s_N) is the same whether reached in 5 or 40 steps (telescoping over one path)."""
    tree = BrownianTree((4, 8), 0.0, 80.0, seed=7)
    for n in (5, 40):
        sig = build_schedule("karras", n, {"sigma_min": 0.1}).sigmas[:-1].tolist()
        total = sum(tree.increment(a, b) * math.sqrt(a - b) for a, b in zip(sig, sig[1:]))
        assert torch.allclose(total, tree(sig[-1]) - tree(sig[0]), atol=1e-10)
    assert torch.equal(tree(3.3), BrownianTree((4, 8), 0.0, 80.0, seed=7)(3.3))
    assert not torch.equal(tree(3.3), BrownianTree((4, 8), 0.0, 80.0, seed=8)(3.3))


def test_increments_are_standard_normal_and_independent():
    tree = BrownianTree((20_000,), 0.0, 10.0, seed=0)
    a, b = tree.increment(10.0, 4.0), tree.increment(4.0, 0.5)
    assert float(a.var()) == pytest.approx(1, abs=0.04) and float(b.var()) == pytest.approx(1, abs=0.04)
    assert abs(float((a * b).mean())) < 0.03


def test_noise_sampler_follows_the_schedule():
    sig = build_schedule("karras", 6).sigmas
    ns = brownian_noise(sig, seed=1)
    tree = BrownianTree((2, 3), 0.0, float(sig[0]), seed=1)
    for k in range(3):
        assert torch.allclose(ns((2, 3), None, torch.float64), tree.increment(float(sig[k]), float(sig[k + 1])))
