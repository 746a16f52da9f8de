"""Test helper: mangled copies of clean ISMS workbooks, as people edit them for years
(spec/inputs.md "What people do to workbooks"), each with the READ findings it must add.

``mangle_table`` and ``mangle_card`` take a clean workbook and what the reader made of it (its
``Form``), load the workbook with openpyxl, apply the manglings a ``TablePlan`` / ``CardPlan``
asks for and save the copy under a new name. The result, ``Mangled``, says

- which READ findings reading the copy must give, exactly (``expected``: sorted
  ``(rule, sheet, cell)`` tuples): the clean read's findings moved with their cells, minus those
  of deleted rows, plus one per mangling that must add one (READ-005 per blank row inserted
  between records, READ-009 per column of the user's own, READ-007 when the
  document-control block was deleted) — see ``Expect`` for how each finding's place follows the
  edits;
- where every cell of the clean workbook went (``locate``), so record cells can be compared;
- which cells were left as formulas without a cached value (``blank_cells``, clean positions).

Formulas. openpyxl keeps a formula but drops its cached value on save, so a copy saved by openpyxl
reads back blank in every computed column — something Excel never writes. The copy therefore
holds each formula cell's cached value (read from the clean workbook with ``data_only=True``) as a
constant: for the reader this is exactly what Excel saved (python-calamine reads the cached value
and never the formula), error values stay error cells, and no formula needs rewriting when columns
move; it is also the "constant typed over the formula" of inputs.md. So the records can be
compared in every column, computed ones included. ``TablePlan.keep_formulas`` keeps the formulas
of some computed columns instead: those cells read back blank (``blank_cells``) without a finding;
a computed cell that already held a constant in the clean workbook keeps it.

Nothing here imports the reader's parsing or header matching to build an input: spellings are
made from the typed values and the declared headers, the way a person would type them. The
reader's matcher is used only to refuse an input that would be ambiguous for any reader (a
user's column named like a declared one).
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
import re
import unicodedata
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.dimensions import DimensionHolder
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.print_settings import PrintArea

from isms_xl.headers import HeaderMatcher
from isms_xl.layout import CARD_LABEL_COL, COVER_SHEET, a1
from isms_xl.reader.identify import matcher
from isms_xl.schema import Column, FormSpec, Kind

Pos = tuple[int, int]  # 0-based (row, col)
Box = tuple[int, int, int, int]  # 0-based (first_row, first_col, last_row, last_col)
MoveFn = Callable[[int, int], Pos | None]


# --------------------------------------------------------------------------------------------
# Spellings people type

def fullwidth(text: str) -> str:
    """ASCII as full-width forms (Ａ１－), spaces as ideographic spaces."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else "\u3000" if ch == " " else ch for ch in text)


def _half_kana_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for cp in range(0xFF66, 0xFFA0):  # ｦ … ﾟ (the half-width katakana block)
        half = chr(cp)
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1:
            table.setdefault(full, half)
    for full, half in list(table.items()):
        for mark in ("\uff9e", "\uff9f"):  # ﾞ ﾟ
            composed = unicodedata.normalize("NFKC", half + mark)
            if len(composed) == 1:
                table.setdefault(composed, half + mark)
    return table


_HALF_KANA = _half_kana_table()


def halfwidth_kana(text: str) -> str:
    """Katakana as half-width katakana (リスク → ﾘｽｸ, ガ → ｶﾞ)."""
    return "".join(_HALF_KANA.get(ch, ch) if "\u30a0" <= ch <= "\u30ff" else ch for ch in text)


def swap_brackets(text: str) -> str:
    """() ↔ （）."""
    return text.translate(str.maketrans({"(": "（", ")": "）", "（": "(", "）": ")"}))


def _insert(text: str, rng: random.Random, what: str) -> str:
    """``what`` between two characters (never between a half-width kana and its ﾞ/ﾟ)."""
    places = [i for i in range(1, len(text)) if text[i] not in "\uff9e\uff9f"]
    if not places:
        return text + what
    i = rng.choice(places)
    return text[:i] + what + text[i:]


HEADER_VARIANTS = ("line_break", "fullwidth", "halfwidth_kana", "spaces", "brackets", "trailing_mark")


def vary_header(text: str, rng: random.Random, variants: tuple[str, ...] | None = None) -> str:
    """``text`` with a few of the changes inputs.md lists: line breaks, full-/half-width forms,
    spaces, （）vs (), a trailing ※."""
    chosen = variants if variants is not None else tuple(rng.sample(HEADER_VARIANTS, rng.randint(1, 3)))
    if "brackets" in chosen:
        text = swap_brackets(text)
    if "fullwidth" in chosen:
        text = fullwidth(text)
    if "halfwidth_kana" in chosen:
        text = halfwidth_kana(text)
    if "spaces" in chosen:
        text = rng.choice(["", " ", "\u3000"]) + _insert(text, rng, rng.choice([" ", "\u3000", "  "])) + rng.choice(["", " "])
    if "line_break" in chosen:
        text = _insert(text, rng, rng.choice(["\n", "\r\n"]))
    if "trailing_mark" in chosen:
        text += rng.choice(["※", " ※", "※1", "＊"])
    return text


def header_spelling(col: Column, rng: random.Random, *, plain: bool = False) -> str:
    """One way a person heads ``col``: its Japanese or English header or a synonym, varied."""
    base = rng.choice((col.ja, col.en, *col.synonyms))
    return base if plain or rng.random() < 0.2 else vary_header(base, rng)


# Eras as the Japanese calendar writes them (Heisei from 1989-01-08, Reiwa from 2019-05-01).
def era(day: dt.date) -> tuple[str, str, int] | None:
    if day >= dt.date(2019, 5, 1):
        return "令和", "R", day.year - 2018
    if day >= dt.date(1989, 1, 8):
        return "平成", "H", day.year - 1988
    return None


