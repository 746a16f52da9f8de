"""The 検査結果 sheet the check button writes into the open workbook: the columns and labels of the
xlsx report (report/xlsx_report.py), one row per finding, the セル column a HYPERLINK formula to
the cell, built as one block so it is one write into Excel.

Links are formulas rather than hyperlink objects: one block write carries them all, where
hyperlink objects would cost one Excel call per finding.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isms_xl.check import CheckRun
from isms_xl.findings import Finding
from isms_xl.report.html_report import SEVERITY_LABELS, link_location
from isms_xl.report.xlsx_report import COLUMNS, SHEETS

CELL_COLUMN = [key for key, *_ in COLUMNS].index("cell")
SEVERITY_COLUMN = [key for key, *_ in COLUMNS].index("severity")
_LITERAL_MAX = 255  # Excel's longest text literal inside a formula


def sheet_name(lang: str) -> str:
    return SHEETS[lang][0]


def findings_rows(run: CheckRun, book_path: Path, lang: str = "ja") -> list[list[Any]]:
    """Header and one row per finding, ready for one ``.formula`` write (texts that Excel would
    take for a formula are quoted so they stay text)."""
    labels = SEVERITY_LABELS[lang]
    rows: list[list[Any]] = [[ja if lang == "ja" else en for _key, ja, en, _w in COLUMNS]]
    for f in run.findings:
        rows.append([labels[f.severity.value], _text(f.rule), _text(f.form), _text(f.workbook), _text(f.sheet),
                     link_formula(f, run.folder, book_path), _text(f.record), _text(f.message(lang)), None, None])
    return rows


def link_formula(f: Finding, folder: Path, book_path: Path) -> str | None:
    """``=HYPERLINK("#'Sheet'!C12","C12")`` within this workbook, the workbook's full path before
    the "#" for another one; the plain cell text when the link would be too long for Excel."""
    location = link_location(f.sheet, f.cell)
    if not f.workbook or location is None:
        return _text(f.cell)
    target = folder / f.workbook
    same = _same(target, book_path)
    for where in ([""] if same else [str(target), f.workbook]):
        address = f"{where}#{location}"
        if len(address) <= _LITERAL_MAX:
            return f'=HYPERLINK("{_quote(address)}","{_quote(f.cell)}")'
    return _text(f.cell)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _quote(text: str) -> str:
    return text.replace('"', '""')


def _text(value: Any) -> Any:
    """A text that starts like a formula is written with Excel's text prefix: no formula
    injection through a cell value that ends up in a message."""
    if value is None or value == "":
        return None
    text = str(value)
    return "'" + text if text[:1] in "=+-@" else text
