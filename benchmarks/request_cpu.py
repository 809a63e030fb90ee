"""Server CPU per request, per light endpoint (issue 25): what one slider-release or view request costs the app
process, and how much of it is the view's own computation.

Starts `python app.py` on a free port and sends one client's requests in sequence (no contention inside the
server), each light endpoint with its default view: 3 warm-up requests, then R timed ones. The server's CPU is
read from /proc/PID/stat (user + system time of every thread of the process) before and after the R requests
(the clock ticks every 10 ms, so the number is a mean over them); it counts the handler, figure building,
gradio's serialisation, file writes and the queue's own work. The handler alone is timed in this process
(time.process_time, one torch thread as the app runs, the same defaults, after a warm-up); the rest is what is
not the computation. CPU means over the R requests, wall-time medians. CPU time, not wall time, so a busy
machine inflates it less than latency (but does: caches are shared); the load average is recorded. Run outside
`make test`:

    nice -n 10 .venv/bin/python benchmarks/request_cpu.py --requests 30 --out benchmarks/request-cpu.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from load import LIGHT, connect, emit, free_port, start_server
from load import proc_cpu_s as server_cpu_s

TARGET_MS = {"spectrum": 60.0}  # the target: a full Spectrum view at 256² (the default size)


def handlers() -> dict[str, Callable[[], object]]:
    """The view computation behind each light endpoint, at its defaults (what a request computes)."""
    from diffusion_core.app.bases import layout as bases
    from diffusion_core.app.increments import layout as increments
    from diffusion_core.app.scale_space import layout as scale_space
    from diffusion_core.app.schedules import layout as schedules
    from diffusion_core.app.spectrum import layout as spectrum

    return {
        "spectrum": lambda: spectrum.spectrum(),
        "bounds": lambda: schedules.bounds(),
        "schedules": lambda: schedules.schedules(),
        "increments": lambda: increments.increments(),
        "component_schedule": lambda: bases.component_schedule(),
        "scale_space": lambda: scale_space.scale_space(),
    }


def median_ms(xs: list[float]) -> float:
    return round(1000 * statistics.median(xs), 1)


def run(requests: int) -> dict:
    port = free_port()
    proc = start_server(port)
    client = connect(f"http://127.0.0.1:{port}/")
    per: dict[str, dict] = {}
    try:
        for ep in LIGHT:
            for _ in range(3):
                client.predict(api_name=f"/{ep}")
            wall = []
            c0 = server_cpu_s(proc.pid)
            for _ in range(requests):
                t0 = time.perf_counter()
                client.predict(api_name=f"/{ep}")
                wall.append(time.perf_counter() - t0)
            cpu = (server_cpu_s(proc.pid) - c0) / requests  # the clock ticks at 10 ms: a mean over R requests
            per[ep] = {"server_cpu_ms": round(1000 * cpu, 1), "wall_ms": median_ms(wall)}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    import torch

    torch.set_num_threads(1)  # as the app runs its events (app/layout.py)
    for ep, fn in handlers().items():
        if ep not in per:
            continue
        for _ in range(3):
            fn()
        t0 = time.process_time()
        for _ in range(requests):
            fn()
        per[ep]["handler_cpu_ms"] = round(1000 * (time.process_time() - t0) / requests, 1)
        per[ep]["not_computation_ms"] = round(per[ep]["server_cpu_ms"] - per[ep]["handler_cpu_ms"], 1)
        if ep in TARGET_MS:
            per[ep]["target_ms"] = TARGET_MS[ep]
            per[ep]["meets_target"] = per[ep]["server_cpu_ms"] <= TARGET_MS[ep]
    return {
        "requests_per_endpoint": requests,
        "per_endpoint": per,
        "cpu_count": os.cpu_count(),
        "load_avg_1min_end": os.getloadavg()[0],
        "clock_ticks_per_s": os.sysconf("SC_CLK_TCK"),
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    emit(run(a.requests), a.out)
