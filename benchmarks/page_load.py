"""Page load to the first tab interactive (issue 26: <= 2 s): a fresh browser context opens the app and waits until
the Spectrum tab's power-spectrum figure is drawn (the first tab's last output), R times; median and range.

Starts `python app.py` on a free port (benchmarks/load.py) and, beside it, the floor page
(benchmarks/page_floor_app.py: gradio with only three plotly figures and a slider, what the first tab must draw),
warms both with one load, then loads them in turn, so the app's median reads against the floor's from the same
run (their ratio). Debian's chromium through Playwright. Run outside `make test`, on a quiet machine:

    .venv/bin/python benchmarks/page_load.py --loads 7 --out benchmarks/page-load.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from load import emit, free_port, start_server, wait_up

READY = "#spectrum-psd .js-plotly-plot .main-svg"  # the first tab's figure, drawn by plotly.js
FLOOR_READY = "#floor-2 .js-plotly-plot .main-svg"  # the floor page's last figure
TARGET_S = 2.0


def start_floor(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("page_floor_app.py")), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    return wait_up(proc, port, 120)


def summary(times: list[float]) -> dict:
    return {
        "seconds": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }


def run(loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    port, floor_port = free_port(), free_port()
    procs = [start_server(port), start_floor(floor_port)]
    load_start = os.getloadavg()[0]
    pages = {"app": (port, READY), "floor": (floor_port, FLOOR_READY)}
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
    med = statistics.median(times["app"])
    floor = summary(times["floor"])
    return {
        "loads": loads,
        **summary(times["app"]),
        "target_s": TARGET_S,
        "meets_target": med <= TARGET_S,
        "floor": floor,
        "app_over_floor": round(med / floor["median_s"], 3),
        "cpu_count": os.cpu_count(),
        "load_avg_1min_start": load_start,
        "load_avg_1min_end": os.getloadavg()[0],
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=7)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    emit(run(a.loads), a.out)
