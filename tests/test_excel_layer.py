"""The Excel layer against real xlwings Books on the remote engine: what the buttons send to Excel.

A demo B-02 gets constants typed over its computed cells (wrong values, as people do); the book
Excel would hold is the saved file's values. Recompute must send back exactly the template's
formulas for those cells (which recompute_workbook, on the file, also restores and whose values
it computes) and every band colour; check must write one row per finding of the folder, with the
open book's unsaved edits counted.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.xlbooks import (
    actions,
    file_formulas,
    file_grids,
    file_names,
    remote_book,
    requires_remote,
)

pytestmark = requires_remote

AS_OF = dt.date(2026, 11, 26)
B02_FILE = "ISMS-B-02_リスクアセスメント結果表.xlsx"
SHEET = "リスクアセスメント結果表"
RISK, EVALUATION, RESIDUAL, RESIDUAL_EVALUATION = 9, 10, 17, 18  # B-02's computed columns in the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=AS_OF)
    return folder


def _records(path: Path):
    from isms_xl.reader import read_form

    return read_form(path).records


@pytest.fixture(scope="module")
def seeded(demo, tmp_path_factory) -> tuple[Path, dict[tuple[int, int], object]]:
    """A copy of the demo B-02 with four computed cells typed over by wrong constants (their
    correct values kept, by cell)."""
    from isms_xl.io.patch import CellPatch, patch_in_place

    path = tmp_path_factory.mktemp("seeded") / B02_FILE
    shutil.copy(demo / B02_FILE, path)
    records = _records(path)
    wrong = {}
    residual = next(i for i in range(120, len(records)) if records[i].values["residual_risk"] is not None)
    for index, col, key, bad in ((10, RISK, "risk_value", 99), (200, RISK, "risk_value", 1),
                                 (300, EVALUATION, "evaluation", "要確認"), (residual, RESIDUAL, "residual_risk", 77)):
        record = records[index]
        assert record.values[key] is not None and record.values[key] != bad
        wrong[(record.row, col)] = record.values[key]
        patch_in_place(path, [CellPatch(SHEET, record.row, col, bad, keep_formula=False)], backups=0)
    return path, wrong


def _book(path: Path, edit=None):
    grids = file_grids(path)
    if edit:
        edit(grids)
    return remote_book(path.name, grids)


def _by_func(book) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for a in actions(book):
        out.setdefault(a["func"], []).append(a)
    return out


def test_recompute_sends_exactly_the_template_formulas_for_the_wrong_cells(demo, seeded):
    from isms_xl.apply import plan_workbook
    from isms_xl.excel import layer

    path, wrong = seeded
    book = _book(path)
    out = layer.recompute(book)
    sent = _by_func(book)
    assert set(sent) == {"setFormula", "setRangeColors", "alert"}

    # The cells the blocks write, and what: every one is the template's own formula.
    template = file_formulas(demo / B02_FILE, SHEET)
    written = {}
    for a in sent["setFormula"]:
        assert a["sheet_position"] == 0
        for i, line in enumerate(a["values"]):
            for j, content in enumerate(line):
                written[(a["start_row"] + i, a["start_column"] + j)] = content
    assert all(written[cell] == template[cell] for cell in written)
    assert set(wrong) <= set(written)
    # Two blocks, one per run of computed columns with a wrong cell, spanning only those rows.
    assert sorted((a["start_column"], a["column_count"]) for a in sent["setFormula"]) == [(RISK, 2), (RESIDUAL, 2)]
    rows_risk = [r for r, c in wrong if c in (RISK, EVALUATION)]
    risk_block = next(a for a in sent["setFormula"] if a["start_column"] == RISK)
    assert (risk_block["start_row"], risk_block["row_count"]) == (min(rows_risk), max(rows_risk) - min(rows_risk) + 1)

    # The file-based recompute finds the same cells wrong, restores the same formulas and computes
    # the values the demo had before the constants were typed over.
    changes = {(c.cell.row, c.cell.col): c for c in plan_workbook(path).changes if c.value_changed}
    assert set(changes) == set(wrong) == {(c.row, c.col) for c in out.plan.written}
    for cell, change in changes.items():
        assert "=" + change.formula == written[cell]
        assert change.new == wrong[cell]


def test_recompute_paints_every_band_and_fixes_the_seeded_fill(demo, seeded):
    from isms_xl.excel import layer
    from isms_xl.method import Method

    path, _wrong = seeded
    book = _book(path)
    layer.recompute(book, show=False)
    paints = _by_func(book)["setRangeColors"]
    columns = [RISK, EVALUATION, RESIDUAL, RESIDUAL_EVALUATION]
    assert sorted((a["start_column"], a["column_count"]) for a in paints) == [(c, 1) for c in columns]
    grid = file_grids(demo / B02_FILE)[SHEET]  # the correct values
    method = Method()
    records = _records(demo / B02_FILE)
    rows = {r.row for r in records}
    for a in paints:
        matrix = a["args"][0]
        assert a["start_row"] == min(rows) and a["row_count"] == max(rows) - min(rows) + 1
        for i, line in enumerate(matrix):
            r = a["start_row"] + i
            band_column = RISK if a["start_column"] in (RISK, EVALUATION) else RESIDUAL
            value = grid[r][band_column]
            want = "#" + method.band(value).fill.lower() if isinstance(value, (int, float)) else None
            assert [c.lower() if c else c for c in line] == [want], r
    # The demo's seeded CALC-003: K32 (R-027, evaluation) filled red although the band is green.
    evaluation = next(a for a in paints if a["start_column"] == EVALUATION)
    assert evaluation["args"][0][31 - evaluation["start_row"]][0].lower() == "#c6efce"


def _synthetic_b02(demo: Path, n: int) -> dict[str, list[list]]:
    """The demo B-02 with ``n`` records (its rows repeated, ids renumbered) and three typed-over
    risk values: first, middle and last record."""
    grids = file_grids(demo / B02_FILE)
    rows = grids[SHEET]
    first = min(r.row for r in _records(demo / B02_FILE))
    body = [line for line in rows[first:] if line[0]]
    out = rows[:first]
    for i in range(n):
        line = list(body[i % len(body)])
        line[0] = f"R-{i + 1:05d}"
        out.append(line)
    for i in (0, n // 2, n - 1):
        out[first + i][RISK] = 99
    grids[SHEET] = out
    return grids


def test_the_number_of_excel_actions_does_not_grow_with_rows(demo):
    from isms_xl.excel import layer

    counts = {}
    for n in (100, 10_000):
        book = remote_book(B02_FILE, _synthetic_b02(demo, n))
        out = layer.recompute(book, show=False)
        assert len(out.plan.written) == 3
        counts[n] = Counter(a["func"] for a in actions(book))
        blocks = [a for a in actions(book) if a["func"] == "setFormula"]
        assert [a["row_count"] for a in blocks] == [n]  # first to last record, one write
    assert counts[100] == counts[10_000] == Counter({"setFormula": 1, "setRangeColors": 4})


def test_check_writes_the_findings_sheet_with_links_and_counts_unsaved_edits(demo):
    from isms_xl.check import check_folder
    from isms_xl.excel import layer
    from isms_xl.report.html_report import SEVERITY_LABELS

    records = _records(demo / B02_FILE)
    edited = records[5]

    def edit(grids):  # typed in Excel, not saved: an asset id B-01 does not have
        grids[SHEET][edited.row][1] = "A-999"

    book = _book(demo / B02_FILE, edit)
    out = layer.check(book, folder=demo, today=AS_OF)
    sent = _by_func(book)
    assert [a["args"] for a in sent["addSheet"]] == [[1, "検査結果"]]
    (table,) = sent["setFormula"]
    header, *rows = table["values"]
    assert header[:6] == ["重大度", "ルール", "様式", "ブック", "シート", "セル"]
    assert (table["start_row"], table["start_column"], table["row_count"]) == (0, 0, len(rows) + 1)

    def cell_of(text):
        return text.split('","')[-1].rstrip('")') if str(text).startswith("=HYPERLINK") else text

    # xlwings sends a blank as "".
    got = Counter(tuple(v or None for v in (r[0], r[1], r[2], r[3], r[4], cell_of(r[5]))) for r in rows)
    saved = check_folder(demo, today=AS_OF)
    labels = SEVERITY_LABELS["ja"]
    want = Counter((labels[f.severity.value], f.rule, f.form, f.workbook, f.sheet, f.cell) for f in saved.findings)
    # Fills cannot be read from Excel in one call, so the seeded CALC-003 is not judged (the
    # recompute button repaints it); the unsaved edit is.
    want[("警告", "CALC-003", "B-02", B02_FILE, SHEET, "K32")] -= 1
    want[("エラー", "XREF-001", "B-02", B02_FILE, SHEET, f"B{edited.row + 1}")] += 1
    assert got == +want
    assert out.rows == len(rows) and out.counts["error"] == sum(1 for r in rows if r[0] == "エラー")

    links = {(r[3], cell_of(r[5])): r[5] for r in rows}
    assert links[(B02_FILE, f"B{edited.row + 1}")] == f'=HYPERLINK("#\'{SHEET}\'!B{edited.row + 1}","B{edited.row + 1}")'
    other = next((k, v) for k, v in links.items() if k[0] != B02_FILE and str(v).startswith("="))
    assert other[1].startswith(f'=HYPERLINK("{demo / other[0][0]}#')
    (alert,) = sent["alert"]
    assert f"エラー {out.counts['error']} 件" in alert["args"][0]
    # However many findings: the sheet, one block, its header's bold, the severity colours, the
    # activation and the message.
    assert {k: len(v) for k, v in sent.items()} == {"addSheet": 1, "setFormula": 1, "setFontProperty": 1,
                                                   "setRangeColors": 1, "activateSheet": 1, "alert": 1}


def test_recompute_of_a_card_form_found_by_its_defined_names(demo, tmp_path):
    """B-17 (one sheet per supplier, each field a sheet-scoped name): a total typed over on the
    active card gets its formula back, the one recompute_workbook restores."""
    from isms_xl.apply import plan_workbook
    from isms_xl.excel import layer
    from isms_xl.io.patch import CellPatch, patch_in_place
    from isms_xl.reader import read_form

    (source,) = demo.glob("ISMS-B-17_*.xlsx")
    path = tmp_path / source.name
    shutil.copy(source, path)
    cell = read_form(path).records[1].cell("total")
    patch_in_place(path, [CellPatch(cell.sheet, cell.row, cell.col, 1, keep_formula=False)], backups=0)
    grids = file_grids(path)
    order = list(grids)
    book = remote_book(path.name, grids, active=order.index(cell.sheet), names=file_names(path, order))
    layer.recompute(book)
    (change,) = plan_workbook(path).changes
    (block, alert) = actions(book)
    assert (block["func"], block["sheet_position"], block["start_row"], block["start_column"]) == (
        "setFormula", order.index(cell.sheet), cell.row, cell.col)
    assert block["values"] == [["=" + change.formula]] and change.new != 1
    assert "数式の書き戻し 1 セル" in alert["args"][0]


def test_recompute_on_a_sheet_that_is_not_a_form_says_so(demo):
    from isms_xl.excel import layer

    book = remote_book("メモ.xlsx", {"メモ": [["買い物", "牛乳"]]})
    assert layer.recompute(book) is None
    (alert,) = actions(book)
    assert alert["func"] == "alert" and "ISMS の様式ではありません" in alert["args"][0]


def test_pack_says_when_this_version_has_no_audit_pack(demo, monkeypatch):
    import sys

    from isms_xl.excel import layer

    monkeypatch.setitem(sys.modules, "isms_xl.pack", None)  # import fails as if it did not exist
    book = _book(demo / B02_FILE)
    assert layer.pack(book) is None
    (alert,) = actions(book)
    assert alert["args"][0] == layer.PACK_UNAVAILABLE[0]


def test_pack_calls_the_audit_pack_of_the_folder_when_there_is_one(demo, monkeypatch):
    import sys
    import types

    from isms_xl.excel import layer

    calls = []

    def build_pack(folder, out, **options):  # isms_xl.pack's signature: (folder, out, *, lang, ...)
        calls.append((folder, out, options))
        return types.SimpleNamespace(out=out)

    fake = types.ModuleType("isms_xl.pack")
    fake.build_pack = build_pack
    monkeypatch.setitem(sys.modules, "isms_xl.pack", fake)
    book = _book(demo / B02_FILE)
    made = layer.pack(book, folder=demo)
    # Beside the ISMS folder, never inside it (the next check would read the pack's copies).
    assert calls == [(demo, made, {"lang": "ja"})] and made.parent == demo.parent
    assert made.name.startswith(f"{demo.name}_audit_pack_")
    (alert,) = actions(book)
    assert alert["args"][0] == f"監査パックを作成しました: {made}"


# --------------------------------------------------------------------------------------------
# isms_xl.read_form of an open workbook


def _rows(form):
    return [(r.sheet, r.row, r.values, r.field_cells) for r in form.records]


def test_read_form_of_an_open_sheet_or_book_reads_what_the_file_reads(demo):
    import isms_xl
    from isms_xl.config import load_config

    config = load_config(demo)
    path = demo / B02_FILE
    from_file = isms_xl.read_form(path, config=config)
    book = _book(path)
    from_sheet = isms_xl.read_form(book.sheets[SHEET], config=config)
    assert from_sheet.form_id == "B-02" and len(from_sheet.records) == len(from_file.records) > 100
    assert _rows(from_sheet) == _rows(from_file)
    assert _rows(isms_xl.read_form(book, config=config)) == _rows(from_file)
    assert actions(book) == []  # reading sends nothing to Excel


def test_read_form_of_an_unsaved_edit(demo):
    import isms_xl

    from_file = isms_xl.read_form(demo / B02_FILE)
    record = from_file.records[3]
    cell = record.cell("threat_level")
    typed = 1 if record.values["threat_level"] != 1 else 2

    def edit(grids):
        grids[SHEET][cell.row][cell.col] = typed  # a threat level typed but not saved

    opened = isms_xl.read_form(_book(demo / B02_FILE, edit).sheets[SHEET])
    assert opened.records[3].values["threat_level"] == typed
    assert [r.values for r in opened.records[4:]] == [r.values for r in from_file.records[4:]]


def test_read_form_of_a_card_sheet_gives_its_card_form(demo):
    import isms_xl

    (path,) = demo.glob("ISMS-B-17_*.xlsx")
    from_file = isms_xl.read_form(path)
    grids = file_grids(path)
    order = list(grids)
    book = remote_book(path.name, grids, names=file_names(path, order))
    card = from_file.records[1].cell("total").sheet
    from_sheet = isms_xl.read_form(book.sheets[card])
    assert from_sheet.form_id == "B-17" and _rows(from_sheet) == _rows(from_file)


def test_read_form_of_an_open_book_says_what_is_not_a_form(demo):
    import isms_xl
    from isms_xl.errors import UnknownFormError

    grids = file_grids(demo / B02_FILE)
    grids["メモ"] = [["買い物", "牛乳"]]
    book = remote_book(B02_FILE, grids)
    with pytest.raises(UnknownFormError, match="メモ"):
        isms_xl.read_form(book.sheets["メモ"])
    with pytest.raises(UnknownFormError, match="B-03"):
        isms_xl.read_form(book, form="B-03")
    with pytest.raises(UnknownFormError, match="ISMS の様式ではありません"):
        isms_xl.read_form(remote_book("メモ.xlsx", {"メモ": [["買い物", "牛乳"]]}))
    with pytest.raises(TypeError, match="xlwings Sheet"):
        isms_xl.read_form(42)


def test_read_form_of_an_open_book_that_says_nothing_of_what_it_holds():
    import isms_xl
    from isms_xl.errors import UnknownFormError

    book = remote_book("台帳.xlsx", {"Sheet1": [["リスクID", "資産ID", "脅威"], ["R-001", "A-001", "不正アクセス"]]})
    with pytest.raises(UnknownFormError, match="ISMS の様式ではありません"):
        isms_xl.read_form(book.sheets["Sheet1"])
    form = isms_xl.read_form(book.sheets["Sheet1"], form="B-02")
    assert form.form_id == "B-02" and [r.values["risk_id"] for r in form.records] == ["R-001"]
    assert "READ-001" in {f.rule for f in form.findings}


def test_an_open_book_named_in_the_folders_forms_is_read_as_that_form(tmp_path):
    from isms_xl.excel import layer

    (tmp_path / "isms_xl.toml").write_text('[forms]\n"台帳.xlsx" = "B-02"\n', encoding="utf-8")
    grid = {"Sheet1": [["リスクID", "資産ID", "脅威"], ["R-001", "A-001", "不正アクセス"]]}
    assert layer.read_book(remote_book("台帳.xlsx", grid)).forms == []  # no folder known: nothing says
    (form,) = layer.read_book(remote_book("台帳.xlsx", grid), folder=tmp_path).forms
    assert form.form_id == "B-02" and [r.values["risk_id"] for r in form.records] == ["R-001"]
