"""migrate-soa on workbooks: a random 2013 SoA, the demo's SoA taken back to 2013 and forward again,
the risk forms' control references, and what is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from isms_xl.catalog import NEW_IN_2022, load_catalog
from isms_xl.controls import parse_controls, short_id
from isms_xl.demo import generate_demo
from isms_xl.errors import OutputExistsError, UnknownFormError
from isms_xl.forms import FORMS
from isms_xl.io.patch import CellPatch, patch_workbook
from isms_xl.migrate.run import migrate_soa_file
from isms_xl.migrate.soa import UNDECIDED, sources_by_control, targets_by_control
from isms_xl.reader import read_form, read_workbook
from tests.soa2013 import random_rows, write_soa_2013

TODAY = dt.date(2026, 11, 26)
TARGETS = targets_by_control()
SOURCES = sources_by_control()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_errors(form):
    return [f for f in form.findings if f.rule.startswith("READ") and f.severity.value == "error"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=TODAY)
    return folder


def test_random_2013_soa_migrates(tmp_path):
    rows = random_rows(random.Random(20261126))
    old = write_soa_2013(tmp_path / "old.xlsx", rows)
    before = sha(old)
    result = migrate_soa_file(old, tmp_path / "out" / "new.xlsx", today=TODAY)
    assert sha(old) == before
    form = read_form(result.soa)
    ids = [r.values["control_id"] for r in form.records]
    assert Counter(ids) == Counter(c.control_id for c in load_catalog("2022").controls)
    got = {r.values["control_id"]: r for r in form.records}
    decided = {r["control_id"]: r["applicable"] for r in rows}
    for source, targets in TARGETS.items():
        for target in targets:
            if decided[source] == "○":
                assert got[target].values["applicable"] == "○", (source, target)
            elif all(decided[s] == "×" for s in SOURCES[target]):
                assert got[target].values["applicable"] == "×", (source, target)
    # What the reader says is exactly the decisions a person still has to take: 要判断 in 適用.
    errors = read_errors(form)
    column = form.columns["applicable"]
    undecided = {r.row for r in form.records if r.raw.get("applicable") == UNDECIDED}
    assert len(undecided) == 11
    assert {(f.rule, f.cell) for f in errors} == {("READ-003", f"{'ABCDEFGHIJKL'[column]}{row + 1}") for row in undecided}
    assert {short_id(c) for c in NEW_IN_2022} == {r.values["control_id"][2:] for r in form.records
                                                  if r.raw.get("applicable") == UNDECIDED}
    assert form.doc.version == "2.0" and form.doc.revised_on == TODAY
    # The report lists all 93 controls with their sources, in both files.
    wb = openpyxl.load_workbook(result.report_xlsx, read_only=True)
    sheet = wb.worksheets[0]
    listed = [r[0] for r in sheet.iter_rows(min_row=7, values_only=True) if r[0]]
    assert listed == [short_id(c.control_id) for c in load_catalog("2022").controls]
    text = result.report_text.read_text(encoding="utf-8")
    assert all(f"\n{short_id(cid)}\t" in text for cid in NEW_IN_2022)
    assert "A.18.2.3" in text and "要判断" in text


def _demo_as_2013(demo: Path, out: Path) -> dict[str, object]:
    """The demo's SoA written on 2013: each 2013 control takes the row of the 2022 control it
    maps to (the split A.18.2.3 that of 5.36)."""
    soa = read_form(next(demo.glob("ISMS-A-02_*.xlsx")))
    by_2022 = {r.values["control_id"]: r.values for r in soa.records if r.values.get("control_id")}
    rows = []
    for c in load_catalog("2013").controls:
        target = TARGETS[c.control_id][0]
        if target not in by_2022:
            continue  # the demo seeds a missing control; its sources stay missing too
        values = dict(by_2022[target])
        values["control_id"], values["control_name"] = c.control_id, c.title_ja
        rows.append(values)
    write_soa_2013(out, rows)
    return {k: v.get("applicable") for k, v in by_2022.items()}


def test_demo_round_trip_keeps_one_to_one_decisions(demo, tmp_path):
    original = _demo_as_2013(demo, tmp_path / "soa2013.xlsx")
    result = migrate_soa_file(tmp_path / "soa2013.xlsx", tmp_path / "soa2022.xlsx", today=TODAY)
    back = {r.values["control_id"]: r for r in read_form(result.soa).records}
    compared = 0
    for control in result.report.migration.controls:
        if control.kind != "one-to-one" or control.control_id not in original:
            continue
        expected = original[control.control_id] or UNDECIDED
        record = back[control.control_id]
        assert (record.values["applicable"] or record.raw.get("applicable")) == expected, control.control_id
        compared += 1
    assert compared >= 55


def test_risk_form_references_are_migrated_into_copies(demo, tmp_path):
    """B-02/B-03 of the demo taken back to 2013 ids, then migrated: the copies hold the 2022 ids
    again, only those cells changed, and the originals are untouched."""
    src = tmp_path / "isms2013"
    src.mkdir()
    _demo_as_2013(demo, src / "ISMS-A-02_適用宣言書.xlsx")
    first_source = {t: s[0] for t, s in SOURCES.items() if s}
    expected: dict[tuple[str, str, int, int], str] = {}
    unchanged = 0  # cells naming only controls new in 2022: nothing to migrate
    for form_id in ("B-02", "B-03"):
        path = next(demo.glob(f"ISMS-{form_id}_*.xlsx"))
        form = read_form(path)
        patches = []
        for record in form.records:
            ids = record.values.get("controls") or ()
            if not ids:
                continue
            old = [first_source.get(cid, cid) for cid in ids]  # new-in-2022 controls stay as they are
            unchanged += old == list(ids)
            cell = record.cell("controls")
            patches.append(CellPatch(cell.sheet, cell.row, cell.col, ", ".join(old)))
            expected[(path.name, cell.sheet, cell.row, cell.col)] = ", ".join(short_id(c) for c in ids)
        patch_workbook(path, src / path.name, patches)
    shutil.copy(next(demo.glob("ISMS-B-01_*.xlsx")), src)  # no control column: not copied
    hashes = {p.name: sha(p) for p in src.iterdir()}
    out = tmp_path / "isms2022"
    result = migrate_soa_file(src / "ISMS-A-02_適用宣言書.xlsx", out / "ISMS-A-02_適用宣言書.xlsx",
                              forms_dir=src, today=TODAY)
    assert {p.name: sha(p) for p in src.iterdir()} == hashes
    assert sorted(p.name for p in result.copies) == sorted(p for p in hashes if "B-02" in p or "B-03" in p)
    assert len(expected) > 20 and len(result.report.refs) == len(expected) - unchanged
    for copy in result.copies:
        form = read_workbook(copy)[0]
        original = read_workbook(src / copy.name)[0]
        assert Counter(f.rule for f in read_errors(form)) == Counter(f.rule for f in read_errors(original))
        for record in form.records:
            cell = record.cell("controls")
            key = (copy.name, cell.sheet, cell.row, cell.col)
            if key in expected:
                written = ", ".join(short_id(c) for c in parse_controls(expected[key]).ids)
                got = ", ".join(short_id(c) for c in record.values["controls"])
                assert got == written, key
    assert any(r.form == "B-03" for r in result.report.refs)


def test_split_reference_gets_both_and_a_note(demo, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _demo_as_2013(demo, src / "soa.xlsx")
    path = next(demo.glob("ISMS-B-02_*.xlsx"))
    record = read_form(path).records[0]
    cell = record.cell("controls")
    patch_workbook(path, src / path.name, [CellPatch(cell.sheet, cell.row, cell.col, "A.18.2.3、9.4.1")])
    result = migrate_soa_file(src / "soa.xlsx", tmp_path / "out" / "soa.xlsx", forms_dir=src, today=TODAY)
    (ref,) = result.report.refs
    assert (ref.old, ref.new) == ("A.18.2.3、9.4.1", "5.36, 8.8, 8.3")
    assert "A.18.2.3" in ref.note_ja and "8.8" in ref.note_en
    assert read_form(result.copies[0]).records[0].values["controls"] == ("A.5.36", "A.8.8", "A.8.3")


def test_refuses_existing_outputs_and_inputs_as_outputs(tmp_path):
    old = write_soa_2013(tmp_path / "old.xlsx", random_rows(random.Random(1)))
    new = tmp_path / "new.xlsx"
    new.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError):
        migrate_soa_file(old, new, today=TODAY)
    assert new.read_bytes() == b"keep me"
    assert not (tmp_path / "new_migration_report.xlsx").exists()
    with pytest.raises(OutputExistsError):
        migrate_soa_file(old, old, force=True, today=TODAY)
    migrate_soa_file(old, new, force=True, today=TODAY)
    assert len(read_form(new).records) == 93


def test_refuses_a_2022_soa(demo, tmp_path):
    with pytest.raises(UnknownFormError) as err:
        migrate_soa_file(next(demo.glob("ISMS-A-02_*.xlsx")), tmp_path / "x.xlsx", today=TODAY)
    assert "2022" in err.value.message_en
    assert not (tmp_path / "x.xlsx").exists()


def test_a02_spec_unchanged_by_migration():
    # The migration writes the project's own A-02: the same columns the reader and checks use.
    assert [c.key for c in FORMS["A-02"].columns][:3] == ["control_id", "control_name", "applicable"]


def test_copies_in_a_sub_folder_are_not_migrated_again(demo, tmp_path):
    src = tmp_path / "isms"
    src.mkdir()
    _demo_as_2013(demo, src / "soa.xlsx")
    shutil.copy(next(demo.glob("ISMS-B-03_*.xlsx")), src)
    out = src / "2022"
    first = migrate_soa_file(src / "soa.xlsx", out / "soa.xlsx", forms_dir=src, forms_out=out, today=TODAY)
    again = migrate_soa_file(src / "soa.xlsx", out / "soa.xlsx", forms_dir=src, forms_out=out, today=TODAY, force=True)
    assert [p.name for p in first.copies] == [p.name for p in again.copies] == [next(demo.glob("ISMS-B-03_*.xlsx")).name]
    assert not (out / "2022").exists()


def test_refuses_an_soa_without_decisions(tmp_path):
    from tests.foreign import write_sheet

    src = write_sheet(tmp_path / "ISMS-A-02_old.xlsx", "適用宣言書", [["管理策番号", "管理策", "備考"]],
                      [["A.5.1.1", "方針", None], ["A.5.1.2", "見直し", None]])
    with pytest.raises(UnknownFormError) as err:
        migrate_soa_file(src, tmp_path / "new.xlsx", today=TODAY)
    assert "Applicable" in err.value.message_en and not (tmp_path / "new.xlsx").exists()
