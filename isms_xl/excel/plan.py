"""What the recompute button writes into an open workbook, as blocks: the computed cells and the
band fills of one form, each contiguous block a single write however many rows it spans.

The file-based recompute (apply.py) patches cached values under the formulas. Excel computes
formulas itself, so here a computed cell gets its formula back (the same text the template has,
from the same definition) wherever its value disagrees with the method or a constant was typed
over it; Excel then shows the right value. Cells computed from other forms (the SoA's, B-19's)
have no formula and get the value.

Excel engines that cannot read formulas in one call (the remote engine behind xlwings Lite and
Server) leave us not knowing which cells still hold one; inside a block every computed cell is
then written with its formula, which gives the same value wherever the old content was right.
Fills cannot be read in one call on any engine, so every banded cell is repainted with its band.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from isms_xl.config import Config
from isms_xl.expr import _blank
from isms_xl.method import Method
from isms_xl.reader.model import CellRef, Form, Record
from isms_xl.recompute import CellChange, formula_for, recompute_form
from isms_xl.schema import Column, FormSpec

KEEP = ...  # in a paint block: leave this cell's fill alone


@dataclass(frozen=True)
class Block:
    """Contents for a rectangle: ``rows[i][j]`` goes to (row + i, col + j), 0-based. A formula is
    text starting with "="."""

    sheet: str
    row: int
    col: int
    rows: list[list[Any]]


@dataclass(frozen=True)
class Paint:
    """Fills for a rectangle: "RRGGBB", None (no fill) or KEEP."""

    sheet: str
    row: int
    col: int
    colours: list[list[Any]]


@dataclass
class FormPlan:
    form: Form
    changes: list[CellChange]  # what the file-based recompute would change (values, fills)
    blocks: list[Block] = field(default_factory=list)
    paints: list[Paint] = field(default_factory=list)
    written: set[CellRef] = field(default_factory=set)  # cells whose content changes
    restored: set[CellRef] = field(default_factory=set)  # of those: a formula put back
    painted: int = 0  # banded cells repainted


def plan_form(form: Form, config: Config, others: Mapping[str, Form] | None = None, *,
              values: Mapping[str, list[list[Any]]],
              formulas: Mapping[str, list[list[Any]]] | None = None) -> FormPlan:
    """The blocks that make ``form`` right. ``values`` and ``formulas`` are the sheets' grids
    anchored at A1 (``formulas`` as Excel's ``Range.Formula`` gives them; None when unknown)."""
    others = others or {}
    recomputed = recompute_form(form, config, others)
    plan = FormPlan(form, recomputed.changes)
    spec, method = form.spec, config.method
    expected = recomputed.expected
    owned = [c for c in spec.columns if c.computed is not None or c.derived_from]
    wrong = {c.cell for c in recomputed.changes if c.value_changed}
    owned_at: dict[CellRef, tuple[Record, Column, Any]] = {}  # owned cell -> its record, column, value
    for index, record in enumerate(form.records):
        for col in owned:
            cell = record.cell(col.key)
            if cell is None or (col.derived_from and col.key not in expected[index]):
                continue
            owned_at[cell] = (record, col, expected[index].get(col.key))

    def content(cell: CellRef) -> Any:
        """What an owned cell should hold; formula text is built only for the cells written."""
        record, col, value = owned_at[cell]
        return _content(spec, col, record, value, method)

    for cell, (_record, col, _value) in owned_at.items():
        if cell not in wrong:
            # Excel keeps a formula current; only a constant typed over it needs writing (CALC-002).
            if formulas is None or col.computed is None:
                continue
            if _is_formula(_at(formulas, cell)) or _blank(_at(values, cell)):
                continue
        want = content(cell)
        if cell not in wrong and not _is_formula(want):
            continue  # no formula for this cell (an input is not in the sheet): the value is right
        plan.written.add(cell)
        if _is_formula(want):
            plan.restored.add(cell)
    plan.blocks = _blocks(form, owned, owned_at, content, plan.written, values, formulas, method)
    plan.paints, plan.painted = _paints(form, expected, method)
    return plan


def _content(spec: FormSpec, col: Column, record: Record, value: Any, method: Method) -> Any:
    if col.computed is not None:
        formula = formula_for(spec, col, record, method)
        if formula is not None:
            return "=" + formula
    return _cell_value(value)


def _blocks(form: Form, owned: list[Column], owned_at: Mapping[CellRef, Any], content, written: set[CellRef],
            values: Mapping[str, list[list[Any]]], formulas: Mapping[str, list[list[Any]]] | None,
            method: Method) -> list[Block]:
    if not written:
        return []
    if not form.columns:  # a card form: its fields are single cells on their own sheets
        return [Block(c.sheet, c.row, c.col, [[content(c)]]) for c in sorted(written, key=_order)]
    spec = form.spec
    by_index = {form.columns[c.key]: c for c in owned if c.key in form.columns}
    sheet = form.records[0].sheet
    blocks = []
    for run in _runs(sorted(by_index)):
        rows = [c.row for c in written if c.col in run]
        if not rows:
            continue
        top, bottom = min(rows), max(rows)
        block = []
        for r in range(top, bottom + 1):
            line = []
            for c in run:
                cell = CellRef(sheet, r, c)
                if cell in written:
                    line.append(content(cell))
                elif cell in owned_at and formulas is None and owned_at[cell][1].computed is not None:
                    line.append(content(cell))  # formulas unknown: the template's (same value)
                elif cell in owned_at or formulas is not None:
                    line.append(_existing(cell, values, formulas))
                else:  # a row that is not a record (blank, totals) inside the block
                    line.append(_formula_or_value(spec, by_index[c], form, r, cell, values, method))
            block.append(line)
        blocks.append(Block(sheet, top, run[0], block))
    return blocks


def _existing(cell: CellRef, values, formulas) -> Any:
    """What the cell holds now: its formula when there is one, else its value."""
    formula = _at(formulas, cell) if formulas is not None else None
    return formula if _is_formula(formula) else _at(values, cell)


def _formula_or_value(spec: FormSpec, col: Column, form: Form, row: int, cell: CellRef, values, method) -> Any:
    """A non-record row inside a block when formulas are unknown: the column's formula at that
    row (the template puts it in blank rows too), else the value the cell holds."""
    if col.computed is not None:
        blank = Record({}, sheet=cell.sheet, row=row, columns=form.columns)
        formula = formula_for(spec, col, blank, method)
        if formula is not None:
            return "=" + formula
    return _at(values, cell)


def _paints(form: Form, expected: list[dict[str, Any]], method: Method) -> tuple[list[Paint], int]:
    """Every banded cell gets its band's fill (no fill when its value is not a number)."""
    spec = form.spec
    banded = [c for c in spec.columns if c.band_of]
    colour: dict[CellRef, str | None] = {}
    for index, record in enumerate(form.records):
        for col in banded:
            cell = record.cell(col.key)
            if cell is None:
                continue
            value = expected[index].get(col.band_of, record.values.get(col.band_of))
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            colour[cell] = method.band(value).fill if number else None
    if not colour:
        return [], 0
    if not form.columns:
        return [Paint(c.sheet, c.row, c.col, [[colour[c]]]) for c in sorted(colour, key=_order)], len(colour)
    sheet = form.records[0].sheet
    indexes = sorted({form.columns[c.key] for c in banded if c.key in form.columns})
    rows = [c.row for c in colour]
    top, bottom = min(rows), max(rows)
    paints = [Paint(sheet, top, run[0], [[colour.get(CellRef(sheet, r, c), KEEP) for c in run]
                                         for r in range(top, bottom + 1)])
              for run in _runs(indexes)]
    return paints, len(colour)


def _runs(indexes: list[int]) -> list[list[int]]:
    """Consecutive column indexes grouped: [9, 10, 17, 18] -> [[9, 10], [17, 18]]."""
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _order(cell: CellRef) -> tuple[str, int, int]:
    return (cell.sheet, cell.row, cell.col)


def _cell_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _at(grid: Mapping[str, list[list[Any]]] | None, cell: CellRef) -> Any:
    rows = (grid or {}).get(cell.sheet)
    if rows is None or cell.row >= len(rows) or cell.col >= len(rows[cell.row]):
        return None
    return rows[cell.row][cell.col]
