"""The run history (SQLite): new / resolved / first seen / trend across runs, a run interrupted in
its transaction leaves the earlier runs as they were, and two processes recording at once do not
clash."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from isms_xl import history
from isms_xl.errors import WriteFailedError
from isms_xl.findings import Finding, Severity
from isms_xl.history import finding_key, record_run, state_path, trend

B02 = "ISMS-B-02_リスクアセスメント結果表.xlsx"
SHEET = "リスクアセスメント結果表"


def finding(rule: str, cell: str | None, record: str | None = None, severity: Severity = Severity.ERROR,
            value: object = None, form: str = "B-02", workbook: str = B02) -> Finding:
    return Finding(rule, severity, form, workbook, SHEET if cell else None, cell, record, value,
                   f"{rule} {record} {value}", f"{rule} {record} {value}")


A = finding("XREF-001", "B140", "R-139")
B = finding("RISK-001", "W20", "R-019")
C = finding("RISK-007", "X33", "R-032", Severity.WARNING)
D = finding("RISK-006", "N41", "R-040")
E = finding("READ-009", "S5", None, Severity.INFO, "旧管理番号")


def record(db: Path, findings: list[Finding], today: str = "2026-11-26") -> history.RunDelta:
    return record_run(db, findings, checked_at=f"{today}T02:00:00+00:00", today=today, version="test")


def rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def keys(findings) -> set[str]:
    return {finding_key(f) for f in findings}


@pytest.fixture()
def db(tmp_path) -> Path:
    return state_path(tmp_path)


# ------------------------------------------------------------------------------------------------
# new, resolved, first seen, trend


def test_state_path(tmp_path):
    assert state_path(tmp_path) == tmp_path / ".isms_xl" / "history.sqlite"
    assert state_path(tmp_path, tmp_path / "state") == tmp_path / "state" / "history.sqlite"


def test_first_run_has_nothing_new_or_resolved(db):
    delta = record(db, [A, B, E])
    assert delta.previous_run is None
    assert delta.new == [] and delta.resolved == []
    assert delta.first_seen == {finding_key(f): "2026-11-26" for f in (A, B, E)}


def test_second_run_new_and_resolved(db):
    first = record(db, [A, B, C], "2026-11-25")
    second = record(db, [B, C, D], "2026-11-26")  # A fixed, D added
    assert second.previous_run == first.run_id and second.run_id > first.run_id
    assert second.new == [D]
    assert [(r["rule"], r["record"], r["cell"], r["severity"], r["workbook"]) for r in second.resolved] == \
        [("XREF-001", "R-139", "B140", "error", B02)]
    assert set(second.first_seen) == keys([B, C, D])


def test_first_seen_is_kept_across_runs(db):
    record(db, [A], "2026-11-24")
    record(db, [A, B], "2026-11-25")
    delta = record(db, [A, B, C], "2026-11-26")
    assert delta.first_seen == {finding_key(A): "2026-11-24", finding_key(B): "2026-11-25",
                                finding_key(C): "2026-11-26"}
    assert delta.new == [C]


def test_a_row_inserted_above_does_not_make_a_finding_new(db):
    """Identity is rule, form, workbook, record and column: a row inserted above moves the cell."""
    record(db, [A], "2026-11-25")
    moved = finding("XREF-001", "B141", "R-139")
    delta = record(db, [moved], "2026-11-26")
    assert delta.new == [] and delta.resolved == []
    assert delta.first_seen == {finding_key(moved): "2026-11-25"}


def test_the_same_rule_at_another_record_is_another_finding(db):
    record(db, [A], "2026-11-25")
    other = finding("XREF-001", "B140", "R-140")
    delta = record(db, [other], "2026-11-26")
    assert delta.new == [other] and [r["record"] for r in delta.resolved] == ["R-139"]


def test_distinct_findings_at_one_cell_resolve_one_by_one(db):
    subjects = [finding("XREF-061", "A5", None, Severity.WARNING, s, "B-11", "ISMS-B-11_x.xlsx")
                for s in ("管理策の有効性", "供給者のパフォーマンス")]
    record(db, subjects, "2026-11-25")
    delta = record(db, subjects[:1], "2026-11-26")
    assert len(delta.resolved) == 1


def test_resolved_then_back_is_new_again(db):
    record(db, [A, B], "2026-11-24")
    assert [r["record"] for r in record(db, [B], "2026-11-25").resolved] == ["R-139"]
    delta = record(db, [A, B], "2026-11-26")
    assert delta.new == [A] and delta.resolved == []


def test_trend_oldest_first_with_counts(db):
    assert trend(db) == [] and not db.exists()  # reading no history creates none
    record(db, [A, B, C, E], "2026-11-24")
    record(db, [B, C], "2026-11-25")
    record(db, [], "2026-11-26")
    got = trend(db)
    assert [(t["today"], t["error"], t["warning"], t["info"]) for t in got] == [
        ("2026-11-24", 2, 1, 1), ("2026-11-25", 1, 1, 0), ("2026-11-26", 0, 0, 0)]
    assert [t["run"] for t in got] == sorted(t["run"] for t in got)
    assert [t["today"] for t in trend(db, limit=2)] == ["2026-11-25", "2026-11-26"]


def test_findings_are_stored_with_their_place(db):
    delta = record(db, [A, E])
    stored = rows(db, "SELECT rule, severity, form, workbook, sheet, cell, record FROM findings WHERE run_id = ? "
                      "ORDER BY rule", delta.run_id)
    assert stored == [("READ-009", "info", "B-02", B02, SHEET, "S5", None),
                      ("XREF-001", "error", "B-02", B02, SHEET, "B140", "R-139")]


# ------------------------------------------------------------------------------------------------
# Interrupted runs


class _FailingConnection:
    """A connection whose ``executemany`` raises on the n-th call: a run that fails midway through
    its transaction (after its ``runs`` row is inserted)."""

    def __init__(self, conn: sqlite3.Connection, exc: BaseException, on_call: int) -> None:
        self._conn, self._exc, self._left = conn, exc, on_call

    def executemany(self, *args):
        self._left -= 1
        if self._left == 0:
            raise self._exc
        return self._conn.executemany(*args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def _snapshot(db: Path) -> tuple:
    return (rows(db, "SELECT * FROM runs ORDER BY id"), rows(db, "SELECT * FROM findings ORDER BY rowid"),
            rows(db, "SELECT * FROM first_seen ORDER BY key"))


@pytest.mark.parametrize("exc", [sqlite3.OperationalError("disk I/O error"), KeyboardInterrupt()],
                         ids=["error", "ctrl-c"])
@pytest.mark.parametrize("on_call", [1, 2], ids=["findings", "first_seen"])
def test_a_failed_run_leaves_earlier_runs_intact(db, monkeypatch, exc, on_call):
    record(db, [A, B], "2026-11-24")
    record(db, [A, C], "2026-11-25")
    before = _snapshot(db)

    real = history._connect
    monkeypatch.setattr(history, "_connect", lambda path: _FailingConnection(real(path), exc, on_call))
    # A database error (a full disk) is the user's one-line WriteFailedError; Ctrl-C stays itself.
    with pytest.raises(WriteFailedError if isinstance(exc, sqlite3.Error) else type(exc)):
        record(db, [D], "2026-11-26")
    monkeypatch.setattr(history, "_connect", real)

    assert _snapshot(db) == before
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    # The next run compares with the last run that was recorded, not the failed one.
    delta = record(db, [C, D], "2026-11-27")
    assert delta.new == [D] and [r["record"] for r in delta.resolved] == ["R-139"]
    assert [t["today"] for t in trend(db)] == ["2026-11-24", "2026-11-25", "2026-11-27"]


_KILLED_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from isms_xl import history
    from isms_xl.findings import Finding, Severity

    db, marker = Path(sys.argv[1]), Path(sys.argv[2])
    real = history._connect

    class Stalling:
        def __init__(self, conn):
            self._conn = conn
        def executemany(self, *args):
            out = self._conn.executemany(*args)  # written, not committed
            marker.write_text("in transaction")
            time.sleep(60)
            return out
        def __getattr__(self, name):
            return getattr(self._conn, name)

    history._connect = lambda path: Stalling(real(path))
    findings = [Finding("RISK-006", Severity.ERROR, "B-02", "x.xlsx", "s", f"N{i}", f"R-{i}", None, "ja", "en")
                for i in range(1000)]
    history.record_run(db, findings, checked_at="2026-11-26T02:00:00", today="2026-11-26", version="killed")
""")


