"""nginx configuration for a room: N app workers on 127.0.0.1:BASE+i behind one address, each student's
address sticking to one worker.

Why sticky: a Gradio page's session lives in the one process that served it (its queue events, `gr.State`
values, the event stream the page listens on), so every request of a page must reach the same worker.

Why `hash $remote_addr` and not `ip_hash`: nginx's `ip_hash` keys an IPv4 client by its first three octets
only, so a classroom on one /24 network (every laptop at 192.168.1.x) lands on a single worker. Measured with
nginx 1.22 (Debian 12) and 60 loopback addresses 127.0.0.10-69 over two upstreams: `ip_hash` sent all 60 to
one, `hash $remote_addr` split them 30/30. It is stock open-source nginx (the upstream hash module).

Behind the proxy the app's links stay right: nginx passes the address the student typed (`Host`,
`X-Forwarded-Host` = `$http_host`, with its port), the scheme (`X-Forwarded-Proto`) and, under a path prefix,
`X-Forwarded-Prefix`; Gradio builds its file URLs from X-Forwarded-Host/Proto and `GRADIO_ROOT_PATH` (the
launcher sets it on every worker), the app's saved views and worksheet links from all three
(app/widgets/views.page_url). The event streams need HTTP/1.1, no buffering and long read timeouts.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..validation import InputError, check_int

UPSTREAM = "difflab_room"
CONNECTION = "$difflab_connection"  # own name: a school's config may already map $connection_upgrade
MAX_BODY = "100m"  # the app's own upload limit (app/layout.serve: max_file_size="100mb"); nginx's default is 1m
TIMEOUT = "3600s"  # an event stream stays open while a page waits (a sampling run queued behind others)
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # nginx creates them at start: keep them local


def normalise_prefix(prefix: str) -> str:
    """'' (served at /) or '/name[/name...]' without a trailing slash."""
    p = "/" + prefix.strip().strip("/") if prefix.strip().strip("/") else ""
    if p and (not re.fullmatch(r"(/[A-Za-z0-9._-]+)+", p) or {".", ".."} & set(p.split("/"))):
        raise InputError(f"--prefix must be a path like /difflab (letters, digits, '.', '_', '-'), got {prefix!r}")
    return p


def worker_ports(base_port: int, workers: int) -> list[int]:
    """The workers' ports: base_port, base_port + 1, ..."""
    n = check_int("--workers", workers, 1, 64)
    base = check_int("--base-port", base_port, 1024, 65535 - n + 1)
    return [base + i for i in range(n)]


def listen_address(host: str, port: int) -> str:
    """nginx's `listen` argument for a host and port (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def http_block(ports: list[int], name: str = UPSTREAM) -> str:
    """What goes in nginx's `http { }` context (a file in /etc/nginx/conf.d/ is read there): the Upgrade map
    and the upstream of the workers, hashed on the student's full address."""
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in ports)
    return (
        f"map $http_upgrade {CONNECTION} {{\n    default upgrade;\n    ''      close;\n}}\n\n"
        f"upstream {name} {{\n    hash $remote_addr;  # sticky on the full address (ip_hash keys a whole /24 room to one worker)\n"
        f"{servers}}}\n"
    )


def location_block(prefix: str = "", name: str = UPSTREAM) -> str:
    """What goes in a `server { }`: the room at `prefix` ('' = the whole site)."""
    p = normalise_prefix(prefix)
    lines = [
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        f"proxy_set_header Connection {CONNECTION};",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-Host $http_host;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        *([f"proxy_set_header X-Forwarded-Prefix {p};"] if p else []),
        "proxy_buffering off;",
        "proxy_cache off;",
        f"proxy_read_timeout {TIMEOUT};",
        f"proxy_send_timeout {TIMEOUT};",
        f"client_max_body_size {MAX_BODY};",
        "add_header X-Upstream $upstream_addr always;  # which worker answered (stickiness at a glance)",
    ]
    body = "".join(f"    {line}\n" for line in lines)
    if not p:
        return f"location / {{\n    proxy_pass http://{name};\n{body}}}\n"
    return (
        f"location = {p} {{\n    return 301 {p}/;\n}}\n\nlocation {p}/ {{\n    proxy_pass http://{name}/;\n{body}}}\n"
    )


def _indent(text: str, by: str) -> str:
    return "".join(f"{by}{line}\n" if line else "\n" for line in text.splitlines())


def site(ports: list[int], prefix: str = "") -> str:
    """The two pieces for a school's existing nginx, with where each goes."""
    return (
        "# Diffusion Lab room (diffusion_core/serving/nginx.py).\n"
        "# 1. In the http { } context, e.g. /etc/nginx/conf.d/difflab.conf:\n\n"
        + http_block(ports)
        + "\n# 2. Inside the server { } that should serve the room:\n\n"
        + location_block(prefix)
    )


def standalone(ports: list[int], host: str, port: int, run_dir: Path, prefix: str = "") -> str:
    """A whole nginx.conf for an unprivileged nginx whose pid, logs and temp files all live in `run_dir`
    (run as `nginx -p RUN -c RUN/nginx.conf -e RUN/error.log -g 'daemon off;'`)."""
    run = run_dir.resolve()
    temps = "".join(f"    {t}_temp_path {run / t};\n" for t in TEMP_PATHS)
    server = (
        f"server {{\n    listen {listen_address(host, port)};\n\n" + _indent(location_block(prefix), "    ") + "}\n"
    )
    return (
        "# Diffusion Lab room, generated by diffusion_core/serving/nginx.py\n"
        "worker_processes 1;\n"
        f"pid {run / 'nginx.pid'};\n"
        f"error_log {run / 'error.log'} warn;\n\n"
        "events {\n    worker_connections 1024;\n}\n\n"
        "http {\n"
        f"    access_log {run / 'access.log'};\n"
        "    default_type application/octet-stream;\n"
        f"{temps}\n" + _indent(http_block(ports), "    ") + "\n" + _indent(server, "    ") + "}\n"
    )
