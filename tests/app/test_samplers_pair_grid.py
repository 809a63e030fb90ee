"""Samplers tab with MNIST networks: the pairs x seeds grid, digit scores, the sweep after the samples.

Tiny randomly initialised UNets stand in for the trained pair networks (registered under their names for
the test), so these tests check the wiring and the numbers' bookkeeping, not digit quality.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from diffusion_core.app.samplers import handlers as H
from diffusion_core.app.samplers import pairs as PH
from diffusion_core.evaluation.truth import DigitTruth
from diffusion_core.models import registry
from diffusion_core.models.registry import Model, ModelSpec
from diffusion_core.networks.unet import NetDenoiser, UNet, UNetConfig
from diffusion_core.sampling.pair_grid import PAIRS, column_noise, pair_model_name
from diffusion_core.validation import InputError


def _tiny(seed: int):
    def make(spec: ModelSpec) -> Model:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            net = UNet(UNetConfig(width=8, mults=(1, 2), emb=16, padding="zeros"))
            torch.nn.init.normal_(net.out.weight, std=0.05)
        return Model(
            spec, NetDenoiser(net), lambda n, g: torch.rand(n, 1, 28, 28, generator=g) * 2 - 1, DigitTruth(), net=net
        )  # an MNIST network's truth: the digit classifier

    return make


@pytest.fixture()
def tiny_pairs(monkeypatch):
    for k, name in enumerate(sorted({pair_model_name(p) for p in PAIRS})):
        monkeypatch.setitem(
            registry.SPECS, name, ModelSpec(name, "trained", "MNIST (test stand-in)", (1, 28, 28), "tiny")
        )
        monkeypatch.setitem(registry.CONSTRUCTORS, name, _tiny(k))
    registry._model_on.cache_clear()
    yield
    registry._model_on.cache_clear()


def test_grid_rows_share_the_initial_noise_of_each_column(tiny_pairs):
    calls = []
    view = PH.PairGridView(pairs=("gaussian-gaussian", "uniform-gaussian", "laplace-laplace"), seed=5, seeds=3, steps=1)
    r = PH.pair_grid(view, lambda frac, text: calls.append((frac, text)))
    rows = {x["pair"]: x for x in r.numbers["rows"]}
    assert list(rows) == ["gaussian-gaussian", "uniform-gaussian", "laplace-laplace"] and r.numbers["seeds"] == [
        5,
        6,
        7,
    ]
    assert (
        rows["uniform-gaussian"]["model"] == rows["gaussian-gaussian"]["model"] == "mnist-li-gaussian-gaussian-unet2d"
    )
    assert [x["step_law"] for x in rows.values()] == ["gaussian", "gaussian", "laplace"]  # p's law
    assert all(0 <= x["confident"] <= 1 and x["fd_floor"] > 0 and x["seconds"] > 0 for x in rows.values())
    assert len(calls) == 3 and calls[-1][0] == pytest.approx(1.0) and "laplace-laplace: step 1/1" in calls[-1][1]
    assert (
        r.panel.dtype == np.uint8
        and r.panel.ndim == 3
        and "| uniform-gaussian | mnist-li-gaussian-gaussian-unet2d |" in r.table
    )


def test_one_step_rows_of_one_network_are_identical_and_columns_differ(tiny_pairs):
    """One step to sigma = 0 injects nothing, so the step law cannot matter: same network, same z -> same digits."""
    from diffusion_core.sampling import pair_grid as P

    m = registry.get_model("mnist-li-gaussian-gaussian-unet2d")
    sig = torch.tensor([80.0, 0.0], dtype=torch.float64)
    a = P.sample_row(m, "gaussian-gaussian", [3, 4], sig)
    b = P.sample_row(m, "uniform-gaussian", [3, 4], sig)
    assert torch.equal(a, b) and not torch.allclose(a[0], a[1])
    z = column_noise(m, [3, 4])
    assert torch.equal(z[1:], column_noise(m, [4]))  # column j's noise depends on its seed only


def test_more_steps_rows_differ_by_the_step_law(tiny_pairs):
    """p's law by default: uniform-gaussian repeats gaussian-gaussian; q's law (the labelled alternative) differs."""
    from diffusion_core.sampling import pair_grid as P

    m = registry.get_model("mnist-li-gaussian-gaussian-unet2d")
    sig = torch.tensor([80.0, 2.0, 0.5, 0.0], dtype=torch.float64)
    a = P.sample_row(m, "gaussian-gaussian", [3], sig)
    b = P.sample_row(m, "uniform-gaussian", [3], sig)
    q = P.sample_row(m, "uniform-gaussian", [3], sig, step_noise="q")
    assert torch.equal(a, b) and not torch.allclose(a, q)


def test_bad_grid_input_is_one_line(tiny_pairs):
    for kw, text in [
        (dict(pairs=()), "at least one"),
        (dict(pairs=("cauchy-gaussian",)), "unknown pair"),
        (dict(seeds=17), "seeds must be in"),
        (dict(steps=0), "steps must be in"),
        (dict(device="tpu"), "unknown device"),
    ]:
        with pytest.raises(InputError, match=text):
            PH.PairGridView(**kw)


def test_digit_models_get_classifier_numbers_and_the_sweep_comes_after(tiny_pairs):
    view = H.SamplersView(model="mnist-li-laplace-laplace", samplers=("euler", "ddpm_ancestral"), steps=2, n=4)
    r = H.sample_compare(view)
    assert r.numbers["metric"] == "confident" and r.numbers["sweep_pending"] and r.numbers["sweep"] == []
    assert "confident ≥ 0.9 and real-looking" in r.table and "Fréchet" in r.table
    q = r.numbers["samplers"]["euler"]
    assert {"confident", "class_tv", "fd", "fd_floor", "nn_train", "nn_heldout", "seconds"} <= set(q)
    fig, rows = H.sweep_after(view)
    assert {row["nfe"] for row in rows} == set(DigitTruth.sweep_nfes) and all("class_tv" in row for row in rows)
    assert fig.layout.yaxis.title.text.startswith("share of samples") and tuple(fig.layout.yaxis.range) == (-0.05, 1.05)
    assert any("class TV" in t.name for t in fig.data if t.name)
    again = H.sample_compare(view)  # the sweep is remembered now
    assert not again.numbers["sweep_pending"] and again.numbers["sweep"] == rows


def test_network_speed_table_has_overhead_and_ratio_against_diffusers(tiny_pairs):
    pytest.importorskip("diffusers")
    from diffusion_core.bench.network_speed import network_rows

    r = network_rows(["mnist-li-laplace-laplace"], nfes=(2,), batch=2, repeats=1, match=False)
    rows = {x["sampler"]: x for x in r["rows"]}
    assert set(rows) == {"dpmpp_2m", "ddpm_ancestral"} and r["diffusers"]["scheduler"] == "DPMSolverMultistepScheduler"
    for x in rows.values():
        assert x["images_per_s"] > 0 and x["overhead"] >= 1.0 and x["ratio_vs_diffusers"] > 0 and x["nfe"] == 2
    assert r["diffusers"]["config"]["block_out_channels"] == (8, 16, 16)  # match=False: the smallest config


def test_panel_step_noise_choice_is_labelled_and_reaches_the_chain(tiny_pairs):
    """The panel's step-noise choice: p by default; q drives uniform-gaussian with uniform steps, and says so."""
    kw = dict(pairs=("gaussian-gaussian", "uniform-gaussian"), seed=2, seeds=2, steps=3)
    p = PH.pair_grid(PH.PairGridView(**kw))
    q = PH.pair_grid(PH.PairGridView(**kw, step_noise="q"))
    assert [x["step_law"] for x in p.numbers["rows"]] == ["gaussian", "gaussian"]
    assert [x["step_law"] for x in q.numbers["rows"]] == ["gaussian", "uniform"]
    assert "| uniform-gaussian | mnist-li-gaussian-gaussian-unet2d | gaussian (p) |" in p.table
    assert "| uniform-gaussian | mnist-li-gaussian-gaussian-unet2d | uniform (q) |" in q.table
    assert "p, the model's law" in p.explanation and "q's law as the step noise" in q.explanation
    assert np.array_equal(p.panel, PH.pair_grid(PH.PairGridView(**kw)).panel)  # same seeds, same grid
    with pytest.raises(InputError, match="unknown step noise"):
        PH.PairGridView(step_noise="laplace")
