"""Recompute what the manual computes: every computed column of a form, from the same expressions
that wrote the template's formulas, and the band colours of the cells that show a band.

Gives CALC findings for cells that disagree (CALC-001 wrong value, CALC-002 a constant typed over
the formula, CALC-003 a fill that does not match its band) and the list of cell changes that would
make the workbook right. Columns computed from other forms (the SoA's 採用理由:リスク対応 and
関連リスクID, B-19's 最新継続評価日) are recomputed when those forms are given; their
disagreements are the cross-form rules' findings (XREF-015 …), not CALC ones.

Pure module: no Excel library is imported here; writing the changes is io/patch's job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import ne, not_, or_
from typing import Any

from isms_xl.config import Config
from isms_xl.derived import derive
from isms_xl.expr import _blank
from isms_xl.findings import Finding, Severity
from isms_xl.method import Method
from isms_xl.reader.model import CellRef, Form, Record, shared_column, values_column
from isms_xl.schema import Column, FormSpec

SEVERITY = {"CALC-001": Severity.ERROR, "CALC-002": Severity.WARNING, "CALC-003": Severity.WARNING}


@dataclass(frozen=True)
class CellChange:
    """One owned cell whose value (and for banded cells, colours) should change."""

    cell: CellRef
    key: str
    record: str | None
    old: Any
    new: Any
    fill: str | None  # RRGGBB of the band, None for no fill; only meaningful when ``banded``
    font: str | None
    banded: bool
    value_changed: bool
    fill_changed: bool
    formula: str | None = None  # restore this formula (no "="): the cell held a constant (CALC-002)


@dataclass
class Recomputed:
    form: Form
    findings: list[Finding] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    # Each record's computed and derived values (what its owned cells should hold), in record
    # order: the Excel layer writes whole blocks of them, not only the cells that disagree.
    expected: list[dict[str, Any]] = field(default_factory=list)


def same(a: Any, b: Any) -> bool:
    """Equal as a person reading the cell would say: blanks alike, numbers within rounding."""
    if _blank(a) and _blank(b):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    if isinstance(a, dt.datetime) and isinstance(b, dt.date) and not isinstance(b, dt.datetime):
        return a.date() == b
    if isinstance(a, tuple) and isinstance(b, (tuple, list)):
        return list(a) == list(b)
    return a == b


def record_env(spec: FormSpec, record: Record) -> dict[str, Any]:
    """What the expressions read: the record's values, column groups as lists (B-26's months) and
    embedded-table columns as lists ("criteria.score")."""
    env = dict(record.values)
    for group in spec.groups:
        env[group] = [record.values.get(c.key) for c in spec.group(group)]
    for tab in spec.tables:
        rows = record.tables.get(tab.key, [])
        for col in tab.columns:
            env[f"{tab.key}.{col.key}"] = [r.values.get(col.key) for r in rows]
    return env


def recompute_form(form: Form, config: Config, others: Mapping[str, Form] | None = None,
                   cache: dict[str, Any] | None = None) -> Recomputed:
    """``cache``: a check run's shared cache (see ``derive``)."""
    spec, method = form.spec, config.method
    envs, expecteds, columns = _expected(form, config, others, cache)
    out = Recomputed(form, expected=expecteds)
    id_key = spec.id_column.key
    checked = [col for col in spec.columns if col.computed is not None or col.derived_from]
    records = form.records
    # Table records share one sheet and column map: their cells are judged a column at a time.
    table = all(r.row is not None and r.columns is not None for r in records)
    rows = [r.row for r in records] if table else []
    looks = {col.key: _needs_look(form, method, col, expecteds, envs, columns, rows) if table
             else [True] * len(records) for col in checked}
    flagged = sorted({i for look in looks.values() for i in compress(range(len(records)), look)})
    for index in flagged:  # the records with a cell to look at closely
        record, expected = records[index], expecteds[index]
        rid = record.values.get(id_key)
        for col in checked:
            if col.key not in expected or not looks[col.key][index]:
                continue
            cell = record.cell(col.key)
            if cell is None:
                continue  # the column is not in the sheet (READ-001 said so if it was required)
            _check_cell(out, form, spec, method, col, cell, record, rid, expected, envs[index])
    return out


def expected_values(form: Form, config: Config, others: Mapping[str, Form] | None = None,
                    cache: dict[str, Any] | None = None) -> tuple[Sequence[dict[str, Any]], list[dict[str, Any]]]:
    """What the expressions read for each record (its values with the computed ones in place),
    and each record's computed and derived values. The environments are built only when asked
    for: most records' cells agree, and nobody looks at theirs."""
    envs, expecteds, _ = _expected(form, config, others, cache)
    return envs, expecteds


