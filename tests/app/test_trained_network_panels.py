"""The trained networks' panels (issue 23), through their handlers without a server: the Schedules tab's spectral
networks side by side at one NFE budget, captioned with benchmarks/thread_networks.json's numbers for that budget,
and the Bases tab's GUD network beside the exact Gaussian reverse process with the closed-form readout."""

import gradio as gr
import numpy as np
import pytest

from diffusion_core.app.bases import networks as gud_panel
from diffusion_core.app.bases import networks_layout as gud_layout
from diffusion_core.app.schedules import networks as spectral_panel
from diffusion_core.app.schedules import networks_layout as spectral_layout
from diffusion_core.app.widgets import guard
from diffusion_core.gud.learned_view import component_groups
from diffusion_core.gud.orderings import windows
from diffusion_core.reports import threads as bench_words
from diffusion_core.reports.threads import find_cell, load_table
from diffusion_core.sampling.threads import QUESTIONS, THREADS
from diffusion_core.validation import InputError


def quiet(*args, **kwargs):
    return None


@pytest.fixture(scope="module")
def table():
    t = load_table()
    assert t is not None, "benchmarks/thread_networks.json is written by python -m diffusion_core.bench.thread_networks"
    return t


@pytest.mark.parametrize("budget", [5, 10])
def test_spectral_captions_quote_the_benchmark_at_the_chosen_budget(table, budget):
    r = spectral_panel.spectral_networks(budget, seed=3)
    rows = THREADS["spectral"]
    assert len(r.grids) == len(r.captions) == len(rows) == 4
    base = table["threads"]["spectral"]["baseline"]
    for (label, name, _), grid, cap in zip(rows, r.grids, r.captions):
        c = find_cell(table, "spectral", label, budget)
        assert grid.dtype == np.uint8 and grid.shape == (229, 229)  # 4 x 4 tiles of 56 px, 1-px gaps
        assert f"**{label}** · `{name}`" in cap
        assert f"Live: NFE {c['nfe']}, seed 3, 16 samples." in cap  # the live run used the benchmark's NFE
        assert f"Benchmark (n = {table['n']}, seed {table['seed']}, NFE {c['nfe']})" in cap
        lo, hi = (100 * v for v in c["confident_real_ci"])
        assert f"**{100 * c['confident_real']:.1f}%** (95% interval {lo:.1f} to {hi:.1f}%)" in cap
        assert f"FD **{c['fd']:.1f}** ({c['fd_ci'][0]:.1f} to {c['fd_ci'][1]:.1f}; " in cap
        assert f"real-vs-real floor {c['fd_floor']:.1f})" in cap
        if label == base:
            assert "the baseline of this comparison" in cap
        else:
            assert f"against {base}: confident and real **{100 * c['d_confident_real']:+.1f} points**" in cap
            assert f"→ **{c['verdict_confident_real']}**; FD **{c['d_fd']:+.1f}**" in cap
            assert cap.endswith(f"→ **{c['verdict_fd']}**.")
    assert r.numbers["nfe"] == {label: find_cell(table, "spectral", label, budget)["nfe"] for label, _, _ in rows}
    assert QUESTIONS["spectral"][1:] in r.intro and "not from the grids" in r.intro
    assert f"n = {table['n']} samples per cell, seed {table['seed']}" in r.intro
    assert bench_words.verdict_sentence("spectral", table["threads"]["spectral"]) in r.table
    lines = r.table.splitlines()
    assert [ln.split(" | ")[0] for ln in lines[-4:]] == [f"| {label}" for label, _, _ in rows]


def test_spectral_overview_needs_no_sampling(table):
    intro, md = spectral_panel.spectral_overview()
    assert "Esteves & Makadia" in intro and "**Draw**" in intro
    assert all(f"NFE budget {b}" in md for b in table["nfes"])


