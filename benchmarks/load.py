"""Load benchmark: one app server, many students (issue 12 item 8).

Starts `python app.py` on a free port, then N clients (threads, one gradio_client each) send R requests
each over the light endpoints with default settings (identical views, the worst case for shared files),
while K sampling requests run at the same time. Reports failures, p50/p95 latency per endpoint and the
server's peak RSS (VmHWM). Run outside `make test`, once, niced:

    nice -n 10 .venv/bin/python benchmarks/load.py --clients 30 --requests 20 --sampling 4 --out benchmarks/load.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from diffusion_core.app.widgets.concurrency import Limits

ROOT = Path(__file__).resolve().parents[1]
LIGHT = ("spectrum", "bounds", "schedules", "increments", "component_schedule", "scale_space")
SAMPLING = "sample_compare"


def emit(res: dict, out: str | None) -> None:
    """A benchmark's result as indented JSON: printed, and written to `out` when given."""
    text = json.dumps(res, indent=1)
    if out:
        Path(out).write_text(text + "\n")
    print(text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(port: int, root: Path = ROOT) -> subprocess.Popen:
    """`python app.py` of the checkout at `root` (its own diffusion_core: the script's folder comes first on the
    path), once it answers."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, str(root / "app.py"), "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(tempfile.gettempdir()) / "difflab-load-server.log", "w"),
    )
    return wait_up(proc, port, 900)


def wait_up(proc: subprocess.Popen, port: int, seconds: int) -> subprocess.Popen:
    """`proc` once its page at `port` answers; killed, with an error, if it does not within `seconds`."""
    for _ in range(seconds):
        if proc.poll() is not None:
            raise RuntimeError(f"the server for port {port} exited with code {proc.returncode} before it answered")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError(f"the server on port {port} did not start in {seconds} s")


def connect(url: str, tries: int = 5):
    """One gradio_client per simulated student (connecting is not what is measured: done before the clock)."""
    from gradio_client import Client

    for k in range(tries):
        try:
            return Client(url, verbose=False, httpx_kwargs={"timeout": 600})
        except Exception:  # noqa: BLE001
            if k == tries - 1:
                raise
            time.sleep(2)


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process, every thread (the simulated students' gradio clients)."""
    t = os.times()
    return t.user + t.system


def client_loop(
    c, endpoints: tuple[str, ...], n: int, seed: int, log: list, lock: threading.Lock, start: threading.Event
) -> None:
    rng = np.random.default_rng(seed)
    start.wait()
    for _ in range(n):
        ep = str(rng.choice(endpoints))
        t = time.perf_counter()
        try:
            c.predict(api_name=f"/{ep}")
            ok, err = True, ""
        except Exception as e:  # noqa: BLE001 - a failure is a result here
            ok, err = False, repr(e)[:200]
        with lock:
            log.append({"endpoint": ep, "ok": ok, "error": err, "s": time.perf_counter() - t})


def run(clients: int, requests: int, sampling: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    proc = start_server(port)
    startup = time.perf_counter() - t0
    log: list[dict] = []
    lock, go = threading.Lock(), threading.Event()
    conns = [connect(url) for _ in range(clients + sampling)]
    threads = [
        threading.Thread(target=client_loop, args=(conns[i], LIGHT, requests, i, log, lock, go)) for i in range(clients)
    ]
    threads += [
        threading.Thread(target=client_loop, args=(conns[clients + i], (SAMPLING,), 1, 1000 + i, log, lock, go))
        for i in range(sampling)
    ]
    [t.start() for t in threads]
    t1 = time.perf_counter()
    server0, clients0 = proc_cpu_s(proc.pid), own_cpu_s()
    go.set()
    [t.join() for t in threads]
    wall = time.perf_counter() - t1
    server_cpu, clients_cpu = proc_cpu_s(proc.pid) - server0, own_cpu_s() - clients0
    rss = peak_rss_mb(proc.pid)
    proc.terminate()
    proc.wait(timeout=60)
    per = {}
    for ep in sorted({r["endpoint"] for r in log}):
        s = np.array([r["s"] for r in log if r["endpoint"] == ep and r["ok"]])
        per[ep] = {
            "n": sum(r["endpoint"] == ep for r in log),
            "failures": sum(r["endpoint"] == ep and not r["ok"] for r in log),
            "p50_s": float(np.percentile(s, 50)) if s.size else None,
            "p95_s": float(np.percentile(s, 95)) if s.size else None,
        }
    return {
        "clients": clients,
        "requests_per_client": requests,
        "sampling_requests": sampling,
        "requests": len(log),
        "failures": sum(not r["ok"] for r in log),
        "errors": sorted({r["error"] for r in log if not r["ok"]})[:10],
        "per_endpoint": per,
        "peak_rss_mb": rss,
        "wall_s": wall,
        # CPU seconds during the run: the server, and the simulated students (this process), on the same cores
        "server_cpu_s": round(server_cpu, 1),
        "clients_cpu_s": round(clients_cpu, 1),
        "clients_share_of_cpu": round(clients_cpu / (server_cpu + clients_cpu), 3),
        "startup_s": startup,
        "cpu_count": os.cpu_count(),
        "load_avg_1min_end": os.getloadavg()[0],
        "queue_concurrency": dataclasses.asdict(Limits.from_env()),  # what the served app.py ran with
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=30)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--sampling", type=int, default=4)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    emit(run(a.clients, a.requests, a.sampling), a.out)
