"""Load benchmark for a room (issue 25): N app workers behind nginx (`make room`, diffusion_core/serving), many
students, each on its own loopback address so nginx's stickiness is real.

For each worker count W and student count S: start the room (W `difflab app` workers + nginx on free ports),
then S students (threads) send R requests each over the light endpoints with default settings while K more
students start one sampling run each, all at once, as benchmarks/load.py does for one server (`--sampling 4,0`:
a sweep with K = 4, then one without sampling). Student k talks from 127.0.0.(10+k): its own httpx client bound
to that address, calling Gradio's REST API as gradio_client does (POST /gradio_api/call/NAME, read the event
stream, fetch the files the answer names; gradio_client cannot bind a source address: it calls httpx.get/post,
which take no transport), in one session per student as a browser tab or a gradio_client Client keeps (a call
without a session_hash opens a new session, and gradio copies the config of every block into it: ~75 ms of server
CPU per request that a class does not pay). The room is restarted for every run.

Reports per run: failures, p50/p95 per endpoint, light p95 over all light requests, the sampling runs' waits,
students per worker and whether each stayed on one worker, server CPU seconds per request (workers + nginx), the
cores the room used on average (server CPU / wall time), the client's own CPU (it shares the machine), peak RSS
per worker (VmHWM), the load average and the kernel's CPU pressure (how busy the machine was). A run meets the
targets with 0 failures, light p95 <= 3 s and every sampling run answered within 60 s; for each K and W the
largest S tried that meets them in every repeat (--repeat R: R runs of each row) is the capacity. Larger S are
skipped once one misses (--keep-going).

    nice -n 10 .venv/bin/python benchmarks/load_room.py --workers 1,2 --students 10,20,30,60 --sampling 4 --repeat 2 --keep-going --out benchmarks/load-room.json
    nice -n 19 .venv/bin/python benchmarks/load_room.py --workers 2 --students 4 --requests 3 --sampling 1   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from load import emit, own_cpu_s, proc_cpu_s

from diffusion_core.reports import room as report
from diffusion_core.serving import room

LIGHT = ("spectrum", "bounds", "schedules", "increments", "component_schedule", "scale_space")
SAMPLING = "sample_compare"
TARGETS = {"failures": 0, "light_p95_s": 3.0, "sampling_max_s": 60.0}
FILE_URL = re.compile(r'"url": "(https?://[^"]+/gradio_api/file=[^"]+)"')


def address(k: int) -> str:
    """Student k's loopback address: 127.0.0.10, 127.0.0.11, ... (then 127.0.1.x)."""
    n = 10 + k
    return f"127.0.{n // 256}.{n % 256}"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_pressure() -> float | None:
    """The kernel's CPU pressure (share of the last 60 s some task waited for a core, %), if it reports one."""
    try:
        return float(Path("/proc/pressure/cpu").read_text().split()[2].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def nginx_pids(master: int) -> list[int]:
    """nginx's master and its worker processes."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return [master, *kids]


def call(client: httpx.Client, base: str, api_name: str, data: list[Any], session: str | None = None) -> str:
    """One request as gradio_client makes it, in the student's session (one per student, as a browser tab or a
    gradio_client Client keeps one); returns the worker that answered (nginx's X-Upstream)."""
    posted = client.post(f"{base}gradio_api/call/{api_name}", json={"data": data, "session_hash": session})
    posted.raise_for_status()
    event = posted.json()["event_id"]
    with client.stream("GET", f"{base}gradio_api/call/{api_name}/{event}") as s:
        s.raise_for_status()
        text = s.read().decode()
    if "event: complete" not in text:
        raise RuntimeError(f"no complete event: {text[:160]!r}")
    for url in sorted(set(FILE_URL.findall(text))):
        client.get(url).raise_for_status()
    return posted.headers.get("x-upstream", "")


def student(
    k: int, base: str, endpoints: tuple[str, ...], n: int, defaults: dict, log: list, lock: threading.Lock, go
) -> None:
    rng = np.random.default_rng(k)
    session = uuid.uuid4().hex  # one page (a browser tab's session), as a student has
    transport = httpx.HTTPTransport(local_address=address(k))
    with httpx.Client(transport=transport, timeout=600) as c:
        go.wait()
        for _ in range(n):
            ep = str(rng.choice(endpoints))
            t, worker, err = time.perf_counter(), "", ""
            try:
                worker = call(c, base, ep, defaults[ep], session)
            except Exception as e:  # noqa: BLE001 - a failure is a result here
                err = repr(e)[:200]
            row = {"student": k, "endpoint": ep, "ok": not err, "error": err, "worker": worker}
            with lock:
                log.append({**row, "s": time.perf_counter() - t})


def _pct(xs: list[float], q: float) -> float | None:
    return float(np.percentile(xs, q)) if xs else None


def summarise(log: list[dict]) -> dict:
    per = {}
    for ep in sorted({r["endpoint"] for r in log}):
        s = [r["s"] for r in log if r["endpoint"] == ep and r["ok"]]
        n_fail = sum(r["endpoint"] == ep and not r["ok"] for r in log)
        per[ep] = {"n": len(s) + n_fail, "failures": n_fail, "p50_s": _pct(s, 50), "p95_s": _pct(s, 95)}
    light = [r["s"] for r in log if r["endpoint"] != SAMPLING and r["ok"]]
    samp = [r for r in log if r["endpoint"] == SAMPLING]
    waits = [r["s"] for r in samp if r["ok"]]
    worst = [v["p95_s"] for k, v in per.items() if k != SAMPLING and v["p95_s"] is not None]
    return {
        "requests": len(log),
        "failures": sum(not r["ok"] for r in log),
        "errors": sorted({r["error"] for r in log if not r["ok"]})[:10],
        "per_endpoint": per,
        "light": {"p50_s": _pct(light, 50), "p95_s": _pct(light, 95), "worst_endpoint_p95_s": max(worst, default=None)},
        "sampling": {
            "n": len(samp),
            "failures": sum(not r["ok"] for r in samp),
            "p50_s": _pct(waits, 50),
            "max_s": max(waits, default=None),
        },
    }


def meets(res: dict) -> bool:
    light, samp = res["light"]["p95_s"], res["sampling"]["max_s"]
    return (
        res["failures"] <= TARGETS["failures"]
        and light is not None
        and light <= TARGETS["light_p95_s"]
        and (res["sampling"]["n"] == 0 or (samp is not None and samp <= TARGETS["sampling_max_s"]))
    )


def run(workers: int, students: int, requests: int, sampling: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="difflab-load-room-"))
    port = room.free_block(workers + 1)
    load_start, pressure_start, t0 = os.getloadavg()[0], cpu_pressure(), time.perf_counter()
    with room.start(workers, "127.0.0.1", port, room_db=work / "room.sqlite", run_dir=work / "nginx") as r:
        startup = time.perf_counter() - t0
        info = httpx.get(f"{r.url}gradio_api/info", timeout=120).json()["named_endpoints"]
        defaults = {ep: [p["parameter_default"] for p in info[f"/{ep}"]["parameters"]] for ep in (*LIGHT, SAMPLING)}
        assert r.proxy is not None
        procs = {f"127.0.0.1:{p}": w.pid for p, w in zip(r.ports, r.workers)}
        proxies = nginx_pids(r.proxy.pid)
        log: list[dict] = []
        lock, go = threading.Lock(), threading.Event()
        jobs = [(k, LIGHT, requests) for k in range(students)] + [
            (students + j, (SAMPLING,), 1) for j in range(sampling)
        ]
        threads = [
            threading.Thread(target=student, args=(k, r.url, eps, n, defaults, log, lock, go)) for k, eps, n in jobs
        ]
        [t.start() for t in threads]
        cpu0 = {w: proc_cpu_s(pid) for w, pid in procs.items()}
        proxy0, client0 = sum(proc_cpu_s(p) for p in proxies), own_cpu_s()
        t1 = time.perf_counter()
        go.set()
        [t.join() for t in threads]
        wall = time.perf_counter() - t1
        worker_cpu = {w: proc_cpu_s(pid) - cpu0[w] for w, pid in procs.items()}
        proxy_cpu = sum(proc_cpu_s(p) for p in proxies) - proxy0
        client_cpu = own_cpu_s() - client0
        rss = {w: peak_rss_mb(pid) for w, pid in procs.items()}
    res = summarise(log)
    seen: dict[int, set[str]] = {}
    for row in log:
        seen.setdefault(row["student"], set()).update({row["worker"]} if row["worker"] else set())
    per_worker = {w: sum(s == {w} for s in seen.values()) for w in procs}
    return {
        "workers": workers,
        "students": students,
        "requests_per_student": requests,
        "sampling_requests": sampling,
        **res,
        "meets_targets": meets(res),
        "students_per_worker": per_worker,
        "sticky": all(len(s) <= 1 for s in seen.values()),
        "server_cpu_s_per_request": (sum(worker_cpu.values()) + proxy_cpu) / max(1, len(log)),
        "server_cores_used": (sum(worker_cpu.values()) + proxy_cpu) / wall,
        "worker_cpu_s": worker_cpu,
        "nginx_cpu_s": proxy_cpu,
        "client_cpu_s": client_cpu,
        "peak_rss_mb": rss,
        "wall_s": wall,
        "startup_s": startup,
        "load_avg_1min_start": load_start,
        "load_avg_1min_end": os.getloadavg()[0],
        "cpu_pressure_avg60_start": pressure_start,
        "cpu_pressure_avg60_end": cpu_pressure(),
    }


