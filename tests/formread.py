"""Test helper: the input values and computed cells of a workbook in the project's own layout.

Independent of the writer's bookkeeping: it finds tables and card fields the way a reader does
(the Excel table's range, the sheet-scoped defined names), reads values with python-calamine and
returns, per record, the environment the expressions need and where each computed cell is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from isms_xl.layout import defined_name
from isms_xl.schema import FormSpec, Layout
from tests.sheets import Values, rc


@dataclass
class Record:
    sheet: str
    row: int  # Excel row of a table record; 0 for cards
    env: dict[str, Any]
    cells: dict[str, str]  # computed column key -> "J6"


def _blank(v: Any) -> Any:
    return None if v == "" else v


def _addr(attr_text: str) -> str:
    return attr_text.split("!")[-1].replace("$", "")


def read_records(path: Path | str, spec: FormSpec) -> list[Record]:
    wb = openpyxl.load_workbook(path, read_only=False)
    values = Values(path)
    out: list[Record] = []
    if spec.layout is Layout.TABLE:
        ws = wb.worksheets[0]
        (table,) = ws.tables.values()
        start, end = table.ref.split(":")
        hrow, c0 = rc(start)
        last, c1 = rc(end)
        grid = values.sheets[ws.title]
        headers = {grid[hrow][c]: c for c in range(c0, c1 + 1)}
        cols = {col.key: headers[col.ja] for col in spec.columns if col.ja in headers}
        for r in range(hrow + 1, last + 1):
            row = grid[r] if r < len(grid) else []
            env = {k: _blank(row[c]) if c < len(row) else None for k, c in cols.items()}
            if all(env[c.key] is None for c in spec.columns if not c.is_computed and c.key in env):
                continue
            for group in spec.groups:
                env[group] = [env.get(c.key) for c in spec.group(group)]
            cells = {c.key: f"{openpyxl.utils.get_column_letter(cols[c.key] + 1)}{r + 1}"
                     for c in spec.computed_columns if c.key in cols}
            out.append(Record(ws.title, r + 1, env, cells))
        return out
    for ws in wb.worksheets:
        names = ws.defined_names
        if defined_name(spec.id_column.key) not in names:
            continue  # the cover sheet
        env: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for col in spec.columns:
            addr = _addr(names[defined_name(col.key)].attr_text)
            env[col.key] = _blank(values.get(ws.title, addr))
            if col.computed is not None:
                cells[col.key] = addr
        for tab in spec.tables:
            first, last = _addr(names[defined_name(tab.key)].attr_text).split(":")
            r0, c0 = rc(first)
            r1, _ = rc(last)
            for j, tcol in enumerate(tab.columns):
                env[f"{tab.key}.{tcol.key}"] = [_blank(values.get(ws.title, f"{openpyxl.utils.get_column_letter(c0 + j + 1)}{r + 1}"))
                                                for r in range(r0 + 1, r1 + 1)]
        out.append(Record(ws.title, 0, env, cells))
    return out
