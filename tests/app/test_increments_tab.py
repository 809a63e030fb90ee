"""Increments tab: handlers without a server, presets, and the `increments` api_name on the running app."""

import glob
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from diffusion_core.app.increments import handlers as H
from diffusion_core.nonnormal.laws import LAWS
from diffusion_core.nonnormal.losses import KL_UNIFORM_GAUSS, KL_UNIFORM_LAPLACE
from diffusion_core.presets import dump_preset, from_query, load_preset, to_query
from diffusion_core.validation import InputError

PRESETS = sorted(glob.glob(str(Path(__file__).resolve().parents[2] / "presets" / "increments" / "*.toml")))


def test_forward_view_numbers_match_exact_values():
    r = H.forward_view(H.IncrementsView(law="laplace", steps=50, paths=40_000, seed=3))
    n = r.numbers
    assert n["expected_excess_kurtosis"] == pytest.approx(0.739, abs=5e-4)
    assert abs(n["excess_kurtosis"] - n["expected_excess_kurtosis"]) < 4.5 * n["excess_kurtosis_stderr"]
    assert n["var"] == pytest.approx(n["expected_var"], rel=0.03)
    assert "+0.739" in r.explanation and "KS distance" in r.explanation
    assert len(r.moments.data) == 2 * (2 + len(LAWS))  # exact + continuum + one trace per law, 2 panels
    assert r.histogram.data[0].type == "histogram"


def test_forward_view_flags_euler_instability_and_ddpm_clipping():
    euler = H.forward_view(H.IncrementsView(law="uniform", steps=5, form="euler", paths=2000))
    assert "negative: the walk oscillates" in euler.explanation
    assert euler.numbers["expected_var"] == pytest.approx(8.10144, rel=1e-5)
    ddpm = H.forward_view(H.IncrementsView(law="uniform", steps=5, form="ddpm", paths=2000))
    assert "clipped to 1" in ddpm.explanation and ddpm.numbers["expected_excess_kurtosis"] == pytest.approx(-1.2)


def test_loss_view_curves():
    fig, text = H.loss_view(H.IncrementsView(loss_t=0.5, loss_steps=10))
    curves = {tr.name: np.asarray(tr.y) for tr in fig.data}
    mid = len(curves["gaussian-gaussian"]) // 2  # r = 0
    assert curves["uniform-gaussian"][mid] == pytest.approx(KL_UNIFORM_GAUSS)
    assert curves["uniform-laplace"][mid] == pytest.approx(KL_UNIFORM_LAPLACE)
    assert curves["laplace-laplace"][mid] == 0.0
    assert "0.1765" in text and "v = √(2w) = **1.045**" in text


def test_reverse_and_digits_views_small():
    v = H.IncrementsView(reverse_steps=4, samples=100)
    fig, text, metrics = H.reverse_view(v)
    assert set(metrics) == set(LAWS) and all(m["sliced_w1"] > 0 for m in metrics.values())
    assert len(fig.data) == len(LAWS) * (1 + 6 + 1)  # points, 6 trajectories, means
    again = H.reverse_view(v)[2]
    assert again == metrics  # same seed, same samples
    img, text = H.digits_view(replace(v, reverse_steps=3), per_law=2)
    assert img.dtype == np.uint8 and img.shape[:2] == (len(LAWS) * 60, 2 * 60)


def test_exports(tmp_path):
    v = H.IncrementsView(steps=3, paths=500)
    csv_path = H.forward_csv(v)
    head = Path(csv_path).read_text().splitlines()[0].split(",")
    assert head[:3] == ["t", "exact_mean", "exact_var"] and "rademacher_var" in head
    assert '"ks_to_gaussian"' in Path(H.forward_json(v)).read_text()


