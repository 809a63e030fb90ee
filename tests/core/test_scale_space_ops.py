"""Scale-space checks B1-B9 (reference/scale-space.md): operator, adjoint, transition covariance,
exact posterior, Lanczos square root, marginal consistency, schedules, information, cost."""

import math

import pytest
import torch
import torch.nn.functional as F

from diffusion_core import data
from diffusion_core import scale_space as ss
from diffusion_core.scale_space.ops import lanczos_fab
from diffusion_core.validation import InputError

AB = ss.ddpm_alpha_bar(1000)


def direct_matrix(n_in, n_out):
    """Dense matrix of one direct antialiased bilinear resize n_in -> n_out (factor k = n_in/n_out)."""
    eye = torch.eye(n_in * n_in, dtype=torch.float64).reshape(-1, 1, n_in, n_in)
    return (
        F.interpolate(eye, size=(n_out, n_out), mode="bilinear", align_corners=False, antialias=True)
        .reshape(n_in * n_in, -1)
        .T
    )


def coeffs(t):
    return ss.StepCoefficients.of(float(AB[t - 1]), float(AB[t]))


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_in,n_out", [(8, 4), (32, 16), (64, 32), (16, 4)])
def test_B1a_rows_sum_to_one(n_in, n_out):
    M = ss.resize_matrix(n_in, n_out)
    assert torch.allclose(M.sum(1), torch.ones(M.shape[0], dtype=M.dtype), atol=1e-12)
    assert M.min() >= 0


@pytest.mark.parametrize("n_in,n_out,expected", [(8, 4, 0.2546), (32, 16, 0.2512), (16, 4, 0.0642)])
def test_B1b_lambda_max(n_in, n_out, expected):
    M = direct_matrix(n_in, n_out)
    lam = float(torch.linalg.eigvalsh(M @ M.T).max())
    assert lam == pytest.approx(expected, abs=1e-4)
    k = n_in // n_out
    assert 1 / k**2 <= lam < 1.05 / k**2  # average pooling gives exactly 1/k^2


def test_B2_adjoint_by_vjp_float32():
    g = torch.Generator().manual_seed(0)
    worst = 0.0
    for n_in, n_out in [(64, 32), (32, 8)]:
        y = torch.randn(3, 1, n_in, n_in, generator=g)
        z = torch.randn(3, 1, n_out, n_out, generator=g)
        lhs = (ss.to_size(y, n_out) * z).sum()
        rhs = (y * ss.to_size_adjoint(z, n_in)).sum()
        worst = max(worst, float(abs(lhs - rhs) / abs(lhs)))
    assert worst < 1e-5
    # the VJP adjoint equals the dense transpose
    M = ss.resize_matrix(16, 8)
    z = torch.randn(1, 1, 8, 8, dtype=torch.float64, generator=g)
    assert torch.allclose(ss.to_size_adjoint(z, 16).flatten(), M.T @ z.flatten(), atol=1e-14)


def test_B3_transition_covariance_psd_at_every_switch():
    sched = ss.resolution_schedule(64, 4)
    mins = {}
    for t in sched.switches:
        M = ss.resize_matrix(sched.res(t - 1), sched.res(t))
        mins[t] = float(torch.linalg.eigvalsh(ss.transition_cov(float(AB[t - 1]), float(AB[t]), M)).min())
    assert all(v > 0 for v in mins.values())
    assert mins[438] == pytest.approx(0.6464, abs=1e-3)  # 64 -> 32 grid
    # the reference's 0.643 is the 8 -> 4 operator (lambda_max 0.2546) at the same step
    small = ss.transition_cov(float(AB[437]), float(AB[438]), ss.resize_matrix(8, 4))
    assert float(torch.linalg.eigvalsh(small).min()) == pytest.approx(0.643, abs=1e-3)


