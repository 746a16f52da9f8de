"""The reader's tolerance (spec/inputs.md "What people do to workbooks"): every one of the 28 demo
forms, mangled the way people edit workbooks for years (tests/messy.py), reads to the same typed
records — record by record, every column, at the cells the values moved to — with exactly the READ
findings the manglings must add (and the demo's seeded READ defects, moved with their cells).

Property-based: Hypothesis picks a random subset of manglings and a seed for the detailed choices
(which headers, which synonym, which spelling of which value, where rows and columns go).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from isms_xl.config import Config, load_config
from isms_xl.findings import flatten
from isms_xl.forms import FORMS
from isms_xl.reader import Form, read_form
from isms_xl.schema import Layout
from tests.messy import (
    MAX_CARD_PLAN,
    MAX_TABLE_PLAN,
    CardPlan,
    Mangled,
    SheetEdit,
    TablePlan,
    cached_values,
    load_workbook,
    mangle_card,
    mangle_table,
)

AS_OF = dt.date(2026, 11, 26)
# Heaviest first (most records or sheets): pytest-xdist hands tests out in order, so two workers
# then finish together.
_WEIGHT = {"B-02": 9, "B-15": 8, "B-18": 7, "B-17": 6, "B-09": 5, "B-01": 4, "B-24": 3, "B-12": 3, "B-06": 2, "B-16": 2}
TABLE_FORMS = sorted((fid for fid, spec in FORMS.items() if spec.layout is Layout.TABLE), key=lambda f: -_WEIGHT.get(f, 0))
CARD_FORMS = sorted((fid for fid, spec in FORMS.items() if spec.layout is Layout.CARD), key=lambda f: -_WEIGHT.get(f, 0))
EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Demo:
    folder: Path
    config: Config
    clean: dict[str, Form]
    defects: list[dict]

    def path(self, form_id: str) -> Path:
        return self.folder / FORMS[form_id].file_name()

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"Demo({self.folder})"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo") / "isms"
    generate_demo(folder, as_of=AS_OF)
    config = load_config(folder)
    clean = {fid: read_form(folder / spec.file_name(), config=config) for fid, spec in FORMS.items()}
    defects = json.loads((folder / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]
    return Demo(folder, config, clean, defects)


# --------------------------------------------------------------------------------------------
# The comparison

def _cells(record) -> dict[str, tuple[str, int, int]]:
    return {k: (ref.sheet, ref.row, ref.col) for k, ref in record.cells.items()}


def assert_same_records(clean: Form, mangled: Mangled, config: Config) -> Form:
    """Reading the copy gives exactly the expected READ findings, and the clean records: same ids
    in the same order, the same typed value in every column (None where a formula was left without
    a cached value), each at the cell its clean value moved to; embedded tables too."""
    got = read_form(mangled.path, config=config)
    why = f"manglings: {mangled.done}"
    assert flatten(got.findings, "rule", "sheet", "cell") == mangled.expected, why
    id_key = clean.spec.id_column.key
    assert [(r.sheet, r.values.get(id_key)) for r in got.records] == \
           [(r.sheet, r.values.get(id_key)) for r in clean.records], why
    for before, after in zip(clean.records, got.records):
        rid = before.values.get(id_key)
        cells = _cells(before)
        for key, value in before.values.items():
            want = None if cells.get(key) in mangled.blank_cells else value
            assert after.values.get(key) == want, f"{rid} {key}: {after.values.get(key)!r} != {want!r}; {why}"
        for key, (sheet, r, c) in cells.items():
            where = mangled.locate(sheet, r, c)
            ref = after.cell(key)
            assert ref is not None and (ref.sheet, ref.row, ref.col) == (sheet, *where), \
                f"{rid} {key}: read at {ref}, the value is at {where}; {why}"
        for text, value in before.extra.items():  # the user's own columns, kept untouched
            assert after.extra.get(text) == value, f"{rid} column {text!r}; {why}"
        for text, values in mangled.extras.items():
            assert (after.extra.get(text) or None) == values.get(before.row), f"{rid} column {text!r}; {why}"
        assert before.tables.keys() == after.tables.keys()
        for tkey, rows in before.tables.items():
            assert [r.values for r in after.tables[tkey]] == [r.values for r in rows], f"{rid} {tkey}; {why}"
            for b_row, a_row in zip(rows, after.tables[tkey]):
                for key, (sheet, r, c) in _cells(b_row).items():
                    ref = a_row.cell(key)
                    assert (ref.row, ref.col) == mangled.locate(sheet, r, c), f"{rid} {tkey}.{key}; {why}"
    if not mangled.block_deleted:
        assert {k: v for k, v in vars(got.doc).items() if k != "extra"} == \
               {k: v for k, v in vars(clean.doc).items() if k != "extra"}, why
        for key, ref in clean.doc_cells.items():
            moved = got.doc_cells[key]
            assert (moved.row, moved.col) == mangled.locate(ref.sheet, ref.row, ref.col), f"{key}; {why}"
    return got


def mangled_table(demo: Demo, form_id: str, plan: TablePlan, folder: Path) -> Mangled:
    return mangle_table(demo.path(form_id), folder / FORMS[form_id].file_name(), demo.clean[form_id], plan)


def mangled_card(demo: Demo, form_id: str, plan: CardPlan, folder: Path) -> Mangled:
    return mangle_card(demo.path(form_id), folder / FORMS[form_id].file_name(), demo.clean[form_id], plan)


# --------------------------------------------------------------------------------------------
# Property: any mix of manglings and spellings reads to the same records

shares = st.sampled_from([0.0, 0.3, 1.0])
seeds = st.integers(0, 2**31 - 1)

# Which manglings: every flag and count drawn independently (a random subset); the seed drives
# the spellings (synonym, English header, variants; era dates, 高/中/低, full-width digits …).
table_plans = st.builds(
    TablePlan, seed=seeds, respell=shares, rename=shares, extra=st.integers(0, 3), shuffle=st.booleans(),
    hide=st.integers(0, 3), blank_rows=st.integers(0, 3), totals=st.booleans(), two_row=st.booleans(),
    delete_block=st.booleans(), strip_top=st.booleans(), note_rows=st.integers(0, 14), top_rows=st.integers(0, 5),
    drop_names=st.booleans(), keep_formulas=st.booleans(), doc_respell=st.booleans(), freeze=st.booleans())
# Layout only, spellings only: shrink towards one kind of change.
table_layouts = st.builds(
    TablePlan, seed=seeds, extra=st.integers(0, 3), shuffle=st.booleans(), hide=st.integers(0, 3),
    blank_rows=st.integers(0, 3), totals=st.booleans(), two_row=st.booleans(), note_rows=st.integers(0, 24),
    top_rows=st.integers(0, 5))
table_spellings = st.builds(TablePlan, seed=seeds, respell=st.just(1.0), rename=st.just(1.0),
                            doc_respell=st.just(True))
card_plans = st.builds(
    CardPlan, seed=seeds, respell=shares, rename=shares, rename_tables=shares, permute_fields=st.booleans(),
    value_below=st.integers(0, 3), spacer_rows=st.integers(0, 3), top_rows=st.integers(0, 4),
    cover_top_rows=st.integers(0, 3), delete_block=st.booleans(), drop_names=st.booleans(),
    doc_respell=st.booleans(), sheets=st.sampled_from([0.2, 0.5, 1.0]))


def _examples(form_id: str) -> int:
    """Hypothesis examples per form: fewer for the big ones (B-02: 455 rows; B-15: 40 sheets), so
    the file stays under a minute on two cores."""
    return {"B-02": 10, "B-15": 8, "B-18": 10, "B-01": 15, "B-17": 12, "B-09": 12}.get(form_id, 25)


@pytest.mark.parametrize("form_id", TABLE_FORMS)
def test_mangled_table_form_reads_to_the_same_records(demo, form_id):
    @settings(EXAMPLES, max_examples=_examples(form_id))
    @given(plan=st.one_of(table_plans, table_layouts, table_spellings))
    @example(plan=TablePlan())
    # Found by Hypothesis: a merged two-row header whose lower row alone names every column.
    @example(plan=TablePlan(seed=1047, extra=2, shuffle=True, hide=1, blank_rows=3, totals=True, two_row=True))
    @example(plan=MAX_TABLE_PLAN)
    @example(plan=replace(MAX_TABLE_PLAN, seed=2, strip_top=True, extra=3, blank_rows=3))
    @example(plan=TablePlan(seed=0, respell=1.0, rename=1.0, extra=3, drop_names=True))
    def check(plan: TablePlan) -> None:
        with tempfile.TemporaryDirectory() as folder:
            assert_same_records(demo.clean[form_id], mangled_table(demo, form_id, plan, Path(folder)), demo.config)

    check()


@pytest.mark.parametrize("form_id", CARD_FORMS)
def test_mangled_card_form_reads_to_the_same_records(demo, form_id):
    @settings(EXAMPLES, max_examples=_examples(form_id) * 2 // 3)
    @given(plan=card_plans)
    @example(plan=CardPlan())
    @example(plan=MAX_CARD_PLAN)
    @example(plan=replace(MAX_CARD_PLAN, seed=2, delete_block=True))
    def check(plan: CardPlan) -> None:
        with tempfile.TemporaryDirectory() as folder:
            assert_same_records(demo.clean[form_id], mangled_card(demo, form_id, plan, Path(folder)), demo.config)

    check()


# --------------------------------------------------------------------------------------------
# The clean demo: the seeded READ defects are read where seeded_defects.json puts them

def _read_seeds() -> list[tuple[str, str]]:
    """(rule, form) of the demo's seeded READ defects (seeded_defects.json; the test checks it)."""
    return [("READ-001", "B-04"), ("READ-002", "B-03"), ("READ-003", "B-01"), ("READ-004", "B-14"),
            ("READ-005", "B-08"), ("READ-006", "B-01"), ("READ-007", "B-07"), ("READ-008", "B-03"),
            ("READ-009", "B-01")]


