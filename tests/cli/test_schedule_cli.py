"""`difflab schedule` and `difflab bounds`: JSON contracts, image files, bad input -> one line and exit code 2."""

from __future__ import annotations

import json
import math

import pytest

from diffusion_core import cli


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_schedule_contract(capsys):
    code, out, _ = run_cli(
        capsys, "schedule", "scaled-linear", "--steps", "10", "--set", "timestep_spacing=trailing", "--json"
    )
    d = json.loads(out)
    assert code == 0 and set(d) == {"sigmas", "logsnr", "timesteps", "alphas_cumprod"}
    assert (
        len(d["sigmas"]) == 11 and d["sigmas"][-1] == 0 and len(d["logsnr"]) == 10 and len(d["alphas_cumprod"]) == 1000
    )
    assert all(a > b for a, b in zip(d["sigmas"], d["sigmas"][1:])) and d["timesteps"][0] == 999
    code, out, _ = run_cli(
        capsys, "schedule", "tight-mixed", "--steps", "6", "--image", "camera", "--size", "64", "--json"
    )
    d = json.loads(out)
    assert code == 0 and set(d) == {"sigmas", "logsnr"} and len(d["sigmas"]) == 7
    code, out, _ = run_cli(capsys, "schedule", "karras", "--steps", "4", "--diffusers-config", "--json")
    assert json.loads(out)["use_karras_sigmas"] is True


def test_cli_bounds_contract(capsys):
    code, out, _ = run_cli(capsys, "bounds", "astronaut", "--size", "64", "--json")
    d = json.loads(out)
    assert code == 0 and {"sigma_min", "sigma_max", "logsnr_min", "logsnr_max", "quantization_floor"} <= set(d)
    assert d["sigma_max"] == pytest.approx(23.5, rel=0.005) and d["logsnr_min"] == pytest.approx(
        -2 * math.log(d["sigma_max"])
    )


@pytest.mark.parametrize(
    "argv,msg",
    [
        (["schedule", "nope", "--steps", "4"], "unknown schedule"),
        (["schedule", "edm", "--steps", "0"], "--steps"),
        (["schedule", "edm", "--steps", "4", "--set", "sigma_min=nan"], "sigma_min"),
        (["schedule", "edm", "--steps", "4", "--set", "rho"], "KEY=VALUE"),
        (["schedule", "tight-power", "--steps", "4"], "needs an image"),
        (["bounds", "camera", "--tau-lo", "nan"], "--tau-lo"),
        (["bounds", "camera", "--dc", "maybe"], "--dc"),
        (["bounds", "/nonexistent.png"], "not found"),
        (["bounds", "camera", "--size", "0"], "--size"),
        (["schedule", "edm", "--steps", "abc"], "--steps must be an integer"),
        (["bounds", "camera", "--tau-hi", "inf"], "--tau-hi"),
    ],
)
def test_cli_bad_input_exit_2(capsys, argv, msg):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and msg in err and len(err.strip().splitlines()) == 1


def test_cli_accepts_an_image_file(capsys, tmp_path):
    from PIL import Image

    from diffusion_core.data import load_photo

    x = load_photo("camera", 64)
    path = tmp_path / "camera.png"
    Image.fromarray(((x[0, 0].numpy() + 1) * 127.5).round().astype("uint8")).save(path)
    code, out, _ = run_cli(capsys, "bounds", str(path), "--size", "64", "--json")
    by_name = json.loads(run_cli(capsys, "bounds", "camera", "--size", "64", "--json")[1])
    assert code == 0 and json.loads(out)["sigma_max"] == pytest.approx(by_name["sigma_max"], rel=0.01)
    code, out, _ = run_cli(
        capsys, "schedule", "tight-power", "--steps", "5", "--image", str(path), "--size", "64", "--json"
    )
    assert code == 0 and len(json.loads(out)["sigmas"]) == 6
