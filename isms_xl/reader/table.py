"""Reading a table form (台帳): find the header row however the sheet was edited, then turn each
data row into a typed record, reporting READ-001 … READ-006 and READ-009 at their cells."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from isms_xl.headers import HeaderMatch
from isms_xl.reader.grid import SheetGrid
from isms_xl.reader.identify import matcher
from isms_xl.reader.model import CellRef, Record
from isms_xl.reader.sink import Sink
from isms_xl.schema import Column, FormSpec
from isms_xl.values import EXCEL_ERRORS, Parsed, parse_value

_TOTALS = re.compile(r"^\s*(合計|総計|小計|計|total|sum)\s*$", re.IGNORECASE)


@dataclass
class TableRead:
    records: list[Record]
    header: HeaderMatch | None
    columns: dict[str, int]


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


class _Parser:
    """parse_value with a cache per column: registers repeat the same few spellings (levels,
    choices, dates, owners) thousands of times, and parsing is the reader's hot path."""

    def __init__(self, columns: list[Column]) -> None:
        self.caches: dict[str, dict[Any, Parsed]] = {c.key: {} for c in columns}

    def __call__(self, col: Column, raw: Any) -> Parsed:
        cache = self.caches[col.key]
        try:
            return cache[raw]
        except KeyError:
            parsed = cache[raw] = parse_value(col, raw)
            return parsed
        except TypeError:  # unhashable: never from calamine, but be safe
            return parse_value(col, raw)


def read_table(spec: FormSpec, grid: SheetGrid, sink: Sink, *, error_cells: dict[tuple[int, int], str] | None = None,
               table_last_row: int | None = None) -> TableRead:
    errors = error_cells or {}
    found = matcher(spec).find_header(grid.rows, grid.merged)
    if found is None:
        required = [c.ja for c in spec.columns if c.required]
        sink.add("READ-001", CellRef(grid.name, 0, 0), None, None,
                 f"見出し行が見つかりません（先頭30行）。必要な列: {'、'.join(required)}",
                 f"No header row found in the first 30 rows; required columns: {', '.join(required)}")
        return TableRead([], None, {})
    header_row = found.row + found.header_rows - 1
    present_headers = [str(v) for v in grid.rows[header_row] if not _blank(v)]
    for key in found.missing_required:
        col = spec.column(key)
        sink.add("READ-001", CellRef(grid.name, found.row, 0), None, None,
                 f"必須列「{col.ja}」がありません。見出し: {' / '.join(present_headers)}",
                 f"Required column {col.en} ({col.ja}) is missing; headers found: {' / '.join(present_headers)}")
    for index, text in found.unmatched:
        sink.add("READ-009", CellRef(grid.name, header_row, index), None, text,
                 f"列「{text}」は様式にない列です（そのまま保持します）",
                 f"Column {text!r} is not in the form (kept untouched)")
    for index, text, key in found.duplicates:
        sink.add("READ-009", CellRef(grid.name, header_row, index), None, text,
                 f"列「{text}」は「{spec.column(key).ja}」と重複しています（最初の列を読みます）",
                 f"Column {text!r} repeats {spec.column(key).en}; the first one is read")

    columns = dict(found.columns)
    cols = [(spec.column(k), c) for k, c in columns.items()]
    inputs = [(col, c) for col, c in cols if not col.is_computed]
    extras = [(i, t) for i, t in found.unmatched]
    id_col = spec.id_column
    id_index = columns.get(id_col.key)
    parse = _Parser([c for c, _ in cols])
    first = found.data_start
    rows = grid.rows

    def is_blank_row(line: list[Any]) -> bool:
        return all(_blank(line[c]) if c < len(line) else True for _, c in inputs)

    last = len(rows) - 1
    while last >= first and is_blank_row(rows[last]):
        last -= 1
    end = last if table_last_row is None else min(last, max(table_last_row, first - 1))

    records: list[Record] = []
    seen_ids: dict[str, int] = {}
    pending_blank: list[int] = []
    for r in range(first, last + 1):
        line = rows[r]
        if is_blank_row(line):
            pending_blank.append(r)
            continue
        if id_index is not None and _blank(line[id_index] if id_index < len(line) else None) and _is_totals(line):
            continue  # a totals row at the bottom: not a record
        for b in pending_blank:
            sink.add("READ-005", CellRef(grid.name, b, 0), None, None,
                     f"データ範囲の途中に空行があります（{b + 1}行目）", f"Blank row inside the data range (row {b + 1})")
        pending_blank = []
        if r > end:
            sink.add("READ-005", CellRef(grid.name, r, 0), None, None,
                     f"表の範囲外（{r + 1}行目）にデータがあります。表を広げてください",
                     f"Data below the table's end (row {r + 1}); extend the table to include it")
        records.append(_record(spec, grid.name, r, line, cols, columns, extras, parse, errors, sink, seen_ids,
                               id_col))
    return TableRead(records, found, columns)


def _is_totals(line: list[Any]) -> bool:
    return any(isinstance(v, str) and _TOTALS.match(v) for v in line)


def _record(spec, sheet, r, line, cols, columns, extras, parse, errors, sink: Sink, seen_ids, id_col) -> Record:
    values: dict[str, Any] = {}
    raw_kept: dict[str, Any] = {}
    n = len(line)
    rid = None
    if id_col.key in columns:
        c = columns[id_col.key]
        rid_raw = line[c] if c < n else None
        rid = None if _blank(rid_raw) else parse(id_col, rid_raw).value
    for col, c in cols:
        raw = line[c] if c < n else None
        err = errors.get((r, c))
        if err is not None or (isinstance(raw, str) and raw in EXCEL_ERRORS):
            shown = err or raw
            values[col.key] = None
            raw_kept[col.key] = shown
            sink.add("READ-006", CellRef(sheet, r, c), rid, shown,
                     f"{col.ja}: エラー値 {shown} が入っています", f"{col.en}: the cell holds the error value {shown}")
            continue
        parsed = parse(col, raw)
        values[col.key] = parsed.value
        if not parsed.ok:
            raw_kept[col.key] = raw
            sink.add("READ-003", CellRef(sheet, r, c), rid, raw, parsed.message_ja, parsed.message_en)
        elif parsed.value is None and col.required and not col.is_computed:
            sink.add("READ-002", CellRef(sheet, r, c), rid, None,
                     f"必須項目「{col.ja}」が空欄です", f"Required {col.en} ({col.ja}) is blank")
    if rid is not None:
        key = str(rid)
        if key in seen_ids:
            sink.add("READ-004", CellRef(sheet, r, columns[id_col.key]), rid, rid,
                     f"{id_col.ja}「{rid}」が重複しています（{seen_ids[key] + 1}行目と同じ）",
                     f"{id_col.en} {rid!r} is used twice (also on row {seen_ids[key] + 1})")
        else:
            seen_ids[key] = r
    extra = {text: (line[i] if i < n else None) for i, text in extras}
    return Record(values, sheet=sheet, row=r, columns=columns, raw=raw_kept, extra=extra)
