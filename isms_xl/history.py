"""The check history: every run and its findings in an SQLite database (in the folder's
``.isms_xl/`` or ``--state DIR``), so that reports can say what is new, what was resolved, since
when a finding is open, and how the counts moved over time.

Each run is recorded in one transaction: an interrupted run leaves the earlier runs as they were,
and two runs at once wait for each other (SQLite's lock, with a timeout) instead of clashing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from isms_xl.errors import WriteFailedError
from isms_xl.findings import Finding

DB_NAME = "history.sqlite"
STATE_DIR = ".isms_xl"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    checked_at TEXT NOT NULL,
    today TEXT NOT NULL,
    version TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    infos INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    form TEXT, workbook TEXT, sheet TEXT, cell TEXT, record TEXT,
    message_ja TEXT NOT NULL, message_en TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run_id);
CREATE TABLE IF NOT EXISTS first_seen (
    key TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
);
"""


def finding_key(f: Finding) -> str:
    """Identity across runs. The column, not the row, so that inserting rows above a finding does
    not make it look resolved and new again; the record id says which row."""
    column = "".join(ch for ch in (f.cell or "") if ch.isalpha()) if f.record else (f.cell or "")
    # Findings without a record at one place (a missing control at the SoA's header, a §9.1
    # subject without a review) differ by their value.
    value = "" if f.record else str(f.value if f.value is not None else "")
    return "|".join((f.rule, f.form or "", f.workbook or "", f.record or "", column, value))


@dataclass(frozen=True)
class RunDelta:
    run_id: int
    new: list[Finding]
    resolved: list[dict]  # the previous run's rows that are gone
    first_seen: dict[str, str]  # key -> date first seen (ISO)
    previous_run: int | None


def state_path(folder: Path, state_dir: Path | None = None) -> Path:
    base = Path(state_dir) if state_dir is not None else Path(folder) / STATE_DIR
    return base / DB_NAME


_LOCK_WAIT = 60.0  # seconds a run waits for another one's write (busy timeout)


@contextmanager
def _database(path: Path) -> Iterator[sqlite3.Connection]:
    """The history database, opened (and made, the first time); a state folder that cannot be
    made or written, or a full disk, is a WriteFailedError naming the database, not a crash."""
    try:
        conn = _connect(path)
    except (sqlite3.Error, OSError) as err:
        raise _cannot(path, err) from None
    try:
        yield conn
    except sqlite3.Error as err:
        raise _cannot(path, err) from None
    finally:
        conn.close()


def _cannot(path: Path, err: Exception) -> WriteFailedError:
    why = getattr(err, "strerror", None) or str(err)
    return WriteFailedError(f"{path}: 検査の履歴を記録できません（{why}）。--state で書き込めるフォルダーを指定してください",
                            f"{path}: cannot record the check's history ({why}); give a writable folder with --state")


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=_LOCK_WAIT, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={int(_LOCK_WAIT * 1000)}")
    try:
        _retry_while_locked(lambda: _use_wal(conn))
        _retry_while_locked(lambda: conn.executescript(_SCHEMA))
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    # WAL is a property of the file: set once, by whichever run creates the database.
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode=WAL")


def _retry_while_locked(step: Callable[[], object]) -> None:
    """Switching a new database to WAL needs it to itself, and SQLite answers "database is
    locked" at once (no busy wait) when another run is creating it at the same moment: two
    nightly runs started together on a fresh state folder. Try again until the lock wait."""
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def record_run(path: Path, findings: Iterable[Finding], *, checked_at: str, today: str, version: str) -> RunDelta:
    findings = list(findings)
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    with _database(path) as conn:
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time; readers keep reading
        try:
            prev = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
            before = {} if prev is None else {
                row[0]: row for row in conn.execute(
                    "SELECT key, rule, severity, form, workbook, sheet, cell, record, message_ja, message_en "
                    "FROM findings WHERE run_id = ?", (prev,))}
            cur = conn.execute("INSERT INTO runs (checked_at, today, version, errors, warnings, infos) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               (checked_at, today, version, counts["error"], counts["warning"], counts["info"]))
            run_id = cur.lastrowid
            keys = [finding_key(f) for f in findings]
            conn.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, k, f.rule, f.severity.value, f.form, f.workbook, f.sheet, f.cell, f.record,
                  f.message_ja, f.message_en) for k, f in zip(keys, findings)])
            conn.executemany("INSERT OR IGNORE INTO first_seen VALUES (?, ?)", [(k, today) for k in keys])
            first = dict(conn.execute(
                f"SELECT key, first_seen FROM first_seen WHERE key IN ({','.join('?' * len(keys))})", keys).fetchall()) \
                if keys else {}
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    now = set(keys)
    new = [f for k, f in zip(keys, findings) if prev is not None and k not in before]
    cols = ("key", "rule", "severity", "form", "workbook", "sheet", "cell", "record", "message_ja", "message_en")
    resolved = [dict(zip(cols, row)) for k, row in before.items() if k not in now]
    return RunDelta(run_id, new, resolved, first, prev)


def trend(path: Path, limit: int = 60) -> list[dict]:
    """The last ``limit`` runs, oldest first: date and counts by severity."""
    if not path.exists():
        return []
    with _database(path) as conn:
        rows = conn.execute("SELECT id, checked_at, today, errors, warnings, infos FROM runs "
                            "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [dict(zip(("run", "checked_at", "today", "error", "warning", "info"), r)) for r in reversed(rows)]
