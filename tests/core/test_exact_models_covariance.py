"""Sampling the registered exact models reproduces the data covariance (evaluation/truth.py, evaluation/exact.py).

Monte Carlo thresholds: for K Gaussian draws with covariance C_out and known mean,
E||S - C||_F^2 = ||C_out - C||_F^2 + (||C_out||_F^2 + tr(C_out)^2) / K, and over seeds the
observed ||S - C||_F scatters by about 6% around its root-mean-square (measured: 3 seeds of true
data, 0.0280 / 0.0246 / 0.0267 against 0.0266 predicted). We allow 25% (about 4 sd).
"""

from __future__ import annotations

import pytest
import torch

from diffusion_core.evaluation import exact as Q
from diffusion_core.evaluation import metrics as M
from diffusion_core.models import get_model
from diffusion_core.sampling import run as S

K = 20_000


@pytest.fixture(scope="module")
def pca():
    return get_model("digits-pca-gaussian")


def _mc(model, sampler: str, steps: int, k: int, law: str = "gaussian", seed: int = 0):
    sigmas = S.model_sigmas(model, "karras", steps)
    x = S.run_sampler(model, sampler, sigmas, k, seed, law)
    v = model.truth.g.variances.to(torch.float64)
    return M.sample_cov_rel_fro(model.truth.g, x), Q.output_variance(sampler, v, sigmas), v


@pytest.mark.slow
def test_high_nfe_sampler_reproduces_the_covariance_within_monte_carlo_error(pca):
    observed, v_out, v = _mc(pca, "dpmpp_2m", 64, K)
    perfect = M.mc_expected_rel_fro(v, v, K)  # what exact samples would give: ~2.7%
    assert perfect == pytest.approx(0.0266, abs=0.001)
    assert M.cov_rel_fro(v_out, v) < 0.01  # the sampler's own (exact) bias
    assert observed < 1.25 * perfect
    assert observed == pytest.approx(M.mc_expected_rel_fro(v_out, v, K), rel=0.25)


def test_a_coarse_sampler_fails_the_same_bound(pca):
    observed, v_out, v = _mc(pca, "euler", 8, K)
    assert M.cov_rel_fro(v_out, v) > 0.3
    assert observed > 5 * M.mc_expected_rel_fro(v, v, K)
    assert observed == pytest.approx(M.mc_expected_rel_fro(v_out, v, K), rel=0.25)


def test_exact_output_variance_matches_monte_carlo_for_laplace_injections(pca):
    """Per-mode variance of ddpm_ancestral output does not depend on the law: exact = MC (laplace)."""
    sigmas = S.model_sigmas(pca, "karras", 12)
    x = S.run_sampler(pca, "ddpm_ancestral", sigmas, K, 3, "laplace")
    c = pca.truth.g.encode(x) - pca.truth.g.mean  # [K, 64] PCA coefficients
    v_mc = c.pow(2).mean(0)
    v_exact = Q.output_variance("ddpm_ancestral", pca.truth.g.variances.to(torch.float64), sigmas)
    keep = v_exact > 1e-3
    # each mode's variance estimate has relative sd <= sqrt((2 + kurtosis excess) / K) < 2% here
    assert torch.allclose(v_mc[keep], v_exact[keep], rtol=0.08)
    assert float((v_mc[keep] / v_exact[keep]).mean()) == pytest.approx(1.0, abs=0.01)


@pytest.mark.slow
def test_field_sample_covariance_matches_its_prediction():
    field = get_model("field-beta2-32")
    observed, v_out, v = _mc(field, "dpmpp_2m", 32, 1024)
    assert observed == pytest.approx(M.mc_expected_rel_fro(v_out, v, 1024), rel=0.2)
    assert M.cov_rel_fro(v_out, v) < 0.03


@pytest.mark.parametrize(
    "sampler, bound64", [("euler", 0.08), ("heun", 0.005), ("dpmpp_2m", 0.005), ("ddpm_ancestral", 0.15)]
)
def test_exact_covariance_error_of_field_shrinks_with_steps(sampler, bound64):
    field = get_model("field-beta2-32")
    e10 = field.truth.exact_error(sampler, S.model_sigmas(field, "karras", 10))
    e64 = field.truth.exact_error(sampler, S.model_sigmas(field, "karras", 64))
    assert e64 < bound64 < e10


def test_empirical_denoiser_memorises():
    emp = get_model("digits-empirical")
    sigmas = S.model_sigmas(emp, "karras", 16)
    x = S.run_sampler(emp, "heun", sigmas, 32, 0)
    m = M.memorisation(x, emp.truth.train)
    assert m["memorisation_rate"] == 1.0 and m["mean_nn_rms"] < 1e-3
    # and the check can fail: fresh Gaussian-model samples are not copies
    pca = get_model("digits-pca-gaussian")
    assert (
        M.memorisation(pca.draw_data(32, torch.Generator().manual_seed(0)), emp.truth.train)["memorisation_rate"] == 0.0
    )


@pytest.mark.slow
def test_quick_sampling_bench():
    from diffusion_core.bench.sampling import render_md, run

    r = run(quick=True)
    rows = {(x["model"], x["sampler"], x["nfe"]): x["cov_rel_fro"] for x in r["exact"]}
    assert rows[("field-beta2-32", "dpmpp_2m", 64)] < 0.005 < rows[("field-beta2-32", "dpmpp_2m", 10)]
    assert rows[("field-beta2-32", "ddim", 10)] == rows[("field-beta2-32", "euler", 10)]
    mc = r["monte_carlo"][0]
    assert mc["observed"] == pytest.approx(mc["predicted"], rel=0.3)
    assert all(x["memorisation_rate"] == 1.0 for x in r["memorisation"] if x["nfe"] >= 10)
    assert "| field-beta2-32 | heun | 63 |" in render_md(r)


def test_mixture_mode_weights_within_monte_carlo_error_and_coarse_sampler_fails():
    """TV between sampled mode frequencies and the weights: perfect-sampler level ~0.027 at K = 2000."""
    gmm = get_model("digits-gmm10")
    k = 2000
    truth = M.mode_weights_tv(gmm.draw_data(k, torch.Generator().manual_seed(0)), gmm.truth.mixture)
    assert truth["mode_tv"] < 2 * truth["tv_perfect"]  # the metric itself, on true draws
    good = S.run_sampler(gmm, "dpmpp_2m", S.model_sigmas(gmm, "karras", 32), k, 0)
    bad = S.run_sampler(gmm, "heun", S.model_sigmas(gmm, "karras", 2), k, 0)
    assert M.mode_weights_tv(good, gmm.truth.mixture)["mode_tv"] < 2 * truth["tv_perfect"]
    assert M.mode_weights_tv(bad, gmm.truth.mixture)["mode_tv"] > 10 * truth["tv_perfect"]
