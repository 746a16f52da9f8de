"""Real xlwings Books on xlwings' remote engine (the one behind xlwings Lite and Server) for the
Excel-layer tests: a workbook's sheets go in as the JSON payload Excel would send, and
``book.json()["actions"]`` is what would be sent back to Excel.

The remote engine is xlwings PRO code; its noncommercial licence key is enough for tests
(``make test`` sets ``XLWINGS_LICENSE_KEY=noncommercial``). Without a key these tests skip.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

xw = pytest.importorskip("xlwings")

requires_remote = pytest.mark.skipif(not os.environ.get("XLWINGS_LICENSE_KEY"),
                                     reason="xlwings remote engine needs XLWINGS_LICENSE_KEY (make test sets it)")


def cell_json(value: Any) -> Any:
    """A value as Office.js sends it: blanks as "", dates as ISO text with a Z."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + ".000Z"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat() + ".000Z"
    return value


def rectangular(rows: list[list[Any]]) -> list[list[Any]]:
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [None] * (width - len(r)) for r in rows]


def payload(name: str, sheets: dict[str, list[list[Any]]], active: int = 0) -> dict:
    return {
        "client": "Office.js", "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": active, "selection": "A1"},
        "names": [],
        "sheets": [{"name": sheet, "values": [[cell_json(v) for v in line] for line in rectangular(rows)],
                    "pictures": [], "tables": []} for sheet, rows in sheets.items()],
    }


def remote_book(name: str, sheets: dict[str, list[list[Any]]], active: int = 0, names: list[dict] = ()):
    data = payload(name, sheets, active)
    data["names"] = list(names)
    return xw.Book(json=data)


def file_names(path: Path, sheet_order: list[str]) -> list[dict]:
    """A saved workbook's sheet-scoped defined names as Office.js lists them."""
    from isms_xl.io.preflight import preflight

    out = []
    for n in preflight(path).defined_names:
        if not n.sheet or n.sheet not in sheet_order:
            continue
        index = sheet_order.index(n.sheet)
        out.append({"name": n.name, "sheet_index": index, "address": n.ref.split("!")[-1].replace("$", ""),
                    "book_scope": False, "scope_sheet_name": n.sheet, "scope_sheet_index": index,
                    "refers_to": "=" + n.ref})
    return out


def file_grids(path: Path) -> dict[str, list[list[Any]]]:
    """A saved workbook's cached values, sheet by sheet (what Excel would show)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: rectangular(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in wb.sheet_names}


def file_formulas(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """The formulas of a saved sheet, 0-based (row, col) -> "=...": an independent source (openpyxl)
    of what the template put in the cells."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=False)
    out = {}
    for row in wb[sheet].iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                out[(c.row - 1, c.column - 1)] = c.value
    return out


def actions(book) -> list[dict]:
    return book.json()["actions"]


def apply_values(grid: list[list[Any]], action: dict) -> None:
    """What a setValues/setFormula action does to a grid of cell contents."""
    r0, c0 = action["start_row"], action["start_column"]
    for i, line in enumerate(action["values"]):
        for j, value in enumerate(line):
            while len(grid) <= r0 + i:
                grid.append([])
            row = grid[r0 + i]
            row.extend([None] * (c0 + j + 1 - len(row)))
            row[c0 + j] = value
