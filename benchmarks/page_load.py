"""Page load to the first tab interactive (issue 26: <= 2 s): a fresh browser context opens the app and waits until
the Spectrum tab's power-spectrum figure is drawn (the first tab's last output), R times; median and range.

Starts `python app.py` on a free port (benchmarks/load.py), warms it with one load, then measures. Debian's
chromium through Playwright. Run outside `make test`, on a quiet machine:

    .venv/bin/python benchmarks/page_load.py --loads 7 --out benchmarks/page-load.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from load import emit, free_port, start_server

READY = "#spectrum-psd .js-plotly-plot .main-svg"  # the first tab's figure, drawn by plotly.js
TARGET_S = 2.0


def run(loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_server(port)
    load_start = os.getloadavg()[0]
    times = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for k in range(loads + 1):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load", timeout=240_000)
                page.wait_for_selector(READY, timeout=240_000)
                if k:  # the first load warms the server's caches and is not counted
                    times.append(time.perf_counter() - t0)
                ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    med = statistics.median(times)
    return {
        "loads": loads,
        "seconds": [round(t, 3) for t in times],
        "median_s": round(med, 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "target_s": TARGET_S,
        "meets_target": med <= TARGET_S,
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