def test_B4a_posterior_equals_dense_gaussian_conditioning():
    g = torch.Generator().manual_seed(1)
    k = coeffs(438)
    M = ss.resize_matrix(8, 4)
    mu_s = torch.randn(1, 1, 8, 8, dtype=torch.float64, generator=g)
    x_t = torch.randn(1, 1, 4, 4, dtype=torch.float64, generator=g)
    # joint Gaussian: x_s ~ N(mu_s, s2 I), x_t = c M x_s + eta, eta ~ N(0, Sigma_{t|s})
    cov_st = k.sigma_s2 * k.c * M.T
    cov_tt = k.c**2 * k.sigma_s2 * M @ M.T + ss.transition_cov(float(AB[437]), float(AB[438]), M)
    mean = mu_s.flatten() + cov_st @ torch.linalg.solve(cov_tt, x_t.flatten() - k.c * M @ mu_s.flatten())
    cov = k.sigma_s2 * torch.eye(64, dtype=torch.float64) - cov_st @ torch.linalg.solve(cov_tt, cov_st.T)
    assert float((ss.posterior_mean(x_t, mu_s, k).flatten() - mean).abs().max()) < 1e-12
    assert float((ss.posterior_cov_dense(k, M) - cov).abs().max()) < 1e-12


def test_B4b_same_resolution_is_ddpm_beta_tilde():
    t = 438
    k = coeffs(t)
    beta = 1 - float(AB[t] / AB[t - 1])
    beta_tilde = (1 - float(AB[t - 1])) / (1 - float(AB[t])) * beta
    xi = torch.ones(1, 1, 4, 4, dtype=torch.float64)
    z = ss.posterior_noise(xi, k, 4)
    assert float(z[0, 0, 0, 0]) ** 2 == pytest.approx(beta_tilde, rel=1e-12)
    assert beta_tilde == pytest.approx(8.812115e-3, abs=1e-9)


def _exact_sqrt_apply(k, M, v):
    A = torch.eye(M.shape[1], dtype=torch.float64) - k.rho * k.c**2 * (M.T @ M)
    ev, U = torch.linalg.eigh(A)
    return (U * ev.sqrt()) @ U.T @ v