@pytest.mark.parametrize(
    "budget, seed, message",
    [
        (5, -1, r"seed must be in \[0, "),
        (5, 1.5, "seed must be an integer, got 1.5"),
        (5, None, "seed must be an integer, got None"),
        (5, float("nan"), "seed must be an integer"),
        (7, 0, "NFE budget must be one of 5, 10, 20, 50"),
        ("five", 0, "NFE budget must be an integer"),
    ],
)
def test_spectral_bad_input_is_one_line(budget, seed, message):
    with pytest.raises(InputError, match=message) as e:
        spectral_panel.spectral_networks(budget, seed)
    assert "\n" not in str(e.value)
    with pytest.raises(gr.Error, match=message):  # what an API caller gets through the event's guard
        guard(spectral_layout.spectral_networks)(budget, seed, progress=quiet)


@pytest.fixture(scope="module")
def pca_run():
    return gud_panel.gud_network_reverse("mnist-gud-pca-soft", seed=2, steps=50)


def test_gud_panel_shows_both_runs_from_the_same_start(pca_run):
    r = pca_run
    # 4 samples x 6 snapshots of 28 px at 2x, one image per run
    assert r.network.dtype == np.uint8 and r.network.shape == r.exact.shape == (30 + 26 + 4 * 60, 84 + 6 * 60, 3)
    assert r.numbers["times"] == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])
    assert r.numbers["rms_gap"][0] == 0.0 and max(r.numbers["rms_gap"][1:]) > 0  # same chi_hat(1), then apart
    assert r.numbers["diagonal"] is True  # PCA diagonalises the digits' covariance
    assert "**`mnist-gud-pca-soft`**: PCA basis, data-matched prior (r = 1), soft conditioning a = 2" in r.caption
    assert f"at t = 1.00: 0.00, 0.80: {r.numbers['rms_gap'][1]:.2f}" in r.caption
    heat = r.readout.data[0]  # rows: the 8 groups in generation order; columns: the snapshots
    assert np.allclose(np.asarray(heat.z).T, r.numbers["shares"]) and list(heat.y)[0] == "PCA components 1–98"


def test_gud_readout_matches_the_closed_form(pca_run):
    """Share resolved per group at each snapshot = the share of its components whose window starts at or after
    t (true log-SNR still at or above the clean edge), and at t = 0 every component is resolved."""
    from diffusion_core.models.gud_space import sidecar_gud
    from diffusion_core.models.registry import load_own

    g = sidecar_gud(load_own("mnist-gud-pca-soft")[1])
    start, _ = windows(g.schedule)  # each component's window opens (reverse time: closes) at the clean edge
    groups = component_groups(g.schedule, gud_panel.GROUPS)
    expected = [[float((t <= start[idx] + 1e-9).double().mean()) for idx in groups] for t in pca_run.numbers["times"]]
    assert np.allclose(pca_run.numbers["shares"], expected)
    assert pca_run.numbers["shares"][0] == [0.0] * 8 and pca_run.numbers["shares"][-1] == [1.0] * 8
    assert pca_run.numbers["slope"] == pytest.approx(g.schedule.slope)


def test_gud_pixel_network_meets_a_full_covariance():
    r = gud_panel.gud_network_reverse("mnist-gud-pixel-standard", seed=0, steps=50, show="denoised")
    assert r.numbers["diagonal"] is False and "a full 784 × 784 covariance" in r.caption
    assert "white prior (r = 0), soft conditioning a = 1" in r.caption and "denoised estimate" in r.caption


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"seed": -3}, r"seed must be in \[0, "),
        ({"seed": "abc"}, "seed must be an integer, got 'abc'"),
        ({"steps": 20}, "steps must be one of 50, 100, 200"),
        ({"name": "mnist-spectral-tight"}, "unknown GUD network 'mnist-spectral-tight'"),
        ({"show": "both"}, "unknown view 'both'"),
    ],
)
def test_gud_bad_input_is_one_line(kw, message):
    args = {"name": "mnist-gud-pca-soft", "seed": 0, "steps": 50, "show": "state"} | kw
    with pytest.raises(InputError, match=message) as e:
        gud_panel.gud_network_reverse(**args)
    assert "\n" not in str(e.value)
    with pytest.raises(gr.Error, match=message):
        guard(gud_layout.gud_network_reverse)(**args, progress=quiet)
