"""The architecture's rules, checked: the layer table of docs/architecture.md (every import, at module level
and inside functions, points to its own layer or lower; no loops between units; imports inside functions
only where the table of lazy imports allows them), core <- app, cli, bench; app and cli apart; gradio only
in the layout layer; small files; a short top level."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "diffusion_core"
WIDGETS = PKG / "app" / "widgets"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SHELLS = ("app", "cli", "bench", "serving")  # everything else under diffusion_core/ is the core
MAX_LINES = 400
MAX_TOP_MODULES = 12


def _module(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of everything `path` imports (relative imports resolved; `from a import b` gives a.b too)."""
    return {name for name, _ in _import_sites(path)} | {
        f"{name}.{alias}" for name, aliases in _from_names(path) for alias in aliases
    }


def _resolve(node: ast.ImportFrom, package: str) -> str:
    base = node.module or ""
    if node.level:
        up = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*up, base] if base else up)
    return base


def _package(path: Path, root: Path) -> str:
    return _module(path, root) if path.name == "__init__.py" else _module(path, root).rpartition(".")[0]


def _from_names(path: Path, root: Path = ROOT) -> Iterable[tuple[str, list[str]]]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            yield _resolve(node, _package(path, root)), [a.name for a in node.names]


def _in_functions(tree: ast.AST) -> set[int]:
    """ids of the import nodes written inside a function."""
    return {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        for n in ast.walk(f)
        if isinstance(n, (ast.Import, ast.ImportFrom))
    }


def _import_sites(path: Path, root: Path = ROOT) -> list[tuple[str, bool]]:
    """(imported module, written inside a function) for every import of `path`. `from a import b` names a.b when
    b is a module or package of the tree under `root`, else a."""
    tree = ast.parse(path.read_text())
    inner, package, out = _in_functions(tree), _package(path, root), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, id(node) in inner) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, package)
            subs = [f"{base}.{a.name}" for a in node.names if _is_module(f"{base}.{a.name}", root)]
            out += [(name, id(node) in inner) for name in (subs if len(subs) == len(node.names) else [base, *subs])]
    return out


def _is_module(name: str, root: Path) -> bool:
    p = root.joinpath(*name.split("."))
    return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()


# ---------------------------------------------------------------------------------------------
# The layer table and the lazy-import table of docs/architecture.md, and the checker


def _table(text: str, heading: str) -> list[list[str]]:
    """Rows (cells stripped) of the first markdown table under `## heading`, header and rule excluded."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("|")]
    return [[c.strip() for c in r] for r in rows[2:]]


@dataclass(frozen=True)
class Rules:
    layers: dict[str, int]  # unit -> layer
    lazy: frozenset[str]  # units and third-party packages allowed imports inside functions


def read_rules(path: Path = ARCHITECTURE) -> Rules:
    text = path.read_text()
    layers = {unit.strip(): int(row[0]) for row in _table(text, "Layers") for unit in row[2].split(",")}
    return Rules(layers, frozenset(row[0] for row in _table(text, "Imports inside functions")))


def unit_of(module: str, rules: Rules, top: str = "diffusion_core") -> str | None:
    """The table's unit of a module of the package: the longest unit that names it or a package above it."""
    if module == top:
        return top
    if not module.startswith(f"{top}."):
        return None
    rel = module[len(top) + 1 :]
    hits = [u for u in rules.layers if rel == u or rel.startswith(f"{u}.")]
    return max(hits, key=len) if hits else "?"


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One loop of the unit graph (as a path a -> ... -> a), or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(u: str) -> list[str]:
        state[u] = 1
        stack.append(u)
        for v in sorted(edges.get(u, ())):
            if state.get(v) == 1:
                return stack[stack.index(v) :] + [v]
            if v not in state and (found := visit(v)):
                return found
        state[u] = 2
        stack.pop()
        return []

    for u in sorted(edges):
        if u not in state and (found := visit(u)):
            return found
    return []


