"""The README's generated blocks: the install commands (from constraints.txt's torch pin), the numbers the
Python example prints (benchmarks/spectral.json) and the results at a glance (benchmarks/*.json), so
that no number in README.md is typed by hand."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import low_nfe, mnist, room, threads
from .measured import load

# The repository the README's links point to: PyPI shows README.md as the long description, where a relative
# link or image path resolves to nothing, so every link into the repository is written absolute.
REPO_URL = "https://github.com/diffusion-lab/diffusion-lab"
BLOB_URL = f"{REPO_URL}/blob/main/"  # a file as GitHub shows it
RAW_URL = "https://raw.githubusercontent.com/diffusion-lab/diffusion-lab/main/"  # an image's bytes


def absolute_links(markdown: str) -> str:
    """Relative links `](path)` as repository URLs (images `![..](path)` as raw files); in-page `#anchors`,
    absolute URLs and code blocks stay as they are."""
    parts = re.split(r"(```.*?```)", markdown, flags=re.S)
    link = re.compile(r"(!\[[^\]]*)?\]\((?!#|[a-z][a-z0-9+.-]*:|/)([^)\s]+)\)")

    def url(m: re.Match[str]) -> str:
        image = m.group(1) or ""
        return f"{image}]({RAW_URL if image else BLOB_URL}{m.group(2).removeprefix('./')})"

    return "".join(part if part.startswith("```") else link.sub(url, part) for part in parts)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def torch_pin(constraints: str) -> str:
    """The torch version constraints.txt pins, e.g. "2.13.0+cpu"."""
    found = re.search(r"^torch==(\S+)", constraints, re.M)
    if found is None:
        raise ValueError("constraints.txt pins no torch version (a line torch==VERSION)")
    return found.group(1)


def install(constraints: str) -> str:
    """The Install section's commands for CPU and GPU machines."""
    pin = torch_pin(constraints)
    cuda = pin.split("+")[0]
    return (
        f"On a CPU machine `make install` (or `make run`) applies `constraints.txt`, which pins `torch=={pin}`, "
        'this machine\'s CPU wheel. Where that wheel is not on disk pip stops with "no matching distribution" '
        "instead of fetching a multi-GB CUDA build; take it from PyTorch's CPU index:\n\n"
        "```bash\nPIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu make install\n```\n\n"
        "On a machine with an NVIDIA GPU, `make install CONSTRAINTS=` lifts the CPU pin and pip resolves the "
        "newest torch from PyPI (a CUDA build on Linux). To choose the CUDA version, install that torch build "
        "first (the index that matches your driver), then run the same command:\n\n"
        f"```bash\npython3 -m venv .venv\n.venv/bin/pip install torch=={cuda} "
        "--index-url https://download.pytorch.org/whl/cu128\nmake install CONSTRAINTS=\n```"
    )


def example_numbers(spectral: dict[str, Any]) -> str:
    """What the Python example prints for the camera photo (benchmarks/spectral.json), with the resampler those
    numbers depend on and what the other one gives (the same JSON's `box` entry)."""
    beta, sigma_min = spectral["beta"]["camera"], spectral["bounds"]["camera"]["sigma_min"]
    box = spectral["box"]
    box_min = box["bounds"]["camera"]["sigma_min"]
    return (
        f"It prints β = {beta:.2f} and σ_min = {sigma_min:.4f} "
        f"for the camera photo at {spectral['size']}² (as `benchmarks/spectral.json` records), then the exact "
        "covariance error of 10 DPM++(2M) steps with EDM's schedule and with the tight-power schedule fitted "
        f"to the data. Both numbers depend on how the 512² photo is brought to {spectral['size']}²: with the "
        f"default {spectral['resize']} resampler (scikit-image's Gaussian prefilter, then linear interpolation) as "
        f'here; a 2×2 box mean (`load_photo(..., resize="box")`, `--resize box`) gives β = '
        f"{box['beta']['camera']:.2f} and σ_min = {box_min:.4f} ({100 * (box_min / sigma_min - 1):+.0f}%)."
    )


def glance(bench_dir: Path) -> str:
    """A few headline results, each linked to its full table."""
    quality = load(bench_dir, "quality")
    q = {(r["sampler"], r["schedule"]): r["w2_rel"] for r in quality["rows"] if r["nfe_budget"] == 10}
    res = load(bench_dir, "mnist_models")
    t = mnist.targets(res)
    fx = load(bench_dir, "scale-space-flexi")["flexi_vs_baseline"]
    tn, rm = load(bench_dir, "thread_networks"), load(bench_dir, "load-room")
    lines = [
        f"- **Low NFE on exact data:** 10 DPM++(2M) steps on a β = 2 Gaussian field leave an exact W2 of "
        f"{_pct(q[('dpmpp_2m', 'edm')])} with EDM's schedule and {_pct(q[('dpmpp_2m', 'tight-power')])} with the "
        "tight-power schedule derived from the spectrum; from NFE "
        f"{low_nfe.edm_overtakes(quality, 'dpmpp_2m')} on EDM is better ([benchmarks](docs/benchmarks.md)).",
        "- **MNIST digits on a CPU:** the Li-pair Gaussian network (a diffusers UNet2DModel, 3,000 steps) reaches "
        f"{100 * t['best_confident']['confident']:.1f}% of samples classified with confidence ≥ 0.9 at NFE ≤ 50 "
        f"({100 * t['best_confident']['confident_real']:.1f}% also real-looking; {res['n']} samples) "
        "([models](docs/models.md)).",
        *[threads.readme_line(th, b, tn["n"]) for th, b in tn["threads"].items()],
        f"- **Scale space:** the Flexi-UNet samples MNIST {fx['speedup']:.2f}× faster than its full-resolution "
        "baseline ([benchmarks](docs/benchmarks.md)).",
        room.readme_line(rm),
    ]
    return "\n".join(lines)


def blocks(root: Path, bench_dir: Path) -> dict[str, str]:
    """README.md's generated blocks by marker name."""
    return {
        "install": install((root / "constraints.txt").read_text()),
        "example-numbers": example_numbers(load(bench_dir, "spectral")),
        "glance": glance(bench_dir),
    }
