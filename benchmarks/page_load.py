"""Page load to the first tab interactive (issue 26: <= 2 s): a fresh browser context opens the app and waits until
the Spectrum tab's power-spectrum figure is drawn (the first tab's last output), R times; median and range.

Starts `python app.py` on a free port (benchmarks/load.py) and, beside it, the app with its first tab alone
(benchmarks/page_first_tab_app.py) and the floor page (benchmarks/page_floor_app.py: gradio with only three plotly
figures and a slider, what the first tab must draw, drawn by the app's Plot) and the same floor drawn by gradio's
gr.Plot (which loads the whole of plotly.js); warms each with one load, then loads them in turn, so the app's
median reads against the others from the same run (ratios), with the components and events each page's config
holds. With `--against REV` the app at REV (a git worktree, benchmarks/request_cpu.py) is loaded in the same
rounds: before and after from one run. Debian's chromium through Playwright. Run outside `make test`, on a quiet
machine:

    .venv/bin/python benchmarks/page_load.py --loads 7 --against 0ace63c --out benchmarks/page-load.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from load import emit, free_port, start_server, wait_up
from request_cpu import checkout, remove_checkout

from diffusion_core.app.widgets.lazy_tabs import drawn_ids

READY = "#spectrum-psd .js-plotly-plot .main-svg"  # the first tab's figure, drawn by plotly.js
FLOOR_READY = "#floor-2 .js-plotly-plot .main-svg"  # the floor page's last figure
TARGET_S = 2.0


def start_page(script: str, port: int, *args: str) -> subprocess.Popen:
    """One of the benchmark's own pages (a script beside this one, given its port and `args`), once it answers."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name(script)), str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    return wait_up(proc, port, 120)


def config_size(port: int) -> dict:
    """The components a page mounts (its layout's), and the components and events of the config it reads."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=60) as r:
        config = json.load(r)
    return {
        "components": len(drawn_ids(config)),
        "in_config": len(config["components"]),
        "events": len(config["dependencies"]),
    }


def summary(times: list[float]) -> dict:
    return {
        "seconds": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }


def run(loads: int, against: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    port, first_port, floor_port, gr_floor_port = free_port(), free_port(), free_port(), free_port()
    before = checkout(against) if against else None
    procs = [
        start_server(port),
        start_page("page_first_tab_app.py", first_port),
        start_page("page_floor_app.py", floor_port),
        start_page("page_floor_app.py", gr_floor_port, "gr-plot"),
    ]
    load_start = os.getloadavg()[0]
    pages = {
        "app": (port, READY),
        "first_tab": (first_port, READY),
        "floor": (floor_port, FLOOR_READY),
        "floor_gr_plot": (gr_floor_port, FLOOR_READY),
    }
    if before is not None:
        before_port = free_port()
        procs.append(start_server(before_port, root=before))
        pages["before"] = (before_port, READY)
    components = {name: config_size(at) for name, (at, _) in pages.items()}
    times: dict[str, list[float]] = {k: [] for k in pages}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for k in range(loads + 1):
                for name, (at, ready) in pages.items():
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    t0 = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{at}/", wait_until="load", timeout=240_000)
                    page.wait_for_selector(ready, timeout=240_000)
                    if k:  # the first load warms the server's caches and is not counted
                        times[name].append(time.perf_counter() - t0)
                    ctx.close()
            browser.close()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=60)
        if before is not None:
            remove_checkout(before)
    med = statistics.median(times["app"])
    floor, first, gr_floor = summary(times["floor"]), summary(times["first_tab"]), summary(times["floor_gr_plot"])
    return {
        "loads": loads,
        **summary(times["app"]),
        **components["app"],
        "target_s": TARGET_S,
        "meets_target": med <= TARGET_S,
        "floor": {**floor, **components["floor"]},
        "first_tab": {**first, **components["first_tab"]},
        "floor_gr_plot": {**gr_floor, **components["floor_gr_plot"]},
        "floor_over_floor_gr_plot": round(floor["median_s"] / gr_floor["median_s"], 3),
        **(
            {
                "before": {"rev": against, **summary(times["before"])},
                "app_over_before": round(med / statistics.median(times["before"]), 3),
            }
            if against
            else {}
        ),
        "app_over_floor": round(med / floor["median_s"], 3),
        "app_over_first_tab": round(med / first["median_s"], 3),
        "cpu_count": os.cpu_count(),
        "load_avg_1min_start": load_start,
        "load_avg_1min_end": os.getloadavg()[0],
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=7)
    ap.add_argument("--against", default=None, help="a git revision whose app is loaded in the same rounds")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    emit(run(a.loads, a.against), a.out)
