"""The xlsx report: one row per finding with a hyperlink to the exact cell, autofilter, frozen
header, severity colours from the method's bands, counts by form × severity, and no formula
injection."""

from __future__ import annotations

import os
import zipfile
from collections import Counter
from urllib.parse import unquote

import openpyxl
import pytest

from isms_xl.config import config_from_dict
from isms_xl.history import finding_key, record_run
from isms_xl.report.xlsx_report import COLUMNS, write_xlsx_report
from tests.test_report_html import AMP_BOOK, AMP_SHEET, AS_OF, FORMULA_MESSAGE, demo_run, extra_findings

HEADERS_JA = ["重大度", "ルール", "様式", "ブック", "シート", "セル", "レコード", "内容", "初回検出日", "新規"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("isms") / "ISMS 記録"
    generate_demo(folder, as_of=AS_OF)
    return folder


@pytest.fixture(scope="module")
def run(demo):
    return demo_run(demo, extra_findings())


@pytest.fixture(scope="module")
def report(run, demo, tmp_path_factory):
    db = tmp_path_factory.mktemp("state") / "history.sqlite"
    record_run(db, run.findings[2:], checked_at="2026-11-25T01:00:00+00:00", today="2026-11-25", version="t")
    delta = record_run(db, run.findings, checked_at="2026-11-26T01:00:00+00:00", today="2026-11-26", version="t")
    path = write_xlsx_report(run, delta, demo.parent / "reports" / "検査結果.xlsx")
    return path, delta


def _rows(ws):
    return list(ws.iter_rows(min_row=2, max_row=ws.max_row))


def test_one_row_per_finding_in_run_order(report, run):
    path, _ = report
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["検査結果", "概要"]
    ws = wb["検査結果"]
    assert [c.value for c in ws[1]] == HEADERS_JA
    rows = _rows(ws)
    assert len(rows) == len(run.findings)
    for row, f in zip(rows, run.findings):
        values = [c.value for c in row]
        assert values[1:8] == [f.rule, f.form, f.workbook, f.sheet, (f.cell or "開く") if f.workbook else f.cell,
                               f.record, f.message_ja]
        assert values[0] == {"error": "エラー", "warning": "警告", "info": "情報"}[f.severity.value]


def test_hyperlinks_go_to_the_exact_cell(report, run, demo):
    path, _ = report
    ws = openpyxl.load_workbook(path)["検査結果"]
    for row, f in zip(_rows(ws), run.findings):
        link = row[5].hyperlink
        assert link is not None, f
        # Excel writes relative targets with backslashes and escapes "%", " ", "#" …
        target = unquote(link.target.replace("\\", "/"))
        assert target == os.path.relpath(demo / f.workbook, path.parent).replace(os.sep, "/")
        if f.sheet and f.cell:
            assert link.location == "'" + f.sheet.replace("'", "''") + "'!" + f.cell
        else:
            assert link.location is None
    amp = next(row for row, f in zip(_rows(ws), run.findings) if f.workbook == AMP_BOOK)
    assert amp[5].hyperlink.target.endswith("%23" + "1.xlsx") and "%20" in amp[5].hyperlink.target
    assert amp[5].hyperlink.location == "'Q&A''s'!B7" and AMP_SHEET == "Q&A's"
    # A demo workbook's link resolves, from the report's folder, to the workbook itself.
    b02 = next(row for row, f in zip(_rows(ws), run.findings) if f.form == "B-02")
    assert (path.parent / unquote(b02[5].hyperlink.target.replace("\\", "/"))).resolve().exists()


def test_autofilter_frozen_header_and_widths(report, run):
    ws = openpyxl.load_workbook(report[0])["検査結果"]
    assert ws.auto_filter.ref == f"A1:J{len(run.findings) + 1}"
    assert ws.freeze_panes == "A2"
    widths = {col: ws.column_dimensions[chr(65 + i)].width for i, (col, *_rest) in enumerate(COLUMNS)}
    assert widths["message"] > 60 and widths["workbook"] > 30 and widths["new"] < 10


def test_severity_cells_wear_the_band_colours(report, run):
    ws = openpyxl.load_workbook(report[0])["検査結果"]
    expected = {"error": ("FFC7CE", "9C0006"), "warning": ("FFEB9C", "9C5700"), "info": ("C6EFCE", "006100")}
    seen = set()
    for row, f in zip(_rows(ws), run.findings):
        fill, font = expected[f.severity.value]
        assert row[0].fill.fgColor.rgb[-6:] == fill and row[0].font.color.rgb[-6:] == font
        assert row[1].fill.fgColor.rgb in (None, "00000000")  # only the severity cell is coloured
        seen.add(f.severity.value)
    assert seen == {"error", "warning", "info"}


def test_colours_come_from_the_configured_bands(demo, tmp_path):
    config = config_from_dict({"method": {"colours": {"treat": {"fill": "FF0000", "font": "FFFFFF"}}}})
    path = write_xlsx_report(demo_run(demo, config=config), None, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["検査結果"]
    error = next(row for row in _rows(ws) if row[0].value == "エラー")
    assert error[0].fill.fgColor.rgb[-6:] == "FF0000" and error[0].font.color.rgb[-6:] == "FFFFFF"


def test_text_that_looks_like_a_formula_stays_text(report, run):
    path, _ = report
    ws = openpyxl.load_workbook(path)["検査結果"]
    row = next(r for r, f in zip(_rows(ws), run.findings) if f.message_ja == FORMULA_MESSAGE)
    assert row[7].value == FORMULA_MESSAGE and row[7].data_type == "s"
    assert row[6].value == "=1+1" and row[6].data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in z.read(n).decode("utf-8") for n in sheets)


def test_first_seen_and_new(report, run):
    path, delta = report
    ws = openpyxl.load_workbook(path)["検査結果"]
    new_keys = {finding_key(f) for f in delta.new}
    assert len(new_keys) == 2
    for row, f in zip(_rows(ws), run.findings):
        key = finding_key(f)
        assert row[9].value == ("新規" if key in new_keys else None)
        assert row[8].value.date().isoformat() == delta.first_seen[key]
        assert row[8].is_date


def test_summary_counts_by_form_and_severity(report, run):
    ws = openpyxl.load_workbook(report[0])["概要"]
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] == "様式")
    assert rows[top] == ("様式", "名称", "エラー", "警告", "情報", "計")
    expected = Counter((f.form or "", f.severity.value) for f in run.findings)
    table = {r[0]: r[2:6] for r in rows[top + 1:] if r[0] not in (None, "計")}
    for form in {f.form or "" for f in run.findings} | set(run.forms):
        counts = tuple(expected[(form, s)] for s in ("error", "warning", "info"))
        assert table[form or "—"] == (*counts, sum(counts))
    total = next(r for r in rows if r[0] == "計")
    summary = run.summary()
    assert total[2:6] == (summary["error"], summary["warning"], summary["info"], len(run.findings))
    assert ("前回からの新規", 2) in [r[:2] for r in rows]


def test_english_workbook(run, tmp_path):
    path = write_xlsx_report(run, None, tmp_path / "findings.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Findings", "Summary"]
    ws = wb["Findings"]
    assert [c.value for c in ws[1]][:3] == ["Severity", "Rule", "Form"]
    assert [r[7].value for r in _rows(ws)] == [f.message_en for f in run.findings]
    assert {r[0].value for r in _rows(ws)} == {"Error", "Warning", "Info"}


def test_an_empty_run_still_writes_a_workbook(run, tmp_path):
    empty = demo_run(run.folder)
    empty.findings = []
    path = write_xlsx_report(empty, None, tmp_path / "empty.xlsx")
    ws = openpyxl.load_workbook(path)["検査結果"]
    assert ws.max_row == 1 or all(c.value is None for c in ws[2])
    assert [c.value for c in ws[1]] == HEADERS_JA
