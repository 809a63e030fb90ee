"""The room's nginx configuration (diffusion_core/serving/nginx.py), as exact text: the upstream of the workers,
sticky on each student's full address; the proxy headers Gradio's event streams and the app's links need; the
pieces for a school's own nginx (`--print-site`); and the launcher's one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffusion_core.serving import nginx, room
from diffusion_core.validation import InputError

CLASSROOM = Path(__file__).resolve().parents[2] / "docs" / "classroom.md"

PROXY = """\
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $difflab_connection;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
"""
TAIL = """\
    proxy_buffering off;
    proxy_cache off;
    proxy_read_timeout 3600s;
    proxy_send_timeout 3600s;
    client_max_body_size 100m;
    add_header X-Upstream $upstream_addr always;  # which worker answered (stickiness at a glance)
}
"""


def test_upstream_lists_the_workers_hashed_on_the_full_address():
    assert nginx.worker_ports(7861, 3) == [7861, 7862, 7863]
    assert nginx.http_block([7861, 7862, 7863]) == (
        "map $http_upgrade $difflab_connection {\n"
        "    default upgrade;\n"
        "    ''      close;\n"
        "}\n"
        "\n"
        "upstream difflab_room {\n"
        "    hash $remote_addr;  # sticky on the full address (ip_hash keys a whole /24 room to one worker)\n"
        "    server 127.0.0.1:7861;\n"
        "    server 127.0.0.1:7862;\n"
        "    server 127.0.0.1:7863;\n"
        "}\n"
    )
    assert "ip_hash;" not in nginx.standalone([7861], "0.0.0.0", 7860, Path("/run/x"))


def test_location_at_the_root_passes_the_address_the_student_typed():
    assert nginx.location_block("") == "location / {\n    proxy_pass http://difflab_room;\n" + PROXY + TAIL


def test_location_under_a_prefix_strips_it_and_says_so():
    assert nginx.location_block("difflab/") == (
        "location = /difflab {\n    return 301 /difflab/;\n}\n\n"
        "location /difflab/ {\n    proxy_pass http://difflab_room/;\n"
        + PROXY
        + "    proxy_set_header X-Forwarded-Prefix /difflab;\n"
        + TAIL
    )


def test_standalone_config_keeps_every_file_in_its_run_folder():
    text = nginx.standalone([7861, 7862], "0.0.0.0", 7860, Path("/srv/room"))
    lines = [line.strip() for line in text.splitlines()]
    for expected in (
        "worker_processes 1;",
        "pid /srv/room/nginx.pid;",
        "error_log /srv/room/error.log warn;",
        "access_log /srv/room/access.log;",
        "client_body_temp_path /srv/room/client_body;",
        "proxy_temp_path /srv/room/proxy;",
        "fastcgi_temp_path /srv/room/fastcgi;",
        "uwsgi_temp_path /srv/room/uwsgi;",
        "scgi_temp_path /srv/room/scgi;",
        "listen 0.0.0.0:7860;",
        "server 127.0.0.1:7861;",
        "server 127.0.0.1:7862;",
        "proxy_pass http://difflab_room;",
    ):
        assert expected in lines, expected
    assert "daemon" not in text  # given on the command line (-g 'daemon off;')
    assert "listen [::]:7860;" in nginx.standalone([7861], "::", 7860, Path("/srv/room"))


@pytest.mark.parametrize("prefix", ["/a b", "/../etc", "/x;y", "/a?b"])
def test_bad_prefixes_are_refused(prefix):
    with pytest.raises(InputError, match="--prefix"):
        nginx.normalise_prefix(prefix)


def test_print_site_gives_both_pieces_for_an_existing_nginx(capsys):
    assert room.main(["--workers", "2", "--port", "8000", "--prefix", "/difflab", "--print-site"]) == 0
    out = capsys.readouterr().out
    assert out == nginx.site([8001, 8002], "/difflab")
    assert out.index("http { } context") < out.index("upstream difflab_room") < out.index("Inside the server { }")
    assert "location /difflab/ {" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers"),
        (["--port", "8000", "--base-port", "7999", "--workers", "3"], "--port 8000 is one of the workers' ports"),
        (["--prefix", "/a b"], "--prefix"),
        (["--teacher-key", "abc"], "teacher key"),
    ],
)
def test_launcher_refuses_bad_input_with_one_line(argv, message, capsys, tmp_path):
    assert room.main([*argv, "--run-dir", str(tmp_path), "--room-db", str(tmp_path / "r.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_the_classroom_page_shows_what_print_site_prints():
    """docs/classroom.md's snippet for a school's nginx is the generator's own output (4 workers, /difflab)."""
    assert f"```nginx\n{nginx.site([7861, 7862, 7863, 7864], '/difflab')}```" in CLASSROOM.read_text()