@pytest.mark.parametrize("rule, form_id", _read_seeds())
def test_clean_demo_reads_each_seeded_read_defect(demo, rule, form_id):
    seeded = sorted((d["rule"], d["sheet"], d["cell"]) for d in demo.defects
                    if d["form"] == form_id and d["rule"] == rule)
    assert seeded, f"the demo seeds no {rule} in {form_id}"
    found = [f for f in flatten(demo.clean[form_id].findings, "rule", "sheet", "cell") if f[0] == rule]
    assert found == seeded


def test_clean_demo_has_no_other_read_findings(demo):
    seeded = {(d["rule"], d["sheet"], d["cell"]) for d in demo.defects if d["rule"].startswith("READ-")}
    for form_id, form in demo.clean.items():
        for finding in flatten(form.findings, "rule", "sheet", "cell"):
            assert finding in seeded, f"{form_id}: unexpected {finding}"


# --------------------------------------------------------------------------------------------
# Each mangling alone adds exactly its findings (independent of tests/messy.py's bookkeeping)

# mangling -> the READ findings it adds (rule -> how many), per spec/inputs.md and checks.md
ADDS = {
    "respell": {}, "rename": {}, "shuffle": {}, "hide": {}, "totals": {}, "two_row": {}, "note_rows": {},
    "top_rows": {}, "drop_names": {}, "keep_formulas": {}, "doc_respell": {},
    "extra": {"READ-009": 2},  # one per column of the user's own
    "blank_rows": {"READ-005": 2},  # one per blank row between records
    "delete_block": {"READ-007": 1},  # "block missing", at A1 (the block's own READ-007/008 go)
    "strip_top": {"READ-007": 1},
}
ONE_AT_A_TIME = {
    "respell": dict(respell=1.0), "rename": dict(rename=1.0), "shuffle": dict(shuffle=True), "hide": dict(hide=3),
    "totals": dict(totals=True), "two_row": dict(two_row=True), "note_rows": dict(note_rows=10),
    "top_rows": dict(top_rows=4), "drop_names": dict(drop_names=True), "keep_formulas": dict(keep_formulas=True),
    "doc_respell": dict(doc_respell=True), "extra": dict(extra=2), "blank_rows": dict(blank_rows=2),
    "delete_block": dict(delete_block=True), "strip_top": dict(strip_top=True),
}