def test_a_killed_run_leaves_earlier_runs_intact(db, tmp_path):
    record(db, [A, B], "2026-11-24")
    record(db, [A, C], "2026-11-25")
    before = _snapshot(db)
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_CHILD, str(db), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the child ended before its transaction"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    assert _snapshot(db) == before
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    delta = record(db, [C, D], "2026-11-26")  # the killed writer's lock is gone
    assert delta.previous_run == before[0][-1][0]
    assert delta.new == [D] and [r["record"] for r in delta.resolved] == ["R-139"]


# ------------------------------------------------------------------------------------------------
# Two processes at once

RUNS_EACH = 20
PER_RUN = 2000  # findings per run: enough that the two writers' transactions overlap in time


def _record_many(db: str, worker: int, start, errors) -> None:
    try:
        for i in range(RUNS_EACH):
            findings = [Finding("RISK-006", Severity.ERROR, "B-02", B02, SHEET, f"N{n}", f"R-{worker}-{n}", None,
                                "ja", "en") for n in range(PER_RUN + i)]
            # Both writers start each run together, so every run contends with the other's for
            # the database (left to themselves, one process could finish all its runs first).
            start.wait(60)
            record_run(Path(db), findings, checked_at=f"{worker}-{i}", today="2026-11-26", version=str(worker))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        errors.put(f"{type(exc).__name__}: {exc}")
        raise


def test_two_processes_recording_at_once(db):
    ctx = multiprocessing.get_context("spawn")
    start, errors = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_record_many, args=(str(db), w, start, errors)) for w in (1, 2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == [] and [p.exitcode for p in workers] == [0, 0]

    runs = rows(db, "SELECT id, checked_at, version FROM runs ORDER BY id")
    assert len(runs) == 2 * RUNS_EACH
    for w in ("1", "2"):
        assert [c for _, c, v in runs if v == w] == [f"{w}-{i}" for i in range(RUNS_EACH)]  # in order
    # Each round's two runs are by different writers: the runs interleave round by round.
    for k in range(RUNS_EACH):
        assert {v for _, _, v in runs[2 * k:2 * k + 2]} == {"1", "2"}, runs[2 * k:2 * k + 2]
    counts = dict(rows(db, "SELECT run_id, count(*) FROM findings GROUP BY run_id"))
    for run_id, checked_at, _ in runs:
        assert counts[run_id] == PER_RUN + int(checked_at.split("-")[1])
    assert rows(db, "SELECT count(*) FROM first_seen") == [(2 * (PER_RUN + RUNS_EACH - 1),)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_state_folder_that_cannot_be_made_is_a_write_failure_naming_the_database(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    db = state_path(tmp_path, blocker / "state")
    with pytest.raises(WriteFailedError) as err:
        record(db, [A])
    assert str(db) in err.value.message_ja and "--state" in err.value.message_en
    assert int(err.value.exit_code) == 9 and blocker.read_text(encoding="utf-8") == "not a folder"