def test_exports_after_the_view_reuse_its_walk(monkeypatch):
    """The JSON and CSV exports hand out the walk the tab already simulated (no second Monte Carlo run)."""
    import json

    v = H.IncrementsView(steps=4, paths=400, seed=23)
    r = H.forward_view(v)
    monkeypatch.setattr(H, "walk_statistics", lambda *a, **k: pytest.fail("the export simulated the walk again"))
    monkeypatch.setattr(H, "simulate_walk", lambda *a, **k: pytest.fail("the export simulated the walks again"))
    saved = json.loads(Path(H.forward_json(v)).read_text())
    assert saved["ks_to_gaussian"] == r.numbers["ks_to_gaussian"] and Path(H.forward_csv(v)).is_file()


@pytest.mark.parametrize("path", PRESETS)
def test_presets_load(path):
    v = load_preset(Path(path).relative_to(Path(path).parents[1]), H.IncrementsView)
    assert load_preset(dump_preset(v), H.IncrementsView, text=True) == v
    assert from_query(to_query(v), H.IncrementsView) == v


def test_preset_files_claims():
    v = load_preset("increments/laplace-one-step.toml", H.IncrementsView)
    assert H.forward_numbers(v)["expected_excess_kurtosis"] == 3.0
    v = load_preset("increments/euler-unstable.toml", H.IncrementsView)
    assert H.forward_numbers(replace(v, paths=1000))["expected_var"] == pytest.approx(8.10, abs=0.005)


@pytest.mark.parametrize(
    "kw, msg",
    [
        (dict(law="cauchy"), "unknown law 'cauchy'"),
        (dict(law="student-t", nu=4.0), "no finite fourth moment"),
        (dict(steps=0), "steps must be in \\[1, 1000\\], got 0"),
        (dict(steps=float("nan")), "steps must be an integer"),
        (dict(paths=10**7), "memory cap"),
        (dict(loss_t=0.0), "loss t must be in"),
        (dict(reverse_sampler="heun"), "unknown reverse sampler 'heun'"),
    ],
)
def test_bad_view_input(kw, msg):
    with pytest.raises(InputError, match=msg) as e:
        H.IncrementsView(**kw)
    assert "\n" not in str(e.value)


def test_increments_api_endpoint(app_url):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    c = Client(app_url, verbose=False)
    args = ["laplace", 10.0, 1, 20_000, 0, "ddpm", "right", 0.5, 10, "coordinate", 5, "reverse-sde", 100]
    *_, explanation = c.predict(*args, api_name="/increments")
    assert "exact κ₄·Σc⁴/(Σc²)² = **+3.000**" in explanation
    with pytest.raises(AppError):  # the server's one-line error, not a crash
        c.predict("cauchy", *args[1:], api_name="/increments")
    *_, explanation = c.predict("uniform", *args[1:], api_name="/increments")  # still serving
    assert "**-1.200**" in explanation


def test_heavy_tails_say_the_monte_carlo_kurtosis_cannot_be_trusted():
    """Issue 12 item 9: Student-t nu = 4.5 showed MC kurtosis 4.8 +- 0.7 against an exact 12 with no warning."""
    from diffusion_core.app.increments.handlers import IncrementsView, explain_forward, forward_numbers
    from diffusion_core.nonnormal.laws import kurtosis_estimate_reliable

    v = IncrementsView(law="student-t", nu=4.5, steps=1)
    text = explain_forward(v, forward_numbers(v))
    assert (
        "exact κ₄·Σc⁴/(Σc²)² = **+12.000**" in text
        and "cannot be trusted" in text
        and " ± " not in text.split("Heavy")[1][:200]
    )
    assert text.index("+12.000") < text.index("Monte Carlo")  # the exact value comes first
    lap = IncrementsView(law="laplace", steps=50)
    assert "cannot be trusted" not in explain_forward(lap, forward_numbers(lap))
    assert not kurtosis_estimate_reliable("student-t", 8.0) and kurtosis_estimate_reliable("student-t", 8.5)
    assert kurtosis_estimate_reliable("laplace")
