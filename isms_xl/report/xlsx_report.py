"""The xlsx report: a 検査結果 workbook the ISMS office filters and works through in Excel.

Sheet 検査結果 (Findings): one row per finding — 重大度, ルール, 様式, ブック, シート, セル, レコード,
内容, 初回検出日, 新規 — with an autofilter, the header frozen, the severity cell in its colour,
and a hyperlink on the セル cell that opens the source workbook at that cell. Sheet 概要
(Summary): counts by form × severity.

Links are ``external:`` links relative to the report's folder with the location
``'Sheet'!C12``: Excel stores them as a relative target plus a location, and follows them to the
cell (a relative target keeps working when the whole folder is copied or moved).

Every text from a workbook is written with ``write_string`` (and the workbook refuses to turn
strings into formulas, numbers or URLs), so a message that starts with "=" stays text: no formula
injection through a cell value that ends up in a message.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from isms_xl.check import CheckRun
from isms_xl.forms import FORMS
from isms_xl.history import RunDelta, finding_key
from isms_xl.report.charts import severity_colours
from isms_xl.report.html_report import SEVERITY_LABELS, link_location, workbook_target
from isms_xl.templates.formats import Formats

__all__ = ["write_xlsx_report", "COLUMNS"]

SEVERITIES = ("error", "warning", "info")
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet; further rows get the text only

# (key, Japanese header, English header, width)
COLUMNS = (
    ("severity", "重大度", "Severity", 8),
    ("rule", "ルール", "Rule", 11),
    ("form", "様式", "Form", 7),
    ("workbook", "ブック", "Workbook", 40),
    ("sheet", "シート", "Sheet", 24),
    ("cell", "セル", "Cell", 9),
    ("record", "レコード", "Record", 13),
    ("message", "内容", "Message", 70),
    ("first_seen", "初回検出日", "First seen", 12),
    ("new", "新規", "New", 6),
)
SHEETS = {"ja": ("検査結果", "概要"), "en": ("Findings", "Summary")}
SUMMARY_TEXT = {
    "ja": {"title": "検査結果の概要", "folder": "フォルダ", "today": "基準日", "checked_at": "検査日時",
           "new": "前回からの新規", "resolved": "前回から解消", "form": "様式", "name": "名称", "total": "計",
           "new_mark": "新規", "open": "開く"},
    "en": {"title": "Check summary", "folder": "Folder", "today": "As of", "checked_at": "Checked at",
           "new": "New since the previous run", "resolved": "Resolved since the previous run", "form": "Form",
           "name": "Name", "total": "Total", "new_mark": "new", "open": "open"},
}
# Characters Excel escapes in a hyperlink target (xlsxwriter.url.Url._escape_url) plus "#", which
# would otherwise start the location. Done here for the whole path so that XlsxWriter, which skips
# escaping once it sees a %XX, never meets a half-escaped target.
_TARGET_ESCAPES = {c: f"%{ord(c):02x}" for c in '%" <>[]^`{}#'}


def _escape_target(path: str) -> str:
    return "".join(_TARGET_ESCAPES.get(ch, ch) for ch in path)


def excel_link(report_dir: Path, folder: Path, workbook: str, sheet: str | None, cell: str | None) -> str:
    """``external:`` link from the report to the workbook (relative when possible) with the
    location ``'Sheet'!C12`` when the finding has a cell."""
    path, relative = workbook_target(report_dir, folder, workbook)
    target = _escape_target(path) if relative else path
    location = link_location(sheet, cell)
    return "external:" + target + (f"#{location}" if location else "")


def _write_text(ws: Worksheet, row: int, col: int, value: Any, fmt) -> None:
    text = "" if value is None else str(value)
    if text:
        ws.write_string(row, col, text, fmt)
    else:  # a true blank, so that the autofilter offers "(Blanks)"
        ws.write_blank(row, col, None, fmt)


def _write_link(ws: Worksheet, row: int, col: int, url: str, text: str, fmt, tip: str | None) -> bool:
    """A hyperlink; False (and nothing written) when Excel could not keep it — over its URL length
    or its per-sheet link limit — so the caller writes the text instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XlsxWriter warns before refusing; the fallback covers it
        try:
            return ws.write_url(row, col, url, fmt, string=text, tip=tip) == 0
        except ValueError:
            return False