def _pad(text: str, rng: random.Random) -> str:
    return text + rng.choice([" ", "  ", "\u3000", " \u3000"])


def date_spellings(day: dt.date) -> list[Any]:
    y, m, d = day.year, day.month, day.day
    out: list[Any] = [dt.datetime(y, m, d), f"{y}/{m}/{d}", f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日",
                      fullwidth(f"{y}/{m}/{d}")]
    if (e := era(day)) is not None:
        name, letter, n = e
        out += [f"{letter}{n}.{m}.{d}", f"{name}{'元' if n == 1 else n}年{m}月{d}日"]
    if d == 1:
        out.append(f"{y}/{m}")  # accepted as the month's first day (a warning at most, never a READ finding)
    return out


def month_spellings(day: dt.date) -> list[Any]:
    y, m = day.year, day.month
    out: list[Any] = [dt.datetime(y, m, 1), f"{y}/{m}", f"{y}-{m:02d}", f"{y}年{m}月", fullwidth(f"{y}/{m}")]
    if (e := era(day)) is not None:
        name, letter, n = e
        out += [f"{letter}{n}.{m}", f"{name}{n}年{m}月"]
    return out


def time_text(t: dt.time, rng: random.Random) -> str:
    choices = [f"{t.hour}:{t.minute:02d}", f"{t.hour:02d}:{t.minute:02d}",
               f"{t.hour}時{t.minute}分" if t.minute else f"{t.hour}時"]
    if 13 <= t.hour <= 23:
        choices.append(f"午後{t.hour - 12}時{t.minute}分" if t.minute else f"午後{t.hour - 12}時")
    return rng.choice(choices)


_LEVEL_WORDS = ({1: "低", 2: "中", 3: "高"}, {1: "小", 2: "中", 3: "大"}, {1: "L", 2: "M", 3: "H"})


def _number_text(value: int | float) -> str:
    return str(value) if isinstance(value, int) else format(Decimal(repr(value)).normalize(), "f")


KEEP = object()  # spell_value: no other spelling for this value


def spell_value(col: Column, value: Any, rng: random.Random) -> Any:
    """Another way to type ``value`` (the clean read's typed value) in a ``col`` cell, or KEEP."""
    k = col.kind
    if k is Kind.LEVEL and isinstance(value, int) and 1 <= value <= 3:
        words = rng.choice(_LEVEL_WORDS)
        return rng.choice([value, float(value), f"{value}.0", fullwidth(str(value)), words[value],
                           words[value].lower(), f"{value} ({_LEVEL_WORDS[0][value]})",
                           f"{value}（{_LEVEL_WORDS[0][value]}）", _pad(str(value), rng)])
    if k is Kind.DATE and isinstance(value, dt.date):
        choice = rng.choice(date_spellings(value))
        return _pad(choice, rng) if isinstance(choice, str) and rng.random() < 0.3 else choice
    if k is Kind.MONTH and isinstance(value, dt.date):
        return rng.choice(month_spellings(value))
    if k is Kind.DATETIME and isinstance(value, dt.datetime):
        if value.second or value.microsecond:
            return KEEP
        day = value.date()
        at = time_text(value.time(), rng) if value.time() != dt.time(0) else ""
        texts = [s for s in date_spellings(day) if isinstance(s, str) and not re.fullmatch(r"\d{4}/\d{1,2}", s)]
        return (rng.choice(texts) + (" " + at if at else "")).strip()
    if k is Kind.TIME and isinstance(value, dt.time):
        if value.second or value.microsecond:
            return KEEP
        return rng.choice([time_text(value, rng), value])
    if k in (Kind.INT, Kind.MONEY, Kind.NUMBER) and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
        choices: list[Any] = [text, fullwidth(text), _pad(text, rng)]
        if isinstance(value, int):
            choices.append(float(value))
        if k is Kind.MONEY and isinstance(value, int) and value >= 0:
            choices += [f"{value:,}", f"¥{value:,}", f"{value}円", f"{value:,}円"]
        return rng.choice(choices)
    if k is Kind.PERCENT and isinstance(value, float):
        text = format((Decimal(repr(value)) * 100).normalize(), "f") + "%"
        return rng.choice([text, fullwidth(text)])
    if k is Kind.ENUM and isinstance(value, str):
        spellings = [value, *dict(col.aliases).get(value, ())]
        choice = rng.choice(spellings)
        return rng.choice([choice, _pad(choice, rng), fullwidth(choice) if choice.isascii() else choice])
    if k in (Kind.IDS, Kind.CONTROLS):
        items = [value] if isinstance(value, str) else list(value)
        if k is Kind.CONTROLS and rng.random() < 0.5:
            items = [i.removeprefix("A.") for i in items]
        text = rng.choice(["、", ", ", ",", "\n"]).join(items)
        return fullwidth(text) if rng.random() < 0.3 else text
    if k is Kind.ID and isinstance(value, str):
        return rng.choice([fullwidth(value), _pad(value, rng)])
    if k in (Kind.TEXT, Kind.PERSON, Kind.DEPT) and isinstance(value, str):
        return rng.choice([_pad(value, rng), rng.choice([" ", "\u3000"]) + value])
    return KEEP


# Texts a person puts above a header, and headers of a person's own columns. Chosen so that none
# names a declared column or a document-control field of any form (``user_texts`` checks that).
TITLE_TEXTS = ("株式会社サンプルシステムズ", "社外秘", "【ロゴ】", "情報セキュリティマネジメントシステム", "Confidential")
NOTE_TEXTS = ("記入上の注意: 行を追加するときは最終行の下に入力すること", "※ 毎年4月に見直すこと",
              "最終更新: 2026年11月 ISMS事務局", "黄色のセルは入力必須です", "")
EXTRA_HEADERS = ("社内メモ", "確認欄", "旧番号", "チェック者", "社内管理コード", "前年度の値", "内線番号", "Memo 2")
GROUP_TITLES = ("入力欄", "基本情報", "詳細", "記入欄", "区分け", "Group")


