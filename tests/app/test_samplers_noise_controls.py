"""Sampling-noise controls in the Samplers tab handlers and `difflab sample` (issue 13 item 7): step noise,
DDIM eta and EDM churn reach the samplers, the exact numbers follow them, bad values are one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diffusion_core.app.samplers import handlers as H
from diffusion_core.cli.main import main
from diffusion_core.models import get_model
from diffusion_core.noise.samplers import get_sampler
from diffusion_core.nonnormal.controls import SamplingNoise
from diffusion_core.nonnormal.laws import noise_sampler
from diffusion_core.presets import dump_preset, from_query, load_preset, to_query
from diffusion_core.sampling import run as S
from diffusion_core.validation import InputError

FAST = dict(model="digits-pca-gaussian", steps=8, n=9)


def test_default_controls_give_the_same_pixels_as_run_sampler():
    m = get_model("digits-pca-gaussian")
    sig = S.model_sigmas(m, "karras", 6)
    for sampler in ("heun", "ddim", "ddpm_ancestral"):
        a = S.run_sampler(m, sampler, sig, 4, 3, SamplingNoise())
        z, g = S.initial_noise(m, 4, 3)  # the plain sampler with the law's white noise
        plain = get_sampler(sampler)(
            m.denoiser, (sig[0] * z).to(S.DTYPE), sig, generator=g, noise=noise_sampler("gaussian")
        )
        assert np.array_equal(a.numpy(), plain.numpy()) and np.array_equal(
            a.numpy(), S.run_sampler(m, sampler, sig, 4, 3, "gaussian").numpy()
        )


def test_churn_and_eta_reach_the_samplers_and_the_exact_numbers():
    view = H.SamplersView(samplers=("heun", "ddim", "ddpm_ancestral"), s_churn=30.0, eta=1.0, **FAST)
    r = H.sample_compare(view)
    nums, m = r.numbers["samplers"], get_model(view.model)
    sig = S.model_sigmas(m, "karras", 8)
    churned = m.truth.exact_error("heun", sig, view.sampling_noise())
    assert nums["heun"]["value"] == pytest.approx(churned, rel=1e-12)
    assert abs(churned - m.truth.exact_error("heun", sig, SamplingNoise())) > 0.01  # churn moved it
    assert nums["ddim"]["value"] == pytest.approx(nums["ddpm_ancestral"]["value"], rel=1e-9)  # eta 1 = DDPM
    assert "churn S_churn = 30" in r.explanation and "DDIM η = 1" in r.explanation
    sweep = {row["steps"]: row["value"] for row in r.numbers["sweep"] if row["sampler"] == "heun"}
    assert sweep[8] == pytest.approx(churned, rel=1e-12)


@pytest.mark.parametrize(
    "controls", [dict(step_noise="brownian"), dict(step_noise="coloured", noise_slope=2.0, noise_law="laplace")]
)
def test_fixed_seed_reproduces_and_step_noise_changes_pixels(controls):
    v = H.SamplersView(samplers=("euler_ancestral", "euler"), **FAST, **controls)
    a, b = H.sample_compare(v), H.sample_compare(v)
    assert all(np.array_equal(x, y) for (x, _), (y, _) in zip(a.gallery, b.gallery))
    white = H.sample_compare(H.SamplersView(samplers=("euler_ancestral", "euler"), **FAST))
    assert not np.array_equal(a.gallery[1][0], white.gallery[1][0])
    assert np.array_equal(a.gallery[2][0], white.gallery[2][0])  # euler injects nothing


def test_view_round_trips_and_rejects_bad_controls_in_one_line():
    view = H.SamplersView(
        samplers=("heun", "ddim"),
        step_noise="coloured",
        noise_slope=1.5,
        eta=0.4,
        s_churn=10.0,
        s_tmin=0.05,
        s_tmax=50.0,
        s_noise=1.003,
        **FAST,
    )
    assert load_preset(dump_preset(view), H.SamplersView, text=True) == view
    assert from_query(to_query(view), H.SamplersView) == view
    for bad, match in [
        (dict(step_noise="pink"), "unknown step noise 'pink'"),
        (dict(eta=2.0), "DDIM eta"),
        (dict(noise_slope=5.0), "noise slope"),
        (dict(s_churn=-1.0), "s_churn"),
        (dict(s_tmin=5.0, s_tmax=1.0), "s_tmax"),
        (dict(step_noise="brownian", noise_law="laplace"), "choose noise law gaussian"),
    ]:
        with pytest.raises(InputError, match=match) as e:
            H.SamplersView(**bad)
        assert "\n" not in str(e.value)


def _sample(capsys, *extra: str) -> tuple[int, str, str]:
    code = main(
        [
            "sample",
            "--model",
            "digits-pca-gaussian",
            "--sampler",
            "ddpm_ancestral",
            "--steps",
            "6",
            "--seed",
            "2",
            "--n",
            "4",
            "--json",
            *extra,
        ]
    )
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_step_noise_and_churn(capsys, tmp_path):
    code, text, _ = _sample(capsys, "--out", str(tmp_path / "a.npy"), "--step-noise", "brownian")
    r = json.loads(text)
    assert code == 0 and (r["step_noise"], r["s_churn"], r["s_tmax"], r["eta"]) == ("brownian", 0.0, None, 0.0)
    _sample(capsys, "--out", str(tmp_path / "b.npy"), "--step-noise", "brownian")
    _sample(capsys, "--out", str(tmp_path / "c.npy"))
    a, b, c = (np.load(tmp_path / f"{k}.npy") for k in "abc")
    assert np.array_equal(a, b) and not np.allclose(a, c)
    code, text, _ = _sample(capsys, "--out", str(tmp_path / "d.npy"), "--sampler", "heun", "--s-churn", "30")
    m = get_model("digits-pca-gaussian")
    exact = m.truth.exact_error("heun", S.model_sigmas(m, "karras", 6), SamplingNoise(s_churn=30.0))
    assert json.loads(text)["quality"] == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--s-tmax", "abc"), "--s-tmax must be a number"),
        (("--eta", "2"), "DDIM eta must be in [0, 1]"),
        (("--step-noise", "pink"), "unknown step noise 'pink'"),
        (("--noise-law", "laplace", "--step-noise", "brownian"), "choose noise law gaussian"),
    ],
)
def test_cli_bad_controls_exit_2_in_one_line(capsys, tmp_path, extra, message):
    code, out, err = _sample(capsys, "--out", str(tmp_path / "x.npy"), *extra)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
