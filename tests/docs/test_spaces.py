"""docs/spaces/: the Hugging Face Space recipe. The built folder holds app.py, requirements.txt and README.md;
the front matter is what Spaces reads (gradio at the version pyproject pins and this test runs, app_file app.py);
the requirements take torch from PyTorch's CPU index and the package at pyproject's version; and the built app.py
serves when run as Spaces runs it: `python app.py` with only GRADIO_SERVER_NAME / GRADIO_SERVER_PORT set."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
build_space = runpy.run_path(str(ROOT / "docs" / "spaces" / "build_space.py"))["build_space"]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n"), "a Space README starts with its YAML front matter"
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_built_folder_has_the_three_files_spaces_reads(tmp_path):
    out = build_space(tmp_path / "space")
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "app.py", "requirements.txt"]
    assert (out / "app.py").read_text() == (ROOT / "app.py").read_text()
    meta = _front_matter((out / "README.md").read_text())
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py" and meta["license"] == "mit"
    assert meta["sdk_version"] == version("gradio")  # the version the app is tested with here
    (pin,) = [r for r in PROJECT["dependencies"] if r.startswith("gradio")]
    major, minor = meta["sdk_version"].split(".")[:2]
    assert f">={major}.{minor}" in pin, (pin, meta["sdk_version"])
    assert str(meta["python_version"]) == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert len(meta["short_description"]) <= 60  # the Hub's limit


def test_requirements_cpu_torch_and_the_package_at_its_version(tmp_path):
    lines = [
        line
        for line in (build_space(tmp_path).joinpath("requirements.txt")).read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    (torch_req,) = [r for r in PROJECT["dependencies"] if r.startswith("torch")]
    assert lines[1:] == [torch_req, f"diffusion-lab=={PROJECT['version']}"]


def test_built_app_serves_as_spaces_runs_it(tmp_path):
    out = build_space(tmp_path / "space")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    env["PYTHONPATH"] = str(ROOT)  # the package as the requirements would install it
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=out, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline, config = time.monotonic() + 240, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=5) as r:
                    config = r.read()
                break
            except OSError:
                time.sleep(0.5)
        assert config is not None, proc.stdout.read().decode()[-2000:] if proc.poll() is not None else "no answer"
        assert b'"spectrum"' in config  # the app's stable api_names are there
    finally:
        proc.terminate()
        proc.wait(timeout=30)
