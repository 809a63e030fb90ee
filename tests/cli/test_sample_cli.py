"""`difflab sample` and `difflab models`: JSON contract, files, determinism, bad input -> exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from diffusion_core.cli.main import main
from diffusion_core.models.registry import OWN_KINDS, OWN_SAMPLER, SCALE_SPACE, SPECS

KEYS = {
    "model",
    "sampler",
    "schedule",
    "steps",
    "nfe",
    "seed",
    "n",
    "noise_law",
    "out",
    "shape",
    "quality_metric",
    "quality",
    "quality_details",
}


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _sample(capsys, out: Path, *extra: str) -> dict:
    code, text, _ = _run(
        capsys,
        "sample",
        "--model",
        "digits-pca-gaussian",
        "--sampler",
        "heun",
        "--steps",
        "8",
        "--seed",
        "5",
        "--n",
        "6",
        "--out",
        str(out),
        "--json",
        *extra,
    )
    assert code == 0
    return json.loads(text)


def test_sample_json_keys_and_npy_contents(capsys, tmp_path):
    r = _sample(capsys, tmp_path / "a.npy")
    assert KEYS <= set(r)
    assert (r["model"], r["sampler"], r["steps"], r["nfe"], r["seed"], r["n"]) == (
        "digits-pca-gaussian",
        "heun",
        8,
        15,
        5,
        6,
    )
    assert r["quality_metric"] == "cov_rel_fro" and 0 < r["quality"] < 1 and r["quality_details"]["exact"] is True
    a = np.load(tmp_path / "a.npy")
    assert a.shape == (6, 1, 8, 8) and a.dtype == np.float32
    assert a.min() >= -1 and a.max() <= 1 and a.std() > 0.1


def test_same_seed_same_pixels_and_other_seed_differs(capsys, tmp_path):
    _sample(capsys, tmp_path / "a.npy", "--noise-law", "laplace", "--sampler", "ddpm_ancestral")
    _sample(capsys, tmp_path / "b.npy", "--noise-law", "laplace", "--sampler", "ddpm_ancestral")
    _sample(capsys, tmp_path / "c.npy", "--noise-law", "laplace", "--sampler", "ddpm_ancestral", "--seed", "6")
    a, b, c = (np.load(tmp_path / f"{k}.npy") for k in "abc")
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_png_grid_and_empirical_memorisation(capsys, tmp_path):
    from PIL import Image

    code, text, _ = _run(
        capsys,
        "sample",
        "--model",
        "digits-empirical",
        "--sampler",
        "euler",
        "--steps",
        "12",
        "--seed",
        "0",
        "--n",
        "9",
        "--out",
        str(tmp_path / "g.png"),
        "--json",
    )
    r = json.loads(text)
    assert code == 0 and r["quality_metric"] == "memorisation_rate" and r["quality"] == 1.0
    im = np.asarray(Image.open(tmp_path / "g.png"))
    assert im.shape == (3 * 33 + 1, 3 * 33 + 1)  # 3 x 3 tiles of 32 px + 1 px gaps


def test_models_json_lists_the_registry(capsys):
    code, text, _ = _run(capsys, "models", "--json")
    models = json.loads(text)["models"]
    names_in_order = [m["name"] for m in models]  # own-sampler networks (GUD, per-instance) then scale-space last
    assert code == 0 and names_in_order == [*SPECS, *OWN_SAMPLER, *SCALE_SPACE]
    assert {"mnist-gud-pca-soft", "mnist-gud-pixel-standard", "mnist-spectral-instance"} <= set(OWN_SAMPLER)
    assert {"mnist-ssd3-flexi", "mnist-ddpm-baseline"} <= set(SCALE_SPACE)
    names = {m["name"]: m for m in models}
    assert {"field-beta2-32", "digits-pca-gaussian", "digits-empirical"} <= set(names)
    assert names["field-beta2-32"]["shape"] == [1, 32, 32] and names["digits-empirical"]["kind"] == "empirical-optimal"
    assert all(
        m["sha256"] is None and m["params"] is None and m["train_time"] is None
        for m in models
        if m["kind"] not in ("trained", "scale-space", *OWN_KINDS)
    )
    assert all(m["sha256"] for m in models if m["kind"] in ("trained", "scale-space", *OWN_KINDS))
    threads = {m["name"]: m["thread"] for m in models if m["sha256"]}
    assert threads["mnist-gud-pca-soft"] == "gud" and threads["mnist-spectral-tight"] == "spectral"
    assert threads["mnist-ssd3-flexi"] == "scale-space" and threads["mnist-li-laplace-laplace"] == "nonnormal"


BAD = [
    (["--model", "nope"], "unknown model 'nope'"),
    (["--sampler", "nope"], "unknown sampler 'nope'"),
    (["--schedule", "nope"], "unknown schedule 'nope'"),
    (["--noise-law", "cauchy"], "unknown noise law 'cauchy'"),
    (["--steps", "0"], "steps must be in [1, 1000], got 0"),
    (["--steps", "nan"], "steps must be an integer"),
    (["--n", "0"], "n must be in [1, 4096], got 0"),
    (["--n", "5000"], "n must be in [1, 4096], got 5000"),
    (["--seed", "-1"], "seed must be in [0,"),
    (["--out", "OUT/a.jpg"], "out must end in .png or .npy"),
    (["--out", "OUT/missing/a.png"], "out folder does not exist"),
]


@pytest.mark.parametrize("extra, message", BAD)
def test_bad_input_is_one_line_and_exit_code_2(capsys, tmp_path, extra, message):
    args = {
        "--model": "field-beta2-32",
        "--sampler": "euler",
        "--steps": "4",
        "--seed": "0",
        "--n": "4",
        "--out": str(tmp_path / "x.npy"),
    }
    args.update(dict(zip(extra[::2], extra[1::2])))
    args["--out"] = args["--out"].replace("OUT", str(tmp_path))
    code, out, err = _run(capsys, "sample", *[t for kv in args.items() for t in kv])
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and err.startswith("difflab sample: error:")
    assert not (tmp_path / "x.npy").exists()


def test_unknown_model_is_exit_code_2_and_one_line(capsys, tmp_path):
    """The code `difflab` exits with (`python -m diffusion_core` passes main's return value to sys.exit:
    tests/cli/test_cli_start.py runs that in a real process)."""
    code, out, err = _run(
        capsys,
        "sample",
        "--model",
        "nope",
        "--sampler",
        "euler",
        "--steps",
        "4",
        "--seed",
        "0",
        "--n",
        "2",
        "--out",
        str(tmp_path / "x.png"),
    )
    assert code == 2 and "unknown model 'nope'" in err and err.count("\n") == 1 and out == ""


def test_trained_weights_load_only_as_hashed_safetensors(tmp_path, monkeypatch):
    import hashlib

    import torch
    from safetensors.torch import save_file

    from diffusion_core.models import registry as R
    from diffusion_core.validation import InputError

    monkeypatch.setattr(R, "WEIGHTS_DIR", tmp_path)
    save_file({"w": torch.arange(4.0)}, str(tmp_path / "tiny.safetensors"))
    digest = hashlib.sha256((tmp_path / "tiny.safetensors").read_bytes()).hexdigest()
    spec = R.ModelSpec("tiny", "trained", "none", (1, 2, 2), "test", weights="tiny.safetensors", sha256=digest)
    assert torch.equal(R.load_weights(spec)["w"], torch.arange(4.0))
    with pytest.raises(InputError, match="sha256"):
        R.load_weights(
            R.ModelSpec("tiny", "trained", "none", (1, 2, 2), "test", weights="tiny.safetensors", sha256="0" * 64)
        )
    torch.save({"w": 1}, tmp_path / "evil.pt")
    for bad in ("evil.pt", "../outside.safetensors"):
        with pytest.raises(InputError, match="must be a .safetensors file"):
            R.load_weights(R.ModelSpec("x", "trained", "none", (1, 2, 2), "test", weights=bad, sha256=digest))


def test_autoguided_sampling_counts_both_models_and_guiding_by_itself_changes_nothing(capsys, tmp_path):
    plain = _sample(capsys, tmp_path / "p.npy")
    same = _sample(capsys, tmp_path / "s.npy", "--guide", "digits-pca-gaussian", "--guidance", "3")
    other = _sample(capsys, tmp_path / "o.npy", "--guide", "digits-gmm10", "--guidance", "2")
    assert (plain["guide"], plain["guidance"], plain["nfe"]) == (None, None, 15)
    assert (same["model"], same["guide"], same["guidance"], same["nfe"]) == (
        "digits-pca-gaussian",
        "digits-pca-gaussian",
        3.0,
        30,
    )
    # D_0 + w (D_1 - D_0) with D_0 = D_1 is D_1 exactly, whatever w
    assert np.array_equal(np.load(tmp_path / "p.npy"), np.load(tmp_path / "s.npy"))
    assert not np.allclose(np.load(tmp_path / "p.npy"), np.load(tmp_path / "o.npy"), atol=1e-3)
    # a guided run is scored from its samples against the exact law (the closed form is the unguided one's)
    assert (
        plain["quality_metric"] == "cov_rel_fro"
        and same["quality_metric"] == other["quality_metric"] == "sample_cov_rel_fro"
    )
    assert same["quality"] == pytest.approx(plain["quality_details"]["sample_cov_rel_fro"], rel=1e-12)


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--guide", "field-beta2-32"), "guide model field-beta2-32 has shape [1, 32, 32], the model [1, 8, 8]"),
        (("--guide", "digits-gmm10", "--guidance", "11"), "guidance must be in [0, 10], got 11"),
        (("--guide", "digits-gmm10", "--guidance", "x"), "--guidance must be a number, got 'x'"),
        (("--guide", "nope"), "nope"),
    ],
)
def test_bad_guidance_is_a_one_line_error(capsys, tmp_path, extra, message):
    code, _, err = _run(
        capsys,
        "sample",
        "--model",
        "digits-pca-gaussian",
        "--sampler",
        "heun",
        "--steps",
        "8",
        "--seed",
        "5",
        "--n",
        "6",
        "--out",
        str(tmp_path / "x.npy"),
        *extra,
    )
    assert code == 2 and message in err and err.count("\n") == 1
