"""The room a teacher runs: students' answers, the answers released, the room's address, in one SQLite file.

Several app processes may serve one room, so nothing lives in memory: every call opens the file, runs one
short transaction and closes it (WAL journal, so readers never wait for a writer; a busy timeout, so two
writers queue instead of failing). Students are anonymous: an answer is stored under the session's random
id only, which no view and no export shows. No gradio here (the workshop layout binds it).
"""

from __future__ import annotations

import hmac
import math
import os
import secrets
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ...exports import write_csv
from ...validation import InputError

DB_ENV = "DIFFLAB_ROOM_DB"
KEY_ENV = "DIFFLAB_TEACHER_KEY"
DATA_DIR = Path("difflab-data")  # relative to where the app runs, unless $DIFFLAB_ROOM_DB names the file
SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    exercise TEXT NOT NULL, student TEXT NOT NULL, value REAL NOT NULL, correct INTEGER NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (exercise, student));
CREATE TABLE IF NOT EXISTS released (exercise TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Room:
    """Where the room's answers live and the key that opens the teacher's view (fixed when the app starts)."""

    db: Path
    key: str = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < 6 or not self.key.isascii() or not self.key.replace("-", "").replace("_", "").isalnum():
            raise InputError("the teacher key must be at least 6 letters, digits, '-' or '_'")

    @staticmethod
    def from_env(db: str | Path | None = None, key: str | None = None) -> Room:
        """The room from the given values, else $DIFFLAB_ROOM_DB / $DIFFLAB_TEACHER_KEY, else
        ./difflab-data/room.sqlite and a fresh random key."""
        path = Path(db or os.environ.get(DB_ENV) or DATA_DIR / "room.sqlite")
        return Room(path, key or os.environ.get(KEY_ENV) or secrets.token_urlsafe(9))

    def is_teacher(self, given: str | None) -> bool:
        """True when `given` (the request's ?teacher= value) is this room's key (constant-time compare)."""
        return bool(given) and hmac.compare_digest(str(given).encode(), self.key.encode())

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One short transaction on a fresh connection (committed on success, rolled back on error)."""
        self.db.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.db, timeout=15.0)) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=15000")
            con.executescript(SCHEMA)
            with con:
                yield con

    # -- students -------------------------------------------------------------------------------------

    def record(self, exercise: str, student: str, value: float, correct: bool) -> None:
        """A student's latest answer to an exercise (one per student and exercise)."""
        if not math.isfinite(value):
            raise InputError("answer must be a finite number")
        with self._tx() as con:
            con.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?) ON CONFLICT (exercise, student) DO UPDATE SET "
                "value = excluded.value, correct = excluded.correct, at = excluded.at",
                (exercise, student, float(value), int(correct), time.time()),
            )

    def is_released(self, exercise: str) -> bool:
        with self._tx() as con:
            return con.execute("SELECT 1 FROM released WHERE exercise = ?", (exercise,)).fetchone() is not None

    # -- the teacher ----------------------------------------------------------------------------------

    def released(self) -> list[str]:
        with self._tx() as con:
            return [r[0] for r in con.execute("SELECT exercise FROM released ORDER BY at")]

    def set_released(self, exercises: list[str]) -> None:
        """Exactly these exercises' answers are released (the others are hidden again)."""
        with self._tx() as con:
            marks = ",".join("?" * len(exercises))  # placeholders only: the titles travel as parameters
            con.execute(f"DELETE FROM released WHERE exercise NOT IN ({marks})", exercises)
            con.executemany("INSERT OR IGNORE INTO released VALUES (?, ?)", [(e, time.time()) for e in exercises])

    def setting(self, name: str) -> str | None:
        with self._tx() as con:
            row = con.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            return row[0] if row else None

    def set_setting(self, name: str, value: str) -> None:
        with self._tx() as con:
            if value:
                con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, value))
            else:
                con.execute("DELETE FROM settings WHERE name = ?", (name,))

    def answers(self) -> list[tuple[str, float, bool, float]]:
        """Every stored answer, anonymous: (exercise, value, correct, unix time), oldest first."""
        with self._tx() as con:
            rows = con.execute("SELECT exercise, value, correct, at FROM answers ORDER BY at").fetchall()
        return [(e, v, bool(c), t) for e, v, c, t in rows]

    def clear(self) -> None:
        """Forget every answer and release (a new class); the room address stays."""
        with self._tx() as con:
            con.execute("DELETE FROM answers")
            con.execute("DELETE FROM released")


def distribution(values: list[float]) -> str:
    """'94 ×3, −94 ×1': each distinct answer (4 significant digits) with its count, most frequent first."""
    counts = Counter(f"{v:.4g}" for v in values)
    return ", ".join(f"{v} ×{n}" for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], float(kv[0]))))


def summary(room: Room, titles: list[str]) -> list[list]:
    """One row per exercise: [exercise, students who answered, right, answer released, distribution]."""
    by: dict[str, list[tuple[float, bool]]] = {t: [] for t in titles}
    for ex, v, ok, _ in room.answers():
        by.setdefault(ex, []).append((v, ok))
    released = set(room.released())
    return [
        [t, len(rows), sum(ok for _, ok in rows), "yes" if t in released else "no", distribution([v for v, _ in rows])]
        for t, rows in by.items()
    ]


def export_csv(room: Room) -> Path:
    """Every answer as CSV (exercise, answer, right, time); no student ids."""
    rows = room.answers()
    return write_csv(
        "room-answers",
        {
            "exercise": [r[0] for r in rows],
            "answer": [r[1] for r in rows],
            "right": [int(r[2]) for r in rows],
            "answered_at_utc": [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(r[3])) for r in rows],
        },
    )
