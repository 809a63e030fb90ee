"""What a room of several app processes behind nginx serves (docs/classroom.md's "room-load" block and a row of
the measured table), written from benchmarks/load-room.json (benchmarks/load_room.py). A student count "meets
the targets" with 0 failures, light p95 <= 3 s over all light requests and every sampling run answered within
60 s; a worker count's capacity is the largest count tried that met them, so the text says which counts were
tried and never claims more than was measured."""

from __future__ import annotations

Row = tuple[str, str, str]
SOURCE = (
    "nice -n 10 .venv/bin/python benchmarks/load_room.py --workers 1,2,3 --students 15,30,45,60 "
    "--out benchmarks/load-room.json"
)


def _workers(n: int) -> str:
    return f"{n} worker" + ("s" if n != 1 else "")


def _s(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f} s"


def capacity(j: dict) -> str:
    """'1 worker: 30 students (45 missed); 2 workers: at least 60 (the most tried)' from the runs."""
    parts = []
    for w, cap in j["capacity"].items():
        tried = sorted(r["students"] for r in j["runs"] if r["workers"] == int(w))
        if cap is None:
            parts.append(f"{_workers(int(w))}: no count tried ({', '.join(map(str, tried))} students) met them")
        elif cap == max(tried) == max(j["students_tried"]):
            parts.append(f"{_workers(int(w))}: **at least {cap}** students (the most tried)")
        else:
            missed = min((s for s in tried if s > cap), default=None)
            tail = f" ({missed} missed them)" if missed is not None else ""
            parts.append(f"{_workers(int(w))}: **{cap}** students{tail}")
    return "; ".join(parts)


def _row(r: dict) -> str:
    light, samp = r["light"], r["sampling"]
    spread = " / ".join(str(n) for n in r["students_per_worker"].values())
    rss = max(r["peak_rss_mb"].values()) / 1024
    return (
        f"| {r['workers']} | {r['students']} × {r['requests_per_student']} + {r['sampling_requests']} | "
        f"{r['failures']} of {r['requests']} | {_s(light['p50_s'])} / **{_s(light['p95_s'])}** | "
        f"{_s(light['worst_endpoint_p95_s'])} | {_s(samp['max_s'], 0)} | {spread}{'' if r['sticky'] else ' (not sticky)'} | "
        f"{r['server_cpu_s_per_request']:.2f} s | {rss:.2f} GB | "
        f"{r['load_avg_1min_start']:.1f}–{r['load_avg_1min_end']:.1f} | {'yes' if r['meets_targets'] else 'no'} |"
    )


def block(j: dict | None) -> str:
    """The classroom page's measured paragraph and table (or how to measure, when there is no JSON yet)."""
    if j is None:
        return f"Not measured yet: run `{SOURCE}`, then `make readme`."
    t = j["targets"]
    busy = max(r["load_avg_1min_end"] for r in j["runs"]) > j["cpu_count"]
    lines = [
        f"Measured with `benchmarks/load_room.py` on a {j['cpu_count']}-core machine (the students' clients run on "
        f"it too), at niceness {j['niceness']}: each simulated student talks from its own loopback address and sends "
        f"{j['requests_per_student']} light requests (default settings, six light endpoints) while "
        f"{j['sampling_requests']} more students start one sampling run each (all at once; the room restarted per row). Targets: {t['failures']} failures, light p95 ≤ "
        f"{t['light_p95_s']:g} s, every sampling run answered within {t['sampling_max_s']:g} s. Students served at the "
        f"targets: {capacity(j)}.",
        "",
        "| workers | students × requests + sampling | failures | light p50 / p95 | worst endpoint p95 | "
        "sampling max | students per worker (sampling too) | server CPU per request | peak RSS per worker | load avg | "
        "targets met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[_row(r) for r in j["runs"]],
    ]
    if busy:
        lines += [
            "",
            "The load average exceeded the core count: the machine was busy with other work during these runs, so "
            "they understate what an idle machine serves.",
        ]
    return "\n".join(lines)


def measured_row(j: dict) -> Row:
    """The measured table's row (docs/benchmarks.md)."""
    best = max(j["runs"], key=lambda r: (r["workers"], r["students"]))
    return (
        f"a room behind nginx, {j['requests_per_student']} requests per student + {j['sampling_requests']} "
        "sampling runs, each student on its own address",
        f"students served at light p95 ≤ {j['targets']['light_p95_s']:g} s, 0 failures, sampling ≤ "
        f"{j['targets']['sampling_max_s']:g} s: {capacity(j)}; {best['students']} students on "
        f"{_workers(best['workers'])}: light p95 {_s(best['light']['p95_s'])}, {best['failures']} failures",
        "`python benchmarks/load_room.py --out benchmarks/load-room.json`, [classroom](docs/classroom.md)",
    )
