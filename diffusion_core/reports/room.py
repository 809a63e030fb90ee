"""What a room of several app processes behind nginx serves (docs/classroom.md's "room-load" block and a row of
the measured table), written from benchmarks/load-room.json (benchmarks/load_room.py). A student count "meets
the targets" with 0 failures, light p95 <= 3 s over all light requests and every sampling run answered within
60 s; for each number of sampling runs and of workers the capacity is the largest count tried that met them (in
every run, when each count was run more than once),
so the text says which counts were tried and never claims more than was measured."""

from __future__ import annotations

Row = tuple[str, str, str]
SOURCE = (
    "nice -n 10 .venv/bin/python benchmarks/load_room.py --workers 1,2 --students 10,20,30,60 --sampling 4 "
    "--repeat 2 --keep-going --out benchmarks/load-room.json"
)


def _workers(n: int) -> str:
    return f"{n} worker" + ("s" if n != 1 else "")


def _s(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f} s"


def _runs_in(j: dict, sampling: int, workers: int) -> list[int]:
    return sorted(r["students"] for r in j["runs"] if (r["sampling_requests"], r["workers"]) == (sampling, workers))


def _sampling(k: int) -> str:
    return "with no sampling run" if k == 0 else f"with {k} sampling run{'s' if k != 1 else ''} at once"


def capacities(runs: list[dict], workers: list[int], sampling: list[int]) -> dict[str, dict[str, int | None]]:
    """For each number of sampling runs and of workers, the most students tried that met the targets in every run
    of that count (None: no count met them every time)."""

    def met_every_time(w: int, k: int, s: int) -> bool:
        return all(
            r["meets_targets"] for r in runs if (r["workers"], r["sampling_requests"], r["students"]) == (w, k, s)
        )

    return {
        str(k): {
            str(w): max(
                (
                    s
                    for s in sorted({r["students"] for r in runs if (r["workers"], r["sampling_requests"]) == (w, k)})
                    if met_every_time(w, k, s)
                ),
                default=None,
            )
            for w in workers
        }
        for k in sampling
    }


def _most_tried(j: dict, cap: int) -> bool:
    """Whether a capacity is the largest student count tried: then the room serves at least that many."""
    return cap == max(j["students_tried"])


def readme_line(j: dict) -> str:
    """The README's glance line: the students served at the light-p95 target per worker count, with the most
    sampling runs tried at once, and the failures over those runs."""
    k = max(j["capacity"], key=int)
    served = ", ".join(
        f"{'≥ ' if _most_tried(j, cap) else ''}{cap} ({_workers(int(w))})" for w, cap in j["capacity"][k].items() if cap
    )
    runs = [r for r in j["runs"] if r["sampling_requests"] == int(k)]
    return (
        f"- **A room on one {j['cpu_count']}-core server:** light p95 ≤ {j['targets']['light_p95_s']:g} s for "
        f"{served} students and {k} sampling runs; "
        f"{sum(r['failures'] for r in runs)} failures in {sum(r['requests'] for r in runs)} requests "
        "([classroom](docs/classroom.md))."
    )


def capacity(j: dict) -> str:
    """'with 4 sampling runs at once: 1 worker **30** students (45 missed them), 2 workers **at least 60** (the most
    tried); with no sampling run: ...' from the runs."""
    sweeps = []
    for k, per_w in j["capacity"].items():
        parts = []
        for w, cap in per_w.items():
            tried = _runs_in(j, int(k), int(w))
            if cap is None:
                parts.append(f"{_workers(int(w))} none (tried {', '.join(map(str, tried))})")
            elif _most_tried(j, cap):
                parts.append(f"{_workers(int(w))} **at least {cap}** (the most tried)")
            else:
                missed = min((s for s in tried if s > cap), default=None)
                parts.append(f"{_workers(int(w))} **{cap}**" + (f" ({missed} missed them)" if missed else ""))
        sweeps.append(f"{_sampling(int(k))}: " + ", ".join(parts))
    return "; ".join(sweeps)


def cores_used(r: dict) -> float:
    """The cores the room's processes used on average during a run (their CPU seconds over its wall time)."""
    return (sum(r["worker_cpu_s"].values()) + r["nginx_cpu_s"]) / r["wall_s"]


def _busy(r: dict) -> str:
    """The load average over the run, and the kernel's CPU pressure where it was recorded."""
    text = f"{r['load_avg_1min_start']:.1f}–{r['load_avg_1min_end']:.1f}"
    if r.get("cpu_pressure_avg60_end") is not None:
        text += f" ({r['cpu_pressure_avg60_end']:.0f}%)"
    return text


def _row(r: dict) -> str:
    light, samp = r["light"], r["sampling"]
    spread = " / ".join(str(n) for n in r["students_per_worker"].values())
    rss = max(r["peak_rss_mb"].values()) / 1024
    return (
        f"| {r['workers']} | {r['students']} × {r['requests_per_student']} + {r['sampling_requests']} | "
        f"{r['failures']} of {r['requests']} | {_s(light['p50_s'])} / **{_s(light['p95_s'])}** | "
        f"{_s(light['worst_endpoint_p95_s'])} | {_s(samp['max_s'], 0)} | {spread}{'' if r['sticky'] else ' (not sticky)'} | "
        f"{r['server_cpu_s_per_request']:.2f} s | {cores_used(r):.2f} | {rss:.2f} GB | "
        f"{_busy(r)} | {'yes' if r['meets_targets'] else 'no'} |"
    )


