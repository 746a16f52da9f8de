"""check_folder on whole folders: on the demo, the findings are exactly the seeded defects
(precision and recall 100 %, at the seeded cells), and a folder with missing forms, a personal
workbook, a truncated workbook, Excel's owner files and our backups is checked without a crash."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from isms_xl.check import check_folder, find_workbooks
from isms_xl.controls import parse_control_id
from isms_xl.demo import DEFAULT_SEED, generate_demo
from isms_xl.errors import ExitCode
from isms_xl.findings import Finding, Severity
from isms_xl.forms import FORMS
from isms_xl.rules.registry import RULES, load_builtin_rules

AS_OF = dt.date(2026, 11, 26)
WHERE = ("rule", "severity", "form", "workbook", "sheet", "cell")


def _where(row: dict) -> tuple:
    return tuple(row[k] for k in WHERE)


def _found(findings: list[Finding]) -> Counter:
    return Counter(_where(f.flat()) for f in findings)


def _seeded(defects: list[dict]) -> Counter:
    return Counter(_where(d) for d in defects)


def _assert_same(found: Counter, expected: Counter) -> None:
    missed, extra = expected - found, found - expected
    assert not missed and not extra, (f"missed (recall < 100 %): {sorted(missed.elements())}\n"
                                      f"extra (precision < 100 %): {sorted(extra.elements())}")


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    """Demo folders by (as-of date, seed), each written once per module."""
    made: dict[tuple[dt.date, int], Path] = {}

    def get(as_of: dt.date, seed: int = DEFAULT_SEED) -> Path:
        if (as_of, seed) not in made:
            folder = tmp_path_factory.mktemp("demo") / "isms"
            generate_demo(folder, as_of=as_of, seed=seed)
            made[as_of, seed] = folder
        return made[as_of, seed]

    return get


@pytest.fixture()
def demo(demos) -> Path:
    """The default demo; tests that change it work on a copy."""
    return demos(AS_OF)


@pytest.fixture()
def demo_copy(demo, tmp_path) -> Path:
    folder = tmp_path / "isms"
    shutil.copytree(demo, folder)
    return folder


def _defects(folder: Path) -> list[dict]:
    return json.loads((folder / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]


def _rules_needing(form_id: str) -> list[str]:
    load_builtin_rules()
    return sorted(r.rule_id for r in RULES.values() if form_id in r.forms)


# ------------------------------------------------------------------------------------------------
# Precision and recall on the demo


@pytest.mark.parametrize(("as_of", "seed"), [
    (AS_OF, DEFAULT_SEED),
    (dt.date(2025, 4, 15), DEFAULT_SEED),  # first month of a fiscal year: XREF-062 cannot be seeded
    (AS_OF, 7),
], ids=["default", "other-date", "other-seed"])
def test_demo_findings_are_exactly_the_seeded_defects(demos, as_of, seed):
    folder = demos(as_of, seed)
    defects = _defects(folder)
    run = check_folder(folder, today=as_of)

    assert run.problems == [] and run.missing_forms == []
    _assert_same(_found(run.findings), _seeded(defects))
    # The record too, wherever the seeded list names one.
    with_record = Counter(_where(d) + (d["record"],) for d in defects if d.get("record"))
    found_records = Counter(_where(f.flat()) + (f.record,) for f in run.findings)
    assert not with_record - found_records, sorted((with_record - found_records).elements())
    # Every finding names its place fully enough to click to it.
    for f in run.findings:
        assert f.message_ja and f.message_en
        if f.sheet is not None:
            assert f.cell and f.workbook and (run.folder / f.workbook).is_file()


def test_demo_other_date_really_differs(demos):
    """The parametrised dates and seeds must not all produce the same folder (else the test above
    checks one case three times)."""
    a, b, c = (_defects(demos(*key)) for key in [(AS_OF, DEFAULT_SEED), (AS_OF, 7), (dt.date(2025, 4, 15), DEFAULT_SEED)])
    assert a != b and a != c
    assert "XREF-062" in {d["rule"] for d in a} and "XREF-062" not in {d["rule"] for d in c}


def test_staff_without_pledge_is_reported_on_the_config(demo):
    """XREF-090 has no cell: the seeded defect is on isms_xl.toml, record = the person."""
    seeded = [d for d in _defects(demo) if d["rule"] == "XREF-090"]
    assert seeded and all(d["workbook"] == "isms_xl.toml" and d["sheet"] is None and d["cell"] is None
                          for d in seeded)
    found = [f for f in check_folder(demo, today=AS_OF).findings if f.rule == "XREF-090"]
    assert sorted((f.workbook, f.sheet, f.cell, f.record) for f in found) == \
        sorted(("isms_xl.toml", None, None, d["record"]) for d in seeded)


def test_soa_records_are_canonical_control_ids(demo):
    found = [f for f in check_folder(demo, today=AS_OF).findings if f.form == "A-02" and f.record]
    assert found and all(f.record == parse_control_id(f.record) for f in found)


# ------------------------------------------------------------------------------------------------
# Folders that are not complete or not clean


@pytest.mark.parametrize("form_id", ["B-08", "B-01"])
def test_missing_form_skips_its_rules_with_one_info_each(demo_copy, form_id):
    (demo_copy / FORMS[form_id].file_name()).unlink()
    run = check_folder(demo_copy, today=AS_OF)

    assert run.missing_forms == [form_id]
    assert run.problems == []
    needing = _rules_needing(form_id)
    assert needing
    skipped = [f for f in run.findings if f.severity is Severity.INFO and f.workbook is None and f.rule in needing]
    assert sorted(f.rule for f in skipped) == needing  # one each
    for f in skipped:
        assert f.form == form_id and form_id in f.message_ja and form_id in f.message_en
    # Everything else is as on the complete folder: the seeded defects of other forms and rules.
    expected = _seeded([d for d in _defects(demo_copy) if d["form"] != form_id and d["rule"] not in needing])
    expected.update(_where(f.flat()) for f in skipped)
    _assert_same(_found(run.findings), expected)


def test_a_personal_workbook_is_noted_and_skipped(demo_copy):
    import openpyxl

    (demo_copy / "個人用").mkdir()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "買い物メモ"
    wb.save(demo_copy / "個人用" / "メモ.xlsx")
    run = check_folder(demo_copy, today=AS_OF)

    assert [(p.workbook, p.kind) for p in run.problems] == [(str(Path("個人用") / "メモ.xlsx"), "not_a_form")]
    assert run.problems[0].message_en and run.problems[0].message_ja
    assert run.unreadable == []
    _assert_same(_found(run.findings), _seeded(_defects(demo_copy)))


def test_a_truncated_workbook_is_unreadable_not_fatal(demo_copy):
    path = demo_copy / FORMS["B-08"].file_name()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    run = check_folder(demo_copy, today=AS_OF)

    assert [(p.workbook, p.kind) for p in run.problems] == [(path.name, "unreadable")]
    problem = run.problems[0]
    assert run.unreadable == [problem]
    assert problem.exit_code == ExitCode.NOT_A_WORKBOOK
    assert path.name in problem.message_en
    # The unreadable form counts as missing: its rules are skipped, the rest is checked as usual.
    assert run.missing_forms == ["B-08"]
    needing = _rules_needing("B-08")
    expected = _seeded([d for d in _defects(demo_copy) if d["form"] != "B-08" and d["rule"] not in needing])
    expected.update((r, "info", "B-08", None, None, None) for r in needing)
    _assert_same(_found(run.findings), expected)


def test_owner_files_and_backups_are_ignored(demo, demo_copy):
    b01 = FORMS["B-01"].file_name()
    # Excel's owner file: 165 bytes, not a zip. Read as a workbook it would be "unreadable".
    (demo_copy / f"~${b01}").write_bytes(b"\x0bsato hanako" + b" " * 41 + b"\x00" * 112)
    (demo_copy / f".~lock.{b01}#").write_text("sato,host,2026-11-26", encoding="utf-8")
    backups = demo_copy / ".isms_xl_backup" / "2026-11-25"
    backups.mkdir(parents=True)
    shutil.copy2(demo_copy / b01, backups / b01)  # read, it would be a "duplicate" B-01
    (demo_copy / ".isms_xl").mkdir()
    shutil.copy2(demo_copy / b01, demo_copy / ".isms_xl" / b01)

    assert [p.name for p in find_workbooks(demo_copy)] == [p.name for p in find_workbooks(demo)]
    run = check_folder(demo_copy, today=AS_OF)
    assert run.problems == []
    _assert_same(_found(run.findings), _seeded(_defects(demo_copy)))


def test_a_second_copy_of_a_form_is_a_duplicate_problem(demo_copy):
    b01 = FORMS["B-01"].file_name()
    (demo_copy / "old").mkdir()
    shutil.copy2(demo_copy / b01, demo_copy / "old" / b01)
    run = check_folder(demo_copy, today=AS_OF)

    assert [(p.workbook, p.kind) for p in run.problems] == [(str(Path("old") / b01), "duplicate")]
    assert b01 in run.problems[0].message_en
    assert run.unreadable == []
    _assert_same(_found(run.findings), _seeded(_defects(demo_copy)))


def test_a_run_records_where_its_time_went(demo):
    start = time.perf_counter()
    run = check_folder(demo, today=AS_OF)
    wall = time.perf_counter() - start
    assert set(run.timings) == {"read", "rules"}
    assert all(seconds > 0 for seconds in run.timings.values())
    assert sum(run.timings.values()) <= wall


def _snapshot(forms) -> dict:
    """Everything a rule could change of the records, as plain data."""
    def record(r):
        return (r.sheet, r.row, dict(r.columns or {}), dict(r.field_cells or {}), repr(r.values), repr(r.raw),
                repr(r.extra), {k: [record(x) for x in rows] for k, rows in r.tables.items()})
    return {fid: [record(r) for r in form.records] for fid, form in forms.items()}


@pytest.mark.parametrize("seed", [DEFAULT_SEED, 7])
def test_no_rule_changes_a_record(demos, seed):
    """The rules share columns built once per run (CheckContext.column, the recompute's shared
    inputs): that is right only while no rule changes a record. Every rule, on the seeded demo."""
    from isms_xl.check import _read_all
    from isms_xl.config import load_config
    from isms_xl.rules.registry import CheckContext, run_rules

    folder = demos(AS_OF, seed)
    config = load_config(folder)
    forms = {f.form_id: f for _, read in _read_all(find_workbooks(folder), config) if isinstance(read, list)
             for f in read}
    before = _snapshot(forms)
    findings = list(run_rules(CheckContext(forms, config, AS_OF, folder)))
    assert len(findings) > 40  # the rules really ran over the seeded defects
    assert _snapshot(forms) == before


def test_the_largest_workbooks_are_read_first_and_given_back_in_folder_order(tmp_path, monkeypatch):
    """A folder's reading time is mostly its largest register: it starts first whatever its name."""
    import isms_xl.check as check

    sizes = {"a.xlsx": 10, "b.xlsx": 5_000, "c.xlsx": 20, "d.xlsx": 90_000, "e.xlsx": 1}
    paths = []
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
        paths.append(tmp_path / name)
    started: list[str] = []
    monkeypatch.setattr(check, "_READERS", 1)  # one reader: the order it is given is the order it reads
    monkeypatch.setattr(check, "read_workbook", lambda path, config: started.append(path.name) or [path.name])
    given = [(path.name, read) for path, read in check._read_all(paths, None)]
    assert started == ["d.xlsx", "b.xlsx", "c.xlsx", "a.xlsx", "e.xlsx"]
    assert given == [(name, [name]) for name in sizes]
