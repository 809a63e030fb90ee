"""The `difflab spectrum` contract: JSON keys, a field's slope recovered, bad input -> one line and exit code 2."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from diffusion_core.cli.main import main


def difflab(capsys, *args: str) -> SimpleNamespace:
    """`difflab ARGS` in-process: returncode, stdout, stderr as a finished process has them."""
    code = main(list(args))
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


def test_cli_spectrum_json_contract(capsys):
    r = difflab(capsys, "spectrum", "camera", "--size", "64", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"freqs", "psd", "beta", "fit_band", "dc_power"} <= set(out)
    f = np.array(out["freqs"])
    assert len(f) == 32 and f[0] == pytest.approx(1 / 64) and np.all(np.diff(f) > 0)
    assert len(out["psd"]) == 32 and 1.5 < out["beta"] < 3.5 and out["dc_power"] > 0


def test_cli_spectrum_of_a_field_recovers_beta(capsys):
    out = json.loads(difflab(capsys, "spectrum", "field:2.5:3", "--size", "256", "--json").stdout)
    assert abs(out["beta"] - 2.5) < 0.1


@pytest.mark.parametrize(
    "args,msg",
    [
        (["spectrum", "no-such-file.png"], "file not found"),
        (["spectrum", "camera", "--size", "0"], "--size must be in"),
        (["bench", "nope"], "unknown benchmark"),
    ],
)
def test_cli_bad_input_exits_nonzero_with_one_line(capsys, args, msg):
    r = difflab(capsys, *args)
    assert r.returncode == 2
    assert msg in r.stderr and len(r.stderr.strip().splitlines()) == 1
