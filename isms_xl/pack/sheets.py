"""What the pack's workbooks share: a new XlsxWriter workbook whose bytes depend only on its
content and the as-of date, table sheets with a title block, and text written as text.

Every value from a user's workbook is written with ``write_string`` (and the workbook is told
not to turn strings into formulas, numbers or URLs): a cell that starts with "=" stays text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from isms_xl.templates.formats import Formats

__all__ = ["Column", "doc_subtitle", "new_workbook", "write_table", "write_value"]

Column = tuple[str, str, str, float]  # key, Japanese header, English header, width


def _day(value: Any) -> str:
    return value.isoformat()[:10] if hasattr(value, "isoformat") else (str(value) if value else "—")


def doc_subtitle(forms: Mapping[str, Any], form_ids: Sequence[str], as_of: dt.date, lang: str) -> str:
    """"基準日 …　ISMS-A-02 版数 … 承認者 … 承認日 …": the as-of date and the document control of
    the forms a sheet summarises (§7.5.2: which approved version the auditor is looking at)."""
    ja = lang == "ja"
    parts = [f"基準日 {as_of.isoformat()}" if ja else f"As of {as_of.isoformat()}"]
    for fid in form_ids:
        form = forms.get(fid)
        if form is None:
            continue
        doc = form.doc
        number = doc.doc_number or form.spec.doc_number
        parts.append(f"{number} 版数 {doc.version or '—'} 承認者 {doc.approver or '—'} 承認日 {_day(doc.approved_on)}" if ja
                     else f"{number} version {doc.version or '—'}, approved by {doc.approver or '—'} on {_day(doc.approved_on)}")
    return "　".join(parts) if ja else "; ".join(parts)


def new_workbook(path: Path, *, title: str, as_of: dt.date, version: str):
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    # XlsxWriter stamps "now" as the creation time: the as-of date keeps the bytes reproducible.
    wb.set_properties({"title": title, "subject": "ISMS audit pack", "author": "isms_xl",
                       "comments": f"isms_xl {version}", "created": dt.datetime.combine(as_of, dt.time())})
    return wb, Formats(wb)


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt, date_fmt=None) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "○" if value else "", fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, date_fmt or fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_fmt or fmt)
    else:
        ws.write_string(row, col, str(value)[:32767], fmt)


def write_table(ws: Worksheet, fmts: Formats, *, title: str, subtitle: str, columns: Sequence[Column],
                rows: Sequence[Sequence[Any]], lang: str, fills: Sequence[Sequence[tuple[str, str] | None]] | None = None,
                first_row: int = 0) -> int:
    """Title, subtitle, header and rows from ``first_row``; returns the header's row. ``fills``:
    per row, per column, (fill, font) colours or None."""
    border = {"border": 1, "border_color": "BFBFBF"}
    ws.write_string(first_row, 0, title, fmts.get(bold=True, font_size=14))
    ws.write_string(first_row + 1, 0, subtitle, fmts.get())
    header_row = first_row + 3
    header = fmts.get(bold=True, bg_color="#DDEBF7", pattern=1, text_wrap=True, valign="vcenter", **border)
    for col, (_key, ja, en, width) in enumerate(columns):
        ws.write_string(header_row, col, ja if lang == "ja" else en, header)
        ws.set_column(col, col, width)
    plain = fmts.get(text_wrap=True, **border)
    date = fmts.get(num_format="yyyy/mm/dd", align="left", **border)
    for r, values in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(values):
            colours = fills[r - header_row - 1][c] if fills else None
            fmt = fmts.get(text_wrap=True, bg_color="#" + colours[0], pattern=1, font_color="#" + colours[1],
                           **border) if colours else plain
            write_value(ws, r, c, value, fmt, date)
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, header_row + max(len(rows), 1), len(columns) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_footer("&C&P / &N")
    return header_row
