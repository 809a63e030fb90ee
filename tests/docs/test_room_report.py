"""The room's capacity (diffusion_core/reports/room.py): the most students that met the targets in every run of
that count, and the text says how often each count was run."""

from __future__ import annotations

from diffusion_core.reports import room


def _run(workers: int, students: int, met: bool, repeat: int = 0) -> dict:
    return {"workers": workers, "students": students, "sampling_requests": 4, "meets_targets": met, "repeat": repeat}


def test_a_count_counts_only_if_every_run_of_it_met_the_targets():
    runs = [
        _run(1, 20, True),
        _run(1, 20, True, 1),
        _run(1, 30, True),
        _run(1, 30, False, 1),  # met once, missed once: not served
        _run(2, 30, True),
        _run(2, 30, True, 1),
        _run(2, 60, True),
        _run(2, 60, True, 1),
        _run(3, 10, False),
    ]
    assert room.capacities(runs, [1, 2, 3], [4]) == {"4": {"1": 20, "2": 60, "3": None}}


def test_the_text_names_the_repeats_and_the_capacity():
    j = {
        "targets": {"failures": 0, "light_p95_s": 3.0, "sampling_max_s": 60.0},
        "cpu_count": 2,
        "niceness": 10,
        "requests_per_student": 20,
        "students_tried": [30, 60],
        "repeats": 2,
        "capacity": {"4": {"1": 30, "2": 60}},
        "runs": [],
    }
    j["runs"] = [
        {
            **_run(w, s, True, rep),
            "requests_per_student": 20,
            "requests": s * 20 + 4,
            "failures": 0,
            "light": {"p50_s": 1.0, "p95_s": 2.0, "worst_endpoint_p95_s": 2.5},
            "sampling": {"max_s": 20.0},
            "students_per_worker": {"a": s},
            "sticky": True,
            "server_cpu_s_per_request": 0.05,
            "worker_cpu_s": {"a": 10.0},
            "nginx_cpu_s": 0.1,
            "wall_s": 20.0,
            "peak_rss_mb": {"a": 1600.0},
            "load_avg_1min_start": 0.2,
            "load_avg_1min_end": 1.5,
        }
        for w, s in ((1, 30), (2, 60))
        for rep in (0, 1)
    ]
    text = room.block(j)
    assert "Every row was run 2 times (one line each)." in text
    assert (
        "in every run, with 4 sampling runs at once: 1 worker **30**, 2 workers **at least 60** (the most tried)"
        in text
    )
    assert text.count("| 2 | 60 × 20 + 4 |") == 2
