"""`difflab increments`: JSON keys per design.md, values against the exact formulas, exit code 2 on bad input."""

import json

import pytest

from diffusion_core.cli.main import main

KEYS = {"mean", "var", "expected_mean", "expected_var", "excess_kurtosis", "expected_excess_kurtosis", "ks_to_gaussian"}


def run(capsys, *argv):
    code = main(["increments", *argv])
    out = capsys.readouterr()
    return code, out


def test_json_keys_and_values(capsys):
    code, out = run(
        capsys, "--law", "laplace", "--steps", "50", "--paths", "100000", "--seed", "1", "--form", "euler", "--json"
    )
    assert code == 0
    res = json.loads(out.out)
    assert KEYS <= set(res)
    assert res["expected_excess_kurtosis"] == pytest.approx(0.652, abs=5e-4)
    assert abs(res["excess_kurtosis"] - res["expected_excess_kurtosis"]) < 4.5 * res["excess_kurtosis_stderr"]
    assert res["var"] == pytest.approx(res["expected_var"], rel=0.03)
    assert 0 < res["ks_to_gaussian"] < 0.05


def test_default_form_is_ddpm_and_seed_reproducible(capsys):
    a = json.loads(run(capsys, "--law", "uniform", "--steps", "3", "--paths", "1000", "--json")[1].out)
    b = json.loads(run(capsys, "--law", "uniform", "--steps", "3", "--paths", "1000", "--json")[1].out)
    assert a == b and a["form"] == "ddpm" and a["expected_var"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["--law", "cauchy", "--steps", "5"], "unknown law 'cauchy'"),
        (["--law", "student-t", "--nu", "3", "--steps", "5"], "no finite fourth moment"),
        (["--law", "gaussian", "--steps", "0"], "steps must be in [1, 20000], got 0"),
        (["--law", "gaussian", "--steps", "five"], "steps must be an integer"),
        (["--law", "gaussian", "--steps", "5", "--paths", "100000000"], "memory cap"),
        (["--law", "gaussian", "--steps", "5", "--form", "heun"], "unknown form 'heun'"),
    ],
)
def test_bad_input_exit_code_2(capsys, argv, msg):
    code, out = run(capsys, *argv, "--json")
    assert code == 2
    assert msg in out.err and out.err.count("\n") == 1 and out.out == ""


@pytest.mark.slow
def test_bench_increments_quick(capsys):
    """`difflab bench increments --quick`: every cell within 5 MC errors; N5 reverse rows present."""
    assert main(["bench", "increments", "--quick", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["max_kurtosis_z"] < 5 and res["max_var_z"] < 5
    laplace = {r["steps"]: r["ddpm-right"] for r in res["laplace_exact"]}
    assert laplace[1] == 3.0 and laplace[50] == pytest.approx(0.739, abs=5e-4)
    assert {r["law"] for r in res["reverse"]} == {"gaussian", "laplace", "uniform", "rademacher", "student-t"}
