"""Reading a table form (台帳): find the header row however the sheet was edited, then turn each
data row into a typed record, reporting READ-001 … READ-006 and READ-009 at their cells."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from operator import attrgetter, is_not, or_
from typing import Any

from isms_xl.headers import HeaderMatch
from isms_xl.reader.grid import SheetGrid
from isms_xl.reader.identify import matcher
from isms_xl.reader.model import CellRef, Record
from isms_xl.reader.sink import Sink
from isms_xl.schema import Column, FormSpec
from isms_xl.values import EXCEL_ERRORS, Parsed, parse_value, plain_column, quick_values

_TOTALS = re.compile(r"^\s*(合計|総計|小計|計|total|sum)\s*$", re.IGNORECASE)
_TOTALS_ASCII = frozenset({"total", "sum"})


@dataclass
class TableRead:
    records: list[Record]
    header: HeaderMatch | None
    columns: dict[str, int]


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


def read_table(spec: FormSpec, grid: SheetGrid, sink: Sink, *, error_cells: dict[tuple[int, int], str] | None = None,
               table_last_row: int | None = None, found: HeaderMatch | None = None) -> TableRead:
    """``found``: the sheet's header when the caller has already looked for it."""
    errors = error_cells or {}
    if found is None:
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
        # In a two-row header the text of a column merged over both rows sits in the upper row.
        at = header_row if not _blank(grid.value(header_row, index)) else found.row
        sink.add("READ-009", CellRef(grid.name, at, index), None, text,
                 f"列「{text}」は様式にない列です（そのまま保持します）",
                 f"Column {text!r} is not in the form (kept untouched)")
    for index, text, key in found.duplicates:
        sink.add("READ-009", CellRef(grid.name, header_row, index), None, text,
                 f"列「{text}」は「{spec.column(key).ja}」と重複しています（最初の列を読みます）",
                 f"Column {text!r} repeats {spec.column(key).en}; the first one is read")

    columns = dict(found.columns)
    cols = [(spec.column(k), c) for k, c in columns.items()]
    input_idx = [c for col, c in cols if not col.is_computed]
    extras = list(found.unmatched)
    id_col = spec.id_column
    id_index = columns.get(id_col.key)
    first = found.data_start
    rows = grid.rows
    width = max(c for _, c in cols) + 1 if cols else 0
    # Pad short rows once so every column can be read by index (calamine rows can be ragged).
    body = [line if len(line) >= width else list(line) + [None] * (width - len(line)) for line in rows[first:]]
    # Columns by one transposition in C (rows are at least ``width`` long, so none is cut).
    by_col = list(zip(*body)) if body else [()] * width
    raws_of = {c: by_col[c] for _, c in cols}
    del by_col
    # A row is blank when every input cell is. Nearly every row has its id, so look at the id
    # column first and at the other columns only for the rows without one.
    check = [c for c in input_idx if c != id_index]
    ids = raws_of[id_index] if id_index is not None else None
    # Plain ids (the usual register) are all present: then no row is blank.
    id_plain = ids is not None and plain_column(id_col, ids)
    if id_plain:
        filled = [True] * len(body)
    else:
        filled = list(map(_present, ids)) if ids is not None else [False] * len(body)
        for i in [i for i, ok in enumerate(filled) if not ok]:
            filled[i] = any(_present(raws_of[c][i]) for c in check)
    last = len(body) - 1
    while last >= 0 and not filled[last]:
        last -= 1
    end = last if table_last_row is None else min(last, max(table_last_row - first, -1))
    # Totals rows: a blank or "合計" id and a "合計" cell. The id test runs in C over the column,
    # the row test only where it holds.
    totals: set[int] = set()
    if id_plain:  # of the totals words, only the ASCII ones can be a plain id
        maybe = map(_TOTALS_ASCII.__contains__, map(str.lower, ids))
        totals = {i for i in compress(range(last + 1), maybe) if _is_totals(body[i])}
    elif ids is not None:
        maybe = map(or_, map(_blank, ids), map(bool, map(_TOTALS.match, map(str, ids))))
        totals = {i for i in compress(range(last + 1), maybe) if filled[i] and _is_totals(body[i])}

    if not totals and all(filled[:last + 1]):
        keep = list(range(last + 1))  # the usual register: no blank or totals row
        for i in range(end + 1, last + 1):
            _below_end(sink, grid.name, first + i)
    else:
        keep = []  # offsets (from ``first``) of record rows
        pending: list[int] = []
        for i in range(last + 1):
            if not filled[i]:
                pending.append(i)
                continue
            if i in totals:
                continue  # a totals row at the bottom: not a record
            for b in pending:
                sink.add("READ-005", CellRef(grid.name, first + b, 0), None, None,
                         f"データ範囲の途中に空行があります（{first + b + 1}行目）",
                         f"Blank row inside the data range (row {first + b + 1})")
            pending = []
            if i > end:
                _below_end(sink, grid.name, first + i)
            keep.append(i)
    all_rows = len(keep) == len(body)

    # Column by column: a register repeats the same few spellings thousands of times, so each
    # distinct raw value is parsed once, and only the cells whose value has a problem are visited.
    keys = [col.key for col, _ in cols]
    value_columns: list[list[Any]] = []
    problems: list[tuple[int, int]] = []  # (record number, column position)
    for j, (col, c) in enumerate(cols):
        raws = raws_of[c] if all_rows else [raws_of[c][i] for i in keep]
        if (id_plain and all_rows and c == id_index) or plain_column(col, raws):  # each raw is its value
            value_columns.append(raws)
            continue
        # Distinct values only, and plain text (ids, names, free text) needs no parsing at all:
        # it is its own value, so a column of it is used as it is.
        changed, slow = quick_values(col, set(raws))
        parsed_of: dict[Any, Parsed] = {raw: parse_value(col, raw) for raw in slow}
        changed.update((raw, parsed.value) for raw, parsed in parsed_of.items())
        value_columns.append(list(map(changed.get, raws, raws)) if changed else raws)
        bad = {raw for raw, p in parsed_of.items()
               if not p.ok or (p.value is None and col.required and not col.is_computed)}
        if bad:
            problems.extend((n, j) for n, raw in enumerate(raws) if raw in bad)
    if errors:
        position = {c: j for j, (_, c) in enumerate(cols)}
        number = {first + i: n for n, i in enumerate(keep)}
        problems.extend((number[r], position[c]) for r, c in errors if c in position and r in number)

    id_pos = keys.index(id_col.key) if id_col.key in columns else None
    seen_ids: dict[str, int] = {}
    extras_at = [(j, text) for j, text in extras]
    # One Record per row, built by C iteration (map/zip) rather than a Python loop. Each row's
    # values start as a copy of one dict of the keys (so no dict grows key by key).
    template = dict.fromkeys(keys)
    values = list(map(dict.copy, repeat(template, len(keep) if value_columns else 0)))
    deque(map(dict.update, values, map(zip, repeat(keys), zip(*value_columns))), maxlen=0)
    records: list[Record] = list(map(Record, values, repeat(grid.name), [first + i for i in keep], repeat(columns)))
    if extras_at:
        for record, i in zip(records, keep):
            record.extra = {text: body[i][j] if j < len(body[i]) else None for j, text in extras_at}
    for n, j in sorted(set(problems)):
        col, c = cols[j]
        record = records[n]
        rid = record.values.get(id_col.key) if id_pos is not None else None
        raw = body[keep[n]][c]
        _problem(sink, grid.name, first + keep[n], c, col, raw, parse_value(col, raw), rid, errors,
                 record.values, record.raw)
    # Ids repeat rarely: look for the repeats only when there are some. Plain ids are the
    # records' ids as they are (no cell of theirs had a problem).
    if id_plain and all_rows:
        id_keys = ids
    else:
        rids = [] if id_pos is None else list(map(dict.get, map(attrgetter("values"), records), repeat(id_col.key)))
        id_keys = list(map(str, filter(partial(is_not, None), rids)))
    if len(set(id_keys)) != len(id_keys):
        for record in records:
            rid = record.values.get(id_col.key)
            if rid is None:
                continue
            key = str(rid)
            if key in seen_ids:
                sink.add("READ-004", CellRef(grid.name, record.row, columns[id_col.key]), rid, rid,
                         f"{id_col.ja}「{rid}」が重複しています（{seen_ids[key] + 1}行目と同じ）",
                         f"{id_col.en} {rid!r} is used twice (also on row {seen_ids[key] + 1})")
            else:
                seen_ids[key] = record.row
    return TableRead(records, found, columns)


