"""The live slider channel (app/widgets/live.py) posts to gradio's `run/predict` route, which gradio does not
document as public: pyproject pins gradio to the minor version this is tested with, and this test drives that
route exactly as the page script does (the served config's `api_prefix`, the dependency's `id` as `fn_index`,
the inputs' current values), so a gradio that moves or changes the route fails here before a user sees it."""

from __future__ import annotations

import json
import tomllib
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200
        return json.loads(r.read())


def test_gradio_pinned_to_the_tested_minor():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [r for r in deps if r.startswith("gradio")]
    major, minor = version("gradio").split(".")[:2]
    assert f">={major}.{minor}" in spec and f"<{major}.{int(minor) + 1}" in spec, (spec, version("gradio"))


@pytest.mark.parametrize(
    ("api_name", "channel"), [("spectrum_live", "spectrum"), ("increments_loss_live", "increments")]
)
def test_live_move_posts_to_run_predict(app_url, api_name, channel):
    cfg = _get(app_url + "config")
    (dep,) = [d for d in cfg["dependencies"] if d.get("api_name") == api_name]
    comps = {c["id"]: c for c in cfg["components"]}
    values = [comps[i]["props"].get("value") for i in dep["inputs"]]
    prefix = cfg.get("api_prefix") or "/gradio_api"
    out = _post(
        f"{app_url.rstrip('/')}{prefix}/run/predict",
        {"data": values, "fn_index": dep["id"], "session_hash": "live-route-test"},
    )
    data = out["data"]
    assert len(data) == len(dep["outputs"])
    payloads = [json.loads(v) for v, i in zip(data, dep["outputs"]) if comps[i]["type"] == "html"]
    assert len(payloads) == 1 and payloads[0]["channel"] == channel
    for elem_id, fig in payloads[0]["figures"].items():  # every figure lands in a plot the page has
        assert any(c["props"].get("elem_id") == elem_id for c in comps.values()), elem_id
        assert fig["data"], elem_id
