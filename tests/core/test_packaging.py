"""Packaging: metadata that matches the code, pins that keep torch on the CPU wheel, presets shipped as package
resources, and a wheel that works in a fresh venv outside the repository (slow)."""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from diffusion_core import __version__, animate
from diffusion_core.presets import PRESET_ROOT
from diffusion_core.validation import InputError

ROOT = Path(__file__).resolve().parents[2]
META = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirement(name: str, reqs: list[str]) -> Requirement:
    return next(r for r in map(Requirement, reqs) if r.name == name)


def test_metadata_matches_the_code():
    assert META["requires-python"] == ">=3.11"  # tomllib
    assert META["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert __version__ == META["version"]
    assert "imageio-ffmpeg" not in {Requirement(r).name for r in META["dependencies"]}
    assert _requirement("imageio-ffmpeg", META["optional-dependencies"]["mp4"])


def test_torch_is_a_range_and_the_constraints_pin_the_local_cpu_wheel():
    torch_req = _requirement("torch", META["dependencies"])
    assert not any(s.operator == "==" for s in torch_req.specifier)
    pins = [
        Requirement(line)
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    (pin,) = [p for p in pins if p.name == "torch"]
    (spec,) = pin.specifier
    assert spec.operator == "==" and Version(spec.version).local == "cpu"
    assert torch_req.specifier.contains(Version(spec.version).public)


def test_presets_are_a_package_resource():
    files = importlib.resources.files("diffusion_core")
    assert Path(str(files / "preset_files")).resolve() == PRESET_ROOT == (ROOT / "presets").resolve()
    assert len(list((PRESET_ROOT / "workshop").glob("*.toml"))) == 7


def test_mp4_without_ffmpeg_says_which_extra(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "imageio_ffmpeg" else real(n, *a))
    frames = [np.zeros((8, 8, 3), np.uint8)] * 2
    with pytest.raises(InputError, match=r"pip install 'diffusion-lab\[mp4\]'"):
        animate.frames_to_mp4(frames, tmp_path / "a.mp4")
    assert animate.frames_to_gif(frames, tmp_path / "a.gif").stat().st_size > 0


def test_cli_version(capsys):
    from diffusion_core.cli import main

    assert main(["--version"]) == 0  # main returns argparse's exit code, never exits
    assert capsys.readouterr().out.strip() == f"difflab {META['version']}"


def test_py_typed_is_package_data():
    """PEP 561: the marker that makes type checkers read the package's annotations ships in the wheel (the
    wheel test below checks the built file)."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["diffusion_core"]
    assert (ROOT / "diffusion_core" / "py.typed").is_file()
    assert importlib.resources.files("diffusion_core").joinpath("py.typed").is_file()


def test_app_host_follows_gradio_server_name(monkeypatch):
    """`python app.py` binds $GRADIO_SERVER_NAME when no --host is given; `demo` exists at module level."""
    import diffusion_core.app.layout as layout

    built = object()
    monkeypatch.setattr(layout, "build_app", lambda: built)  # the real build is tested with the server
    spec = importlib.util.spec_from_file_location("difflab_app_module", ROOT / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.demo is built
    seen = []
    monkeypatch.setattr(mod, "serve", lambda demo, host, port: seen.append((demo, host, port)))
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    mod.main([])
    mod.main(["--host", "127.0.0.2", "--port", "7999"])
    monkeypatch.delenv("GRADIO_SERVER_NAME")
    mod.main([])
    assert [(h, p) for _, h, p in seen] == [("0.0.0.0", 7860), ("127.0.0.2", 7999), ("127.0.0.1", 7860)]
    assert all(d is built for d, _, _ in seen)


# ---------------------------------------------------------------------------------------------
# The wheel in a fresh venv, run from a folder outside the repository


def _clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH (a source tree on it would shadow the installed wheel: pip would see
    the tree's diffusion_lab.egg-info as already installed) and without VIRTUAL_ENV."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(py: Path, *args: str, cwd: Path) -> str:
    out = subprocess.run([str(py), *args], capture_output=True, text=True, cwd=cwd, env=_clean_env(), timeout=900)
    assert out.returncode == 0, f"{args}: {out.stderr[-2000:]}"
    return out.stdout


@pytest.mark.slow
@pytest.mark.timeout(2400)  # DIFFLAB_WHEEL_FULL installs torch and gradio: minutes on a busy machine
def test_wheel_in_a_fresh_venv_runs_the_workshop_a_preset_and_train(tmp_path):
    """Build the wheel, install it alone into a new venv (its dependencies are this venv's, put on the path
    by a .pth line; DIFFLAB_WHEEL_FULL=1 installs them from the index with constraints.txt instead)."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("diffusion_lab-*.whl")
    assert "diffusion_core/py.typed" in zipfile.ZipFile(wheel).namelist()
    (meta_name,) = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA")]
    metadata = zipfile.ZipFile(wheel).read(meta_name).decode()  # what PyPI shows: URLs, classifiers, the README
    assert "Project-URL: Homepage, https://github.com/diffusion-lab/diffusion-lab" in metadata
    assert "Classifier: Typing :: Typed" in metadata and "Requires-Dist: tqdm" in metadata
    assert "](docs/" not in metadata and "![Spectrum tab](https://raw.githubusercontent.com/" in metadata
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(_run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip())
    pip = [sys.executable, "-m", "pip", "--python", str(py), "install", "-q"]
    if os.environ.get("DIFFLAB_WHEEL_FULL"):
        subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), str(wheel)], check=True, env=_clean_env())
    else:
        subprocess.run([*pip, "--no-deps", "--no-index", str(wheel)], check=True, env=_clean_env())
        (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run(py, "-c", "import diffusion_core; print(diffusion_core.__file__)", cwd=work)
    assert Path(where).resolve().is_relative_to(env_dir.resolve())
    assert (Path(where).parent / "py.typed").is_file()
    difflab = env_dir / "bin" / "difflab"
    assert _run(difflab, "--version", cwd=work).strip() == f"difflab {META['version']}"
    titles = json.loads(
        _run(
            py,
            "-c",
            "import json; from diffusion_core.app.workshop.handlers import exercises; "
            "print(json.dumps(list(exercises())))",
            cwd=work,
        )
    )
    assert len(titles) == 7
    sched = json.loads(_run(difflab, "component-schedule", "--preset", "bases/standard.toml", "--json", cwd=work))
    assert sched and isinstance(sched, dict)
    _run(
        difflab,
        "train",
        "train/smoke.toml",
        "--no-launch",
        "--quick-eval",
        "--out-dir",
        str(work / "w"),
        "--json",
        cwd=work,
    )
    assert (work / "w" / "smoke.safetensors").stat().st_size > 0
