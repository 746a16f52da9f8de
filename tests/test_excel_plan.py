"""The recompute plan where Excel can read formulas (desktop Excel): only the cells that are wrong
or typed over are written, the rest of a block keeps its exact content; and the desktop
colouring by multi-area addresses. Runs without xlwings: a recording fake stands in for the
desktop Book (what COM or AppleScript would receive)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from isms_xl.excel import book_io
from isms_xl.excel.plan import KEEP, Paint, plan_form
from isms_xl.layout import a1
from isms_xl.reader.from_grids import GridSheet, formulas_from, read_grids

AS_OF = dt.date(2026, 11, 26)
B02 = "ISMS-B-02_リスクアセスメント結果表.xlsx"
B05 = "ISMS-B-05_事業継続リスクアセスメント.xlsx"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=AS_OF)
    return folder


def grids(path: Path) -> tuple[dict[str, list[list]], dict[str, list[list]]]:
    """Values (calamine) and formulas (openpyxl) of every sheet, anchored at A1, as Excel's
    Range.Value and Range.Formula would give them."""
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    values = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}
    formulas = {}
    for ws in load_workbook(path).worksheets:
        formulas[ws.title] = [[c.value for c in row] for row in ws.iter_rows()]
    return values, formulas


def plan_of(path: Path, *, with_formulas: bool = True):
    from isms_xl.config import load_config

    values, formulas = grids(path)
    sheets = [GridSheet(n, values[n], formulas_from(formulas[n]) if with_formulas else None) for n in values]
    (form,) = read_grids(path, sheets, config=load_config(path.parent))
    return plan_form(form, load_config(path.parent), values=values, formulas=formulas if with_formulas else None), formulas


def test_a_constant_typed_over_the_formula_gets_the_formula_back_and_nothing_else(demo):
    from isms_xl.apply import plan_workbook

    # The demo's seeded CALC-002: B-05 E12 holds the right value as a constant.
    plan, _ = plan_of(demo / B05)
    assert {c.a1 for c in plan.written} == {"E12"} == {c.a1 for c in plan.restored}
    (block,) = plan.blocks
    (change,) = [c for c in plan_workbook(demo / B05).changes if c.formula]
    assert (block.row, block.col, block.rows) == (11, 4, [["=" + change.formula]])


def test_a_block_keeps_the_exact_content_of_the_cells_that_are_right(demo, tmp_path):
    from isms_xl.io.patch import CellPatch, patch_in_place

    path = tmp_path / B02
    shutil.copy(demo / B02, path)
    sheet = "リスクアセスメント結果表"
    patch_in_place(path, [CellPatch(sheet, 20, 9, 99, keep_formula=False),
                          CellPatch(sheet, 400, 9, 1, keep_formula=False)], backups=0)
    plan, formulas = plan_of(path)
    assert {c.a1 for c in plan.written} == {"J21", "J401"}
    (block,) = plan.blocks
    assert (block.row, block.col, len(block.rows)) == (20, 9, 381)
    original = grids(demo / B02)[1][sheet]
    for i, line in enumerate(block.rows):
        # The wrong cells get the template's formula back; every other cell what it holds now.
        assert line == original[20 + i][9:11]
        if 0 < i < 380:
            assert line == formulas[sheet][20 + i][9:11]


def test_without_formulas_the_fill_check_and_typed_over_check_are_left_to_the_blocks(demo):
    plan, _ = plan_of(demo / B05, with_formulas=False)
    assert plan.written == set()  # E12's value is right; whether it is a formula cannot be seen


def test_union_addresses_cover_each_colour_exactly_within_excels_limit():
    colours = [["FF0000" if (i // 3) % 2 else "00FF00", KEEP if i % 7 == 0 else None] for i in range(500)]
    paint = Paint("S", 4, 2, colours)
    seen: dict[object, set[str]] = {}
    for colour, address in book_io.union_addresses(paint):
        assert len(address) <= book_io.MAX_ADDRESS
        for part in address.split(","):
            first, _, last = part.partition(":")
            cells = _expand(first, last or first)
            assert not cells & set().union(*seen.values()) if seen else True
            seen.setdefault(colour, set()).update(cells)
    want: dict[object, set[str]] = {}
    for i, line in enumerate(colours):
        for j, colour in enumerate(line):
            if colour is not KEEP:
                want.setdefault(colour, set()).add(a1(4 + i, 2 + j))
    assert seen == want


def _expand(first: str, last: str) -> set[str]:
    col = "".join(ch for ch in first if ch.isalpha())
    assert col == "".join(ch for ch in last if ch.isalpha())
    r1, r2 = int(first[len(col):]), int(last[len(col):])
    return {f"{col}{r}" for r in range(r1, r2 + 1)}


# --------------------------------------------------------------------------------------------
# A recording stand-in for a desktop Book: each property read or assignment is one Excel call.

class Calls(list):
    pass


class FakeRange:
    def __init__(self, sheet, address, first=(1, 1), last=None):
        self.sheet, self.address, self.first, self.last = sheet, address, first, last or first

    def options(self, **_):
        return self

    @property
    def row(self):
        return self.first[0]

    @property
    def column(self):
        return self.first[1]

    @property
    def value(self):
        self.sheet.calls.append(("read value", self.sheet.name))
        return self.sheet.values

    @property
    def formula(self):
        self.sheet.calls.append(("read formula", self.sheet.name))
        return self.sheet.formulas

    @formula.setter
    def formula(self, rows):
        self.sheet.calls.append(("formula", self.first, self.last, rows))

    @value.setter
    def value(self, rows):
        self.sheet.calls.append(("value", self.first, self.last, rows))

    @property
    def color(self):
        raise AssertionError("colours are never read")

    @color.setter
    def color(self, colour):
        self.sheet.calls.append(("color", self.address, colour))


class FakeSheet:
    def __init__(self, name, values, formulas, calls):
        self.name, self.values, self.formulas, self.calls = name, values, formulas, calls
        self.visible = True

    @property
    def used_range(self):
        return FakeRange(self, "used", (1, 1), (len(self.values), len(self.values[0])))

    def range(self, first, last=None):
        if isinstance(first, str):
            return FakeRange(self, first)
        return FakeRange(self, None, first, last)


class FakeBook:
    def __init__(self, path: Path, values, formulas):
        self.calls = Calls()
        self.fullname = str(path)
        self.name = path.name
        self._sheets = {n: FakeSheet(n, values[n], formulas[n], self.calls) for n in values}
        self.names = []
        self.app = type("App", (), {"engine": type("E", (), {"name": "excel"})(),
                                    "alert": lambda _s, msg, title: self.calls.append(("alert", msg))})()

    @property
    def sheets(self):
        book = self

        class Sheets(dict):
            active = next(iter(book._sheets.values()))

            def __iter__(self):
                return iter(book._sheets.values())

        return Sheets(self._sheets)


def test_desktop_recompute_makes_a_fixed_number_of_calls(demo, tmp_path):
    from isms_xl.excel import layer

    values, formulas = grids(demo / B05)
    values = {n: [list(r) + [None] * (max(map(len, v)) - len(r)) for r in v] for n, v in values.items()}
    book = FakeBook(demo / B05, values, formulas)
    out = layer.recompute(book)
    kinds = [c[0] for c in book.calls]
    assert kinds.count("read value") == kinds.count("read formula") == len(values)
    assert [c for c in book.calls if c[0] == "formula"] == [("formula", (12, 5), (12, 5), [[out.plan.blocks[0].rows[0][0]]])]
    colours = [c for c in book.calls if c[0] == "color"]
    assert len(colours) == sum(len(book_io.union_addresses(p)) for p in out.plan.paints)
    assert kinds[-1] == "alert" and "数式の書き戻し 1 セル" in book.calls[-1][1]
