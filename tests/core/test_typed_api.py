"""The public API is typed for its users (py.typed ships, tests/core/test_packaging.py): every name that
`diffusion_core.__getattr__` loads lazily is also imported under TYPE_CHECKING, so a type checker sees the real
object, never Any (`make lint` runs mypy over that block)."""

from __future__ import annotations

import ast
from pathlib import Path

import diffusion_core

INIT = Path(diffusion_core.__file__)


def _type_checking_names() -> dict[str, str]:
    """name -> 'module:attribute' for each import inside `if TYPE_CHECKING:` in diffusion_core/__init__.py."""
    tree = ast.parse(INIT.read_text())
    (block,) = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    names = {}
    for node in ast.walk(block):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return names


def test_every_lazy_name_is_visible_to_type_checkers():
    seen = _type_checking_names()
    assert set(seen) == set(diffusion_core._API)
    for name, (module, attr) in diffusion_core._API.items():
        assert seen[name] == f"{module}:{attr}", name  # the same object at run time and for mypy
