"""Shared fixtures: a running app server (one per test session) and helpers for files.

Tests live in folders by layer: core/ (diffusion_core below the shells, packaging, public API, structure),
app/ (tab handlers and the served app), cli/ (`difflab`, in-process through `main(argv)`), browser/
(headless chromium) and docs/ (README tables, notebooks). Shared helpers are the package `support`
(tests/support/), importable from every folder because this file puts tests/ on sys.path."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# The workshop room of the test session's app: a fresh SQLite file, never ./difflab-data of the checkout.
os.environ.setdefault("DIFFLAB_ROOM_DB", str(Path(tempfile.mkdtemp(prefix="difflab-room-")) / "room.sqlite"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/support as `support`

import torch  # noqa: E402

# One intra-op thread for the whole session, as the app serves each request: the tests are many
# small-tensor loops, which thrash (~5-30x slower) with two threads on a shared 2-core machine.
torch.set_num_threads(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    """The full app, launched in-process on a free port of 127.0.0.1, served by the app's own `serve()` (its queue,
    CSS and launch options: what `python app.py` serves)."""
    import gradio.networking as networking

    from diffusion_core.app.layout import build_app, serve

    port = _free_port()
    demo = build_app()
    # gradio's launch-time self-check (HEAD requests of 3 s) fails on a 2-core machine busy with training, and
    # launch() then refuses to serve ("When localhost is not accessible, ..."); the loop below checks instead.
    url_ok, networking.url_ok = networking.url_ok, lambda url: True
    try:
        serve(demo, "127.0.0.1", port, block=False)
    finally:
        networking.url_ok = url_ok
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    yield url
    demo.close()
