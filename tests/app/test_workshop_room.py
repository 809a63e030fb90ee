"""The workshop's room (issue 26): answers in SQLite shared by several app processes, releases, anonymous
summaries and CSV, the teacher's key; and the verdicts' fixes (no sign hint for a magnitude)."""

from __future__ import annotations

import csv
import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from diffusion_core.app.workshop import handlers
from diffusion_core.app.workshop.room import Room, distribution, export_csv, summary
from diffusion_core.validation import InputError

TITLES = list(handlers.exercises())
SIGMA = next(t for t, e in handlers.exercises().items() if e.check == "astronaut_sigma_max")
KURT = next(t for t, e in handlers.exercises().items() if e.check == "laplace_kurtosis_50")


def _write_many(db: str, who: str, n: int) -> None:
    room = Room(Path(db), "teacher-key")
    for i in range(n):
        room.record(f"ex{i % 3}", f"{who}-{i}", float(i), i % 2 == 0)


def test_two_processes_write_one_room_and_nothing_is_lost(tmp_path):
    """Two app processes record 60 answers each into one file at once: WAL journal, all 120 rows there."""
    db = str(tmp_path / "room.sqlite")
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(db, w, 60)) for w in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    room = Room(tmp_path / "room.sqlite", "teacher-key")
    assert len(room.answers()) == 120
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_one_answer_per_student_and_exercise_the_latest(tmp_path):
    room = Room(tmp_path / "r.sqlite", "teacher-key")
    room.record(SIGMA, "s1", -94.0, False)
    room.record(SIGMA, "s1", 94.0, True)  # the same student answers again
    room.record(SIGMA, "s2", 120.0, False)
    row = {r[0]: r[1:] for r in summary(room, TITLES)}[SIGMA]
    assert row == [2, 1, "no", "94 ×1, 120 ×1"]
    with pytest.raises(InputError, match="finite"):
        room.record(SIGMA, "s3", float("nan"), False)


def test_releases_are_exactly_the_chosen_ones_and_survive_a_restart(tmp_path):
    room = Room(tmp_path / "r.sqlite", "teacher-key")
    assert not room.is_released(SIGMA)
    room.set_released([SIGMA, KURT])
    room.set_released([KURT])
    again = Room(tmp_path / "r.sqlite", "another-key")  # a restarted app on the same file
    assert again.released() == [KURT] and not again.is_released(SIGMA)
    room.set_setting("room_address", "http://10.0.0.2:7860/")
    assert again.setting("room_address") == "http://10.0.0.2:7860/"
    room.clear()
    assert again.released() == [] and again.answers() == [] and again.setting("room_address")


def test_csv_has_every_answer_and_no_student_id(tmp_path):
    room = Room(tmp_path / "r.sqlite", "teacher-key")
    for s, v in (("alice-session", 94.0), ("bob-session", -94.0)):
        room.record(SIGMA, s, v, v == 94.0)
    text = export_csv(room).read_text()
    rows = list(csv.DictReader(text.splitlines()))
    assert [(r["exercise"], float(r["answer"]), r["right"]) for r in rows] == [(SIGMA, 94.0, "1"), (SIGMA, -94.0, "0")]
    assert "session" not in text


def test_the_key():
    room = Room.from_env("/tmp/unused.sqlite", "abc-123_XY")
    assert room.is_teacher("abc-123_XY") and not room.is_teacher("abc-123_XZ") and not room.is_teacher(None)
    assert "abc-123" not in repr(room)
    assert len(Room.from_env("/tmp/unused.sqlite").key) >= 12  # random when not given
    with pytest.raises(InputError, match="teacher key"):
        Room.from_env("/tmp/unused.sqlite", "a b")


def test_distribution_orders_by_count():
    assert distribution([94.0, 120.0, 94.0, -94.0, 93.98]) == "94 ×2, -94 ×1, 93.98 ×1, 120 ×1"


def test_no_sign_hint_for_a_magnitude_but_for_a_signed_value():
    """-94 for σ_max said "does the value go up or down?"; σ_max is a magnitude."""
    v, right, text = handlers.grade(SIGMA, "-94")
    assert (v, right) == (-94.0, False) and "magnitude" in text and "up or down" not in text
    assert "sign" in handlers.check_answer(KURT, "-0.739")  # kurtosis is signed: the hint stays
