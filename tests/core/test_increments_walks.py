"""Structured random walks: Theorem 3.1 moments, the kurtosis of x_N, step-form stability."""

import math

import numpy as np
import pytest
import torch

from diffusion_core.nonnormal.laws import LAWS, get_law, kurtosis_stderr, sample_excess_kurtosis, var_stderr
from diffusion_core.nonnormal.walks import (
    appendix_var,
    exact_moments,
    expected_excess_kurtosis,
    integrated_beta,
    main_text_var,
    simulate_walk,
    walk_coefficients,
    walk_factors,
)
from diffusion_core.validation import InputError

# Reference table (non-normal-increments.md, N1): Euler form, left grid, x0 = 1.
REFERENCE = {
    1: (0.95, 0.1),
    2: (-1.4747, 5.1394),
    5: (0.013963, 4.1014),
    10: (0.00034514, 1.8175),
    50: (0.0050561, 1.1039),
    1000: (0.0064943, 1.0047),
}


@pytest.mark.parametrize("n", sorted(REFERENCE))
def test_exact_moments_match_reference_table(n):
    m = exact_moments(n, "euler", "left")
    mean, var = REFERENCE[n]
    assert m.mean[-1] == pytest.approx(mean, rel=2e-4)
    assert m.var[-1] == pytest.approx(var, rel=2e-4)


@pytest.mark.parametrize("form", ["euler", "ddpm"])
@pytest.mark.parametrize("grid", ["left", "right"])
def test_appendix_variance_equals_recursion_and_coefficients(form, grid):
    for n in (1, 2, 5, 50, 333):
        a, s = walk_factors(n, form, grid)
        m = exact_moments(n, form, grid)
        assert appendix_var(a, s) == pytest.approx(m.var[-1], rel=1e-12)
        assert np.sum(walk_coefficients(a, s) ** 2) == pytest.approx(m.var[-1], rel=1e-12)


def test_main_text_variance_is_the_wrong_one():
    """The printed main-text form drops the square on the ratio; the simulation sides with Eq. 43."""
    a, s = walk_factors(50, "euler", "left")
    sim = simulate_walk("gaussian", 50, 40_000, torch.Generator().manual_seed(4), "euler", "left")
    assert abs(sim.x.var() - appendix_var(a, s)) < 5 * var_stderr(sim.x)
    assert abs(main_text_var(a, s) - appendix_var(a, s)) > 50 * var_stderr(sim.x)


def test_continuum_limit():
    b = integrated_beta(1.0)
    for form in ("euler", "ddpm"):
        m = exact_moments(20_000, form, "right")
        assert m.mean[-1] == pytest.approx(math.exp(-b / 2), rel=2e-3)
        assert m.var[-1] == pytest.approx(-math.expm1(-b), rel=1e-3)


@pytest.mark.parametrize("form", ["euler", "ddpm"])
@pytest.mark.parametrize("law", LAWS)
def test_simulated_moments_match_theorem_3_1(law, form):
    """Every law, N = 1, 2, 5, 50: mean and variance of x_N (and along the path) within 5 MC errors."""
    gen = torch.Generator().manual_seed(11)
    for n in (1, 2, 5, 50):
        sim = simulate_walk(law, n, 60_000, gen, form, "right")
        ex = exact_moments(n, form, "right")
        se_mean = math.sqrt(ex.var[-1] / len(sim.x))
        assert abs(sim.x.mean() - ex.mean[-1]) < 5 * se_mean
        assert abs(sim.x.var() - ex.var[-1]) < 5 * var_stderr(sim.x) + 1e-12
        # the whole path: relative error of the variance curve
        np.testing.assert_allclose(sim.var[1:], ex.var[1:], rtol=0.06)


