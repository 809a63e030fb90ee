"""Samplers tab handlers called as plain functions (no server)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from diffusion_core.app.samplers import handlers as H
from diffusion_core.app.samplers import trajectory as T
from diffusion_core.evaluation.truth import GaussianTruth
from diffusion_core.models import get_model
from diffusion_core.presets import dump_preset, from_query, load_preset, to_query
from diffusion_core.sampling import run as S
from diffusion_core.validation import InputError

FAST = dict(model="digits-pca-gaussian", steps=8, n=9)


def test_compare_returns_grids_numbers_and_sweep():
    view = H.SamplersView(samplers=("euler", "ddim", "heun"), **FAST)
    r = H.sample_compare(view)
    assert [c.split(" ·")[0] for _, c in r.gallery] == ["exact data", "euler", "ddim", "heun"]
    grids = [g for g, _ in r.gallery]
    assert r.panel.dtype == np.uint8 and r.panel.shape[1] > 4 * grids[0].shape[1]
    assert all(g.dtype == np.uint8 and g.shape == grids[0].shape for g in grids)
    # ddim (eta 0) is Euler: same initial noise -> identical pixels; heun differs
    assert np.array_equal(grids[1], grids[2]) and not np.array_equal(grids[1], grids[3])
    nums = r.numbers["samplers"]
    assert (nums["euler"]["nfe"], nums["heun"]["nfe"]) == (8, 15)
    model = get_model(view.model)
    exact = model.truth.exact_error("heun", S.model_sigmas(model, "karras", 8))
    assert nums["heun"]["value"] == pytest.approx(exact, rel=1e-12)
    assert f"**{100 * exact:.2f}%**" in r.table and "exactly" in r.explanation
    # the sweep's points are the same exact numbers, and they fall with NFE
    sweep = [row for row in r.numbers["sweep"] if row["sampler"] == "heun"]
    assert [row["nfe"] for row in sweep] == [3, 5, 7, 11, 15, 23, 31, 47, 63]
    assert [row for row in sweep if row["steps"] == 8][0]["value"] == pytest.approx(exact, rel=1e-12)
    assert sweep[-1]["value"] < 0.03 < sweep[0]["value"]
    assert len(r.sweep.data) == 6  # 3 lines + 3 "this run" stars


def test_same_seed_same_pixels_across_runs_and_stochastic_law_matters():
    v = H.SamplersView(samplers=("euler_ancestral", "euler"), noise_law="laplace", **FAST)
    a, b = H.sample_compare(v), H.sample_compare(v)
    assert all(np.array_equal(x, y) for (x, _), (y, _) in zip(a.gallery, b.gallery))
    c = H.sample_compare(H.SamplersView(samplers=("euler_ancestral", "euler"), noise_law="uniform", **FAST))
    assert not np.array_equal(a.gallery[1][0], c.gallery[1][0])  # stochastic: the law changes pixels
    assert np.array_equal(a.gallery[2][0], c.gallery[2][0])  # deterministic: it does not
    assert "laplace" in a.explanation


def test_empirical_model_reports_memorisation():
    r = H.sample_compare(H.SamplersView(model="digits-empirical", samplers=("euler", "dpmpp_2m"), steps=6, n=8))
    assert r.numbers["metric"] == "memorisation_rate"
    assert all(q["value"] == 1.0 for q in r.numbers["samplers"].values())
    assert "100% copies" in r.gallery[1][1] and "memorisation rate" in r.explanation


@pytest.mark.slow
def test_trajectory_gif_has_one_frame_per_step(tmp_path):
    view = H.SamplersView(samplers=("dpmpp_2m", "euler"), **FAST)
    frames = T.trajectory_frames(view)
    assert len(frames) == view.steps + 3 and frames[0].dtype == np.uint8 and frames[0].shape[-1] == 3
    path = T.trajectory_gif(view)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames >= view.steps  # Pillow merges the repeated last frames
    mp4 = T.trajectory_gif(view, fmt="mp4")
    assert mp4.endswith(".mp4") and open(mp4, "rb").read(12)[4:8] == b"ftyp"
    files = H.compare_figures(view)
    assert [f.rsplit(".", 1)[1] for f in files] == ["png", "svg", "png"]


def test_exports_and_presets_round_trip():
    view = H.SamplersView(samplers=("heun", "dpmpp_2m"), schedule="exponential", seed=3, **FAST)
    assert load_preset(dump_preset(view), H.SamplersView, text=True) == view
    assert from_query(to_query(view), H.SamplersView) == view
    csv = open(H.compare_csv(view)).read().splitlines()
    assert csv[0] == "sampler,nfe,steps,cov_rel_fro" and len(csv) == 1 + 2 * len(GaussianTruth.sweep_nfes)


def test_exports_after_a_run_reuse_it(monkeypatch):
    """The export buttons hand out the run the tab already made: no sampler runs again, the numbers are the run's."""
    import json

    view = H.SamplersView(samplers=("euler", "dpmpp_2m"), seed=17, **FAST)
    r = H.sample_compare(view)

    def sampling_again(*args, **kwargs):
        raise AssertionError("an export sampled again")

    monkeypatch.setattr(H, "run_one", sampling_again)
    monkeypatch.setattr(H, "run_all", sampling_again)
    monkeypatch.setattr(H, "_quality_sweep", sampling_again)
    assert [f.rsplit(".", 1)[1] for f in H.compare_figures(view)] == ["png", "svg", "png"]
    saved = json.load(open(H.compare_json(view)))
    assert {s: q["value"] for s, q in saved["samplers"].items()} == {
        s: q["value"] for s, q in r.numbers["samplers"].items()
    }
    assert len(open(H.compare_csv(view)).read().splitlines()) == 1 + 2 * len(GaussianTruth.sweep_nfes)
    again = H.sample_compare(view)  # the same settings again: the remembered run, privately copied
    assert [c for _, c in again.gallery] == [c for _, c in r.gallery]
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(again.gallery, r.gallery))


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(samplers=("euler",)), "choose 2 to 4 samplers"),
        (dict(samplers=("euler", "heun", "ddim", "dpmpp_2m", "ddpm_ancestral")), "choose 2 to 4 samplers"),
        (dict(samplers=("euler", "euler")), "samplers must be different"),
        (dict(samplers=("euler", "rk4")), "unknown sampler 'rk4'"),
        (dict(model="unet"), "unknown model 'unet'"),
        (dict(schedule="nope"), "unknown schedule 'nope'"),
        (dict(steps=0), "steps must be in [1, 256]"),
        (dict(n=65), "n must be in [1, 64]"),
        (dict(noise_law="cauchy"), "unknown noise law"),
        (dict(seed=-1), "seed must be in"),
    ],
)
def test_bad_settings_raise_input_error(kw, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("(", r"\(")):
        H.SamplersView(**kw)