def write_xlsx_report(run: CheckRun, delta: RunDelta | None, path: Path | str, lang: str = "ja") -> Path:
    """Write the report workbook to ``path`` and return the path. Links are relative to its folder."""
    if lang not in SHEETS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(SHEETS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    report_dir = path.parent
    labels = SEVERITY_LABELS[lang]
    text = SUMMARY_TEXT[lang]
    first_seen = delta.first_seen if delta else {}
    new_keys = {finding_key(f) for f in delta.new} if delta else set()
    colours = severity_colours(run.config.method)

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": text["title"], "subject": "ISMS", "author": "isms_xl",
                       "comments": f"isms_xl {run.version}: {run.folder}"})
    fmts = Formats(wb)
    border = {"border": 1, "border_color": "BFBFBF"}
    header = fmts.get(bold=True, bg_color="#DDEBF7", pattern=1, text_wrap=True, valign="vcenter", **border)
    plain = fmts.get(**border)
    wrap = fmts.get(text_wrap=True, **border)
    date = fmts.get(num_format="yyyy/mm/dd", align="left", **border)
    link = fmts.get(font_color="#0563C1", underline=1, **border)
    sev_fmt = {s: fmts.get(bold=True, align="center", bg_color="#" + colours[s][0], pattern=1,
                           font_color="#" + colours[s][1], **border) for s in SEVERITIES}

    ws = wb.add_worksheet(SHEETS[lang][0])
    for col, (_key, ja, en, width) in enumerate(COLUMNS):
        ws.write_string(0, col, ja if lang == "ja" else en, header)
        ws.set_column(col, col, width)
    ws.set_row(0, 20)
    links = 0
    for row, f in enumerate(run.findings, start=1):
        key = finding_key(f)
        _write_text(ws, row, 0, labels[f.severity.value], sev_fmt[f.severity.value])
        _write_text(ws, row, 1, f.rule, plain)
        _write_text(ws, row, 2, f.form, plain)
        _write_text(ws, row, 3, f.workbook, plain)
        _write_text(ws, row, 4, f.sheet, plain)
        if f.workbook and links < MAX_LINKS and _write_link(
                ws, row, 5, excel_link(report_dir, run.folder, f.workbook, f.sheet, f.cell), f.cell or text["open"],
                link, f"{f.workbook} {link_location(f.sheet, f.cell) or ''}".strip()[:255]):
            links += 1
        else:
            _write_text(ws, row, 5, f.cell, plain)
        _write_text(ws, row, 6, f.record, plain)
        _write_text(ws, row, 7, f.message(lang), wrap)
        seen = first_seen.get(key)
        if seen:
            ws.write_datetime(row, 8, dt.datetime.fromisoformat(seen), date)
        else:
            ws.write_blank(row, 8, None, plain)
        _write_text(ws, row, 9, text["new_mark"] if key in new_keys else "", plain)
    ws.autofilter(0, 0, max(len(run.findings), 1), len(COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    ws.set_landscape()  # printed for the management review: all columns on the page width
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)

    _write_summary(wb.add_worksheet(SHEETS[lang][1]), fmts, run, delta, lang, header, plain, sev_fmt)
    wb.close()
    return path


def _write_summary(ws: Worksheet, fmts: Formats, run: CheckRun, delta: RunDelta | None, lang: str,
                   header, plain, sev_fmt) -> None:
    text = SUMMARY_TEXT[lang]
    labels = SEVERITY_LABELS[lang]
    bold = fmts.get(bold=True)
    number = fmts.get(border=1, border_color="BFBFBF", num_format="#,##0")
    total_fmt = fmts.get(bold=True, border=1, border_color="BFBFBF", num_format="#,##0", bg_color="#F2F2F2", pattern=1)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 5, 10)
    ws.write_string(0, 0, text["title"], fmts.get(bold=True, font_size=14))
    meta: list[tuple[str, str | int]] = [(text["folder"], str(run.folder)), (text["today"], run.today.isoformat()),
                                         (text["checked_at"], run.checked_at.isoformat())]
    if delta is not None and delta.previous_run is not None:
        meta += [(text["new"], len(delta.new)), (text["resolved"], len(delta.resolved))]
    for i, (label, value) in enumerate(meta, start=1):
        ws.write_string(i, 0, label, bold)
        if isinstance(value, int):
            ws.write_number(i, 1, value, fmts.get(align="left"))
        else:
            ws.write_string(i, 1, value)
    top = len(meta) + 2
    heads = [text["form"], text["name"], *(labels[s] for s in SEVERITIES), text["total"]]
    for col, head in enumerate(heads):
        ws.write_string(top, col, head, sev_fmt[SEVERITIES[col - 2]] if 2 <= col < 5 else header)
    counts = Counter((f.form or "", f.severity.value) for f in run.findings)
    order = list(FORMS)
    forms = sorted({form for form, _ in counts} | set(run.forms),
                   key=lambda f: (order.index(f), "") if f in FORMS else (len(order) + (not f), f))
    row = top
    for row, form in enumerate(forms, start=top + 1):
        spec = FORMS.get(form)
        ws.write_string(row, 0, form or "—", plain)
        ws.write_string(row, 1, spec.name(lang) if spec else "", plain)
        for col, sev in enumerate(SEVERITIES, start=2):
            ws.write_number(row, col, counts[(form, sev)], number)
        ws.write_number(row, 5, sum(counts[(form, s)] for s in SEVERITIES), number)
    total_row = row + 1
    ws.write_string(total_row, 0, text["total"], total_fmt)
    ws.write_string(total_row, 1, "", total_fmt)
    summary = run.summary()
    for col, sev in enumerate(SEVERITIES, start=2):
        ws.write_number(total_row, col, summary[sev], total_fmt)
    ws.write_number(total_row, 5, len(run.findings), total_fmt)
    ws.freeze_panes(top + 1, 0)

