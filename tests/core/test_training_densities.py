"""Training-noise densities in logSNR: closed forms against Monte Carlo and quadrature."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from diffusion_core.noise import training_densities as T


@pytest.mark.parametrize("name", T.DENSITIES)
def test_density_integrates_to_one_and_matches_its_cdf(name):
    assert quad(lambda x: float(T.density(name, np.array([x]))[0]), -80, 80, limit=200)[0] == pytest.approx(1, abs=1e-6)
    a, b = -3.0, 5.0
    assert quad(lambda x: float(T.density(name, np.array([x]))[0]), a, b)[0] == pytest.approx(
        T.share_inside(name, a, b), abs=1e-9
    )


def test_against_sampling_the_training_noise():
    """Draw the noise levels as the trainers do and push them to lam (1e6 draws: share within 2e-3)."""
    rng = np.random.default_rng(0)
    lo, hi = -9.09, 8.23  # astronaut's band at 256^2
    n = 1_000_000
    lam = {
        "edm": -2 * (rng.normal(-1.2, 1.2, n)),  # ln sigma ~ N(-1.2, 1.2^2)
        "sd3": 2 * np.log1p(-(t := 1 / (1 + np.exp(-rng.normal(0, 1, n))))) - 2 * np.log(t),
        "flow": 2 * np.log1p(-(u := rng.uniform(0, 1, n))) - 2 * np.log(u),
        "cosine": -2 * np.log(np.tan(np.pi * rng.uniform(0, 1, n) / 2)),
    }
    for name, x in lam.items():
        assert np.mean((x >= lo) & (x <= hi)) == pytest.approx(T.share_inside(name, lo, hi), abs=2e-3), name


def test_training_panel_handler():
    from diffusion_core.app.schedules.handlers import SchedulesView
    from diffusion_core.app.schedules.training import training_view

    md, fig, shares = training_view(SchedulesView())  # astronaut 256^2: band [-9.09, 8.23]
    assert shares["sd3"] == pytest.approx(T.share_inside("sd3", -9.086, 8.233), abs=1e-3)
    assert 0.99 < shares["sd3"] <= 1 and shares["flow"] < shares["sd3"] and len(fig.data) == 4
    assert "Training mass inside this image's band" in md
