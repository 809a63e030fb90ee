"""An app server in its own process for the benchmarks that drive it from outside (slider latency): start the
checkout's `app.py` on a free port at niceness 10 and wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# `python app.py ARGS`, without gradio's launch-time self-check (5 HEAD requests of 3 s): on a machine whose
# cores are busy with training the starting server misses it and launch() refuses to serve; wait_app checks.
LAUNCH = (
    "import runpy, sys; import gradio.networking as n; n.url_ok = lambda url: True; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(root: Path, port: int) -> subprocess.Popen:
    """`python app.py --port PORT` of the checkout at `root` (its own diffusion_core), at niceness 10."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(root)}
    log = open(Path(tempfile.gettempdir()) / f"difflab-slider-{port}.log", "w")
    nice = ["nice", "-n", str(10 - os.nice(0))] if os.nice(0) < 10 else []  # the app at niceness 10
    proc = subprocess.Popen(
        [*nice, sys.executable, "-c", LAUNCH, str(root / "app.py"), "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log_name = log.name  # type: ignore[attr-defined]
    return proc


def wait_app(proc: subprocess.Popen, port: int, minutes: float = 40.0) -> None:
    """Wait until the app answers (minutes on a machine whose cores are busy with training)."""
    for _ in range(int(minutes * 60)):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the app on port {port} exited; see {proc.log_name}") from None  # type: ignore[attr-defined]
            time.sleep(1)
    raise RuntimeError(f"the app on port {port} did not start in {minutes:g} minutes")