def _expected(form: Form, config: Config, others: Mapping[str, Form] | None,
              cache: dict[str, Any] | None) -> tuple[Sequence[dict[str, Any]], list[dict[str, Any]], dict[str, list[Any]]]:
    """``expected_values``, and the computed columns as lists when they were evaluated a column
    at a time (else {})."""
    spec, method = form.spec, config.method
    derived = derive(spec, form, others or {}, cache) if any(c.derived_from for c in spec.columns) else {}
    records = form.records
    # In a check run the rules read some of the same input columns (RISK: the levels): shared.
    shared = None
    if cache is not None and others is not None and others.get(spec.form_id) is form:
        shared = partial(shared_column, cache, spec.form_id, records)
    computed = _computed_columns(spec, records, method, shared)
    if computed is None:  # row by row: an expression reads a column group or an embedded table
        envs: list[dict[str, Any]] = []
        expecteds: list[dict[str, Any]] = []
        for index, record in enumerate(records):
            env = record_env(spec, record)
            expected: dict[str, Any] = {}
            for col in spec.columns:
                if col.computed is not None:
                    expected[col.key] = env[col.key] = col.computed.evaluate(env, method)
                elif col.derived_from and (index, col.key) in derived:
                    expected[col.key] = derived[(index, col.key)]
            envs.append(env)
            expecteds.append(expected)
        return envs, expecteds, {}
    keys = list(computed)
    rows = zip(*computed.values()) if keys else repeat((), len(records))
    expecteds = list(map(dict, map(zip, repeat(keys), rows)))
    for (index, key), value in derived.items():
        expecteds[index][key] = value
    return _Envs(spec, records, expecteds, keys), expecteds, computed


def _computed_columns(spec: FormSpec, records: list[Record], method: Method,
                      shared: Callable[[str], list[Any]] | None = None) -> dict[str, list[Any]] | None:
    """Every computed column of a table form, a column at a time (``Expr.evaluate_column``; a
    column may read the ones before it), or None when one cannot be (it reads lists).
    ``shared``: where the records' columns come from when a check run shares them."""
    columns = _Columns(records, shared)
    out: dict[str, list[Any]] = {}
    try:
        for col in spec.columns:
            if col.computed is not None:
                out[col.key] = columns[col.key] = col.computed.evaluate_column(columns, method, len(records))
    except NotImplementedError:
        return None
    return out


class _Columns(dict):
    """A form's columns as lists, fetched from the records when first read (computed ones are
    set here as they are evaluated, never into the shared columns)."""

    def __init__(self, records: list[Record], shared: Callable[[str], list[Any]] | None) -> None:
        super().__init__()
        self.records, self.shared = records, shared

    def get(self, key: str, default: Any = None) -> list[Any]:
        if key not in self:
            self[key] = self.shared(key) if self.shared is not None else values_column(self.records, key)
        return self[key]


class _Envs(Sequence):
    """``record_env`` with the computed values in place, built for the records looked at."""

    def __init__(self, spec: FormSpec, records: list[Record], expecteds: list[dict[str, Any]],
                 computed: list[str]) -> None:
        self.spec, self.records, self.expecteds, self.computed = spec, records, expecteds, computed

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> dict[str, Any]:
        env = record_env(self.spec, self.records[index])
        expected = self.expecteds[index]
        env.update((key, expected[key]) for key in self.computed)
        return env


def _needs_look(form: Form, method: Method, col: Column, expecteds: list[dict[str, Any]],
                envs: Sequence[dict[str, Any]], columns: dict[str, list[Any]], rows: list[int]) -> list[bool]:
    """Which table records' cells of ``col`` may disagree (value, formula or fill), decided a
    column at a time in C: nearly every cell agrees, and ``_check_cell`` looks closely at the
    rest. ``columns``: the computed columns as lists, when evaluated so."""
    records = form.records
    col_index = form.columns.get(col.key)
    if col_index is None:
        return [True] * len(records)
    sheet = records[0].sheet if records else ""
    key = col.key
    new = columns[key] if key in columns else [e.get(key) for e in expecteds]
    look = list(map(ne, values_column(records, key), new))
    if form.cell_info and col.computed is not None:
        formulas = form.formula_cells.get(sheet)
        if formulas is None:
            has = [False] * len(rows)
        elif hasattr(formulas, "contains_in_column"):
            has = formulas.contains_in_column(rows, col_index)
        else:
            has = [(r, col_index) in formulas for r in rows]
        look = list(map(or_, look, map(not_, has)))  # _check_cell skips the blank ones
    if col.band_of and form.cell_info:
        band = col.band_of
        if band in columns:
            values: Sequence[Any] = columns[band]
        else:
            values = [e[band] if band in e else envs[i].get(band) for i, e in enumerate(expecteds)]
        # The band's fill of each distinct value (a number; anything else wants no fill). True
        # equals 1 as a dict key, so a column holding booleans is mapped one by one.
        try:
            distinct = set(values)
        except TypeError:  # an unhashable value: look at each
            distinct = {True}
        if not any(v.__class__ is bool for v in distinct):  # True would equal 1 as a key
            fill = {v: method.band(v).fill for v in distinct if isinstance(v, (int, float))}
            want: Iterable[str | None] = map(fill.get, values)  # blanks and text: no fill
        else:
            want = [method.band(v).fill if isinstance(v, (int, float)) and not isinstance(v, bool) else None
                    for v in values]
        if hasattr(form.fills, "column"):  # reader.fills.Fills: the column's list as read
            have = form.fills.column(sheet, rows, col_index)
        else:
            have = list(map(form.fills.get, zip(repeat(sheet), rows, repeat(col_index))))
        look = list(map(or_, look, map(ne, map(_NO_FILL.get, have, have), want)))  # "" is no fill
    return look