@pytest.mark.parametrize("form_id", ["A-02", "B-03", "B-05", "B-07", "B-08"])
@pytest.mark.parametrize("mangling", list(ONE_AT_A_TIME))
def test_each_table_mangling_adds_exactly_its_findings(demo, tmp_path, form_id, mangling):
    clean = demo.clean[form_id]
    m = mangled_table(demo, form_id, TablePlan(seed=7, **ONE_AT_A_TIME[mangling]), tmp_path)
    got = assert_same_records(clean, m, demo.config)
    before = Counter(f.rule for f in clean.findings)
    after = Counter(f.rule for f in got.findings)
    if mangling in ("delete_block", "strip_top"):
        for rule in ("READ-007", "READ-008"):
            before.pop(rule, None)
    assert after - before == Counter(ADDS[mangling]), m.done
    assert before - after == Counter(), m.done
    if mangling in ("delete_block", "strip_top"):
        assert ("READ-007", clean.sheets[0], "A1") in flatten(got.findings, "rule", "sheet", "cell")


@pytest.mark.parametrize("plan, header_row", [
    (TablePlan(strip_top=True), 0),  # the header on row 1
    (TablePlan(note_rows=25), 29),  # on row 30, the last the reader searches
    (TablePlan(two_row=True, note_rows=24, seed=5), 29),  # a two-row header ending on row 30
])
def test_header_anywhere_in_rows_1_to_30(demo, tmp_path, plan, header_row):
    m = mangled_table(demo, "B-08", plan, tmp_path)
    assert m.header_rows[1] == header_row, m.done
    got = assert_same_records(demo.clean["B-08"], m, demo.config)
    assert got.header_row == header_row