def user_texts(spec: FormSpec, texts: tuple[str, ...]) -> list[str]:
    """The texts that name none of ``spec``'s columns or embedded-table columns."""
    matchers = [matcher(spec)] + [HeaderMatcher(t.columns, t.key) for t in spec.tables]
    return [t for t in texts if all(m.match(t) is None for m in matchers)]


# --------------------------------------------------------------------------------------------
# Editing one worksheet like Excel does: moving rows and columns moves values, styles, merged
# ranges, defined names, the table's range and data validation with them

_NAME_REF = re.compile(r"^(?P<sheet>'(?:[^']|'')+'|[^!]+)!\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
                       r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")
_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _box_of(ref: str) -> Box:
    first, _, last = ref.partition(":")
    m1, m2 = _A1.match(first), _A1.match(last or first)
    return int(m1[2]) - 1, _col_index(m1[1]), int(m2[2]) - 1, _col_index(m2[1])


def _ref_of(box: Box, absolute: bool = False) -> str:
    r0, c0, r1, c1 = box
    one = a1(r0, c0, absolute)
    return one if (r0, c0) == (r1, c1) else f"{one}:{a1(r1, c1, absolute)}"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def map_box(fn: MoveFn, box: Box) -> Box | None:
    a, b = fn(box[0], box[1]), fn(box[2], box[3])
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


class SheetEdit:
    """One worksheet as a dict of cells, edited in memory and written back by ``flush``.

    Formula cells hold their cached value (see the module docstring); ``formulas`` keeps the
    formula texts by position so a caller can put some back.
    """

    def __init__(self, ws, cached: dict[Pos, Any]) -> None:
        self.ws = ws
        self.name: str = ws.title
        self.cells: dict[Pos, Any] = {}
        self.styles: dict[Pos, Any] = {}
        self.formulas: dict[Pos, str] = {}
        self.history: list[MoveFn] = []
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                pos = (cell.row - 1, cell.column - 1)
                value = cell.value
                if cell.data_type == "f" or isinstance(value, (ArrayFormula, DataTableFormula)):
                    self.formulas[pos] = value if isinstance(value, str) else str(getattr(value, "text", value))
                    value = cached.get(pos)
                    if value == "":
                        value = None
                if value is not None:
                    self.cells[pos] = value
                if cell.has_style:
                    self.styles[pos] = copy(cell._style)
        self.merges: list[Box] = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
                                  for r in ws.merged_cells.ranges]
        self.widths: dict[int, float] = {}
        self.hidden: set[int] = set()
        for dim in ws.column_dimensions.values():
            if dim.min is None:
                continue
            for c in range(dim.min - 1, dim.max):
                if dim.width:
                    self.widths[c] = dim.width
                if dim.hidden:
                    self.hidden.add(c)
        self.heights: dict[int, float] = {i - 1: d.height for i, d in ws.row_dimensions.items() if d.height}
        self.names: dict[str, Box | None] = {}
        for name, dn in ws.defined_names.items():
            m = _NAME_REF.match(str(dn.attr_text).lstrip("="))
            if m:
                r1 = int(m["r1"]) - 1
                c1 = _col_index(m["c1"])
                self.names[name] = (r1, c1, int(m["r2"]) - 1 if m["r2"] else r1, _col_index(m["c2"]) if m["c2"] else c1)
        self.tables: dict[str, Box] = {t.name: _box_of(t.ref) for t in ws.tables.values()}
        self.validations = [(dv, [(c.min_row - 1, c.min_col - 1, c.max_row - 1, c.max_col - 1) for c in dv.sqref.ranges])
                            for dv in ws.data_validations.dataValidation]
        self.freeze: Pos | None = None
        if ws.freeze_panes:
            r0, c0, _, _ = _box_of(ws.freeze_panes)
            self.freeze = (r0, c0)
        self.autofilter: Box | None = _box_of(ws.auto_filter.ref) if ws.auto_filter.ref else None

    # --- reading ---------------------------------------------------------------------------------
    def get(self, r: int, c: int) -> Any:
        return self.cells.get((r, c))

    def set(self, r: int, c: int, value: Any) -> None:
        if value is None:
            self.cells.pop((r, c), None)
        else:
            self.cells[(r, c)] = value

    def locate(self, r: int, c: int) -> Pos | None:
        """Where the cell that was at (r, c) before any edit is now (None: deleted)."""
        pos: Pos | None = (r, c)
        for fn in self.history:
            if pos is None:
                return None
            pos = fn(*pos)
        return pos

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=-1)

    # --- moving ----------------------------------------------------------------------------------
    def move(self, fn: MoveFn, *, width_row: int | None = None) -> None:
        """Move every cell (r, c) to fn(r, c); None deletes it. Column widths follow the cells of
        ``width_row`` (the header row when only the table's columns move)."""
        def moved(d: dict[Pos, Any]) -> dict[Pos, Any]:
            out = {}
            for pos, v in d.items():
                to = fn(*pos)
                if to is not None:
                    out[to] = v
            return out

        self.cells, self.styles, self.formulas = moved(self.cells), moved(self.styles), moved(self.formulas)
        self.merges = [b for b in (map_box(fn, m) for m in self.merges) if b is not None]
        self.names = {n: (map_box(fn, b) if b is not None else None) for n, b in self.names.items()}
        self.tables = {n: b for n, b in ((n, map_box(fn, b)) for n, b in self.tables.items()) if b is not None}
        self.validations = [(dv, [b for b in (map_box(fn, x) for x in boxes) if b is not None])
                            for dv, boxes in self.validations]
        if self.freeze is not None:
            self.freeze = fn(*self.freeze)
        if self.autofilter is not None:
            self.autofilter = map_box(fn, self.autofilter)
        ref_row = 0 if width_row is None else width_row
        widths, hidden = {}, set()
        for c, w in self.widths.items():
            to = fn(ref_row, c)
            if to is not None:
                widths[to[1]] = w
        for c in self.hidden:
            to = fn(ref_row, c)
            if to is not None:
                hidden.add(to[1])
        self.widths, self.hidden = widths, hidden
        heights = {}
        for r, h in self.heights.items():
            to = fn(r, 0)
            if to is not None:
                heights[to[0]] = h
        self.heights = heights
        self.history.append(fn)

    # --- writing back ----------------------------------------------------------------------------
    def flush(self) -> None:
        ws = self.ws
        ws._cells.clear()
        ws.merged_cells = MultiCellRange()
        for (r, c), style in self.styles.items():
            ws.cell(r + 1, c + 1)._style = copy(style)
        for (r, c), value in self.cells.items():
            cell = ws.cell(r + 1, c + 1)
            if isinstance(value, str) and value.startswith("=") and self.formulas.get((r, c)) != value:
                cell.value = value
                cell.data_type = "s"  # text that starts with "=", not a formula
            else:
                cell.value = value
        for box in self.merges:
            if box[:2] != box[2:]:
                # Not ws.merge_cells: it re-derives the borders of every merged cell (cosmetic), which
                # is most of the time a card workbook takes.
                ws.merged_cells.add(MergedCellRange(ws, _ref_of(box)))
        ws.column_dimensions = DimensionHolder(worksheet=ws, default_factory=ws._add_column)
        for c in sorted(set(self.widths) | self.hidden):
            dim = ws.column_dimensions[get_column_letter(c + 1)]
            if c in self.widths:
                dim.width = self.widths[c]
            dim.hidden = c in self.hidden
        ws.row_dimensions = DimensionHolder(worksheet=ws, default_factory=ws._add_row)
        for r, h in self.heights.items():
            ws.row_dimensions[r + 1].height = h
        for name in list(ws.defined_names):
            del ws.defined_names[name]
        for name, box in self.names.items():
            target = "#REF!" if box is None else _ref_of(box, absolute=True)
            ws.defined_names[name] = DefinedName(name, attr_text=f"{_quote(self.name)}!{target}")
        for name in list(ws.tables):
            if name not in self.tables:
                del ws.tables[name]
            else:
                table = ws.tables[name]
                table.ref = _ref_of(self.tables[name])
                table.autoFilter = AutoFilter(ref=table.ref)
                table.tableColumns = []  # openpyxl names them from the header cells on save
        ws.data_validations.dataValidation = []
        for dv, boxes in self.validations:
            if boxes:
                dv.sqref = MultiCellRange(" ".join(_ref_of(b) for b in boxes))
                ws.data_validations.append(dv)
        ws.conditional_formatting = ConditionalFormattingList()  # its formulas name the old columns
        ws.freeze_panes = None if self.freeze is None else a1(*self.freeze)
        ws.auto_filter.ref = None if self.autofilter is None else _ref_of(self.autofilter)
        ws._print_area = PrintArea()
        ws._print_rows = None
        ws._print_cols = None