def test_every_samplers_preset_loads():
    from diffusion_core.presets import PRESET_ROOT

    files = sorted((PRESET_ROOT / "samplers").glob("*.toml"))
    assert len(files) >= 3
    views = [load_preset(f, H.SamplersView) for f in files]
    assert {v.model for v in views} == {"field-beta2-32", "digits-empirical", "digits-pca-gaussian", "digits-gmm10"}


def test_mixture_model_reports_mode_weights():
    r = H.sample_compare(H.SamplersView(model="digits-gmm10", samplers=("euler", "heun"), steps=4, n=8))
    assert r.numbers["metric"] == "mode_tv" and "mode-weight TV distance" in r.table
    assert {row["nfe"] for row in r.numbers["sweep"]} == {3, 4, 7, 8, 15, 16, 31, 32}
    assert all(0 <= row["value"] <= 1 for row in r.numbers["sweep"])


def test_initial_noise_is_the_same_across_step_counts_and_schedules():
    m = get_model("field-beta2-32")
    z1, _ = S.initial_noise(m, 3, 11)
    z2, _ = S.initial_noise(m, 3, 11)
    assert torch.equal(z1, z2) and z1.shape == (3, 1, 32, 32)
    a = T.trajectory_frames(H.SamplersView(samplers=("euler", "heun"), steps=4, seed=11, n=3))[0]
    b = T.trajectory_frames(H.SamplersView(samplers=("euler", "heun"), steps=9, seed=11, n=3))[0]
    assert np.array_equal(a[:, : a.shape[1] // 2], b[:, : b.shape[1] // 2])  # same first state, any N
    s = S.model_sigmas(m, "karras", 5)
    assert float(s[0]) == pytest.approx(80.0) and float(s[-2]) == pytest.approx(0.002) and float(s[-1]) == 0.0
    tight = S.model_sigmas(m, "tight-power", 5)  # fitted to a true sample of the model's data
    assert len(tight) == 6 and bool((tight[:-1] > tight[1:]).all())