def sweep(
    workers: list[int], students: list[int], requests: int, sampling: list[int], keep_going: bool, repeat: int = 1
) -> dict:
    runs = []
    for k in sampling:
        for w in workers:
            for s in sorted(students):
                met = True
                for rep in range(repeat):
                    res = {**run(w, s, requests, k), "repeat": rep}
                    runs.append(res)
                    keys = ("workers", "students", "repeat", "sampling_requests", "failures", "light", "sampling")
                    print(json.dumps({key: res[key] for key in keys}), flush=True)
                    met = met and res["meets_targets"]
                if not met and not keep_going:
                    break

    capacity = report.capacities(runs, workers, sampling)
    return {
        "benchmark": "load-room",
        "targets": TARGETS,
        "requests_per_student": requests,
        "sampling_tried": sampling,
        "students_tried": sorted(students),
        "repeats": repeat,  # runs per (workers, students, sampling), one row each
        "capacity": capacity,  # sampling runs -> workers -> the most students tried that met the targets every time
        "cpu_count": os.cpu_count(),
        "niceness": os.nice(0),
        "client": "one httpx client per student bound to 127.0.0.(10+k), Gradio's REST call API in one session per student, files fetched",
        "proxy": "nginx (Debian), hash $remote_addr over the workers (diffusion_core/serving/nginx.py)",
        "queue_concurrency_per_event": 4,
        "runs": runs,
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    p.add_argument("--students", default="30,60", help="comma-separated student counts (default 30,60)")
    p.add_argument("--requests", type=int, default=20, help="light requests per student (default 20)")
    p.add_argument("--sampling", default="4", help="comma-separated sampling runs at once, one sweep each (default 4)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each row (capacity: met in every one; default 1)")
    p.add_argument("--keep-going", action="store_true", help="try every S even after one misses the targets")
    p.add_argument("--out", default=None)
    a = p.parse_args()
    ints = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
    res = sweep(ints(a.workers), ints(a.students), a.requests, ints(a.sampling), a.keep_going, a.repeat)
    emit(res, a.out)