def test_B5a_lanczos_square_root():
    k = coeffs(438)
    M = ss.resize_matrix(8, 4)
    v = torch.randn(1, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    exact = _exact_sqrt_apply(k, M, v[0])
    op = lambda u: u - k.rho * k.c**2 * (u @ M.T @ M)  # noqa: E731
    err = {m: float((lanczos_fab(op, v, torch.sqrt, m)[0] - exact).norm() / exact.norm()) for m in (2, 5, 40)}
    assert err[40] < 1e-8
    assert err[2] > err[5] > err[40]
    # the sampler's draw (operator route, VJP adjoint, 40 iterations) matches the eigen square root
    z = ss.posterior_noise(v.reshape(1, 1, 8, 8), k, 4)
    assert float((z.flatten() / math.sqrt(k.sigma_s2) - exact).norm() / exact.norm()) < 1e-8


def test_B5b_covariance_of_lanczos_draws_is_pure_monte_carlo_error():
    k = coeffs(438)
    M = ss.resize_matrix(8, 4)
    n = 4000
    xi = torch.randn(n, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    z = ss.posterior_noise(xi, k, 4).reshape(n, 64)
    sigma = ss.posterior_cov_dense(k, M)
    err = float((z.T @ z / n - sigma).norm() / sigma.norm())
    predicted = math.sqrt((sigma.norm() ** 2 + torch.trace(sigma) ** 2) / n) / float(sigma.norm())
    assert 0.85 * predicted < err < 1.15 * predicted


def test_B5c_null_space_keeps_full_variance():
    k = coeffs(438)
    ev = torch.linalg.eigvalsh(ss.posterior_cov_dense(k, ss.resize_matrix(32, 16)))
    assert float(ev.max()) == pytest.approx(k.sigma_s2, abs=1e-10) and k.sigma_s2 == pytest.approx(0.8586, abs=1e-4)
    assert float(ev.min()) == pytest.approx(0.645, abs=4e-3)


@pytest.mark.slow
def test_B6_marginal_consistency_through_a_switch():
    """x_437 (16 px) -> forward_step -> x_438 (8 px) against the direct marginal at 438."""
    sched = ss.resolution_schedule(16, 4, "convex", 0.5)  # 16 -> 8 switch at t = 438
    assert sched.switches[0] == 438
    x0 = data.gaussian_field(2.0, 16, 1, torch.Generator().manual_seed(4)).double()
    n, g = 4000, torch.Generator().manual_seed(5)
    xs = ss.forward_marginal(x0.expand(n, -1, -1, -1), 437, sched, g)
    xt = ss.forward_step(xs, float(AB[437]), float(AB[438]), 8, g).reshape(n, 64)
    mean = math.sqrt(float(AB[438])) * ss.to_size(x0, 8).flatten()
    var_t = 1 - float(AB[438])
    se_mean = math.sqrt(var_t / n)
    assert float((xt.mean(0) - mean).abs().max()) < 4.5 * se_mean
    c = torch.cov(xt.T)
    se_var = var_t * math.sqrt(2 / n)
    assert float((torch.diag(c) - var_t).abs().max()) < 4.5 * se_var
    assert float((c - torch.diag(torch.diag(c))).abs().max()) < 4.5 * var_t / math.sqrt(n)


@pytest.mark.parametrize(
    "size,levels,switches,occ,frac",
    [
        (64, 4, [438, 750, 937], [438, 312, 187, 63], 0.529),
        (64, 2, [750], [750, 250], 0.812),
        (128, 5, [360, 640, 840, 960], [360, 280, 200, 120, 40], 0.445),
        (256, 6, [306, 555, 750, 889, 972], [306, 249, 195, 139, 83, 28], 0.383),
    ],
)
def test_B7_B9_schedules_switches_occupancy_cost(size, levels, switches, occ, frac):
    s = ss.resolution_schedule(size, levels, "convex", 0.5, 1000)
    assert s.switches == switches and s.occupancy == occ
    assert ss.pixel_work_fraction(s) == pytest.approx(frac, abs=6e-4)


def test_B7_switch_logsnr_and_other_families():
    s = ss.resolution_schedule(64, 4)
    assert [round(ss.logsnr(float(AB[t])), 2) for t in s.switches] == [-1.81, -5.71, -8.9]
    assert ss.resolution_schedule(64, 4, "equal").occupancy == [250, 250, 250, 250]
    for fam in ("sigmoid", "tanh"):
        o = ss.resolution_schedule(64, 4, fam, 2.0).occupancy
        assert sum(o) == 1000 and o == o[::-1]  # symmetric about tau = 1/2
    assert ss.resolution_schedule(64, 1).occupancy == [1000]  # DDPM = SSD(1L)


def test_B8_information_share_above_coarse_nyquist():
    lam = ss.logsnr(float(AB[438]))
    shares = {
        n: ss.mi_share_above_nyquist(data.load_photo(n, 64), lam) for n in ("astronaut", "camera", "coffee", "grass")
    }
    for n in ("astronaut", "camera", "coffee"):
        assert 0.055 <= shares[n][0] <= 0.085 and 35 <= shares[n][1] <= 62
    assert 0.29 <= shares["grass"][0] <= 0.35
    # at the first step the fine band holds most of a much larger total
    share0, total0 = ss.mi_share_above_nyquist(data.load_photo("astronaut", 64), ss.logsnr(float(AB[0])))
    assert total0 > 50 * shares["astronaut"][1] and share0 > 0.4


def test_signal_dominated_fraction_against_reference_table():
    x = data.load_photo("astronaut", 64)
    got = [ss.signal_dominated_fraction(x, float(AB[t])) for t in (0, 250, 438, 750)]
    assert got == pytest.approx([0.99, 0.35, 0.15, 0.021], abs=0.006)


@pytest.mark.parametrize(
    "kwargs,msg",
    [
        ({"family": "cubic"}, "unknown resolution schedule 'cubic'"),
        ({"size": 64, "levels": 7}, r"levels must be in \[1, 6\] for size 64"),
        ({"size": 48}, "size must be a power of two"),
        ({"gamma": math.nan}, "gamma must be a finite number"),
        ({"levels": 0}, r"levels must be in \[1, 8\]"),
    ],
)
def test_bad_schedule_input(kwargs, msg):
    with pytest.raises(InputError, match=msg) as e:
        ss.resolution_schedule(**kwargs)
    assert "\n" not in str(e.value)
