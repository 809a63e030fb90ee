"""Increment laws: zero mean, unit variance, the stated kurtosis, valid densities, seeded coupling."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate

from diffusion_core.nonnormal.laws import (
    LAWS,
    get_law,
    ks_to_gaussian,
    kurtosis_stderr,
    noise_sampler,
    sample,
    sample_excess_kurtosis,
)
from diffusion_core.validation import InputError

KAPPA4 = {"gaussian": 0.0, "laplace": 3.0, "uniform": -1.2, "rademacher": -2.0, "student-t": 1.0}  # nu = 10


@pytest.mark.parametrize("name", LAWS)
def test_sample_moments_match_law(name):
    law = get_law(name)
    assert law.excess_kurtosis == pytest.approx(KAPPA4[name])
    z = sample(law, (400_000,), torch.Generator().manual_seed(3), torch.float64).numpy()
    assert abs(z.mean()) < 5 / math.sqrt(len(z))
    assert z.var() == pytest.approx(1.0, abs=5 * math.sqrt((np.mean(z**4) - 1) / len(z)) + 25 / len(z))
    se = kurtosis_stderr(z)
    assert abs(sample_excess_kurtosis(z) - KAPPA4[name]) < 5 * se + 1e-9


@pytest.mark.parametrize("name", ["gaussian", "laplace", "uniform", "student-t"])
def test_density_is_unit_variance_law(name):
    law = get_law(name)
    lim = math.sqrt(3) if name == "uniform" else np.inf
    moment = lambda p: integrate.quad(lambda x: x**p * law.density(np.array(x)), -lim, lim, limit=200)[0]
    assert moment(0) == pytest.approx(1.0, abs=1e-8)
    assert moment(1) == pytest.approx(0.0, abs=1e-8)
    assert moment(2) == pytest.approx(1.0, abs=1e-7)
    assert moment(4) - 3.0 == pytest.approx(law.excess_kurtosis, abs=1e-6)


@pytest.mark.parametrize("name", LAWS)
def test_cdf_inverts_ppf(name):
    law = get_law(name)
    u = np.array([0.01, 0.2, 0.4, 0.6, 0.77, 0.99])
    if law.discrete:
        assert np.all(law.cdf(law.ppf(u)) >= u)
        assert set(law.ppf(u)) == {-1.0, 1.0}
        assert law.density(np.array([-1.0, 0.0, 1.0])).tolist() == [0.5, 0.0, 0.5]
    else:
        np.testing.assert_allclose(law.cdf(law.ppf(u)), u, atol=1e-10)


def test_student_t_kurtosis_formula():
    for nu in (4.5, 6.0, 10.0, 30.0):
        assert get_law("student-t", nu).excess_kurtosis == pytest.approx(6 / (nu - 4))


def test_noise_sampler_is_seeded_and_coupled_across_laws():
    draws = {n: noise_sampler(n)((3, 4), torch.Generator().manual_seed(7)) for n in LAWS}
    again = noise_sampler("laplace")((3, 4), torch.Generator().manual_seed(7))
    assert torch.equal(draws["laplace"], again)
    assert draws["gaussian"].shape == (3, 4) and draws["gaussian"].dtype == torch.float32
    signs = torch.sign(draws["gaussian"])
    for n in LAWS:  # one uniform stream, monotone transforms: same quantile order everywhere
        assert torch.equal(torch.sign(draws[n]), signs)
        assert (
            torch.equal(torch.argsort(draws[n].flatten()), torch.argsort(draws["uniform"].flatten()))
            or n == "rademacher"
        )


def test_noise_sampler_plugs_into_shared_sampler():
    from diffusion_core.denoisers.mixture import mixture_1d
    from diffusion_core.noise.samplers import sample_euler_ancestral

    sig = torch.tensor([10.0, 1.0, 0.1, 0.0], dtype=torch.float64)
    x = torch.zeros(5, 1, dtype=torch.float64)
    run = lambda law: sample_euler_ancestral(
        mixture_1d(), x, sig, generator=torch.Generator().manual_seed(0), noise=noise_sampler(law)
    )
    assert torch.equal(run("uniform"), run("uniform"))
    assert not torch.allclose(run("uniform"), run("rademacher"))


def test_ks_distance_exact_on_known_sample():
    x = np.array([0.0])  # F_n jumps 0 -> 1 at Phi = 0.5
    assert ks_to_gaussian(x, 0.0, 1.0) == pytest.approx(0.5)
    z = np.random.default_rng(0).normal(2.0, 3.0, 50_000)
    assert ks_to_gaussian(z, 2.0, 9.0) < 1.63 / math.sqrt(len(z)) * 1.5


@pytest.mark.parametrize(
    "bad, msg",
    [
        (dict(name="cauchy"), "unknown law 'cauchy'"),
        (dict(name="student-t", nu=4.0), "no finite fourth moment"),
        (dict(name="student-t", nu=2.5), "nu must be > 4"),
        (dict(name="student-t", nu=float("nan")), "nu must be a finite number"),
    ],
)
def test_bad_law_input(bad, msg):
    with pytest.raises(InputError, match=msg) as e:
        get_law(**bad)
    assert "\n" not in str(e.value)


def test_bad_noise_sampler_param():
    with pytest.raises(InputError, match="unknown law parameter 'scale'"):
        noise_sampler("laplace", scale=2.0)