@lru_cache(maxsize=64)
def _loaded(path: str, mtime: float) -> bytes:
    original = MergedCellRange.format
    MergedCellRange.format = lambda self: None
    try:
        wb = openpyxl.load_workbook(path)
    finally:
        MergedCellRange.format = original
    # openpyxl's TableList.items() yields (name, ref), which is what pickle would store: keep the
    # Table objects aside and put them back after unpickling.
    tables = {ws.title: list(dict.values(ws.tables)) for ws in wb.worksheets}
    return pickle.dumps((wb, tables))


def load_workbook(path: Path):
    """A fresh openpyxl workbook of ``path`` (formulas, styles, merges, names, tables): loaded once,
    then copied (unpickled), which is several times faster than parsing it again. The borders of
    merged cells are not re-derived (cosmetic; on a card workbook of 40 sheets that is most of the
    parsing time)."""
    path = Path(path)
    wb, tables = pickle.loads(_loaded(str(path), path.stat().st_mtime))
    for ws in wb.worksheets:
        ws.tables.clear()
        for table in tables[ws.title]:
            ws.tables.add(table)
    return wb


@lru_cache(maxsize=64)
def _cached_values(path: str, mtime: float) -> dict[str, dict[Pos, Any]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {(c.row - 1, c.column - 1): c.value for row in ws.iter_rows() for c in row
                         if not isinstance(c, MergedCell) and c.value is not None}
    return out


def cached_values(path: Path) -> dict[str, dict[Pos, Any]]:
    """Every sheet's values as Excel last calculated them (formula cells: their cached value)."""
    return _cached_values(str(path), path.stat().st_mtime)


# --------------------------------------------------------------------------------------------
# What a mangled copy must read to

ANCHORS = ("cell", "row", "header_top", "header_bottom", "fixed")


@dataclass
class Expect:
    """A READ finding the mangled copy must give, and how its place follows the edits:

    - ``cell``: the finding's cell moves with that cell (READ-002/003/004/006, READ-007/008 on a
      document-control value);
    - ``row``: the first cell of a row that moves (READ-005: the blank row);
    - ``header_top``: the first cell of the (upper) header row (READ-001, a missing column);
    - ``header_bottom``: the column's cell in the (lower) header row (READ-009);
    - ``fixed``: A1 of the sheet (READ-007 when no block is found at all; READ-001 when no header is).
    """

    rule: str
    sheet: str
    row: int
    col: int
    anchor: str = "cell"

    def follow(self, fn: MoveFn) -> Expect | None:
        if self.anchor == "fixed":
            return self
        to = fn(self.row, 0 if self.anchor in ("row", "header_top") else self.col)
        if to is None:
            return None
        return Expect(self.rule, self.sheet, to[0], self.col if self.anchor == "header_top" else to[1], self.anchor)


def anchor_of(rule: str, cell_is_a1: bool, header_found: bool, block_found: bool) -> str:
    if rule == "READ-005":
        return "row"
    if rule == "READ-001":
        return "header_top" if header_found else "fixed"
    if rule == "READ-009":
        return "header_bottom"
    if rule in ("READ-007", "READ-008") and not block_found and cell_is_a1:
        return "fixed"
    return "cell"


@dataclass
class Mangled:
    path: Path
    expected: list[tuple[str, str, str]]  # (rule, sheet, cell), sorted: what flatten() gives
    locate: Callable[[str, int, int], Pos | None]  # where a clean cell is in the copy
    blank_cells: frozenset[tuple[str, int, int]] = frozenset()  # clean (sheet, row, col) left as uncached formulas
    header_rows: tuple[int, int] | None = None  # table forms: (top, bottom) header rows, 0-based
    block_deleted: bool = False
    done: list[str] = field(default_factory=list)  # what was done, for failure messages
    # table forms: the user's own columns added, header text -> {clean record row: value}
    extras: dict[str, dict[int, Any]] = field(default_factory=dict)


def _rc(cell: str) -> Pos:
    r0, c0, _, _ = _box_of(cell)
    return r0, c0


# --------------------------------------------------------------------------------------------
# Table forms

@dataclass(frozen=True)
class TablePlan:
    """Which manglings to apply to a table form, and how much of each; ``seed`` drives every
    detailed choice (which cells, which spelling, where)."""

    seed: int = 0
    respell: float = 0.0  # share of the input values typed another way
    rename: float = 0.0  # share of the headers renamed (synonym, English, varied)
    extra: int = 0  # columns of the user's own, inserted as whole sheet columns (READ-009 each)
    shuffle: bool = False  # the table's columns cut and pasted into another order
    hide: int = 0  # columns hidden
    blank_rows: int = 0  # blank rows inserted between records (READ-005 each)
    totals: bool = False  # a totals row under the last record (no finding)
    two_row: bool = False  # the header split into two rows with merged group cells
    delete_block: bool = False  # the document-control block's rows deleted (READ-007 at A1)
    strip_top: bool = False  # every row above the header deleted: the header on row 1 (READ-007)
    note_rows: int = 0  # note rows inserted right above the header
    top_rows: int = 0  # title / logo rows inserted at the very top
    drop_names: bool = False  # the sheet's defined names deleted
    keep_formulas: bool = False  # some computed columns keep their formula, without a cached value
    doc_respell: bool = False  # the block's dates typed as text (era, 年月日)
    freeze: bool = True  # freeze panes and an autofilter on the (new) header


MAX_TABLE_PLAN = TablePlan(seed=1, respell=1.0, rename=1.0, extra=2, shuffle=True, hide=2, blank_rows=2, totals=True,
                           two_row=True, delete_block=False, note_rows=6, top_rows=3, drop_names=True,
                           keep_formulas=True, doc_respell=True)


def _header_width(edit: SheetEdit, header_row: int) -> int:
    return max((c for (r, c) in edit.cells if r == header_row), default=-1) + 1


def _runs(order: list[int], is_schema: Callable[[int], bool]) -> list[list[int]]:
    runs, current = [], []
    for c in order:
        if is_schema(c):
            current.append(c)
        else:
            if len(current) >= 2:
                runs.append(current)
            current = []
    if len(current) >= 2:
        runs.append(current)
    return runs


def mangle_table(src: Path, dst: Path, form, plan: TablePlan) -> Mangled:
    """A mangled copy of the table form ``form`` (the clean read of ``src``) at ``dst``."""
    spec: FormSpec = form.spec
    rng = random.Random(plan.seed)
    wb = load_workbook(src)
    (sheet_name,) = form.sheets
    edit = SheetEdit(wb[sheet_name], cached_values(src)[sheet_name])
    done: list[str] = []
    header_found = form.header_row is not None
    top = bottom = form.header_row if header_found else 0
    expects = [Expect(f.rule, f.sheet, *_rc(f.cell),
                      anchor_of(f.rule, f.cell == "A1", header_found, "doc_number" in form.doc_cells))
               for f in form.findings]

    def move(fn: MoveFn, **kw: Any) -> None:
        edit.move(fn, **kw)
        nonlocal expects
        expects = [e for e in (x.follow(fn) for x in expects) if e is not None]

    def here(r: int, c: int) -> Pos:
        pos = edit.locate(r, c)
        assert pos is not None
        return pos

    records = [r for r in form.records if r.row is not None]
    columns = dict(form.columns)  # key -> clean column index
    col_at = {c: k for k, c in columns.items()}

    # 1. values typed another way (the clean cell's typed value, spelled as people type it)
    if plan.respell:
        n = 0
        for rec in records:
            for key, c in columns.items():
                col = spec.column(key)
                value = rec.values.get(key)
                if col.is_computed or key in rec.raw or value is None or rng.random() >= plan.respell:
                    continue
                spelled = spell_value(col, value, rng)
                if spelled is not KEEP:
                    edit.set(rec.row, c, spelled)
                    n += 1
        done.append(f"respelled {n} values")
    if plan.doc_respell:
        for key, ref in form.doc_cells.items():
            value = getattr(form.doc, key, None)
            if isinstance(value, dt.date) and ref.sheet == sheet_name:
                edit.set(ref.row, ref.col, rng.choice([s for s in date_spellings(value) if isinstance(s, str)]))
        done.append("document-control dates as text")
    blank_cells: set[tuple[str, int, int]] = set()
    if plan.keep_formulas:
        computed = [k for k in columns if spec.column(k).computed is not None]
        keep = set(rng.sample(computed, rng.randint(1, len(computed)))) if computed else set()
        keep_cols = {columns[k] for k in keep}
        for pos, text in edit.formulas.items():
            if pos[1] in keep_cols and pos[0] > top:
                edit.cells[pos] = text
                blank_cells.add((sheet_name, *pos))
        done.append(f"formulas without cached values in {sorted(keep)}")

    # 2. headers renamed
    if plan.rename and header_found:
        renamed = []
        for key, c in columns.items():
            if rng.random() < plan.rename:
                edit.set(top, c, header_spelling(spec.column(key), rng))
                renamed.append(key)
        done.append(f"renamed headers {renamed}")

    width = _header_width(edit, top)
    schema_cols = set(columns.values())  # clean positions; mapped through moves below

    # 3. columns of the user's own (whole sheet columns)
    extras_text = user_texts(spec, EXTRA_HEADERS)
    extras: dict[str, dict[int, Any]] = {}
    for i in range(plan.extra if header_found else 0):
        at = rng.randint(0, width)
        move(lambda r, c, at=at: (r, c + 1) if c >= at else (r, c))
        text = extras_text[i % len(extras_text)]
        edit.set(top, at, text)
        extras[text] = {}
        for rec in records:
            if rng.random() < 0.5:
                r, _ = here(rec.row, 0)
                extras[text][rec.row] = value = rng.choice(["済", "確認中", 12, "要確認", "2026/4/1", "=社外秘"])
                edit.set(r, at, value)
        expects.append(Expect("READ-009", sheet_name, top, at, "header_bottom"))
        width += 1
        done.append(f"user column {text!r} inserted at {get_column_letter(at + 1)}")

    def current_schema_cols() -> set[int]:
        return {here(top, c)[1] for c in schema_cols}

    # 4. the table's columns in another order
    if plan.shuffle and header_found:
        order = list(range(width))
        rng.shuffle(order)
        move(lambda r, c, new_of={old: new for new, old in enumerate(order)}, top=top:
             (r, new_of[c]) if r >= top and c in new_of else (r, c), width_row=top)
        done.append("columns shuffled")

    # 5. hidden columns
    for c in rng.sample(range(width), min(plan.hide, width)):
        edit.hidden.add(c)
    if plan.hide:
        done.append(f"{plan.hide} columns hidden")

    # 6. blank rows between records
    if plan.blank_rows and len(records) >= 2:
        for _ in range(plan.blank_rows):
            k = rng.randint(1, len(records) - 1)
            at = here(records[k].row, 0)[0]
            move(lambda r, c, at=at: (r + 1, c) if r >= at else (r, c))
            expects.append(Expect("READ-005", sheet_name, at, 0, "row"))
        done.append(f"{plan.blank_rows} blank rows between records")

    # 7. a totals row under the last record
    if plan.totals and records:
        id_col = here(top, columns[spec.id_column.key])[1] if spec.id_column.key in columns else None
        last = max(here(r.row, 0)[0] for r in records)
        row = last + 1 + rng.randint(0, 1)
        while any(edit.get(row, c) is not None for c in range(width)):
            row += 1
        summed = {here(top, c)[1]: key for key, c in columns.items()
                  if spec.column(key).kind in (Kind.INT, Kind.MONEY, Kind.NUMBER) and not spec.column(key).is_computed}
        for c, key in summed.items():
            edit.set(row, c, sum(v for r in records if isinstance(v := r.values.get(key), (int, float))))
        label_col = next(c for c in range(width) if c != id_col and c not in summed)
        edit.set(row, label_col, rng.choice(["合計", "計", "総計"]))
        done.append(f"totals row at {row + 1}")

    # 8. a two-row header with merged group cells
    if plan.two_row and header_found:
        move(lambda r, c, top=top: (r + 1, c) if r > top else (r, c))
        bottom = top + 1
        schema_now = current_schema_cols()
        key_at = {here(top, c)[1]: k for c, k in col_at.items()}
        runs = _runs(list(range(width)), lambda c: c in schema_now)
        groups: list[list[int]] = []
        reasons = [here(top, columns[k])[1] for k in ("reason_risk", "reason_legal", "reason_contract", "reason_other")
                   if k in columns] if spec.form_id == "A-02" else []
        if len(reasons) == 4 and sorted(reasons) == list(range(min(reasons), min(reasons) + 4)):
            groups.append(sorted(reasons))
        for n, run in enumerate(runs):
            if any(c in g for g in groups for c in run):
                continue
            # At least one group: a two-row header is two rows because something spans columns.
            if rng.random() < 0.7 or (not groups and n == len(runs) - 1):
                i = rng.randint(0, len(run) - 2)
                j = rng.randint(i + 2, min(len(run), i + 5))
                groups.append(run[i:j])
        in_group = {c for g in groups for c in g}
        titles = user_texts(spec, GROUP_TITLES)
        for c in range(width):
            text = edit.get(top, c)
            if c in in_group:
                continue
            if c in schema_now and rng.random() < 0.5:
                edit.merges.append((top, c, bottom, c))  # one header over both rows
            else:
                edit.set(top, c, None)
                edit.set(bottom, c, text)
                if (top, c) in edit.styles:
                    edit.styles[(bottom, c)] = copy(edit.styles[(top, c)])
        for g in groups:
            if g == sorted(reasons):
                title = "採用理由"
                for c in g:
                    edit.set(bottom, c, spec.column(key_at[c]).ja.split(":", 1)[1])
            else:
                title = rng.choice(titles)
                for c in g:
                    edit.set(bottom, c, edit.get(top, c))
            for c in g:
                edit.set(top, c, None)
                if (top, c) in edit.styles:
                    edit.styles[(bottom, c)] = copy(edit.styles[(top, c)])
            edit.set(top, g[0], title)
            edit.merges.append((top, g[0], top, g[-1]))
        edit.tables.clear()  # Excel's tables cannot have merged headers: "convert to range" first
        done.append(f"two-row header, groups {[[get_column_letter(c + 1) for c in g] for g in groups]}")

    # 9. the document-control block deleted, or everything above the header
    block_rows = {here(ref.row, ref.col)[0] for ref in form.doc_cells.values() if ref.sheet == sheet_name}
    deleted = False
    if plan.strip_top and header_found and top > 0:
        rows = set(range(top))
    elif plan.delete_block and block_rows:
        rows = block_rows
    else:
        rows = set()
    if rows:
        ordered = sorted(rows)
        move(lambda r, c, rows=rows, ordered=ordered: None if r in rows else (r - sum(1 for d in ordered if d < r), c))
        top, bottom = top - sum(1 for d in ordered if d < top), bottom - sum(1 for d in ordered if d < top)
        deleted = bool(block_rows & rows)
        if deleted:
            expects = [e for e in expects if not (e.rule in ("READ-007", "READ-008"))]
            expects.append(Expect("READ-007", sheet_name, 0, 0, "fixed"))
        done.append(f"rows {[r + 1 for r in ordered]} deleted")

    # 10. notes right above the header, 11. titles and a logo row at the very top
    room = 29 - bottom
    notes = min(plan.note_rows, room)
    if notes:
        at = top
        move(lambda r, c, at=at, notes=notes: (r + notes, c) if r >= at else (r, c))
        for i in range(notes):
            text = rng.choice(NOTE_TEXTS)
            if text:
                edit.set(at + i, 0, text)
        top, bottom = top + notes, bottom + notes
        done.append(f"{notes} note rows above the header")
    tops = min(plan.top_rows, 29 - bottom)
    if tops:
        move(lambda r, c, tops=tops: (r + tops, c))
        for i in range(tops):
            edit.set(i, rng.randint(0, 3), rng.choice(TITLE_TEXTS))
        top, bottom = top + tops, bottom + tops
        done.append(f"{tops} title rows at the top")

    # 12. defined names deleted; freeze panes and autofilter on the new header
    if plan.drop_names:
        edit.names.clear()
        done.append("defined names deleted")
    if plan.freeze and header_found:
        edit.freeze = (bottom + 1, 1)
        if not edit.tables:
            edit.autofilter = (bottom, 0, bottom, max(width - 1, 0))

    edit.flush()
    wb.save(dst)
    expected = sorted((e.rule, e.sheet, a1(*_resolve(e, top, bottom))) for e in expects)
    return Mangled(dst, expected, lambda sheet, r, c: edit.locate(r, c) if sheet == sheet_name else (r, c),
                   frozenset(blank_cells), (top, bottom) if header_found else None, deleted, done, extras)


def _resolve(e: Expect, top: int, bottom: int) -> Pos:
    if e.anchor == "fixed":
        return 0, 0
    if e.anchor == "row":
        return e.row, 0
    if e.anchor == "header_top":
        return top, 0
    if e.anchor == "header_bottom":
        return bottom, e.col
    return e.row, e.col


# --------------------------------------------------------------------------------------------
# Card forms

@dataclass(frozen=True)
class CardPlan:
    """Which manglings to apply to a card form (its record sheets and its cover), and how much of
    each; ``seed`` drives every detailed choice."""

    seed: int = 0
    respell: float = 0.0  # share of field and embedded-table values typed another way
    rename: float = 0.0  # share of field labels renamed
    rename_tables: float = 0.0  # share of embedded-table headers renamed
    permute_fields: bool = False  # the field rows in another order
    value_below: int = 0  # fields whose value moves under the label (label row, then value row)
    spacer_rows: int = 0  # blank rows between fields
    top_rows: int = 0  # logo / title rows above the card
    cover_top_rows: int = 0  # rows above the cover's block
    delete_block: bool = False  # the cover's document-control block deleted (READ-007 at A1)
    drop_names: bool = False  # every sheet's defined names deleted
    doc_respell: bool = False  # the cover block's dates typed as text
    sheets: float = 1.0  # share of the record sheets mangled (at least one)


MAX_CARD_PLAN = CardPlan(seed=1, respell=1.0, rename=1.0, rename_tables=1.0, permute_fields=True, value_below=2,
                         spacer_rows=2, top_rows=3, cover_top_rows=2, drop_names=True, doc_respell=True)


def _table_header_row(edit: SheetEdit, table) -> int | None:
    """The row of an embedded table's header as the template writes it (its Japanese headers from
    the label column on)."""
    want = [c.ja for c in table.columns]
    for r in range(edit.max_row + 1):
        if [edit.get(r, CARD_LABEL_COL + j) for j in range(len(want))] == want:
            return r
    return None


def mangle_card(src: Path, dst: Path, form, plan: CardPlan) -> Mangled:
    """A mangled copy of the card form ``form`` (the clean read of ``src``) at ``dst``."""
    spec: FormSpec = form.spec
    rng = random.Random(plan.seed)
    wb = load_workbook(src)
    cached = cached_values(src)
    edits: dict[str, SheetEdit] = {}
    done: list[str] = []
    expects = [Expect(f.rule, f.sheet, *_rc(f.cell),
                      anchor_of(f.rule, f.cell == "A1", True, "doc_number" in form.doc_cells))
               for f in form.findings]
    labels = matcher(spec)
    table_matchers = [HeaderMatcher(t.columns, t.key) for t in spec.tables]

    def collides(text: Any) -> bool:
        """A value a reader would take for a label or a table header (refused as input)."""
        if not isinstance(text, str):
            return False
        return labels.match(text) is not None or any(m.match(text) is not None for m in table_matchers) or any(
            unicodedata.normalize("NFKC", text).strip() == t.ja for t in spec.tables)

    def edit_of(name: str) -> SheetEdit:
        if name not in edits:
            edits[name] = SheetEdit(wb[name], cached.get(name, {}))
        return edits[name]

    def follow(name: str, fn: MoveFn) -> None:
        nonlocal expects
        expects = [e if e.sheet != name else e.follow(fn) for e in expects]
        expects = [e for e in expects if e is not None]

    record_sheets = [r for r in form.records if r.field_cells]
    chosen = [r for r in record_sheets if rng.random() < plan.sheets] or record_sheets[:1]
    for rec in chosen:
        edit = edit_of(rec.sheet)
        name = rec.sheet
        # 1. values typed another way
        if plan.respell:
            for key, ref in rec.field_cells.items():
                col = spec.column(key)
                value = rec.values.get(key)
                if col.is_computed or key in rec.raw or value is None or rng.random() >= plan.respell:
                    continue
                spelled = spell_value(col, value, rng)
                if spelled is not KEEP and not collides(spelled):
                    edit.set(ref.row, ref.col, spelled)
            for tkey, rows in rec.tables.items():
                table = spec.table(tkey)
                for trow in rows:
                    for key, c in (trow.columns or {}).items():
                        value = trow.values.get(key)
                        if value is None or rng.random() >= plan.respell:
                            continue
                        spelled = spell_value(table.column(key), value, rng)
                        if spelled is not KEEP and not collides(spelled):
                            edit.set(trow.row, c, spelled)
        # 2. labels renamed; 3. embedded-table headers renamed
        for key, ref in rec.field_cells.items():
            if rng.random() < plan.rename:
                edit.set(ref.row, ref.col - 1, header_spelling(spec.column(key), rng))
        for table in spec.tables:
            hr = _table_header_row(edit, table)
            if hr is None:
                continue
            for j, tcol in enumerate(table.columns):
                if rng.random() < plan.rename_tables:
                    edit.set(hr, CARD_LABEL_COL + j, header_spelling(tcol, rng))
        # 4. the field rows in another order
        field_rows = sorted(ref.row for ref in rec.field_cells.values())
        if plan.permute_fields and len(field_rows) > 1:
            shuffled = field_rows[:]
            rng.shuffle(shuffled)
            new_of = dict(zip(field_rows, shuffled))
            fn = (lambda r, c, new_of=new_of: (new_of.get(r, r), c))
            edit.move(fn)
            follow(name, fn)
            done.append(f"{name}: field rows shuffled")
        # 5. a value under its label
        candidates = [k for k, ref in rec.field_cells.items()
                      if rec.values.get(k) is not None and not spec.column(k).is_computed
                      and not collides(edit.get(*edit.locate(ref.row, ref.col)))]
        for key in rng.sample(candidates, min(plan.value_below, len(candidates))):
            ref = rec.field_cells[key]
            r, c = edit.locate(ref.row, ref.col)
            end = max((m[3] for m in edit.merges if m[0] == r and m[1] == c), default=c)
            edit.merges = [m for m in edit.merges if not (m[0] == r and m[1] == c)]
            fn = (lambda rr, cc, r=r, c=c: (r + 1, c - 1) if (rr, cc) == (r, c) else (rr + 1, cc) if rr > r else (rr, cc))
            edit.move(fn)
            follow(name, fn)
            edit.merges.append((r + 1, c - 1, r + 1, end))
            done.append(f"{name}: {key} under its label")
        # 6. blank rows between fields
        for _ in range(plan.spacer_rows):
            # Above a label (a value under its label stays with it).
            rows_now = sorted(edit.locate(ref.row, ref.col - 1)[0] for ref in rec.field_cells.values())
            at = rng.choice(rows_now[1:]) if len(rows_now) > 1 else rows_now[0]
            fn = (lambda r, c, at=at: (r + 1, c) if r >= at else (r, c))
            edit.move(fn)
            follow(name, fn)
        # 7. titles and a logo row above the card
        if plan.top_rows:
            n = plan.top_rows
            fn = (lambda r, c, n=n: (r + n, c))
            edit.move(fn)
            follow(name, fn)
            for i in range(n):
                edit.set(i, rng.randint(0, 2), rng.choice(TITLE_TEXTS))
            done.append(f"{name}: {n} rows above the card")

    # 8. the cover: its block's dates as text, rows above it, or the block deleted
    cover_name = next((s for s in form.sheets if s == COVER_SHEET), None)
    deleted = False
    if cover_name is not None:
        cover = edit_of(cover_name)
        if plan.doc_respell:
            for key, ref in form.doc_cells.items():
                value = getattr(form.doc, key, None)
                if isinstance(value, dt.date) and ref.sheet == cover_name:
                    cover.set(ref.row, ref.col, rng.choice([s for s in date_spellings(value) if isinstance(s, str)]))
        if plan.delete_block:
            rows = {ref.row for ref in form.doc_cells.values() if ref.sheet == cover_name}
            if rows:
                ordered = sorted(rows)
                fn = (lambda r, c, rows=rows, ordered=ordered: None if r in rows else (r - sum(1 for d in ordered if d < r), c))
                cover.move(fn)
                expects = [e for e in expects if not (e.sheet == cover_name and e.rule in ("READ-007", "READ-008"))]
                follow(cover_name, fn)
                expects.append(Expect("READ-007", cover_name, 0, 0, "fixed"))
                deleted = True
                done.append("cover: block deleted")
        elif plan.cover_top_rows:
            n = plan.cover_top_rows
            fn = (lambda r, c, n=n: (r + n, c))
            cover.move(fn)
            follow(cover_name, fn)
            for i in range(n):
                cover.set(i, 0, rng.choice(TITLE_TEXTS))
            done.append(f"cover: {n} rows above the block")
    for ws in wb.worksheets:  # every sheet, so that each formula cell keeps its cached value
        edit_of(ws.title)
    if plan.drop_names:
        for edit in edits.values():
            edit.names.clear()
        done.append("defined names deleted")
    for edit in edits.values():
        edit.flush()
    wb.save(dst)
    expected = sorted((e.rule, e.sheet, a1(*_resolve(e, 0, 0))) for e in expects)

    def locate(sheet: str, r: int, c: int) -> Pos | None:
        return edits[sheet].locate(r, c) if sheet in edits else (r, c)

    return Mangled(dst, expected, locate, frozenset(), None, deleted, done)
