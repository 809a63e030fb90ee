"""CLI conventions: each command's help has a description and an example that parses; the README's command
lines parse; `--diffusers-config` is JSON that diffusers loads; `-` reads stdin and writes stdout."""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
from pathlib import Path

import diffusers
import numpy as np
import torch

from diffusion_core.cli.main import EXAMPLES, build_parser, main
from diffusion_core.noise.discretization import build_schedule

ROOT = Path(__file__).resolve().parents[2]
PARSER = build_parser()
COMMANDS = PARSER._subparsers._group_actions[0].choices


def _argv(line: str) -> list[str]:
    """A shell line `difflab ...  # comment` -> argv after `difflab` (up to a redirection)."""
    words = shlex.split(line, comments=True)
    assert words[0] == "difflab", line
    stop = [i for i, w in enumerate(words) if w in (">", "|", "<")]
    return words[1 : stop[0] if stop else None]


def test_every_command_has_a_description_and_an_example_that_parses():
    assert set(COMMANDS) == set(EXAMPLES)
    for name, p in COMMANDS.items():
        assert p.description and "\n" not in p.description.strip(), name
        assert p.epilog == f"example: {EXAMPLES[name]}"
        argv = _argv(EXAMPLES[name])
        assert argv[0] == name and PARSER.parse_args(argv).command == name


def test_no_help_promises_what_is_not_there():
    text = PARSER.format_help() + "".join(p.format_help() for p in COMMANDS.values())
    assert not re.search(r"\b(later|todo|not yet|coming soon)\b", text, re.I)


def test_readme_command_lines_parse():
    block = (ROOT / "README.md").read_text().split("## Command line", 1)[1].split("```bash", 1)[1].split("```")[0]
    lines = [part.strip() for line in block.splitlines() for part in line.split(";") if part.strip()]
    assert len(lines) >= 10
    for line in lines:
        alternatives = re.search(r"\{([^}]*)\}", line)  # `bench {a,b,c}`: each one
        for alt in alternatives.group(1).split(",") if alternatives else [None]:
            text = line.replace(alternatives.group(0), alt) if alt else line
            argv = [w for w in _argv(text) if not (w.startswith("[") or w.endswith("]"))]
            if argv != ["--version"]:  # that one exits (tested in test_packaging)
                PARSER.parse_args(argv)  # SystemExit on an unknown flag
    assert "--nproc-per-node" not in (ROOT / "README.md").read_text()


def test_diffusers_config_is_json_that_from_config_loads(capsys):
    for name, steps in [("karras", 10), ("scaled-linear", 12), ("vp", 8)]:
        assert main(["schedule", name, "--steps", str(steps), "--diffusers-config"]) == 0
        cfg = json.loads(capsys.readouterr().out)
        sched = diffusers.EulerDiscreteScheduler.from_config(cfg)
        ours = build_schedule(name, steps).sigmas
        if "custom_sigmas" in cfg:
            sched.set_timesteps(sigmas=cfg["custom_sigmas"])  # as its "_note" says
        else:
            sched.set_timesteps(steps)
        assert torch.allclose(sched.sigmas.double()[:-1], ours[:-1].double(), rtol=1e-5), name


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_dash_reads_an_image_from_stdin(monkeypatch, capsys, tmp_path):
    img = (np.random.default_rng(0).random((40, 40)) * 255).astype(np.uint8)
    from PIL import Image

    Image.fromarray(img).save(tmp_path / "a.png")
    assert main(["spectrum", str(tmp_path / "a.png"), "--size", "32", "--json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    _stdin(monkeypatch, (tmp_path / "a.png").read_bytes())
    assert main(["spectrum", "-", "--size", "32", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file
    _stdin(monkeypatch, b"")
    assert main(["bounds", "-", "--json"]) == 2
    assert "no image on standard input" in capsys.readouterr().err


def test_dash_writes_the_file_to_stdout(capsysbinary, tmp_path):
    args = ["sample", "--model", "field-beta2-32", "--sampler", "euler", "--steps", "3", "--seed", "0", "--n", "2"]
    assert main([*args, "--out", str(tmp_path / "s.png"), "--json"]) == 0
    capsysbinary.readouterr()
    assert main([*args, "--out", "-", "--json"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == (tmp_path / "s.png").read_bytes() and json.loads(err)["out"] == "-"
    assert main(["component-schedule", "--times", "3", "--out", str(tmp_path / "t.csv")]) == 0
    capsysbinary.readouterr()
    assert main(["component-schedule", "--times", "3", "--out", "-"]) == 0
    assert capsysbinary.readouterr().out.replace(b"\r\n", b"\n") == (tmp_path / "t.csv").read_bytes().replace(
        b"\r\n", b"\n"
    )