def _problem(sink: Sink, sheet: str, r: int, c: int, col: Column, raw: Any, parsed: Parsed, rid: Any,
             errors: dict[tuple[int, int], str], values: dict[str, Any], raw_kept: dict[str, Any]) -> None:
    err = errors.get((r, c))
    if err is not None or (isinstance(raw, str) and raw in EXCEL_ERRORS):
        shown = err or raw
        values[col.key] = None
        raw_kept[col.key] = shown
        sink.add("READ-006", CellRef(sheet, r, c), rid, shown,
                 f"{col.ja}: エラー値 {shown} が入っています", f"{col.en}: the cell holds the error value {shown}")
    elif not parsed.ok:
        raw_kept[col.key] = raw
        sink.add("READ-003", CellRef(sheet, r, c), rid, raw, parsed.message_ja, parsed.message_en)
    else:
        sink.add("READ-002", CellRef(sheet, r, c), rid, None,
                 f"必須項目「{col.ja}」が空欄です", f"Required {col.en} ({col.ja}) is blank")


def _below_end(sink: Sink, sheet: str, r: int) -> None:
    sink.add("READ-005", CellRef(sheet, r, 0), None, None,
             f"表の範囲外（{r + 1}行目）にデータがあります。表を広げてください",
             f"Data below the table's end (row {r + 1}); extend the table to include it")


def _present(v: Any) -> bool:
    return v != "" and v is not None and not (v.__class__ is str and v.isspace())


def _is_totals(line: list[Any]) -> bool:
    return any(isinstance(v, str) and _TOTALS.match(v) for v in line)
