"""The one conventions module (issue 8.3) and computations the handlers now take from the core (8.2)."""

import math

import numpy as np
import pytest
import torch

from diffusion_core.evaluation import metrics
from diffusion_core.noise import conventions as C
from diffusion_core.noise.schedules import lam_vp


def test_noise_variables_convert_both_ways():
    lam = torch.linspace(-12, 12, 49, dtype=torch.float64)
    assert torch.allclose(C.lam_from_sigma(C.sigma_from_lam(lam)), lam, atol=1e-12)
    assert torch.allclose(C.lam_from_alpha_bar(C.alpha_bar_from_lam(lam)), lam, atol=1e-9)
    a, s = C.vp_alpha_sigma(lam)
    assert torch.allclose(a**2 + s**2, torch.ones_like(lam), atol=1e-15)
    assert torch.allclose(s / a, C.sigma_from_lam(lam), rtol=1e-12)  # x_ve = x_vp / alpha
    assert torch.allclose(C.sigma_from_alpha_bar(C.alpha_bar_from_lam(lam)), C.sigma_from_lam(lam), rtol=1e-9)
    assert float(C.sigma_from_lam(0.0)) == 1.0 and C.sigma_from_lam(torch.zeros(2)).dtype == torch.float32


def test_reference_vp_process():
    assert C.beta_vp(0.0) == pytest.approx(0.1) and C.beta_vp(1.0) == pytest.approx(20.0)
    assert C.integrated_beta(1.0) == pytest.approx(0.1 + 9.95, abs=1e-15)
    t = np.linspace(0.01, 1, 7)
    alpha, sigma = C.reference_alpha_sigma(t)
    assert np.allclose(alpha**2, np.exp(-C.integrated_beta(t))) and np.allclose(alpha**2 + sigma**2, 1)
    lam = C.lam_from_integrated_beta(C.integrated_beta(t))
    assert np.allclose(lam, np.log(alpha**2 / sigma**2))  # logSNR of the marginal
    assert torch.equal(
        lam_vp(torch.as_tensor(t), eps_s=0.0), C.lam_from_integrated_beta(torch.as_tensor(C.integrated_beta(t)))
    )


def test_seed_substreams_are_named_and_distinct():
    assert C.substream(0, "noise") == C.substream(0, "noise")
    seeds = {C.substream(s, name) for s in range(50) for name in ("noise", "field", "floor")}
    assert len(seeds) == 150 and all(0 <= x < 2**63 for x in seeds)
    assert C.substream(1, "noise") != C.substream(0, "noise") + 1
    a = torch.randn(4, generator=C.stream_generator(3, "noise"))
    assert torch.equal(a, torch.randn(4, generator=C.stream_generator(3, "noise")))


def test_sliced_w1_is_zero_on_itself_and_the_mean_projection_of_a_shift():
    x = np.random.default_rng(0).normal(size=(500, 2))
    assert metrics.sliced_w1(x, x, np.random.default_rng(1)) == 0.0
    d = metrics.sliced_w1(x + [2.0, 0.0], x, np.random.default_rng(1), k=4096)
    assert d == pytest.approx(2.0 * 2 / math.pi, rel=0.02)  # E|2 cos(theta)|, theta ~ U[0, pi)


def test_information_curves_equal_the_core_mi_share():
    from diffusion_core import scale_space as ss
    from diffusion_core.data import load_photo

    x0 = load_photo("camera", 32, True).double()
    sched = ss.resolution_schedule(32, 3, "convex", 0.5)
    ts = np.array([0, *sched.switches, 999])
    c = ss.information_curves(x0, sched, ts)
    ab = ss.ddpm_alpha_bar(1000)
    for k, t in enumerate(ts):
        share, total = ss.mi_share_above_nyquist(x0, ss.logsnr(float(ab[t])))
        assert c["mi_share"][k] == pytest.approx(share, rel=1e-9) and c["mi_total"][k] == pytest.approx(total, rel=1e-9)
    rows = ss.switch_information(x0, sched)
    assert [r["t"] for r in rows] == sched.switches and [r["to"] for r in rows] == [16, 8]


def test_app_and_cli_share_the_core_reports():
    from diffusion_core.app.increments import handlers as H
    from diffusion_core.nonnormal.report import increments_report

    v = H.IncrementsView(law="laplace", steps=20, paths=2000, seed=4)
    ui = {k: x for k, x in H.forward_numbers(v).items() if k not in ("x", "label")}
    cli = increments_report("laplace", 20, 2000, 4)
    assert ui == {k: cli[k] for k in ui}
