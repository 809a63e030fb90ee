"""`difflab component-schedule` and `difflab basis-forward`: JSON and CSV, custom orderings, presets, frames and
GIFs, bad input -> one line and exit code 2."""

import json
from pathlib import Path

import pytest

from diffusion_core.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr()


def test_component_schedule_json_and_csv(capsys, tmp_path):
    code, out = run(
        capsys,
        "component-schedule",
        "--basis",
        "pixel",
        "--ordering",
        "column",
        "--a",
        "12",
        "--times",
        "5",
        "--out",
        str(tmp_path / "t.csv"),
        "--json",
    )
    assert code == 0
    res = json.loads(out.out)
    assert res["components"] == 64 and res["times"] == [0, 0.25, 0.5, 0.75, 1.0]
    assert res["overlap_fraction"] == 0.0 and res["threshold_a"] == pytest.approx(10.0)  # 8 columns, dl = 1
    assert res["slope"] == pytest.approx(10 + 12 * 7)
    assert len(res["gamma"]) == 5 and len(res["gamma"][0]) == 64
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert len(rows) == 65 and rows[0].startswith("component,label,variance,window_start,window_end")


def test_custom_ordering_centre_out(capsys):
    """Custom labels |column - 3.5| (per pixel position): the two centre columns are generated first."""
    labels = ",".join(str(abs(c - 3.5)) for r in range(8) for c in range(8))
    code, out = run(
        capsys,
        "component-schedule",
        "--basis",
        "pixel",
        "--ordering",
        "custom",
        "--custom-labels",
        labels,
        "--a",
        "10",
        "--json",
    )
    res = json.loads(out.out)
    assert code == 0 and res["slope"] == pytest.approx(10 + 10 * 3) and res["overlap_fraction"] == 0.0
    start = res["window_start"]
    assert start[3] == start[4] == max(start)  # centre columns noised last
    code, out = run(capsys, "component-schedule", "--ordering", "custom", "--custom-labels", "1,2,3")
    assert code == 2 and "needs 64 labels (one per component) or 64 (one per pixel position), got 3" in out.err


def test_component_schedule_preset_and_override(capsys):
    code, out = run(capsys, "component-schedule", "--preset", "bases/autoregressive_columns.toml", "--a", "4", "--json")
    res = json.loads(out.out)
    assert code == 0 and res["slope"] == pytest.approx(10 + 4 * 7) and 0 < res["overlap_fraction"] < 1


def test_basis_forward_frames_and_gif(capsys, tmp_path):
    code, out = run(
        capsys,
        "basis-forward",
        "--basis",
        "wavelet",
        "--levels",
        "2",
        "--frames",
        "4",
        "--out",
        str(tmp_path / "f"),
        "--json",
    )
    res = json.loads(out.out)
    assert code == 0 and len(res["files"]) == 4 and all(Path(f).is_file() for f in res["files"])
    assert res["active_counts"][0] == 0 and res["active_counts"][-1] == 0
    code, out = run(
        capsys,
        "basis-forward",
        "--reverse",
        "--basis",
        "pca",
        "--r",
        "1",
        "--denoiser",
        "empirical",
        "--frames",
        "3",
        "--out",
        str(tmp_path / "r.gif"),
        "--json",
    )
    assert code == 0 and Path(json.loads(out.out)["files"][0]).stat().st_size > 0


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["component-schedule", "--basis", "haar"], "unknown basis 'haar'"),
        (["component-schedule", "--ordering", "zigzag"], "unknown ordering 'zigzag'"),
        (["component-schedule", "--a", "-1"], "a must be in [0, 10000], got -1"),
        (["component-schedule", "--basis", "fourier", "--ordering", "column"], "does not apply to basis 'fourier'"),
        (
            ["component-schedule", "--image", "camera", "--size", "24", "--basis", "wavelet", "--levels", "4"],
            "needs image sizes divisible by 16, got 24x24",
        ),
        (
            ["component-schedule", "--image", "camera", "--size", "40", "--basis", "pca"],
            "PCA is limited to 1024 components",
        ),
        (["basis-forward", "--out", "x.txt"], "--out must be a folder, a .gif or a .mp4 file"),
        (["component-schedule", "--preset", "../../etc/passwd.toml"], "preset must be inside"),
        (["component-schedule", "--seed", "-3"], "seed must be in [0, 2.14748e+09], got -3"),
        (["component-schedule", "--image", "digit:2000"], "digit index must be in [0, 1796], got 2000"),
        (["component-schedule", "--image", "digit:5", "--size", "16"], "digits are 8x8 gray"),
        (
            ["component-schedule", "--gamma-denoise", "4", "--gamma-noise", "3"],
            "gamma_noise must be greater than gamma_denoise",
        ),
        (["basis-forward", "--reverse", "--steps", "5", "--out", "/tmp/x.gif"], "steps must be at least"),
    ],
)
def test_cli_bad_input_exit_2(capsys, argv, msg):
    code, out = run(capsys, *argv)
    assert code == 2 and msg in out.err and len(out.err.strip().splitlines()) == 1