def test_expected_kurtosis_values_right_grid():
    k = lambda n, form: expected_excess_kurtosis(3.0, exact_moments(n, form, "right").coefficients)
    for form in ("euler", "ddpm"):
        assert k(1, form) == pytest.approx(3.0, abs=1e-12)
    assert k(50, "euler") == pytest.approx(0.652, abs=5e-4)
    assert k(200, "euler") == pytest.approx(0.150, abs=5e-4)
    assert k(50, "ddpm") == pytest.approx(0.739, abs=5e-4)
    assert k(200, "ddpm") == pytest.approx(0.154, abs=5e-4)
    # falls like 1/N
    assert 0.15 < k(200, "ddpm") / k(50, "ddpm") < 0.35
    assert k(2000, "ddpm") * 2000 == pytest.approx(k(1000, "ddpm") * 1000, rel=0.05)


def test_expected_kurtosis_values_left_grid():
    k = lambda n: expected_excess_kurtosis(3.0, exact_moments(n, "euler", "left").coefficients)
    assert k(50) == pytest.approx(0.64, abs=5e-3)
    assert k(200) == pytest.approx(0.15, abs=5e-3)
    assert k(10) == pytest.approx(2.95, abs=5e-3)  # the last large Euler step dominates


@pytest.mark.parametrize(
    "law, n, form, paths",
    [
        ("laplace", 1, "ddpm", 200_000),
        ("laplace", 50, "euler", 200_000),
        ("laplace", 50, "ddpm", 200_000),
        ("laplace", 200, "ddpm", 100_000),
        ("uniform", 5, "euler", 100_000),
        ("rademacher", 2, "euler", 100_000),
        ("student-t", 1, "ddpm", 200_000),
    ],
)
def test_monte_carlo_kurtosis_matches_formula(law, n, form, paths):
    the_law = get_law(law)
    sim = simulate_walk(the_law, n, paths, torch.Generator().manual_seed(5), form, "right")
    expected = expected_excess_kurtosis(the_law.excess_kurtosis, exact_moments(n, form, "right").coefficients)
    assert abs(sample_excess_kurtosis(sim.x) - expected) < 4.5 * kurtosis_stderr(sim.x) + 1e-9


def test_euler_form_unstable_at_few_steps_ddpm_form_bounded():
    for n in (2, 3, 5):
        a_e, _ = walk_factors(n, "euler", "right")
        a_d, s_d = walk_factors(n, "ddpm", "right")
        assert a_e.min() < 0  # factor 1 - beta dt / 2 turns negative: oscillation
        assert np.all((a_d >= 0) & (a_d < 1)) and np.all(s_d <= 1)
    assert exact_moments(2, "euler", "right").var[-1] > 50  # blows up
    assert exact_moments(2, "ddpm", "right").var[-1] == pytest.approx(1.0)
    assert walk_factors(40, "euler", "right")[0].min() > 0


def test_same_seed_same_walk():
    run = lambda: simulate_walk("laplace", 7, 1000, torch.Generator().manual_seed(9), keep=3)
    a, b = run(), run()
    assert np.array_equal(a.x, b.x) and a.paths.shape == (3, 8) and np.array_equal(a.paths[:, -1], a.x[:3])


@pytest.mark.parametrize(
    "kw, msg",
    [
        (dict(steps=0), "steps must be in \\[1, 20000\\], got 0"),
        (dict(steps=2.5), "steps must be an integer"),
        (dict(paths=10**9), "paths must be at most 2000000 \\(memory cap\\), got 1000000000"),
        (dict(paths=2_000_000, steps=1000), "paths \\* steps must be <="),
        (dict(form="milstein"), "unknown form 'milstein'"),
        (dict(grid="middle"), "unknown grid 'middle'"),
        (dict(law="cauchy"), "unknown law 'cauchy'"),
    ],
)
def test_bad_walk_input(kw, msg):
    args = dict(law="gaussian", steps=5, paths=100, generator=None, form="ddpm", grid="right") | kw
    with pytest.raises(InputError, match=msg) as e:
        simulate_walk(**args)
    assert "\n" not in str(e.value)
