"""The chain's negative ELBO (issue 22): its terms against closed forms, and the bench's JSON keys."""

import math

import numpy as np
import pytest
import torch

from diffusion_core.noise.conventions import reference_alpha_sigma
from diffusion_core.nonnormal.likelihood import DELTA, bootstrap_ci, chain_nll, neg_log_density, prior_kl
from diffusion_core.nonnormal.losses import loss_weights


def perfect_for_background(x: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    """The exact denoiser of the point mass at -1 (before dequantisation): D = -1."""
    return torch.full_like(x, -1.0)


def test_point_mass_bound_matches_its_closed_form():
    """y = -1 everywhere, D = -1: r_k = -u / s_k, so E KL_k = w_k D E[u^2] / s_k^2 with E[u^2] = DELTA^2 / 12 (GG),
    and the decoder is D (E[u^2] / (2 s_1^2) + log(2 pi) / 2 + log s_1)."""
    n, steps, dims = 4000, 6, 4
    y = -torch.ones(n, 1, 2, 2)
    out = chain_nll(perfect_for_background, y, "gaussian-gaussian", steps, torch.Generator().manual_seed(0))
    eu2 = DELTA**2 / 12
    s = lambda t: float(reference_alpha_sigma(t)[1] / reference_alpha_sigma(t)[0])  # noqa: E731
    kl = sum(loss_weights(k / steps, steps)[0] * dims * eu2 / s(k / steps) ** 2 for k in range(2, steps + 1))
    dec = dims * (eu2 / (2 * s(1 / steps) ** 2) + 0.5 * math.log(2 * math.pi) + math.log(s(1 / steps)))
    assert float(out.steps_kl.mean()) == pytest.approx(kl, rel=0.03)
    assert float(out.decoder.mean()) == pytest.approx(dec, rel=1e-3)
    a, sg = (float(v) for v in reference_alpha_sigma(1.0))
    assert float(out.prior.mean()) == pytest.approx(dims * 0.5 * (a**2 + sg**2 - 1 - 2 * math.log(sg)), rel=1e-4)
    nats = float(out.nats.mean())
    assert nats == pytest.approx(
        float(out.prior.mean() + out.steps_kl.mean() + out.decoder.mean()) + dims * math.log(1 / DELTA)
    )
    assert float(out.bpd.mean()) == pytest.approx(nats / (dims * math.log(2)))


def test_uniform_gaussian_pays_its_law_mismatch_every_step():
    y = -torch.ones(8, 1, 2, 2)
    gg = chain_nll(perfect_for_background, y, "gaussian-gaussian", 5, torch.Generator().manual_seed(1))
    ug = chain_nll(perfect_for_background, y, "uniform-gaussian", 5, torch.Generator().manual_seed(1))
    np.testing.assert_allclose(
        (ug.steps_kl - gg.steps_kl).numpy(), 4 * 4 * 0.5 * (1 + math.log(math.pi / 6)), rtol=1e-9
    )


def test_decoder_laws_and_prior():
    z = torch.tensor([0.0, 1.5, -2.0], dtype=torch.float64)
    assert neg_log_density("gaussian", z).tolist() == pytest.approx(
        [0.5 * v * v + 0.5 * math.log(2 * math.pi) for v in z.tolist()]
    )
    b = 1 / math.sqrt(2)
    assert neg_log_density("laplace", z).tolist() == pytest.approx([abs(v) / b + math.log(2 * b) for v in z.tolist()])
    a, sg = (float(v) for v in reference_alpha_sigma(1.0))
    assert float(prior_kl(torch.zeros(1, 3, dtype=torch.float64))) == pytest.approx(
        3 * 0.5 * (sg**2 - 1 - 2 * math.log(sg)), rel=1e-6
    )


def test_bootstrap_interval_covers_the_mean():
    v = np.random.default_rng(0).normal(2.0, 1.0, 400)
    lo, hi = bootstrap_ci(v)
    assert lo < v.mean() < hi and hi - lo == pytest.approx(2 * 1.96 / 20, rel=0.15)


def test_bench_likelihood_quick_keys():
    from diffusion_core.bench.likelihood import run

    out = run(True, model="mnist-li-laplace-laplace")
    assert {"model", "pair", "bpd", "bpd_ci", "n", "steps"} <= set(out)
    assert out["pair"] == "laplace-laplace" and out["n"] == 16 and out["steps"] == 4
    assert out["bpd_ci"][0] < out["bpd"] < out["bpd_ci"][1]
    assert out["bpd"] == pytest.approx(sum(out["terms_bpd"].values()), rel=1e-9)
