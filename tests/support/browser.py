"""What the browser tests share: Debian's chromium driven by Playwright, and waiting until gradio is idle."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUSY = "document.querySelectorAll('.eta-bar, .progress-text, .generating, .pending').length === 0"
ERROR_BADGES = ".toast-body.error, .status-tracker .error, span.error"


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium (skips the test where it is not installed; make test installs it with apt)."""
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (make test installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def settle(page: Any) -> None:
    """Wait until no gradio progress indicator is left (never "networkidle": the heartbeat stays open)."""
    page.wait_for_timeout(500)
    page.wait_for_function(BUSY, timeout=240_000)
    page.wait_for_timeout(500)


def wait_for_tab(page: Any, label: str) -> None:
    """Wait until the tab `label` is the selected one (a linked page opens on the first tab, then the load event
    selects the tab the link names), then until gradio is idle."""
    page.wait_for_function(
        "label => [...document.querySelectorAll('[role=tab]')].some(b => b.getAttribute('aria-selected') === 'true'"
        " && b.innerText.trim() === label)",
        arg=label,
        timeout=240_000,
    )
    settle(page)