@pytest.mark.parametrize("mangling", ["respell", "rename", "rename_tables", "permute_fields", "value_below",
                                      "spacer_rows", "top_rows", "cover_top_rows", "delete_block", "drop_names"])
@pytest.mark.parametrize("form_id", ["B-12", "B-25"])
def test_each_card_mangling_alone(demo, tmp_path, form_id, mangling):
    value = {"respell": 1.0, "rename": 1.0, "rename_tables": 1.0, "permute_fields": True, "value_below": 3,
             "spacer_rows": 2, "top_rows": 3, "cover_top_rows": 2, "delete_block": True, "drop_names": True}[mangling]
    m = mangled_card(demo, form_id, CardPlan(seed=3, **{mangling: value}), tmp_path)
    got = assert_same_records(demo.clean[form_id], m, demo.config)
    want = [("READ-007", "表紙", "A1")] if mangling == "delete_block" else []
    assert flatten(got.findings, "rule", "sheet", "cell") == want


# --------------------------------------------------------------------------------------------
# Single inputs pinned one by one: what the manglings above (and the reader's own docstrings)
# promise. Strict xfail where the reader is still wrong (the lead fixes isms_xl/reader/, then the
# mark goes); the others failed at commit 3729801 and pass with preflight's defined names, tables
# and error cells.

def _edit(demo: Demo, form_id: str, sheet: str | None, tmp_path: Path, change) -> Path:
    src = demo.path(form_id)
    wb = load_workbook(src)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    edit = SheetEdit(ws, cached_values(src)[ws.title])
    change(edit)
    edit.flush()
    out = tmp_path / FORMS[form_id].file_name()
    wb.save(out)
    return out


def _last_record_row(form: Form) -> int:
    return max(r.row for r in form.records)


def test_totals_row_labelled_in_the_id_column_is_not_a_record(demo, tmp_path):
    clean = demo.clean["B-08"]
    row = _last_record_row(clean) + 1
    hours = clean.columns["hours"]

    def change(edit: SheetEdit) -> None:
        edit.set(row, clean.columns["course_id"], "合計")
        edit.set(row, hours, sum(r.values["hours"] or 0 for r in clean.records))

    got = read_form(_edit(demo, "B-08", None, tmp_path, change), config=demo.config)
    assert got.ids() == clean.ids()
    assert flatten(got.findings, "rule", "cell") == flatten(clean.findings, "rule", "cell")


