"""The samplers of one Samplers-tab click run concurrently: the same numbers as one at a time."""

from __future__ import annotations

import torch

from diffusion_core.app.samplers import handlers as H


def test_concurrent_samplers_give_the_same_samples_as_one_at_a_time():
    view = H.SamplersView(
        model="digits-gmm10", samplers=("euler", "dpmpp_2m", "ddpm_ancestral"), steps=3, n=8, noise_law="laplace"
    )
    together = H.run_all(H.view_model(view), view)
    for name in view.samplers:
        x, q = H.run_one(H.view_model(view), view, name, view.steps, view.n)
        assert torch.equal(x, together[name][0]) and q["value"] == together[name][1]["value"]
