"""The app's own rules (issue 21 item 4): one folder per tab, gradio in layout modules only, no maths and no
mutable module-level state in app/ (the maths lives in the core; caching goes through diffusion_core.caching)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "diffusion_core" / "app"
FILES = sorted(APP.rglob("*.py"))
TABS = ("spectrum", "schedules", "increments", "bases", "scale_space", "samplers", "workshop")
MATHS_MODULES = ("scipy", "sklearn", "torch.linalg", "torch.fft", "numpy.linalg", "numpy.fft")
MATHS_NAMES = {
    "polyfit",
    "linalg",
    "fft",
    "eigvalsh",
    "eigh",
    "svd",
    "lstsq",
    "histogram",
    "erf",
    "exp",
    "log",
    "cdist",
    "logsumexp",
    "pi",
}
MUTABLE = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
CONTAINERS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter"}
CACHES = {"lru_cache", "cache"}
MATHS_ROOTS = {"np", "numpy", "torch", "math", "scipy", "F"}


def _root(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return getattr(node, "id", "")


def _maths_calls(tree: ast.AST) -> list[ast.Attribute]:
    """np.polyfit, torch.linalg.eigvalsh, math.exp, ...: a maths name reached from a maths module."""
    return [
        n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in MATHS_NAMES and _root(n) in MATHS_ROOTS
    ]


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names |= {node.module or ""} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_every_tab_is_a_folder_with_its_layout():
    from diffusion_core.app.layout import TABS as BUILT

    assert [m for _, m in BUILT] == list(TABS)
    for tab in TABS:
        assert (APP / tab / "layout.py").is_file() and (APP / tab / "handlers.py").is_file(), tab
    assert not (APP / "layout").exists() and sorted(p.name for p in APP.glob("*.py")) == ["__init__.py", "layout.py"]


def test_the_app_can_be_built_with_its_first_tab_alone():
    """benchmarks/page_load.py weighs the other tabs against the app built with the first one only."""
    import gradio as gr

    from diffusion_core.app.layout import TABS as BUILT
    from diffusion_core.app.layout import build_app

    def tab_ids(demo: gr.Blocks) -> list[str]:
        return [b.id for b in demo.blocks.values() if isinstance(b, gr.Tab)]

    assert tab_ids(build_app(tabs=BUILT[:1])) == ["spectrum"]
    assert tab_ids(build_app()) == list(TABS)


def test_app_does_no_maths():
    found = []
    for path in FILES:
        tree = ast.parse(path.read_text())
        found += [
            f"{path.relative_to(APP)}: import {n}"
            for n in _imported(tree)
            if any(n == m or n.startswith(m + ".") for m in MATHS_MODULES)
        ]
        found += [f"{path.relative_to(APP)}:{node.lineno} .{node.attr}" for node in _maths_calls(tree)]
    assert found == []


def test_app_keeps_no_mutable_module_state():
    """Module-level values are constants (tuples, frozen mappings, strings); memos are the core's frozen caches."""
    found = []
    for path in FILES:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            call = value.func if isinstance(value, ast.Call) else None
            called = getattr(call, "id", getattr(call, "attr", None))
            names = [getattr(t, "id", "") for t in getattr(node, "targets", [getattr(node, "target", None)])]
            if (isinstance(value, MUTABLE) or called in CONTAINERS) and names != ["__all__"]:
                found.append(f"{path.relative_to(APP)}:{node.lineno}")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for d in node.decorator_list:
                    d = d.func if isinstance(d, ast.Call) else d
                    if getattr(d, "id", getattr(d, "attr", None)) in CACHES:
                        found.append(
                            f"{path.relative_to(APP)}:{node.lineno} @{getattr(d, 'id', getattr(d, 'attr', ''))}"
                        )
    assert found == []


def test_the_checks_see_what_they_forbid():
    """The two checks above flag a synthetic offender (so an empty result means something)."""
    bad = ast.parse(
        "import numpy as np\nfrom functools import lru_cache\n_SWEEPS = {}\n"
        "@lru_cache(maxsize=4)\ndef f(x):\n    return np.polyfit(x, x, 1)\n"
    )
    assert [n.attr for n in _maths_calls(bad)] == ["polyfit"]
    assert [n.attr for n in _maths_calls(ast.parse("r.histogram; torch.linalg.eigvalsh(a)"))] == ["eigvalsh", "linalg"]
    assert isinstance(bad.body[2].value, MUTABLE)
    assert bad.body[3].decorator_list[0].func.id in CACHES


def test_one_converter_for_presets_links_and_controls():
    """presets.to_field is the only place a setting is turned into its field's type (no copy in app/)."""
    from typing import Literal

    import pytest

    from diffusion_core.presets import to_field
    from diffusion_core.validation import InputError

    assert to_field("lam", 3, float) == 3.0 and isinstance(to_field("lam", 3, float), float)
    assert to_field("seed", "3", int, "link") == 3 and to_field("seed", 3.0, int, "control") == 3
    assert (
        to_field("s", "a,b", tuple[str, ...], "link")
        == ("a", "b")
        == to_field("s", ["a", "b"], tuple[str, ...], "control")
    )
    assert to_field("w", "on", bool, "link") is True and to_field("w", 1, bool, "control") is True
    assert to_field("o", None, int | None, "control", 5) is None and to_field("o", None, int, "control", 5) == 5
    assert to_field("seed", 2.5, int, "control") == 2.5  # left for the view's own message
    for value, source, message in [("z", "link", "must be one of"), (1.5, "preset", "must be one of")]:
        with pytest.raises(InputError, match=message):
            to_field("mode", value, Literal["a", "b"], source)
    with pytest.raises(InputError, match="link parameter 'seed' must be int"):
        to_field("seed", "x", int, "link")
    with pytest.raises(InputError, match="preset key 'seed' must be int"):
        to_field("seed", True, int)
    assert [p.relative_to(APP) for p in FILES if "get_origin" in p.read_text()] == []
