"""What reading a form gives: typed records that remember the cell of every value, the
document-control block, and the READ findings.

Pure module: no Excel library is imported here (pandas only inside ``to_frame``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

from isms_xl.findings import Finding
from isms_xl.layout import a1
from isms_xl.reader.fills import Fills
from isms_xl.schema import DocControl, FormSpec, Kind


@dataclass(frozen=True, slots=True)
class CellRef:
    sheet: str
    row: int  # 0-based
    col: int  # 0-based

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    def __str__(self) -> str:
        return f"'{self.sheet}'!{self.a1}"


@dataclass(slots=True)
class Record:
    """One row of a table form, one sheet of a card form, or one row of a card's embedded table.

    Table rows share one column map (key -> column index) instead of holding a CellRef per value:
    a 50,000-row register would otherwise build a million small objects nobody asks for.
    """

    values: dict[str, Any]  # column key -> typed value (None when blank or unreadable)
    sheet: str = ""
    row: int | None = None  # 0-based row of a table record; None for a card
    columns: dict[str, int] | None = None  # table rows: key -> column index (shared)
    field_cells: dict[str, CellRef] | None = None  # cards: key -> cell of each field
    raw: dict[str, Any] = field(default_factory=dict)  # column key -> the value as stored, when it differs
    extra: dict[str, Any] = field(default_factory=dict)  # the user's own columns, by header text
    tables: dict[str, list[Record]] = field(default_factory=dict)  # card forms: embedded tables

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def cell(self, key: str) -> CellRef | None:
        if self.field_cells is not None:
            return self.field_cells.get(key)
        if self.columns is not None and key in self.columns and self.row is not None:
            return CellRef(self.sheet, self.row, self.columns[key])
        return None

    @property
    def cells(self) -> dict[str, CellRef]:
        if self.field_cells is not None:
            return dict(self.field_cells)
        return {k: CellRef(self.sheet, self.row, c) for k, c in (self.columns or {}).items()}


@dataclass
class Form:
    spec: FormSpec
    path: Path
    sheets: tuple[str, ...]
    records: list[Record]
    findings: list[Finding]
    doc: DocControl
    doc_cells: dict[str, CellRef] = field(default_factory=dict)
    header_row: int | None = None  # table forms: the (last) header row, 0-based
    columns: dict[str, int] = field(default_factory=dict)  # table forms: key -> column index
    formula_cells: dict[str, Any] = field(default_factory=dict)  # sheet -> set of (row, col) holding a formula
    fills: Fills = field(default_factory=Fills)  # (sheet, row, col) of banded cells -> fill RGB
    cell_info: bool = False  # formula_cells and fills were read (the file's XML was scanned for them)
    sha256: str | None = None  # of the file as read: a write refuses if it changed since
    info: Any = None  # the preflight's WorkbookInfo (io layer), reused when writing back

    @property
    def form_id(self) -> str:
        return self.spec.form_id

    def has_formula(self, cell: CellRef) -> bool:
        return (cell.row, cell.col) in self.formula_cells.get(cell.sheet, ())

    def ids(self) -> list[str]:
        key = self.spec.id_column.key
        return [str(r.values[key]) for r in self.records if r.values.get(key) is not None]

    def by_id(self) -> dict[str, Record]:
        key = self.spec.id_column.key
        out: dict[str, Record] = {}
        for r in self.records:
            rid = r.values.get(key)
            if rid is not None and str(rid) not in out:
                out[str(rid)] = r
        return out

    def to_frame(self):
        """A pandas DataFrame: one row per record, typed columns, plus the Excel row and sheet."""
        import pandas as pd

        rows = []
        for r in self.records:
            row = {"_sheet": r.sheet, "_row": None if r.row is None else r.row + 1}
            for col in self.spec.columns:
                value = r.values.get(col.key)
                row[col.key] = ", ".join(map(str, value)) if isinstance(value, tuple) else value
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["_sheet", "_row", *(c.key for c in self.spec.columns)])
        for col in self.spec.columns:
            if col.kind in (Kind.LEVEL, Kind.INT, Kind.MONEY):
                frame[col.key] = frame[col.key].astype("Int64")
            elif col.kind in (Kind.DATE, Kind.MONTH):
                frame[col.key] = pd.to_datetime(frame[col.key])
            elif col.kind in (Kind.NUMBER, Kind.PERCENT):
                frame[col.key] = pd.to_numeric(frame[col.key])
        frame["_row"] = frame["_row"].astype("Int64")
        return frame


def values_column(records: list[Record], key: str) -> list[Any]:
    """The records' values of ``key`` (None when blank), in record order, in C."""
    return list(map(dict.get, map(attrgetter("values"), records), repeat(key)))


def shared_column(cache: dict[str, Any], form_id: str, records: list[Record], key: str) -> list[Any]:
    """``values_column`` kept in a check run's cache, so that the rules and the recompute that
    read a column of a large register build it once (records do not change during a run)."""
    cache_key = f"column.{form_id}.{key}"
    if cache_key not in cache:
        cache[cache_key] = values_column(records, key)
    return cache[cache_key]
