"""Assemble a Hugging Face Space from the repository: app.py, requirements.txt and README.md (the front matter
Spaces reads) into one folder. `python docs/spaces/build_space.py OUT_DIR`; see docs/spaces/README.md."""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def build_space(out: str | Path, root: Path = ROOT) -> Path:
    """Write app.py, requirements.txt (the package at pyproject's version) and README.md into `out`."""
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "app.py", target / "app.py")
    shutil.copyfile(HERE / "README.md", target / "README.md")
    requirements = (HERE / "requirements.txt").read_text().replace("{version}", version)
    (target / "requirements.txt").write_text(requirements)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python docs/spaces/build_space.py OUT_DIR")
    print(build_space(sys.argv[1]))
