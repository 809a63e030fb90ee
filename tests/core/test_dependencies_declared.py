"""Every third-party module diffusion_core imports is declared in pyproject.toml: a module imported at the top
of a module (so importing the package needs it) is a core dependency; one imported only inside functions may
instead come from an optional extra (architecture.md lists those). Read from the AST of every module, so a new
import of an undeclared package fails here, not on a user's fresh install."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "diffusion_core"


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string ('scikit-image>=0.22' -> 'scikit-image')."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group(0)).lower()


def third_party_imports() -> dict[str, bool]:
    """Top-level module name -> True if some module imports it at module level (not only inside functions)."""
    found: dict[str, bool] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        inside = {
            id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"diffusion_core"}:
                found[top] = found.get(top, False) or id(node) not in inside
    return found


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_name(r) for r in project["dependencies"]}
    extras = {_name(r) for reqs in project["optional-dependencies"].values() for r in reqs}
    return core, extras


def test_the_scan_sees_imports_of_both_kinds():
    found = third_party_imports()
    assert found["torch"] is True and found["diffusers"] is True  # diffusers: the UNet2DModel backbone, at the top
    assert found["playwright"] is False  # inside functions only (the browser benchmark; a test extra)
    assert {"tqdm", "huggingface_hub", "gradio", "PIL", "png"} <= set(found)


def test_every_imported_module_is_declared():
    core, extras = _declared()
    dists = packages_distributions()
    undeclared, extra_at_top = [], []
    for module, at_top in sorted(third_party_imports().items()):
        names = {_name(d) for d in dists.get(module, [])}
        assert names, f"{module}: imported by diffusion_core but not installed (which distribution provides it?)"
        if not names & (core | extras):
            undeclared.append(f"{module} ({', '.join(sorted(names))})")
        elif at_top and not names & core:
            extra_at_top.append(module)
    assert not undeclared, f"imported but not declared in pyproject.toml dependencies: {undeclared}"
    assert not extra_at_top, f"imported at module level but only in an optional extra: {extra_at_top}"
