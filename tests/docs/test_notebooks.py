"""notebooks/: eight notebooks, committed without outputs, calling only the public API (`dl.*`), each executed
top to bottom by a real kernel (slow tier; `make test` runs them) and converted to HTML by nbconvert, where every
plotly figure must show as an image (GitHub and nbviewer render the same PNG). `python tests/docs/test_notebooks.py
--strip` clears outputs before a commit."""

from __future__ import annotations

import ast
import json
import re
import sys
import time
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ALLOWED_IMPORTS = {"diffusion_core", "math", "time", "tempfile", "numpy", "torch", "plotly", "matplotlib", "diffusers"}


def _code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def strip_outputs(path: Path) -> bool:
    """Clear outputs and execution counts in place; True if the file changed."""
    nb = json.loads(path.read_text())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    changed = text != path.read_text()
    path.write_text(text)
    return changed


PLOTLY_MIME = "application/vnd.plotly.v1+json"


def test_one_notebook_per_tab_the_workshop_and_models_guidance_noise():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_valid_with_cell_ids(path):
    """nbformat 4.5 validates without a warning (a cell without an id is one) and every id is unique."""
    import nbformat

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    ids = [c["id"] for c in nb.cells]
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_plotly_figures_go_through_dl_show(path):
    """fig.show() would store only plotly JSON, which nbconvert, GitHub and nbviewer do not draw."""
    source = "".join("".join(c["source"]) for c in _code_cells(path))
    assert "fig.show()" not in source and "renderers.default" not in source


def html_figures(nb) -> tuple[int, int, str]:
    """(plotly outputs, of them shown as a PNG in nbconvert's HTML, the HTML) of an executed notebook."""
    import nbformat
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter().from_notebook_node(nb)
    bare = nbformat.from_dict(json.loads(json.dumps(nb)))  # the same notebook without its outputs
    for c in bare.cells:
        if c.cell_type == "code":
            c.outputs = []
    # nbconvert's page template loads its own CDN scripts (MathJax, require.js, mermaid); the outputs load none
    fetched = re.compile(r"""(?:<script[^>]+src|<link[^>]+href|<img[^>]+src|<iframe[^>]+src)=["'](https?://[^"']+)""")
    added = set(fetched.findall(html)) - set(fetched.findall(HTMLExporter().from_notebook_node(bare)[0]))
    assert not added, f"outputs fetch {sorted(added)[:5]}"
    pngs = [o["data"]["image/png"] for c in nb.cells for o in c.get("outputs", []) if PLOTLY_MIME in o.get("data", {})]
    shown = sum(1 for png in pngs if re.search(r'<img[^>]+src="data:image/png;base64,' + re.escape(png[:200]), html))
    return len(pngs), shown, html


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    cells = _code_cells(path)
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells), (
        f"run `python tests/docs/test_notebooks.py --strip` before committing {path.name}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_only_the_public_api(path):
    """Imports stay within the core's public face and a few libraries; every `dl.X` is in dl.__all__."""
    import diffusion_core as dl

    tree = ast.parse(
        "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"]) for c in _code_cells(path))
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {a.name.split(".")[0] for a in node.names} <= ALLOWED_IMPORTS, ast.unparse(node)
            assert not any(a.name.startswith("diffusion_core.") for a in node.names), ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path.name}: use `import diffusion_core as dl`, not {ast.unparse(node)}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "dl":
            assert node.attr in dl.__all__, f"{path.name}: dl.{node.attr} is not in the public API"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    """Top to bottom in a fresh kernel, from a folder outside the repository; no CDN in the outputs."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the kernel inherits it: one torch thread
    nb = nbformat.read(path, as_version=4)
    start = time.process_time(), time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    wall = time.perf_counter() - start[1]
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "cdn." not in outputs and "<script src=" not in outputs
    assert any(o.get("output_type") in ("display_data", "stream") for c in nb.cells for o in c.get("outputs", []))
    figures, shown, html = html_figures(nb)
    assert figures == "".join("".join(c["source"]) for c in _code_cells(path)).count("dl.show(")
    assert shown == figures, f"{path.name}: {figures - shown} of {figures} plotly figures missing from the HTML"
    assert "cdn.plot.ly" not in html and "plotly-latest" not in html
    print(f"{path.name}: {wall:.1f} s wall, {figures} plotly figures, all in the HTML")


if __name__ == "__main__" and sys.argv[1:] == ["--strip"]:
    for p in NOTEBOOKS:
        print(("stripped " if strip_outputs(p) else "clean    ") + p.name)
