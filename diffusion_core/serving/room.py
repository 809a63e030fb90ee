"""`make room WORKERS=N [HOST=...] [PORT=...]` (`python -m diffusion_core.serving.room`): N `difflab app` workers
on 127.0.0.1:BASE..BASE+N-1 behind Debian's nginx on HOST:PORT, each student's address sticking to one worker
(serving/nginx.py). nginx runs as whoever starts it (no system service, no root needed), from a run folder of
its own (config, pid, logs, temp files); Ctrl-C (or SIGTERM) stops nginx and every worker. `--print-site`
prints the configuration pieces for a school's existing nginx instead of starting anything, `--no-nginx`
starts the workers only (for that nginx).

Every worker gets the same teacher key and room file, so the teacher's view counts every student wherever
their page is served; the key goes to the workers in their environment, not on their command line.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..app.workshop.room import DB_ENV, KEY_ENV, Room
from ..validation import InputError, check_int
from . import nginx

NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")  # /usr/sbin is not on a user's PATH on Debian
INSTALL_HINT = "nginx not found: install Debian's (`apt-get install nginx-light`, or `make nginx`)"
PR_SET_PDEATHSIG = 1


def find_nginx() -> str:
    """The nginx binary on PATH or in /usr/sbin, or InputError with how to install it."""
    found = shutil.which("nginx") or next((p for p in NGINX_PATHS if os.access(p, os.X_OK)), None)
    if found is None:
        raise InputError(INSTALL_HINT)
    return found


def free_block(n: int, tries: int = 50) -> int:
    """A port p with p .. p+n-1 all free on 127.0.0.1 (for nginx and the workers of tests and benchmarks)."""
    for _ in range(tries):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        socks: list[socket.socket] = []
        try:
            for p in range(base, min(base + n, 65536)):
                socks.append(socket.socket())
                socks[-1].bind(("127.0.0.1", p))
            if len(socks) == n:
                return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {n} consecutive free ports on 127.0.0.1")


def _die_with_parent() -> None:
    """In a child before exec: SIGTERM it when the launcher dies, so a killed launcher leaves no orphans."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _answers(url: str, timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _local(host: str) -> str:
    """How this machine reaches nginx listening on `host` (a wildcard address: over loopback)."""
    local = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{local}]" if ":" in local else local


def _tail(path: Path, n: int = 2000) -> str:
    return path.read_text(errors="replace")[-n:] if path.is_file() else ""


