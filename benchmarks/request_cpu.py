"""Server CPU per request, per light endpoint (issue 25): what one slider-release or view request costs the app
process, and how much of it is the view's own computation.

Starts `python app.py` on a free port and sends one client's requests in sequence (no contention inside the
server), each light endpoint with its default view: 3 warm-up requests, then `--rounds` rounds of R timed ones.
The server's CPU is read from /proc/PID/stat (user + system time of every thread of the process) before and
after each round (the clock ticks every 10 ms, so a round gives a mean over R requests); the number is the median
of the rounds. It counts the handler, figure building, gradio's serialisation, file writes and the queue's own
work. With `--against REV` the code of REV (a git worktree) is served beside this checkout and the rounds
alternate between the two servers, so before and after are measured in the same minutes (their ratio is the
number to read on a shared machine). The handler alone is timed in this process (time.process_time, one torch
thread as the app runs, the same defaults, after a warm-up); the rest is what is not the computation. Wall time:
medians. CPU time, not wall time, so a busy machine inflates it less than latency (but does: caches are
shared); the load average is recorded. Run outside `make test`:

    nice -n 10 .venv/bin/python benchmarks/request_cpu.py --requests 10 --rounds 3 --against f8cfb10 --out benchmarks/request-cpu.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from load import LIGHT, ROOT, connect, emit, free_port, start_server
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


def checkout(rev: str) -> Path:
    """A detached worktree of `rev` (git), to serve the code before a change beside the code after it."""
    where = Path(tempfile.mkdtemp(prefix="difflab-request-cpu-")) / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev], check=True)
    return where


def remove_checkout(where: Path) -> None:
    """Remove a worktree made by `checkout`."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False)


def run(requests: int, rounds: int = 3, against: str | None = None) -> dict:
    """Per endpoint, `rounds` rounds of R requests to each server in turn (this checkout, and `against`'s when
    given); the server CPU per request is the median of the rounds' means."""
    roots = {"this": ROOT, **({"before": checkout(against)} if against else {})}
    ports = {name: free_port() for name in roots}
    procs = {name: start_server(ports[name], root) for name, root in roots.items()}
    clients = {name: connect(f"http://127.0.0.1:{port}/") for name, port in ports.items()}
    cpu: dict[str, dict[str, list[float]]] = {name: {ep: [] for ep in LIGHT} for name in procs}
    wall: dict[str, list[float]] = {ep: [] for ep in LIGHT}
    try:
        for ep in LIGHT:
            for client in clients.values():
                for _ in range(3):
                    client.predict(api_name=f"/{ep}")
            for _ in range(rounds):
                for name, client in clients.items():
                    c0 = server_cpu_s(procs[name].pid)
                    for _ in range(requests):
                        t0 = time.perf_counter()
                        client.predict(api_name=f"/{ep}")
                        if name == "this":
                            wall[ep].append(time.perf_counter() - t0)
                    cpu[name][ep].append((server_cpu_s(procs[name].pid) - c0) / requests)  # 10-ms ticks: a mean
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=60)
        if against:
            remove_checkout(roots["before"])
    per: dict[str, dict] = {}
    for ep in LIGHT:
        per[ep] = {"server_cpu_ms": median_ms(cpu["this"][ep]), "wall_ms": median_ms(wall[ep])}
        if against:
            before = median_ms(cpu["before"][ep])
            per[ep]["before_server_cpu_ms"] = before
            per[ep]["after_over_before"] = round(per[ep]["server_cpu_ms"] / before, 2)
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
        "rounds": rounds,
        "against": against,  # the revision served beside this checkout, round by round (None: none)
        "per_endpoint": per,
        "cpu_count": os.cpu_count(),
        "load_avg_1min_end": os.getloadavg()[0],
        "clock_ticks_per_s": os.sysconf("SC_CLK_TCK"),
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20, help="requests per round and endpoint")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--against", default=None, help="a git revision served beside this checkout (before/after)")
    p.add_argument("--out", default=None)
    a = p.parse_args()
    emit(run(a.requests, a.rounds, a.against), a.out)