def violations(sites: dict[str, list[tuple[str, bool]]], rules: Rules, top: str = "diffusion_core") -> list[str]:
    """Every broken rule of a module graph {module: [(imported module, inside a function)]}."""
    out, edges = [], {}
    for module, imports in sorted(sites.items()):
        src = unit_of(module, rules, top)
        if src == "?":
            out.append(f"{module}: in no unit of the layer table")
            continue
        for target, inner in imports:
            dst = unit_of(target, rules, top)
            lazy_ok = any(module == f"{top}.{u}" or module.startswith(f"{top}.{u}.") for u in rules.lazy) or (
                target.split(".")[0] in rules.lazy
            )
            if inner and not lazy_ok:
                out.append(f"{module}: imports {target} inside a function (not in the lazy-import table)")
            if dst in (None, "?") or dst == src:
                continue
            if rules.layers[dst] > rules.layers[src]:
                out.append(
                    f"{module}: imports {target} (layer {rules.layers[dst]} {dst}) from layer {rules.layers[src]} {src}"
                )
            edges.setdefault(src, set()).add(dst)
    loop = _cycle(edges)
    if loop:
        out.append("units import each other: " + " -> ".join(loop))
    return out


def module_graph(pkg: Path = PKG) -> dict[str, list[tuple[str, bool]]]:
    root = pkg.parent
    return {_module(p, root): _import_sites(p, root) for p in sorted(pkg.rglob("*.py"))}


def test_every_import_points_down_the_layer_table_and_no_units_loop():
    assert violations(module_graph(), read_rules()) == []


def test_every_folder_and_top_level_module_has_a_layer():
    rules = read_rules()
    units = {p.stem for p in PKG.glob("*.py") if p.stem not in ("__init__",)} | {
        p.name for p in PKG.iterdir() if (p / "__init__.py").is_file()
    }
    assert sorted(units - set(rules.layers)) == []


def test_the_checker_fails_on_synthetic_violations():
    rules = Rules({"low": 0, "mid": 1, "mid2": 1, "top": 2, "top.page": 1}, frozenset({"top", "slowpkg"}))
    up = violations({"diffusion_core.low.a": [("diffusion_core.mid.b", False)]}, rules)
    assert len(up) == 1 and "layer 1 mid" in up[0]
    loop = violations(
        {
            "diffusion_core.mid.a": [("diffusion_core.mid2.b", False)],
            "diffusion_core.mid2.b": [("diffusion_core.mid.a", False)],
        },
        rules,
    )
    assert loop == ["units import each other: mid -> mid2 -> mid"]
    lazy = violations(
        {
            "diffusion_core.mid.a": [("diffusion_core.low.b", True), ("slowpkg.x", True)],
            "diffusion_core.top.c": [("diffusion_core.mid.a", True)],
        },
        rules,
    )
    assert lazy == [
        "diffusion_core.mid.a: imports diffusion_core.low.b inside a function (not in the lazy-import table)"
    ]
    assert violations({"diffusion_core.top.page": [("diffusion_core.top.x", False)]}, rules)[0].startswith(
        "diffusion_core.top.page: imports diffusion_core.top.x (layer 2 top)"
    )  # a module unit leaves its folder
    assert violations({"diffusion_core.nowhere.a": []}, rules) == [
        "diffusion_core.nowhere.a: in no unit of the layer table"
    ]
    assert violations({"diffusion_core.top.a": [("diffusion_core.low.b", False), ("numpy", False)]}, rules) == []


def test_the_checker_fails_on_a_tree_with_an_upward_import_and_a_loop(tmp_path):
    pkg = tmp_path / "diffusion_core"
    for folder, text in {
        "noise": "from ..models.registry import Model\n",
        "models": "from ..noise import x\n",
        "spectral": "def f():\n    from ..noise import x\n",
    }.items():
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
        (pkg / folder / "registry.py").write_text(text)
    (pkg / "noise" / "x.py").write_text("")
    (pkg / "__init__.py").write_text("")
    found = violations(module_graph(pkg), read_rules())
    assert (
        "diffusion_core.noise.registry: imports diffusion_core.models.registry (layer 6 models) from layer 2 noise"
        in found
    )
    assert (
        "diffusion_core.spectral.registry: imports diffusion_core.noise.x inside a function (not in the lazy-import table)"
        in found
    )
    assert "units import each other: models -> noise -> models" in found


