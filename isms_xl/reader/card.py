"""Reading a card form (帳票): one record per sheet. Fields are found by their sheet-scoped defined
name, else by their label (the value to the right of the label, or below it; a merged range holds
its value in its top-left cell); embedded tables by their name, else by their header row."""

from __future__ import annotations

from functools import cache
from typing import Any

from isms_xl.headers import HeaderMatcher, normalize_header
from isms_xl.reader.grid import SheetGrid
from isms_xl.reader.identify import matcher
from isms_xl.reader.model import CellRef, Record
from isms_xl.reader.sink import Sink
from isms_xl.schema import EmbeddedTable, FormSpec
from isms_xl.values import EXCEL_ERRORS, parse_value


def _section_titles() -> set[str]:
    from isms_xl.forms import FORMS

    return {t.ja for spec in FORMS.values() for t in spec.tables} | {t.en for spec in FORMS.values() for t in spec.tables}


_SECTION_TITLES = _section_titles()


@cache
def _table_matcher(table: EmbeddedTable) -> HeaderMatcher:
    return HeaderMatcher(table.columns, table.key)


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


def _merged_end(grid: SheetGrid, r: int, c: int) -> int:
    for r0, c0, r1, c1 in grid.merged:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return c1
    return c


def find_fields(spec: FormSpec, grid: SheetGrid, named: dict[str, CellRef]) -> dict[str, CellRef]:
    """key -> value cell, by defined name first, then by label."""
    cells = {k: ref for k, ref in named.items() if any(c.key == k for c in spec.columns)}
    m = matcher(spec)
    limit = min(grid.height, 80)
    for r in range(limit):
        line = grid.rows[r]
        for c, text in enumerate(line):
            if not isinstance(text, str) or not text.strip():
                continue
            col = m.match(text)
            if col is None or col.key in cells:
                continue
            right = _merged_end(grid, r, c) + 1
            value_col = next((k for k in range(right, min(right + 3, len(line))) if not _blank(line[k])), right)
            if _blank(grid.value(r, value_col)) and not _blank(grid.value(r + 1, c)) and m.match(grid.value(r + 1, c)) is None:
                cells[col.key] = CellRef(grid.name, r + 1, c)
            else:
                cells[col.key] = CellRef(grid.name, r, value_col)
    return cells


def is_card_sheet(spec: FormSpec, grid: SheetGrid, named: dict[str, CellRef]) -> bool:
    """A record sheet names the card's id field (by defined name or label)."""
    key = spec.id_column.key
    if key in named:
        return True
    m = matcher(spec)
    return any(isinstance(v, str) and (col := m.match(v)) is not None and col.key == key
               for line in grid.rows[:40] for v in line)