def test_totals_row_labelled_beside_the_id_is_not_a_record(demo, tmp_path):
    clean = demo.clean["B-08"]
    row = _last_record_row(clean) + 1

    def change(edit: SheetEdit) -> None:
        edit.set(row, clean.columns["course"], "合計")
        edit.set(row, clean.columns["hours"], sum(r.values["hours"] or 0 for r in clean.records))

    got = read_form(_edit(demo, "B-08", None, tmp_path, change), config=demo.config)
    assert got.ids() == clean.ids()
    assert flatten(got.findings, "rule", "cell") == flatten(clean.findings, "rule", "cell")


def test_data_below_the_tables_end_is_read_005(demo, tmp_path):
    """A record typed under the end of the sheet's Excel table is read, with READ-005 (it failed at
    commit 3729801: preflight gave the reader no tables)."""
    clean = demo.clean["B-08"]
    holder = {}

    def change(edit: SheetEdit) -> None:
        ((_, (r0, c0, r1, c1)),) = edit.tables.items()
        holder["row"] = r1 + 1
        edit.set(r1 + 1, clean.columns["course_id"], "E2099-01")
        edit.set(r1 + 1, clean.columns["course"], "表の下に追加した教育")

    got = read_form(_edit(demo, "B-08", None, tmp_path, change), config=demo.config)
    assert got.ids() == clean.ids() + ["E2099-01"]
    from isms_xl.layout import a1

    assert ("READ-005", a1(holder["row"], 0)) in flatten(got.findings, "rule", "cell")


def _two_row_header(edit: SheetEdit, header_row: int, width: int, lower: set[int], groups=()) -> None:
    """Split the header over two rows: columns in ``lower`` written in the lower row, the others
    merged vertically; ``groups``: (first, last, title) written above, merged across when wanted."""
    edit.tables.clear()
    edit.move(lambda r, c: (r + 1, c) if r > header_row else (r, c))
    for c in range(width):
        if c in lower:
            edit.set(header_row + 1, c, edit.get(header_row, c))
            edit.set(header_row, c, None)
        else:
            edit.merges.append((header_row, c, header_row + 1, c))
    for first, last, title, merged in groups:
        edit.set(header_row, first, title)
        if merged:
            edit.merges.append((header_row, first, header_row, last))


def test_two_row_header_with_an_unmerged_group_title(demo, tmp_path):
    clean = demo.clean["A-02"]
    reasons = sorted(clean.columns[k] for k in ("reason_risk", "reason_legal", "reason_contract", "reason_other"))
    width = max(clean.columns.values()) + 1

    def change(edit: SheetEdit) -> None:
        for c, short in zip(reasons, ("リスク対応", "法令", "契約", "その他")):
            edit.set(clean.header_row, c, short)
        _two_row_header(edit, clean.header_row, width, set(reasons), [(reasons[0], reasons[-1], "採用理由", False)])

    got = read_form(_edit(demo, "A-02", None, tmp_path, change), config=demo.config)
    assert set(got.columns) == set(clean.columns)
    assert [r.values for r in got.records] == [r.values for r in clean.records]


def test_two_row_header_with_a_merged_group_title(demo, tmp_path):
    """The same header with 採用理由 merged across its four columns reads (the control case)."""
    clean = demo.clean["A-02"]
    reasons = sorted(clean.columns[k] for k in ("reason_risk", "reason_legal", "reason_contract", "reason_other"))
    width = max(clean.columns.values()) + 1

    def change(edit: SheetEdit) -> None:
        for c, short in zip(reasons, ("リスク対応", "法令", "契約", "その他")):
            edit.set(clean.header_row, c, short)
        _two_row_header(edit, clean.header_row, width, set(reasons), [(reasons[0], reasons[-1], "採用理由", True)])

    got = read_form(_edit(demo, "A-02", None, tmp_path, change), config=demo.config)
    assert set(got.columns) == set(clean.columns)
    assert [r.values for r in got.records] == [r.values for r in clean.records]
    assert flatten(got.findings, "rule", "cell") == []


def test_read_009_of_a_vertically_merged_header_points_at_its_text(demo, tmp_path):
    clean = demo.clean["B-01"]
    width = max(clean.columns.values()) + 2  # with 旧管理番号
    cia = sorted(clean.columns[k] for k in ("confidentiality", "integrity", "availability"))

    def change(edit: SheetEdit) -> None:
        _two_row_header(edit, clean.header_row, width, set(cia), [(cia[0], cia[-1], "CIA評価", True)])

    got = read_form(_edit(demo, "B-01", None, tmp_path, change), config=demo.config)
    read_009 = [f.cell for f in got.findings if f.rule == "READ-009"]
    assert read_009 == ["S5"]