def test_the_layer_table_reads_as_written():
    rules = read_rules()
    assert rules.layers["protocols"] == 0 and rules.layers["noise"] == 2 and rules.layers["app"] == 9
    assert unit_of("diffusion_core.bench.mnist_models", rules) == "bench"
    assert unit_of("diffusion_core.models.registry", rules) == "models" and "cli" in rules.lazy


def _shell(path: Path) -> str | None:
    rel = path.relative_to(PKG).parts
    if rel == ("__main__.py",):  # `python -m diffusion_core` is the CLI's entry point
        return "cli"
    return rel[0] if len(rel) > 1 and rel[0] in SHELLS else None


def _reaches(names: set[str], shell: str) -> bool:
    return any(n == f"diffusion_core.{shell}" or n.startswith(f"diffusion_core.{shell}.") for n in names)


FILES = sorted(PKG.rglob("*.py"))


def test_import_resolution_sees_relative_imports():
    names = _imports(PKG / "app" / "spectrum" / "layout.py")
    assert "diffusion_core.app.spectrum.handlers" in names and "diffusion_core.data" in names and "gradio" in names


def _layout(path: Path) -> bool:
    """The layout layer: each tab's layout.py (and *_layout.py beside it) and the shared app/widgets/."""
    return WIDGETS in path.parents or (_shell(path) == "app" and path.stem.endswith("layout"))


def test_gradio_only_in_the_layout_layer():
    offenders = [
        str(p.relative_to(ROOT))
        for p in FILES
        if not _layout(p) and any(n.split(".")[0] == "gradio" for n in _imports(p))
    ]
    assert offenders == []


def test_core_never_imports_app_cli_or_bench():
    offenders = {
        str(p.relative_to(ROOT)): shell
        for p in FILES
        if _shell(p) is None
        for shell in SHELLS
        if _reaches(_imports(p), shell)
    }
    assert offenders == {}


def test_app_and_cli_do_not_import_each_other():
    launcher = PKG / "cli" / "app.py"  # `difflab app` launches the app: the one exception
    offenders = [
        str(p.relative_to(ROOT))
        for p in FILES
        if p != launcher
        and (
            (_shell(p) == "app" and _reaches(_imports(p), "cli"))
            or (_shell(p) == "cli" and _reaches(_imports(p), "app"))
        )
    ]
    assert offenders == []


def test_plotting_does_no_maths_on_tensors():
    for p in (PKG / "plotting").glob("*.py"):
        assert "torch" not in {n.split(".")[0] for n in _imports(p)}, p.name


def test_modules_stay_small():
    big = {
        str(p.relative_to(ROOT)): n
        for p in [*FILES, ROOT / "app.py"]
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
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

    bounded = []
    for path in (p for p in FILES if _layout(p)):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Number":
                bounded += [
                    f"{path.relative_to(ROOT)}:{node.lineno} {k.arg}"
                    for k in node.keywords
                    if k.arg in ("minimum", "maximum")
                ]
    assert not bounded, bounded


@pytest.mark.parametrize(
    "view, kw, msg",
    [
        ("samplers.handlers.SamplersView", {"s_churn": -1.0}, "s_churn must be"),
        ("samplers.handlers.SamplersView", {"s_noise": -1.0}, "s_noise"),
        ("schedules.inspector.InspectorView", {"crossing_sigma": 0.0}, "crossing sigma must be"),
        ("schedules.handlers.SchedulesView", {"sigma_min": -1.0}, "sigma_min must be"),
        ("schedules.handlers.SchedulesView", {"steps_offset": -1}, "steps_offset must be"),
    ],
)
def test_views_refuse_what_the_number_boxes_no_longer_bound(view, kw, msg):
    import importlib

    from diffusion_core.validation import InputError

    module, cls = view.rsplit(".", 1)
    with pytest.raises(InputError, match=msg):
        getattr(importlib.import_module(f"diffusion_core.app.{module}"), cls)(**kw)
