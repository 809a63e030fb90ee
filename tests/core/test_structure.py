"""The architecture's rules, checked: core <- app, cli, bench; app and cli apart; gradio only in the
layout layer; small files; a short top level."""
import ast
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "diffusion_core"
LAYOUT = PKG / "app" / "layout"
SHELLS = ("app", "cli", "bench")                   # everything else under diffusion_core/ is the core
MAX_LINES = 400
MAX_TOP_MODULES = 12


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of everything `path` imports (relative imports resolved; `from a import b` gives a.b too)."""
    tree = ast.parse(path.read_text())
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def _shell(path: Path) -> str | None:
    rel = path.relative_to(PKG).parts
    if rel == ("__main__.py",):                    # `python -m diffusion_core` is the CLI's entry point
        return "cli"
    return rel[0] if len(rel) > 1 and rel[0] in SHELLS else None


def _reaches(names: set[str], shell: str) -> bool:
    return any(n == f"diffusion_core.{shell}" or n.startswith(f"diffusion_core.{shell}.") for n in names)


FILES = sorted(PKG.rglob("*.py"))


def test_import_resolution_sees_relative_imports():
    names = _imports(PKG / "app" / "layout" / "spectrum.py")
    assert "diffusion_core.app.spectrum" in names and "diffusion_core.data" in names and "gradio" in names


def test_gradio_only_in_the_layout_layer():
    offenders = [str(p.relative_to(ROOT)) for p in FILES
                 if LAYOUT not in p.parents and any(n.split(".")[0] == "gradio" for n in _imports(p))]
    assert offenders == []


def test_core_never_imports_app_cli_or_bench():
    offenders = {str(p.relative_to(ROOT)): shell for p in FILES if _shell(p) is None
                 for shell in SHELLS if _reaches(_imports(p), shell)}
    assert offenders == {}


def test_app_and_cli_do_not_import_each_other():
    launcher = PKG / "cli" / "app.py"                 # `difflab app` launches the app: the one exception
    offenders = [str(p.relative_to(ROOT)) for p in FILES if p != launcher and (
        (_shell(p) == "app" and _reaches(_imports(p), "cli")) or (_shell(p) == "cli" and _reaches(_imports(p), "app")))]
    assert offenders == []


def test_plotting_does_no_maths_on_tensors():
    for p in (PKG / "plotting").glob("*.py"):
        assert "torch" not in {n.split(".")[0] for n in _imports(p)}, p.name


def test_modules_stay_small():
    big = {str(p.relative_to(ROOT)): n for p in [*FILES, ROOT / "app.py"]
           if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert big == {}


def test_top_level_is_short():
    top = sorted(p.stem for p in PKG.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= MAX_TOP_MODULES, top
    threads = {"noise", "spectral", "gud", "nonnormal", "scale_space"}
    assert threads <= {p.name for p in PKG.iterdir() if (p / "__init__.py").is_file()}


def test_number_boxes_carry_no_gradio_bounds():
    """gradio checks a gr.Number's minimum/maximum before `guard` runs and badges every output of the event
    (14 badges for a seed of -3); the views refuse out-of-range values with one message instead."""
    import ast

    layout = Path(__file__).resolve().parents[2] / "diffusion_core" / "app" / "layout"
    bounded = []
    for path in sorted(layout.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Number":
                bounded += [f"{path.name}:{node.lineno} {k.arg}" for k in node.keywords if k.arg in ("minimum", "maximum")]
    assert not bounded, bounded


@pytest.mark.parametrize("view, kw, msg", [
    ("samplers.SamplersView", {"s_churn": -1.0}, "s_churn must be"), ("samplers.SamplersView", {"s_noise": -1.0}, "s_noise"),
    ("schedule_inspector.InspectorView", {"crossing_sigma": 0.0}, "crossing sigma must be"),
    ("schedules.SchedulesView", {"sigma_min": -1.0}, "sigma_min must be"),
    ("schedules.SchedulesView", {"steps_offset": -1}, "steps_offset must be")])
def test_views_refuse_what_the_number_boxes_no_longer_bound(view, kw, msg):
    import importlib

    from diffusion_core.validation import InputError

    module, cls = view.split(".")
    with pytest.raises(InputError, match=msg):
        getattr(importlib.import_module(f"diffusion_core.app.{module}"), cls)(**kw)