def read_card(spec: FormSpec, grid: SheetGrid, sink: Sink, named: dict[str, CellRef],
              named_tables: dict[str, tuple[int, int, int, int]], seen_ids: dict[str, str],
              errors: dict[tuple[int, int], str]) -> Record | None:
    cells = find_fields(spec, grid, named)
    values: dict[str, Any] = {}
    raw_kept: dict[str, Any] = {}
    id_ref = cells.get(spec.id_column.key)
    rid_raw = grid.value(id_ref.row, id_ref.col) if id_ref else None
    rid = None if _blank(rid_raw) else str(parse_value(spec.id_column, rid_raw).value)
    tables = {t.key: _read_table(t, grid, named_tables.get(t.key), sink, rid, errors) for t in spec.tables}
    if rid is None and all(_blank(grid.value(ref.row, ref.col)) for ref in cells.values()):
        return None  # the blank card of a template (様式; its tables may hold default items)
    for col in spec.columns:
        ref = cells.get(col.key)
        if ref is None:
            if col.required:
                sink.add("READ-001", CellRef(grid.name, 0, 0), rid, None,
                         f"必須項目「{col.ja}」の欄がありません", f"Required field {col.en} ({col.ja}) is missing from the card")
            values[col.key] = None
            continue
        raw = grid.value(ref.row, ref.col)
        err = errors.get((ref.row, ref.col))
        if err is not None or (isinstance(raw, str) and raw in EXCEL_ERRORS):
            values[col.key] = None
            raw_kept[col.key] = err or raw
            sink.add("READ-006", ref, rid, err or raw, f"{col.ja}: エラー値 {err or raw} が入っています",
                     f"{col.en}: the cell holds the error value {err or raw}")
            continue
        parsed = parse_value(col, raw)
        values[col.key] = parsed.value
        if not parsed.ok:
            raw_kept[col.key] = raw
            sink.add("READ-003", ref, rid, raw, parsed.message_ja, parsed.message_en)
        elif parsed.value is None and col.required and not col.is_computed:
            sink.add("READ-002", ref, rid, None, f"必須項目「{col.ja}」が空欄です", f"Required {col.en} ({col.ja}) is blank")
    if rid is not None:
        if rid in seen_ids:
            sink.add("READ-004", id_ref, rid, rid, f"{spec.id_column.ja}「{rid}」が重複しています（シート「{seen_ids[rid]}」と同じ）",
                     f"{spec.id_column.en} {rid!r} is used twice (also on sheet {seen_ids[rid]!r})")
        else:
            seen_ids[rid] = grid.name
    return Record(values, sheet=grid.name, field_cells=cells, raw=raw_kept, tables=tables)


# An embedded table found by its header ends at the next section (another table's title or
# header, a field label) or after this many blank rows; a single blank row inside loses nothing.
_MAX_BLANK_RUN = 3


def _table_end(table: EmbeddedTable, grid: SheetGrid, first: int, columns: dict[str, int]) -> int:
    titles = {normalize_header(t) for t in _SECTION_TITLES}
    last_filled = first - 1
    blank_run = 0
    r = first
    while r < grid.height:
        values = [grid.value(r, c) for c in columns.values()]
        if all(_blank(v) for v in values):
            blank_run += 1
            if blank_run > _MAX_BLANK_RUN:
                break
        else:
            texts = [normalize_header(v) for v in grid.rows[r] if isinstance(v, str) and v.strip()]
            if any(t in titles and t != normalize_header(table.ja) for t in texts[:1]):
                break  # the next embedded table's title
            blank_run = 0
            last_filled = r
        r += 1
    return last_filled


def _read_table(table: EmbeddedTable, grid: SheetGrid, named: tuple[int, int, int, int] | None, sink: Sink,
                rid: str | None, errors: dict[tuple[int, int], str]) -> list[Record]:
    m = _table_matcher(table)
    if named is not None:
        r0, c0, r1, c1 = named
        found = m.match_row([grid.value(r0, c) for c in range(c0, c1 + 1)])
        columns = {k: c0 + i for k, i in found.columns.items()}
        first, last = r0 + 1, r1
    else:
        found = None
        for r in range(grid.height):
            candidate = m.match_row(grid.rows[r])
            if candidate.score >= max(2, len(table.columns) // 2):
                found = candidate
                first = r + 1
                break
        if found is None:
            return []
        columns = dict(found.columns)
        last = _table_end(table, grid, first, columns)
    rows: list[Record] = []
    title = normalize_header(table.ja)
    for r in range(first, last + 1):
        line_vals = {k: grid.value(r, c) for k, c in columns.items()}
        if all(_blank(v) for v in line_vals.values()):
            continue
        if any(normalize_header(v) == title for v in line_vals.values() if isinstance(v, str)):
            break  # the next section's title: the table ended without a blank row
        values: dict[str, Any] = {}
        for key, raw in line_vals.items():
            col = table.column(key)
            parsed = parse_value(col, raw)
            values[key] = parsed.value
            if not parsed.ok:
                sink.add("READ-003", CellRef(grid.name, r, columns[key]), rid, raw, parsed.message_ja, parsed.message_en)
        rows.append(Record(values, sheet=grid.name, row=r, columns=columns))
    return rows
