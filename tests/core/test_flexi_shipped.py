"""The shipped Flexi-UNet and its full-resolution baseline: hash-checked loading, their level schedules,
the Scale space tab's handlers (side-by-side sampling, path diagram, FLOPs) and the bench's short form."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from diffusion_core.app.scale_space.flexi import FlexiView, flexi_compare, flexi_diagram, trajectory_costs
from diffusion_core.bench import flexi as bench
from diffusion_core.models.registry import SCALE_SPACE, SIDECARS, WEIGHTS_DIR, list_models, load_flexi
from diffusion_core.networks.flexi_unet import path_flops
from diffusion_core.training.flexi_quality import BASELINE, FLEXI, schedule_for
from diffusion_core.validation import InputError


def test_both_networks_are_listed_with_their_hash_and_schedule():
    names = {m["name"]: m for m in list_models()}
    for name, levels in ((FLEXI, 3), (BASELINE, 1)):
        m, side = names[name], SIDECARS[name]
        assert m["kind"] == "scale-space" and name in SCALE_SPACE
        assert m["sha256"] == hashlib.sha256((WEIGHTS_DIR / m["weights"]).read_bytes()).hexdigest()
        assert side["schedule"] == {"size": 32, "levels": levels, "family": "convex", "gamma": 0.5, "T": 1000}
        assert side["arch"] == SIDECARS[FLEXI]["arch"] and side["steps"] == SIDECARS[FLEXI]["steps"]
    assert schedule_for(FLEXI).switches == [555, 889] and schedule_for(BASELINE).switches == []


def test_flop_ratio_counts_the_paths_of_the_trajectory():
    c = trajectory_costs(100)
    cfg = load_flexi(FLEXI).net.cfg
    full, mid, low = (path_flops(cfg, s, s) for s in (32, 16, 8))
    counts = {f: c["flexi_per_step"].count(f) for f in set(c["flexi_per_step"])}
    assert counts[full] == 55 + 1 and counts[mid] == 33 and counts[low] == 10  # 16->32 runs the full path
    assert counts[path_flops(cfg, 8, 16)] == 1 and len(c["t"]) == 100
    assert c["flop_ratio"] == pytest.approx(100 * full / sum(c["flexi_per_step"]))
    assert 1.4 < c["flop_ratio"] < c["pixel_work_bound"] == pytest.approx(1 / 0.64544, rel=1e-4)


def test_path_diagram_follows_the_current_t():
    fig, flops, caption = flexi_diagram(FlexiView(t=1.0, steps=100))
    active = next(d for d in fig.data if d.name == "run at this step")
    assert set(active.hovertext) == {"inp", "in_adapt.2", "enc.2", "mid", "dec.2", "out_adapt.2", "head"}
    assert "This step runs 7 blocks" in caption
    fig, _, caption = flexi_diagram(FlexiView(t=0.0, steps=100))
    assert "13 blocks" in caption and len(flops.data) == 2


def test_side_by_side_sampling_is_seeded_and_scored():
    v = FlexiView(seed=3, n=4, steps=10)
    a, b = flexi_compare(v), flexi_compare(v)
    assert np.array_equal(a.flexi, b.flexi) and np.array_equal(a.baseline, b.baseline)
    assert not np.array_equal(a.flexi, a.baseline)
    for q in (a.numbers["flexi_quality"], a.numbers["baseline_quality"]):
        assert q["n"] == 4 and 0.0 <= q["confident"] <= 1.0 and sum(q["classes"]) == 4
    assert a.numbers["speedup"] > 0 and "speed-up" in a.explanation


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"steps": 5}, "steps must be in [10, 1000]"),
        ({"n": 0}, "samples must be in"),
        ({"transition": "cubic"}, "unknown transition 'cubic'"),
        ({"t": 1.5}, "t must be in [0, 1]"),
    ],
)
def test_bad_settings_are_one_line_errors(kw, msg):
    with pytest.raises(InputError) as e:
        FlexiView(**kw)
    assert msg in str(e.value) and "\n" not in str(e.value)


def test_the_baseline_refuses_the_three_level_schedule():
    from diffusion_core.scale_space.sampler import ssd_sample

    with pytest.raises(InputError, match=f"checkpoint {BASELINE} was trained for 1 level"):
        ssd_sample(load_flexi(BASELINE), schedule_for(FLEXI), 1, torch.Generator().manual_seed(0), steps=10)


@pytest.mark.slow
def test_bench_short_form_reports_speedup_and_flop_ratio():
    r = bench.run(quick=True)["flexi_vs_baseline"]
    assert r["steps"] == 20 and r["batch"] == 64 and r["speedup"] > 0
    assert r["flop_ratio"] == pytest.approx(trajectory_costs(20)["flop_ratio"])