_NO_FILL = {"": None}


def _check_cell(out: Recomputed, form: Form, spec: FormSpec, method: Method, col: Column, cell: CellRef,
                record: Record, rid: Any, expected: dict[str, Any], env: dict[str, Any]) -> None:
    new = expected[col.key]
    old = record.raw.get(col.key, record.values.get(col.key))
    value_changed = not same(record.values.get(col.key), new)
    where = (cell.sheet, cell.row, cell.col)
    calc = col.computed is not None
    if calc and value_changed:
        _add(out, "CALC-001", spec, form, cell, rid, old,
             f"{col.ja}が計算結果と一致しません（セル: {_show(old)}、正: {_show(new)}）",
             f"{col.en} disagrees with the method (cell: {_show(old)}, correct: {_show(new)})")
    formula = None
    if calc and form.cell_info and not form.has_formula(cell) and not _blank(old):
        _add(out, "CALC-002", spec, form, cell, rid, old,
             f"{col.ja}に数式ではなく値が入力されています（様式では数式）",
             f"{col.en} holds a constant where the form has a formula")
        formula = formula_for(spec, col, record, method)
    fill = font = None
    fill_changed = False
    if col.band_of:
        band_value = expected.get(col.band_of, env.get(col.band_of))
        if isinstance(band_value, (int, float)) and not isinstance(band_value, bool):
            band = method.band(band_value)
            fill, font = band.fill, band.font
        if form.cell_info:
            actual = form.fills.get(where)
            fill_changed = (actual or None) != fill
            if fill_changed and calc:
                want = method.band(band_value).ja if fill else "塗りつぶしなし"
                _add(out, "CALC-003", spec, form, cell, rid, actual,
                     f"{col.ja}の塗りつぶし（{actual or 'なし'}）が帯（{want}）の色と一致しません",
                     f"{col.en} fill ({actual or 'none'}) does not match its band ({fill or 'no fill'})")
    if value_changed or fill_changed or formula:
        out.changes.append(CellChange(cell, col.key, None if rid is None else str(rid), old, new, fill, font,
                                      bool(col.band_of), value_changed, fill_changed, formula))


def formula_for(spec: FormSpec, col: Column, record: Record, method: Method) -> str | None:
    """The column's formula at this record's cells (the user may have moved columns), or None when
    an input it reads is not in the sheet or a column group is no longer adjacent."""
    def ref(key: str) -> str:
        if "." in key:  # a card's embedded-table column: the rows it holds
            table, column = key.split(".", 1)
            cells = [r.cell(column) for r in record.tables.get(table, [])]
            if not cells or None in cells:
                raise KeyError(key)
            return f"{cells[0].a1}:{cells[-1].a1}"
        if key in spec.groups:  # B-26's months: one row range, only if still adjacent
            cells = [record.cell(c.key) for c in spec.group(key)]
            if None in cells or [c.col for c in cells] != list(range(cells[0].col, cells[0].col + len(cells))):
                raise KeyError(key)
            return f"{cells[0].a1}:{cells[-1].a1}"
        cell = record.cell(key)
        if cell is None:
            raise KeyError(key)
        return cell.a1

    try:
        return col.computed.excel(ref, method)
    except (KeyError, ValueError):
        return None


def _add(out: Recomputed, rule: str, spec: FormSpec, form: Form, cell: CellRef, rid: Any, value: Any,
         ja: str, en: str) -> None:
    out.findings.append(Finding(rule, SEVERITY[rule], spec.form_id, form.path.name, cell.sheet, cell.a1,
                                None if rid is None else str(rid), value, ja, en))


def _show(value: Any) -> str:
    if _blank(value):
        return "空欄"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)