def block(j: dict | None) -> str:
    """The classroom page's measured paragraph and table (or how to measure, when there is no JSON yet)."""
    if j is None:
        return f"Not measured yet: run `{SOURCE}`, then `make readme`."
    t = j["targets"]
    busy = max(r["load_avg_1min_end"] for r in j["runs"]) > j["cpu_count"]
    lines = [
        f"Measured with `benchmarks/load_room.py` on a {j['cpu_count']}-core machine (the students' clients run on "
        f"it too), at niceness {j['niceness']}: each simulated student talks from its own loopback address, in one page "
        f"session (as a browser tab), and sends {j['requests_per_student']} light requests (default settings, six light endpoints) while the row's "
        "sampling students start one sampling run each (all at once; the room restarted for every row). "
        f"Targets: {t['failures']} failures, light p95 ≤ "
        f"{t['light_p95_s']:g} s, every sampling run answered within {t['sampling_max_s']:g} s. "
        + (f"Every row was run {j['repeats']} times (one line each). " if j.get("repeats", 1) > 1 else "")
        + f"Students served at the targets{' in every run' if j.get('repeats', 1) > 1 else ''}, {capacity(j)}.",
        "",
        "| workers | students × requests + sampling | failures | light p50 / p95 | worst endpoint p95 | "
        "sampling max | students per worker (sampling too) | server CPU per request | cores used | "
        "peak RSS per worker | load avg (CPU pressure) | targets met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[_row(r) for r in j["runs"]],
    ]
    before = j["runs"][0]["load_avg_1min_start"]  # the machine before the sweep's first room started
    if busy and before >= 1.0:
        lines += [
            "",
            "The load average exceeded the core count: the machine was busy with other work during these runs "
            '("cores used" is what the room got of its cores; CPU pressure is the share of time some task waited '
            "for a core), so they understate what an idle machine serves.",
        ]
    elif busy:
        lines += [
            "",
            f"The machine was otherwise idle (load {before:.1f} before the first run); the load during the runs is the "
            "room's workers, nginx and the simulated students' own clients, which share the same cores.",
        ]
    return "\n".join(lines)


def measured_row(j: dict) -> Row:
    """The measured table's row (docs/benchmarks.md)."""
    return (
        f"a room behind nginx: students × {j['requests_per_student']} light requests, each on its own address",
        f"students served at light p95 ≤ {j['targets']['light_p95_s']:g} s, 0 failures, every sampling run ≤ "
        f"{j['targets']['sampling_max_s']:g} s, {capacity(j)}; {j['cpu_count']}-core CPU at load "
        f"{min(r['load_avg_1min_start'] for r in j['runs']):.0f}–{max(r['load_avg_1min_end'] for r in j['runs']):.0f}",
        "`python benchmarks/load_room.py --out benchmarks/load-room.json`, [classroom](docs/classroom.md)",
    )


CPU_SOURCE = (
    "nice -n 10 .venv/bin/python benchmarks/request_cpu.py --requests 10 --rounds 3 --against f8cfb10 "
    "--out benchmarks/request-cpu.json"
)


def request_cpu_block(j: dict | None) -> str:
    """docs/classroom.md's "request-cpu" block: the server CPU of one request per light endpoint, split into the
    view's computation and the rest (benchmarks/request_cpu.py)."""
    if j is None:
        return f"Not measured yet: run `{CPU_SOURCE}`, then `make readme`."
    per = j["per_endpoint"]
    before = j.get("against")
    rounds = j.get("rounds", 1)
    lines = [
        f"Server CPU per request (`benchmarks/request_cpu.py`: one client, requests in sequence, default views, "
        f"median of {rounds} round(s) of {j['requests_per_endpoint']} requests after 3 warm-ups; "
        + (
            f"the code of `{before}` served beside this checkout, the rounds alternating between the two; "
            if before
            else ""
        )
        + f'{j["cpu_count"]}-core machine, load average {j["load_avg_1min_end"]:.1f} at the end). "View computation" '
        "is the handler alone in another process; the rest is gradio's serialisation, file writes and the queue (it "
        "can come out slightly negative: two processes, two measurements).",
        "",
        "| endpoint | server CPU per request | "
        + (f"before (`{before}`), same run | after / before | " if before else "")
        + "view computation | the rest | wall time (median) | target |",
        "|---|---|" + ("---|---|" if before else "") + "---|---|---|---|",
    ]
    for ep, r in per.items():
        target = f"≤ {r['target_ms']:g} ms: {'met' if r['meets_target'] else 'not met'}" if "target_ms" in r else "—"
        versus = f"{r['before_server_cpu_ms']:.0f} ms | {r['after_over_before']:.2f} | " if before else ""
        lines.append(
            f"| `{ep}` | {r['server_cpu_ms']:.0f} ms | {versus}{r['handler_cpu_ms']:.0f} ms | "
            f"{r['not_computation_ms']:.0f} ms | {r['wall_ms']:.0f} ms | {target} |"
        )
    if before:
        mean = sum(r["server_cpu_ms"] for r in per.values()) / len(per)
        mean_before = sum(r["before_server_cpu_ms"] for r in per.values()) / len(per)
        lines += [
            "",
            f"Mean over the {len(per)} endpoints: {mean:.0f} ms, against {mean_before:.0f} ms before "
            f"({mean / mean_before:.2f}×).",
        ]
    return "\n".join(lines)
