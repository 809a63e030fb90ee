"""The architecture's rules, checked: UI -> core only; gradio only in the layout layer; small files."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "diffusion_core"
LAYOUT = PKG / "app" / "layout"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            names.add(("." * node.level) + mod)
    return names


def test_gradio_only_in_the_layout_layer():
    offenders = [str(p.relative_to(ROOT)) for p in PKG.rglob("*.py")
                 if LAYOUT not in p.parents and any(n.split(".")[0] == "gradio" for n in _imports(p))]
    assert offenders == []


def test_core_never_imports_the_ui():
    core = [p for p in PKG.rglob("*.py") if (PKG / "ui") not in p.parents and p.parent.name != "commands"
            and (PKG / "bench") not in p.parents]
    offenders = [str(p.relative_to(ROOT)) for p in core
                 if any(".ui" in n or n.startswith("diffusion_core.app") for n in _imports(p))]
    assert offenders == []


def test_plotting_does_no_maths_on_tensors():
    for p in (PKG / "plotting").glob("*.py"):
        assert "torch" not in {n.split(".")[0] for n in _imports(p)}, p.name


def test_modules_stay_small():
    big = {str(p.relative_to(ROOT)): n for p in [*PKG.rglob("*.py"), ROOT / "app.py"]
           if (n := len(p.read_text().splitlines())) > 450}
    assert big == {}