@dataclass
class RunningRoom:
    """A running room: its workers, its nginx and where their logs are."""

    url: str  # the address students open (loopback when HOST is 0.0.0.0)
    ports: list[int]
    run_dir: Path
    key: str = field(repr=False)
    workers: list[subprocess.Popen] = field(default_factory=list)
    proxy: subprocess.Popen | None = None

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def stop(self, grace: float = 15.0) -> None:
        """nginx first (no new requests), then the workers; SIGKILL what is still there after `grace` s."""
        procs = [p for p in (self.proxy, *self.workers) if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + grace
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def __enter__(self) -> RunningRoom:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _spawn(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the launcher only; it stops the children in order
            preexec_fn=_die_with_parent,
        )


def _wait(room: RunningRoom, name: str, url: str, proc: subprocess.Popen, log: Path, deadline: float) -> None:
    """Until `url` answers; stop the room and raise (with the log's tail) if `proc` exits or time runs out."""
    while not _answers(url):
        if proc.poll() is not None:
            room.stop()
            raise RuntimeError(f"{name} exited ({proc.returncode}); the end of {log}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            room.stop()
            raise RuntimeError(f"{url} did not answer in time; see {log}")
        time.sleep(0.5)


def start(
    workers: int,
    host: str = "127.0.0.1",
    port: int = 7860,
    base_port: int | None = None,
    prefix: str = "",
    teacher_key: str | None = None,
    room_db: str | Path | None = None,
    run_dir: Path | None = None,
    minutes: float = 15.0,
    proxy: bool = True,
) -> RunningRoom:
    """Start the workers and nginx and wait until the room answers through nginx (up to `minutes`). Without
    `proxy`, the workers only (a school's own nginx in front: `nginx.site`); the room's `url` is then ''."""
    ports = nginx.worker_ports(port + 1 if base_port is None else base_port, workers)
    port = check_int("--port", port, 1, 65535)
    if port in ports:
        raise InputError(f"--port {port} is one of the workers' ports {ports[0]}-{ports[-1]}: pick another")
    prefix = nginx.normalise_prefix(prefix)
    shared = Room.from_env(room_db, teacher_key)  # one key and one answers file for every worker
    binary = find_nginx() if proxy else ""
    run = Path(run_dir or tempfile.mkdtemp(prefix="difflab-room-")).resolve()
    run.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        run.chmod(0o755)  # nginx's worker processes run as nobody and create their temp files in here
    env = {**os.environ, KEY_ENV: shared.key, DB_ENV: str(shared.db.resolve())}
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if prefix:
        env["GRADIO_ROOT_PATH"] = prefix
    room = RunningRoom(f"http://{_local(host)}:{port}{prefix}/" if proxy else "", ports, run, shared.key)
    deadline = time.monotonic() + 60 * minutes
    for p in ports:
        cmd = [sys.executable, "-m", "diffusion_core", "app", "--host", "127.0.0.1", "--port", str(p)]
        room.workers.append(_spawn(cmd, run / f"worker-{p}.log", env))
    for p, w in zip(ports, room.workers):
        _wait(room, f"the worker on {p}", f"http://127.0.0.1:{p}/config", w, run / f"worker-{p}.log", deadline)
    if not proxy:
        return room
    (run / "nginx.conf").write_text(nginx.standalone(ports, host, port, run, prefix))
    cmd = [binary, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", str(run / "error.log"), "-g", "daemon off;"]
    room.proxy = _spawn(cmd, run / "nginx.log", dict(os.environ))
    _wait(room, "nginx", f"{room.url}config", room.proxy, run / "error.log", deadline)
    return room


def banner(room: RunningRoom, host: str, prefix: str = "") -> str:
    workers = f"{len(room.ports)} workers on 127.0.0.1:{room.ports[0]}-{room.ports[-1]}"
    if not room.url:
        return (
            f"Diffusion Lab room: {workers}, no nginx started; the teacher's key is {room.key}\n"
            f"Worker logs: {room.run_dir}\nIn your nginx (then reload it):\n\n{nginx.site(room.ports, prefix)}\n"
            "Ctrl-C stops every worker."
        )
    shown = room.url if host not in ("0.0.0.0", "::", "") else room.url.replace("127.0.0.1", "<this machine>")
    return (
        f"Diffusion Lab room: {workers} behind nginx\n"
        f"Students open: {shown}\n"
        f"Teacher's view: {room.url}?teacher={room.key}  (keep this key to yourself)\n"
        f"Logs and nginx.conf: {room.run_dir}\n"
        "Ctrl-C stops nginx and every worker."
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m diffusion_core.serving.room", description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2, help="app processes (default 2)")
    p.add_argument("--host", default="127.0.0.1", help="nginx's interface (0.0.0.0 for the room; default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="nginx's port (default 7860)")
    p.add_argument("--base-port", type=int, help="the first worker's port (default PORT+1)")
    p.add_argument("--prefix", default="", help="serve under a path, e.g. /difflab (default: the whole site)")
    p.add_argument("--teacher-key", help="the workshop's teacher key (default: $DIFFLAB_TEACHER_KEY, else random)")
    p.add_argument("--room-db", help="the room's SQLite file (default: $DIFFLAB_ROOM_DB, else ./difflab-data/...)")
    p.add_argument("--run-dir", type=Path, help="nginx's config, pid, logs and temp files (default: a new temp dir)")
    p.add_argument("--print-site", action="store_true", help="print the pieces for an existing nginx and exit")
    p.add_argument("--no-nginx", action="store_true", help="start the workers only, for an existing nginx")
    return p


def _serving(room: RunningRoom) -> bool:
    """nginx runs (or, without it, some worker does)."""
    if room.proxy is not None:
        return room.proxy.poll() is None
    return any(w.poll() is None for w in room.workers)


def _stop_on(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    try:
        if a.print_site:
            ports = nginx.worker_ports(a.port + 1 if a.base_port is None else a.base_port, a.workers)
            print(nginx.site(ports, a.prefix), end="")
            return 0
        room = start(
            a.workers, a.host, a.port, a.base_port, a.prefix, a.teacher_key, a.room_db, a.run_dir, proxy=not a.no_nginx
        )
    except (InputError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop_on)
    signal.signal(signal.SIGHUP, _stop_on)
    print(banner(room, a.host, a.prefix), flush=True)
    warned: set[int] = set()
    try:
        while _serving(room):
            for port, w in zip(room.ports, room.workers):
                if w.poll() is not None and port not in warned:
                    warned.add(port)
                    print(f"warning: the worker on {port} exited; nginx sends its students to the others", flush=True)
            time.sleep(1)
        print(f"error: {'nginx' if room.proxy else 'every worker'} exited; see {room.run_dir}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping the room ...", flush=True)
        return 0
    finally:
        room.stop()


if __name__ == "__main__":
    raise SystemExit(main())
