"""The public API `import diffusion_core as dl`: every name resolves to a documented, typed core object,
the package imports without torch, and the README's ten-line example runs."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import diffusion_core as dl

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_resolves_and_is_documented_and_typed():
    names = [n for n in dl.__all__ if n != "__version__"]
    assert len(names) == len(set(names)) and 40 <= len(names) <= 90
    for name in names:
        obj = getattr(dl, name)
        assert name in dir(dl) and name in (dl.__doc__ or ""), name  # listed in the module docstring
        if callable(obj) and not isinstance(obj, dict):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
            if inspect.isfunction(obj):
                sig = inspect.signature(obj)
                assert sig.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
                untyped = [
                    p
                    for p in sig.parameters.values()
                    if p.annotation is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
                ]
                assert not untyped, f"{name}: untyped parameters {[p.name for p in untyped]}"


def test_unknown_name_is_an_attribute_error():
    try:
        dl.no_such_function  # noqa: B018
    except AttributeError as e:
        assert "no_such_function" in str(e)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_lazy_and_fast():
    code = (
        "import sys, time; t = time.perf_counter(); import diffusion_core; dt = time.perf_counter() - t; "
        "import json; print(json.dumps({'s': dt, 'heavy': sorted(m for m in ('torch', 'numpy', 'scipy', 'gradio') "
        "if m in sys.modules)}))"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert out["heavy"] == []
    assert out["s"] < 1.0  # ~5 ms on an idle machine (no torch); generous for a loaded CI box


def test_readme_example_runs():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Python API.*?```python\n(.*?)```", text, re.S).group(1)
    assert len(block.strip().splitlines()) <= 12
    exec(compile(block, "README example", "exec"), {})
