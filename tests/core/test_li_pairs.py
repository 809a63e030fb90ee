"""Li's construction (models/vp_chain.py): the per-pair training loss is the closed-form per-step KL
divided by w_k, with v_k of the N-step chain; a few training steps lower it; presets validate the pair."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from diffusion_core.nonnormal.losses import kl_gauss_gauss, kl_laplace_laplace, kl_uniform_laplace, loss_weights
from diffusion_core.nonnormal.walks import integrated_beta
from diffusion_core.presets import load_preset
from diffusion_core.training.edm import TrainPreset, new_net
from diffusion_core.training.loop import fit
from diffusion_core.training.vp_chain import TRAINED_PAIRS, chain_v, pair_loss_over_w, vp_time

R = torch.tensor([[-3.0, -0.7, -0.05, 0.0, 0.2, 0.9, 2.5]], dtype=torch.float64)  # residuals eps - eps_theta


@pytest.mark.parametrize("t", [0.01, 0.1, 0.5, 1.0])
def test_v_is_the_chain_weight_of_losses(t):
    s = torch.tensor([math.sqrt(math.expm1(float(integrated_beta(t))))], dtype=torch.float64)  # VE level at t
    assert float(vp_time(s)[0]) == pytest.approx(t, rel=1e-12)
    for n in (10, 50, 1000):
        w, v = loss_weights(t, n)
        assert float(chain_v(s, n)[0]) == pytest.approx(v, rel=1e-12)
        assert v == pytest.approx(math.sqrt(2 * w))


@pytest.mark.parametrize("v", [0.3, 1.0, 2.84])
def test_pair_loss_times_w_is_the_closed_form_kl(v):
    """Step std s = 1: the reverse-increment means differ by d = v r (reference section 5)."""
    d, w = (v * R[0]).numpy(), v * v / 2
    vt = torch.tensor([v], dtype=torch.float64)
    b, h = 1 / math.sqrt(2), math.sqrt(3)  # the unit-variance laws sampled
    closed = {
        "gaussian-gaussian": kl_gauss_gauss(d, 1.0, 1.0),
        "laplace-laplace": kl_laplace_laplace(d, b, b),
        "uniform-laplace": kl_uniform_laplace(d, h, b) - kl_uniform_laplace(0.0, h, b),
    }
    for pair in TRAINED_PAIRS:
        got = w * float(pair_loss_over_w(pair, R, vt)[0])
        assert got == pytest.approx(float(np.sum(closed[pair])), rel=1e-12, abs=1e-15), pair


def test_pair_shapes_quadratic_soft_l1_huber():
    """Small residuals: quadratic, r^2 times the Fisher information of the law at the Gaussian's (1; Laplace 2;
    uniform-Laplace 2/sqrt6); large: Laplace and uniform-Laplace grow like 2 sqrt2 |r| / v."""
    v = torch.tensor([1.0], dtype=torch.float64)
    small, big = torch.full((1, 1), 1e-3, dtype=torch.float64), torch.full((1, 1), 50.0, dtype=torch.float64)
    for pair, k in (("gaussian-gaussian", 1.0), ("laplace-laplace", 2.0), ("uniform-laplace", 2 / math.sqrt(6))):
        assert float(pair_loss_over_w(pair, small, v)[0]) == pytest.approx(k * 1e-6, rel=1e-2), pair
    assert float(pair_loss_over_w("gaussian-gaussian", big, v)[0]) == pytest.approx(2500.0)
    assert float(pair_loss_over_w("laplace-laplace", big, v)[0]) == pytest.approx(2 * (math.sqrt(2) * 50 - 1), rel=1e-6)
    ul = 2 * (math.sqrt(2) * 50 - 0.5 * math.log(6) - (3 / math.sqrt(6) - 0.5 * math.log(6)))
    assert float(pair_loss_over_w("uniform-laplace", big, v)[0]) == pytest.approx(ul, rel=1e-12)


TINY = """name = "tiny-pair"
dataset = "mnist"
pair = "{pair}"
steps = 30
batch_size = 16
lr = 0.003
warmup = 3
width = 8
mults = [1, 2]
emb = 16
padding = "zeros"
log_every = 10
"""


@pytest.mark.parametrize(
    "pair", [pytest.param(p, marks=[] if p == "laplace-laplace" else pytest.mark.slow) for p in TRAINED_PAIRS]
)
def test_a_few_steps_lower_each_pair_loss(pair):
    p = load_preset(TINY.format(pair=pair), TrainPreset, text=True)
    _, run = fit(p, new_net(p), p.build_objective(), log=lambda *a, **k: None)
    assert run["final_loss"] < 0.8 * run["first_loss"]  # measured: 0.56-0.64 x


def test_pair_presets_validate():
    with pytest.raises(ValueError, match="pair"):
        load_preset(TINY.format(pair="cauchy-cauchy"), TrainPreset, text=True)
    with pytest.raises(ValueError, match="Gaussian marginal"):
        load_preset(TINY.format(pair="laplace-laplace") + 'increment_law = "laplace"\n', TrainPreset, text=True)
    with pytest.raises(ValueError):
        load_preset(TINY.format(pair="laplace-laplace") + "chain_step = 50\n", TrainPreset, text=True)
    for pair in TRAINED_PAIRS:
        p = load_preset(f"train/mnist-li-{pair}.toml", TrainPreset)
        assert (p.pair, p.dataset, p.increment_law, p.chain_steps) == (pair, "mnist", "gaussian", 50)
