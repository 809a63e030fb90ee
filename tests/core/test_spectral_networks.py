"""The spectral thread's training objectives and per-instance sampler: the training sigmas lie on the schedules
they name, the conditioning is each image's own endpoints, and the per-sample Heun is EDM's Heun per sample."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from diffusion_core.models.datasets import DATASETS
from diffusion_core.networks.unet import NetDenoiser, UNet, UNetConfig
from diffusion_core.noise.samplers import sample_heun
from diffusion_core.sampling.threads import instance_sample, instance_sigmas
from diffusion_core.spectral.tight import (
    TightParams,
    dataset_params,
    dataset_tight_params,
    image_params,
    instance_condition,
    tight_lam_fn,
)
from diffusion_core.training.loss import InstanceTightLoss, TightLoss


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    items = DATASETS["mnist"].items
    assert items is not None
    return items()


def test_image_params_keep_one_row_per_image_and_nan_for_a_constant_one(digits):
    batch = torch.cat([digits[:3], torch.zeros(1, 1, 28, 28), digits[3:5]])
    rows = image_params(batch)
    assert rows.shape == (6, 3)
    assert np.isnan(rows[3]).all() and np.isfinite(np.delete(rows, 3, axis=0)).all()
    np.testing.assert_array_equal(dataset_params(batch), np.delete(rows, 3, axis=0))


def test_dataset_tight_params_are_the_mean_spectrum_bounds(digits):
    tp, b = dataset_tight_params(digits)
    # sigma_max from the DC term of the mean spectrum: sqrt(P_DC / tau_lo); P_DC = n^2 E[mean]^2 + n^2 Var[mean]
    means = digits.double().mean(dim=(1, 2, 3))
    p_dc = 28**2 * float((means**2).mean())
    assert b.sigma_max_dc == pytest.approx(math.sqrt(p_dc / 0.1), rel=1e-6)
    assert b.sigma_max == pytest.approx(65.758, abs=0.01)
    assert b.sigma_min == pytest.approx(0.04045, abs=1e-4)
    assert tp.logsnr_min == pytest.approx(-2 * math.log(b.sigma_max))


def test_tight_loss_draws_sigma_on_the_schedule(digits):
    tp, b = dataset_tight_params(digits)
    loss = TightLoss(tp)
    sigma, cond = loss.draw_sigma(digits[:256], torch.Generator().manual_seed(3))
    t = torch.rand(256, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    want = torch.exp(-0.5 * tight_lam_fn("mixed", tp)(t)).float()
    assert cond is None
    torch.testing.assert_close(sigma, want)
    assert float(sigma.min()) >= b.sigma_min * (1 - 1e-5) and float(sigma.max()) <= b.sigma_max * (1 + 1e-5)


def test_instance_loss_uses_each_images_own_bounds_and_conditions_on_them(digits):
    tp, _ = dataset_tight_params(digits)
    x = digits[10:42]
    sigma, cond = InstanceTightLoss(tp).draw_sigma(x, torch.Generator().manual_seed(0))
    own = image_params(x)
    assert cond is not None
    torch.testing.assert_close(cond, torch.tensor(np.stack([own[:, 2], own[:, 1]], 1) / 10, dtype=torch.float32))
    lam = -2 * torch.log(sigma.double())
    assert (lam >= torch.tensor(own[:, 1]) - 1e-4).all() and (lam <= torch.tensor(own[:, 2]) + 1e-4).all()
    assert float(instance_condition(own)[:, 0].std()) > 0.01  # the digits' own endpoints differ


def tiny_net(cond: int = 0) -> UNet:
    torch.manual_seed(0)
    net = UNet(UNetConfig(1, 8, (1, 2), 16, "zeros", 0.5, cond=cond))
    for p in net.parameters():  # a non-trivial F (the output layer starts at zero)
        p.data.add_(0.05 * torch.randn_like(p))
    return net.eval()


def test_instance_sampler_is_heun_per_sample():
    net = tiny_net()
    params = np.array([[2.7, -8.4, 6.4], [2.2, -7.9, 5.9], [3.0, -8.7, 7.2]])
    sig = instance_sigmas(params, 6, 28)  # [7, 3]
    z = torch.randn(3, 1, 28, 28, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    got = instance_sample(net, sig, None, z)  # type: ignore[arg-type]
    for b in range(3):
        one = sample_heun(NetDenoiser(net), sig[0, b] * z[b : b + 1], sig[:, b])
        torch.testing.assert_close(got[b : b + 1], one.float(), atol=2e-5, rtol=1e-4)


def test_instance_sigmas_follow_each_samples_schedule():
    params = np.array([[2.7, -8.4, 6.4], [2.2, -7.0, 5.0]])
    sig = instance_sigmas(params, 5, 28)
    assert sig.shape == (6, 2) and (sig[-1] == 0).all()
    for b, (beta, lo, hi) in enumerate(params):
        assert float(sig[0, b]) == pytest.approx(math.exp(-lo / 2), rel=1e-9)  # t = 1: lam_lo
        assert float(sig[-2, b]) == pytest.approx(math.exp(-hi / 2), rel=1e-9)  # t = 0: lam_hi
        lam = tight_lam_fn("mixed", TightParams(beta, lo, hi, 28))(torch.tensor([0.5]))
        assert float(sig[2, b]) == pytest.approx(math.exp(-float(lam) / 2), rel=1e-9)


def test_a_conditioned_unet_needs_its_conditioning_and_an_unconditioned_one_keeps_its_sidecar_format():
    assert "cond" not in UNetConfig().to_json()
    assert UNetConfig(cond=2).to_json()["cond"] == 2
    with pytest.raises(ValueError, match="conditioned on 2 numbers"):
        tiny_net(2)(torch.zeros(1, 1, 28, 28), torch.zeros(1))