def test_card_field_found_by_its_defined_name(demo, tmp_path):
    """A field whose label was retyped (重大度 → ★) is still found by its defined name isms_severity
    (it failed at commit 3729801: preflight gave the reader no defined names)."""
    clean = demo.clean["B-12"]
    rec = clean.records[0]
    ref = rec.cell("severity")

    def change(edit: SheetEdit) -> None:
        assert "isms_severity" in edit.names
        edit.set(ref.row, ref.col - 1, "★")

    got = read_form(_edit(demo, "B-12", rec.sheet, tmp_path, change), config=demo.config)
    assert got.records[0].values["severity"] == rec.values["severity"]
    assert got.records[0].cell("severity") == ref


def test_doc_block_found_by_its_defined_names(demo, tmp_path):
    """文書番号 relabelled 'No.': the block is still found by ISMS_DocNo (failed at commit 3729801)."""
    clean = demo.clean["B-08"]
    ref = clean.doc_cells["doc_number"]

    def change(edit: SheetEdit) -> None:
        edit.set(ref.row, ref.col - 1, "No.")

    got = read_form(_edit(demo, "B-08", None, tmp_path, change), config=demo.config)
    assert got.doc.doc_number == "ISMS-B-08"
    assert flatten(got.findings, "rule", "cell") == flatten(clean.findings, "rule", "cell")


@pytest.mark.parametrize("names", [
    "kept",
    "deleted",
])
def test_blank_row_inside_an_embedded_table_loses_nothing(demo, tmp_path, names):
    clean = demo.clean["B-25"]
    rec = clean.records[0]
    rows = rec.tables["inputs"]
    at = rows[2].row

    def change(edit: SheetEdit) -> None:
        edit.move(lambda r, c: (r + 1, c) if r >= at else (r, c))
        if names == "deleted":  # a card copied from another workbook, or drawn by hand
            edit.names.clear()

    got = read_form(_edit(demo, "B-25", rec.sheet, tmp_path, change), config=demo.config)
    assert [r.values for r in got.records[0].tables["inputs"]] == [r.values for r in rows]


def test_blank_doc_field_follows_a_column_inserted_through_the_block(demo, tmp_path):
    """B-07's 承認日 is blank (its seeded READ-007). A column inserted between the label and its
    value box, with the defined names gone: the finding points at the moved value box, as far
    right of its label as 制定日's value is of its own (it pointed at the new column's cell)."""
    clean = demo.clean["B-07"]
    ref = clean.doc_cells["approved_on"]

    def change(edit: SheetEdit) -> None:
        edit.move(lambda r, c: (r, c + 1) if c >= ref.col else (r, c))
        edit.names.clear()

    got = read_form(_edit(demo, "B-07", None, tmp_path, change), config=demo.config)
    moved = f"{chr(ord('A') + ref.col + 1)}{ref.row + 1}"
    assert ("READ-007", moved) in flatten(got.findings, "rule", "cell")
    assert got.doc_cells["approved_on"] == replace(ref, col=ref.col + 1)


@pytest.mark.parametrize("name", ["ISMS-B-01_情報資産台帳.xlsx", "リスク.xlsx"])
def test_fills_are_read_whatever_the_file_is_called(demo, tmp_path, name):
    """Style ids are collected only for a form with banded columns (B-02), judged first by the
    file's name: a B-02 saved under B-01's name is read again with them, so CALC-003 still sees
    its fills (the seeded wrong fill among them)."""
    import shutil

    clean = demo.clean["B-02"]
    assert clean.fills and clean.cell_info
    copy = tmp_path / name
    shutil.copyfile(demo.path("B-02"), copy)
    got = read_form(copy, config=demo.config)
    assert got.form_id == "B-02" and got.cell_info
    assert {k[1:]: v for k, v in got.fills.items()} == {k[1:]: v for k, v in clean.fills.items()}
    plain = read_form(demo.path("B-01"), config=demo.config)
    assert plain.cell_info and not plain.fills and "styles" not in plain.info.collected
