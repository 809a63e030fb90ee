"""`difflab` starts light: `--version` and every `--help` load no torch, scipy, matplotlib, plotly or gradio (the
command modules are imported on dispatch, from main.COMMANDS); `main(argv)` returns the exit code instead of
exiting, and `python -m diffusion_core` hands that code to the shell."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from diffusion_core.cli import parsers
from diffusion_core.cli.main import COMMANDS, EXAMPLES, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "scipy", "matplotlib", "plotly", "gradio")


def _python(*args: str) -> subprocess.CompletedProcess:
    """A fresh interpreter on this tree's package (the import test needs a process that has imported nothing)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def _imported(importtime_log: str) -> set[str]:
    """Top-level package names in a `python -X importtime` log (`import time: self | cumulative | name`)."""
    names = (line.rsplit("|", 1)[-1].strip() for line in importtime_log.splitlines() if line.startswith("import time:"))
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("argv", [["--version"], ["spectrum", "--help"]])
def test_version_and_help_import_no_heavy_library(argv):
    r = _python("-X", "importtime", "-m", "diffusion_core", *argv)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "difflab" in r.stdout
    imported = _imported(r.stderr)
    assert "diffusion_core" in imported  # the log was read
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_every_help_imports_no_heavy_library():
    code = (
        "import contextlib, io, json, sys; from diffusion_core.cli.main import COMMANDS, main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main([c, '--help']) for c in COMMANDS] + [main(['--help'])]\n"
        f"print(json.dumps([codes, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})]))"
    )
    r = _python("-c", code)
    assert r.returncode == 0, r.stderr[-2000:]
    codes, heavy = json.loads(r.stdout)
    assert codes == [0] * (len(COMMANDS) + 1) and heavy == []


def test_the_shell_gets_mains_exit_code():
    """`python -m diffusion_core` exits with what main returns: 2 and argparse's one-line usage error."""
    r = _python("-m", "diffusion_core", "no-such-command")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines()[-1].startswith("difflab: error: argument command: invalid choice")
    r = _python("-m", "diffusion_core", "schedule", "edm")
    assert r.returncode == 2 and "the following arguments are required: --steps" in r.stderr


def test_main_returns_codes_in_process_and_never_exits(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("difflab ")
    assert main(["sample", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: difflab sample") and "example: difflab sample" in out
    assert main([]) == 2 and "required: command" in capsys.readouterr().err
    assert main(["spectrum", "camera", "--size", "x"]) == 2
    assert "argument --size: invalid int value: 'x'" in capsys.readouterr().err


def test_commands_parsers_and_examples_name_the_same_commands():
    choices = build_parser()._subparsers._group_actions[0].choices
    assert list(COMMANDS) == list(parsers.PARSERS) == list(choices) == list(EXAMPLES)
    for name, module in COMMANDS.items():
        assert callable(importlib.import_module(f"diffusion_core.cli.{module}").run), name


def test_help_names_are_the_cores_tables():
    """The help texts' copies of the core's names (parsers.NAMES) equal the tables the commands check against."""
    from diffusion_core import data
    from diffusion_core.denoisers.autoguidance import MAX_W
    from diffusion_core.noise.samplers import SAMPLERS
    from diffusion_core.noise.schedules import FAMILIES
    from diffusion_core.nonnormal.controls import STEP_NOISES
    from diffusion_core.nonnormal.laws import LAWS
    from diffusion_core.nonnormal.walks import FORMS, GRIDS
    from diffusion_core.sampling import run as sampling

    assert parsers.NAMES == {
        "photos": tuple(data.PHOTOS[:4]),
        "resizes": tuple(data.RESIZES),
        "laws": tuple(LAWS),
        "forms": tuple(FORMS),
        "grids": tuple(GRIDS),
        "samplers": tuple(SAMPLERS),
        "step_noises": tuple(STEP_NOISES),
        "schedules": tuple(FAMILIES),
    }
    assert (parsers.MAX_STEPS, parsers.MAX_N, parsers.MAX_W) == (sampling.MAX_STEPS, sampling.MAX_N, MAX_W)


def test_train_writes_to_the_package_weights_by_default(monkeypatch):
    """--out-dir has no default in the light parser: the train command fills in models/weights."""
    from diffusion_core.cli import train
    from diffusion_core.models.registry import WEIGHTS_DIR

    args = build_parser().parse_args(["train", "train/smoke.toml"])
    assert args.out_dir is None
    seen = []
    monkeypatch.setattr(train, "launch", lambda a, nproc: seen.append(a.out_dir) or 0)
    monkeypatch.setattr(train, "under_torchrun", lambda: False)
    assert main(["train", "train/smoke.toml", "--nproc", "1"]) == 0
    assert seen == [str(WEIGHTS_DIR)]
