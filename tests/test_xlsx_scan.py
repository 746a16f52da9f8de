"""The streaming sheet scan (isms_xl/io/xlsx_scan.py) against an XML parser, whatever the
spelling and wherever the pieces are cut; its fast path against its general path; and the
compact cell collections."""

from __future__ import annotations

import pickle
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isms_xl.errors import BadInputError
from isms_xl.io import scan_lockfree, xlsx_common
from isms_xl.io.preflight import COLLECT_ALL, preflight
from isms_xl.io.xlsx_common import (
    DEFAULT_LIMITS,
    Where,
    col_letters,
    col_number,
    range_bounds,
)
from isms_xl.io.xlsx_scan import CellMap, CellSet, SheetScanner

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --------------------------------------------------------------------------------------------
# The reference: ElementTree, placing cells as openpyxl does

@dataclass
class Expected:
    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    formulas: set = field(default_factory=set)
    kinds: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    styles: dict = field(default_factory=dict)
    hidden_rows: set = field(default_factory=set)
    hidden_cols: set = field(default_factory=set)
    zero_height: bool = False
    merged: list = field(default_factory=list)
    table_ids: list = field(default_factory=list)
    dimension: str | None = None


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true")


def reference(xml: bytes) -> Expected:
    out = Expected()
    row_counter = col_counter = 0
    zone = "head"
    root = ET.fromstring(xml)

    def walk(el):
        nonlocal row_counter, col_counter, zone
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "sheetData" and zone == "head":
            zone = "body"
            for child in el:
                walk(child)
            zone = "tail"
            return
        if tag == "row":
            r = el.get("r")
            row_counter = int(r) if r is not None else row_counter + 1
            col_counter = 0
            if _true(el.get("hidden")):
                out.hidden_rows.add(row_counter - 1)
        elif tag == "c":
            out.cells += 1
            ref = el.get("r")
            if ref is None:
                col_counter += 1
                row, col = row_counter, col_counter
            else:
                m = re.fullmatch(r"\$?([A-Za-z]+)\$?([0-9]+)", ref)
                row, col = int(m.group(2)), col_number(m.group(1).encode())
                col_counter = col
            out.max_row, out.max_col = max(out.max_row, row), max(out.max_col, col)
            cell = (row - 1, col - 1)
            s = el.get("s")
            if s is not None and s.strip().isdigit() and int(s):
                out.styles[cell] = int(s)
            children = [(c.tag.rsplit("}", 1)[-1], c) for c in el]
            f = next((c for t, c in children if t == "f"), None)
            if f is not None:
                out.formulas.add(cell)
                if f.get("t") in ("shared", "array", "dataTable"):
                    out.kinds[cell] = f.get("t")
            v = next((c for t, c in children if t == "v"), None)
            if el.get("t") == "e" and v is not None:
                out.errors[cell] = v.text or ""
            return  # a cell's children are not scanned
        elif tag == "dimension" and out.dimension is None:
            out.dimension = el.get("ref")
        elif tag == "mergeCell":
            b = range_bounds(el.get("ref", "").encode())
            if b is not None:
                out.merged.append((b[0] - 1, b[1] - 1, b[2] - 1, b[3] - 1))
        elif zone != "body" and tag == "col" and _true(el.get("hidden")):
            out.hidden_cols.update(range(int(el.get("min")) - 1, min(int(el.get("max")), 16384)))
        elif zone != "body" and tag == "sheetFormatPr":
            out.zero_height = out.zero_height or _true(el.get("zeroHeight"))
        elif zone != "body" and tag == "tablePart":
            out.table_ids.append(el.get(f"{{{R_NS}}}id"))
        for child in el:
            walk(child)

    walk(root)
    return out


def scan(xml: bytes, cuts=(), *, general_only: bool = False, formulas: bool = True, errors: bool = True,
         styles: bool = True) -> SheetScanner:
    scanner = SheetScanner(DEFAULT_LIMITS, Where("book.xlsx"), "s", formulas=formulas, errors=errors,
                           styles=styles)
    if general_only:
        scanner._fast = lambda buf: False
    points = sorted({0, len(xml), *(int(c * len(xml)) for c in cuts)})
    for a, b in zip(points, points[1:]):
        scanner.feed(xml[a:b])
    scanner.close()
    return scanner


def assert_matches(scanner: SheetScanner, expected: Expected) -> None:
    assert (scanner.max_row, scanner.max_col, scanner.cells) == (
        expected.max_row, expected.max_col, expected.cells)
    if scanner.collect_formulas:
        assert set(scanner.formula_cells()) == expected.formulas
        assert dict(scanner.formula_kinds()) == expected.kinds
    else:
        assert scanner.formula_cells() is None and scanner.formula_kinds() is None
    if scanner.collect_errors:
        assert dict(scanner.error_cells()) == expected.errors
    else:
        assert scanner.error_cells() is None
    if scanner.collect_styles:
        assert dict(scanner.style_ids()) == expected.styles
    else:
        assert scanner.style_ids() is None
    assert scanner.hidden_rows == expected.hidden_rows
    assert scanner.hidden_cols == expected.hidden_cols
    assert scanner.zero_height == expected.zero_height
    assert scanner.merged == expected.merged
    assert scanner.table_ids == expected.table_ids
    assert scanner.dimension == expected.dimension


# --------------------------------------------------------------------------------------------
# Generated sheets: mostly Excel's spelling, with the odd exception

ERRORS = ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"]


@st.composite
def cell_xml(draw, row: int | None, col: int, odd):
    """One cell in one of the forms writers use (and a few they do not)."""
    ref = f"{col_letters(col)}{row}" if row is not None else None
    s = draw(st.sampled_from(["", "", ' s="0"', ' s="1"', ' s="17"']))
    kind = draw(st.sampled_from(["num", "str", "blank", "formula", "shared_master", "shared_child",
                                 "array", "dataTable", "error", "formula_error", "inline", "empty"]))
    t, body = "", ""
    if kind == "num":
        body = "<v>1.5</v>"
    elif kind == "str":
        t, body = ' t="s"', "<v>3</v>"
    elif kind == "blank":
        body = None
    elif kind == "empty":
        body = ""
    elif kind == "formula":
        t = draw(st.sampled_from(["", ' t="str"', ' t="b"']))
        body = draw(st.sampled_from(["<f>SUM(A1:A2)</f><v>3</v>", "<f>A1&amp;&quot;x&quot;</f><v>x</v>",
                                     "<f>TODAY()</f>", "<f>1+1</f><v></v>", '<f ca="1">NOW()</f><v>1</v>']))
    elif kind == "shared_master":
        body = f'<f t="shared" ref="{ref or "A1"}:{ref or "A1"}" si="{draw(st.integers(0, 3))}">B1*2</f><v>2</v>'
    elif kind == "shared_child":
        body = f'<f t="shared" si="{draw(st.integers(0, 3))}"/><v>4</v>'
    elif kind == "array":
        body = f'<f t="array" ref="{ref or "A1"}">SUM(A1:A3*B1:B3)</f><v>6</v>'
    elif kind == "dataTable":
        body = '<f t="dataTable" ref="B2:B3" dt2D="0" dtr="0" r1="A1"/><v>7</v>'
    elif kind == "error":
        t, body = ' t="e"', f"<v>{draw(st.sampled_from(ERRORS))}</v>"
    elif kind == "formula_error":
        t, body = ' t="e"', f"<f>1/0</f><v>{draw(st.sampled_from(ERRORS))}</v>"
    elif kind == "inline":
        t = ' t="inlineStr"'
        body = draw(st.sampled_from(["<is><t>abc</t></is>", '<is><t xml:space="preserve"> x </t></is>',
                                     "<is><r><rPr><b/></rPr><t>rich</t></r></is>"]))
    pre = "x:" if draw(odd) == 0 else ""
    if body is not None and pre:
        body = body.replace("<f", "<x:f").replace("</f>", "</x:f>").replace("<v>", "<x:v>").replace(
            "</v>", "</x:v>").replace("<is>", "<x:is>").replace("</is>", "</x:is>")
    attrs = [f' r="{ref}"'] if ref is not None else []
    if s:
        attrs.append(s)
    if t:
        attrs.append(t)
    if draw(odd) == 0:
        attrs.append(draw(st.sampled_from([' vm="1"', ' cm="1"', ' ph="1"'])))
    if draw(odd) == 0:
        attrs.reverse()
    text = "".join(attrs)
    if draw(odd) == 0:
        text = text.replace('"', "'")
    if draw(odd) == 0:
        text = text.replace(" ", "\n ", 1)
    if body is None:
        return f"<{pre}c{text}/>"
    if draw(odd) == 0 and body:
        body = body.replace("<", " <", 1)  # white space between the children
    return f"<{pre}c{text}>{body}</{pre}c>"


@st.composite
def sheet_documents(draw, canonical: bool = False):
    if canonical:  # Excel's spelling throughout, but for the odd cell
        odd = st.sampled_from([1] * 200 + [0])
    else:
        odd = st.sampled_from([1] * 30 + [0]) if draw(st.booleans()) else st.sampled_from([1, 1, 0])
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\r\n<worksheet xmlns="{NS}" xmlns:r="{R_NS}" '
             f'xmlns:x="{NS}">']
    if draw(st.booleans()):
        parts.append('<dimension ref="A1:C9"/>')
    if draw(st.booleans()):
        zero = draw(st.sampled_from(["", ' zeroHeight="1"']))
        parts.append(f'<sheetFormatPr defaultRowHeight="15"{zero}/>')
    cols = draw(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 5), st.sampled_from(["", "1", "true", "0"])),
                         max_size=3))
    if cols:
        parts.append("<cols>" + "".join(
            f'<col min="{lo}" max="{lo + n}" width="9"' + (f' hidden="{h}"' if h else "") + "/>"
            for lo, n, h in cols) + "</cols>")
    parts.append("<sheetData>")
    row = 0
    for _ in range(draw(st.integers(0, 14))):
        row = draw(st.integers(1, 60)) if draw(odd) == 0 else row + draw(st.integers(1, 3))
        rpre = "x:" if draw(odd) == 0 else ""
        r_attr = "" if draw(odd) == 0 else f' r="{row}"'
        extra = draw(st.sampled_from(["", ' spans="1:5"', ' hidden="1"', ' ht="20" customHeight="1"',
                                      ' s="4" customFormat="1"', ' hidden="true" x14ac:dyDescent="0.25"']))
        if "x14ac" in extra:
            extra = extra.replace("x14ac:", "")
        cells = []
        col = 0
        for _ in range(draw(st.integers(0, 7))):
            col = draw(st.integers(1, 800)) if draw(odd) == 0 else col + draw(st.integers(1, 2))
            cell_row = None if draw(odd) == 0 else (row if draw(odd) else draw(st.integers(1, 90)))
            cells.append(draw(cell_xml(cell_row, col, odd)))
        if not cells and draw(st.booleans()):
            parts.append(f"<{rpre}row{r_attr}{extra}/>")
        else:
            parts.append(f"<{rpre}row{r_attr}{extra}>{''.join(cells)}</{rpre}row>")
    parts.append("</sheetData>")
    merges = draw(st.lists(st.sampled_from(["A1:B2", "C3:C9", "D1:F1", "A5:A6"]), max_size=3))
    if merges:
        parts.append(f'<mergeCells count="{len(merges)}">'
                     + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
    if draw(st.booleans()):
        parts.append('<hyperlinks><hyperlink ref="B2" r:id="rId9"/></hyperlinks>')
    if draw(st.booleans()):
        parts.append('<tableParts count="1"><tablePart r:id="rId3"/></tableParts>')
    parts.append("</worksheet>")
    return "".join(parts).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(xml=sheet_documents(), cuts=st.lists(st.floats(0, 1), max_size=30))
def test_scan_matches_an_xml_parser(xml, cuts):
    expected = reference(xml)
    assert_matches(scan(xml, cuts), expected)
    assert_matches(scan(xml, cuts, general_only=True), expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_lockfree_pieces_give_what_the_fast_scan_gives(data):
    """The default collection (formulas and errors) takes the pieces RE2 accepts
    (io/scan_lockfree): the same results, counters included, as with that path turned off."""
    xml = data.draw(sheet_documents(canonical=True))
    starts = [m.start() / len(xml) for m in re.finditer(rb'<c r="', xml)]
    cuts = data.draw(st.lists(st.sampled_from(starts), max_size=12)) if starts else []
    with_it = scan(xml, cuts, styles=False)
    assert_matches(with_it, reference(xml))
    original = scan_lockfree.accepts
    try:
        scan_lockfree.accepts = lambda buf, max_col, max_row: False
        without = scan(xml, cuts, styles=False)
    finally:
        scan_lockfree.accepts = original
    assert without.lockfree_pieces == 0
    for name in ("max_row", "max_col", "cells", "row_counter", "col_counter", "f_keys", "kind_keys", "kind_codes",
                 "err_keys", "err_codes", "hidden_rows"):
        assert getattr(with_it, name) == getattr(without, name), name


def _outcome(xml: bytes, cuts, *, lockfree: bool):
    """A scan's results, or the refusal it raises, with the lock-free path on or off."""
    original = scan_lockfree.accepts
    if not lockfree:
        scan_lockfree.accepts = lambda buf, max_col, max_row: False
    try:
        s = scan(xml, cuts, styles=False)
    except BadInputError as err:
        return ("refused", err.reason)
    finally:
        scan_lockfree.accepts = original
    return (s.max_row, s.max_col, s.cells, s.row_counter, s.col_counter, list(s.f_keys), s.hidden_rows)


@pytest.mark.parametrize("row_tag", ['<row r="0">', '<row r="0" x="hidden">', '<row r="05">', '<row r="9" x="hidden">',
                                     '<row r="9" hidden="1">', '<row r="9" x:hidden="1">', '<row r="9"/>'])
def test_odd_row_tags_give_the_same_with_and_without_the_lockfree_path(row_tag):
    def rows(numbers):
        return "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><f>A{r}</f><v>1</v></c></row>'
                       for r in numbers)
    odd = row_tag + ("" if row_tag.endswith("/>") else "</row>")
    xml = (f'<worksheet xmlns="main"><dimension ref="A1:B20"/><sheetData>{rows(range(1, 6))}{odd}'
           f'{rows(range(10, 21))}</sheetData></worksheet>').encode()
    starts = [m.start() / len(xml) for m in re.finditer(rb'<c r="A', xml)]
    cuts = [starts[2], starts[8], starts[12]]  # the odd row tag in a middle piece
    assert _outcome(xml, cuts, lockfree=True) == _outcome(xml, cuts, lockfree=False)


def test_an_excel_written_register_takes_the_lockfree_path():
    rows = "".join(
        f'<row r="{r}" spans="1:3" x14ac:dyDescent="0.25"><c r="A{r}" s="1" t="s"><v>{r}</v></c>'
        f'<c r="B{r}" s="2"><v>2</v></c><c r="C{r}" s="3"><f>A{r}*B{r}</f><v>4</v></c></row>' for r in range(1, 400))
    xml = (f'<worksheet xmlns="main"><dimension ref="A1:C399"/><sheetData>{rows}</sheetData></worksheet>').encode()
    starts = [m.start() for m in re.finditer(rb'<c r="A', xml)]
    scanner = scan(xml, [starts[100] / len(xml), starts[300] / len(xml)], styles=False)
    assert scanner.lockfree_pieces >= 1
    assert set(scanner.formula_cells()) == {(r, 2) for r in range(399)}
    assert (scanner.max_row, scanner.max_col, scanner.cells) == (399, 3, 3 * 399)
    hidden = xml.replace(b'<row r="250" spans', b'<row r="250" hidden="1" spans')
    assert scan(hidden, [starts[100] / len(xml), starts[300] / len(xml)], styles=False).hidden_rows == {249}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_scan_matches_an_xml_parser(data):
    """Mostly Excel's spelling, cut where preflight cuts: just before a cell."""
    xml = data.draw(sheet_documents(canonical=True))
    starts = [m.start() / len(xml) for m in re.finditer(rb'<c r="', xml)]
    cuts = data.draw(st.lists(st.sampled_from(starts), max_size=12)) if starts else []
    expected = reference(xml)
    scanner = scan(xml, cuts)
    assert_matches(scanner, expected)
    assert_matches(scan(xml, cuts, general_only=True), expected)
    flags = data.draw(st.fixed_dictionaries({"formulas": st.booleans(), "errors": st.booleans(),
                                             "styles": st.booleans()}))
    assert_matches(scan(xml, cuts, **flags), expected)


def test_the_fast_path_is_taken(tmp_path):
    """Excel-like cell data goes through the fast scan, and gives what the general one does."""
    rows = []
    for r in range(1, 3001):
        rows.append(f'<row r="{r}" spans="1:6">'
                    f'<c r="A{r}" s="1" t="s"><v>{r}</v></c><c r="B{r}" s="2"><v>{r * 1.5}</v></c>'
                    f'<c r="C{r}" s="3"><f>A{r}*2</f><v>2</v></c>'
                    f'<c r="D{r}"><f t="shared" si="0"/><v>4</v></c>'
                    + (f'<c r="E{r}" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c>' if r % 7 == 0 else "")
                    + (f'<c r="F{r}" t="e"><v>#N/A</v></c>' if r % 11 == 0 else "")
                    + "</row>")
    xml = (f'<worksheet xmlns="{NS}"><dimension ref="A1:F3000"/><sheetData>'
           + "".join(rows) + "</sheetData></worksheet>").encode()
    cuts = [i / 40 for i in range(1, 40)]
    fast = scan(xml, cuts)
    assert fast.fast_pieces >= 30 and fast.general_pieces <= 4
    assert_matches(fast, reference(xml))
    assert_matches(scan(xml, cuts, general_only=True), reference(xml))
    assert len(fast.error_cells()) == 3000 // 7 + 3000 // 11
    assert dict(fast.formula_kinds()) == {(r, 3): "shared" for r in range(3000)}


def test_unsorted_cells_and_rows_are_placed_exactly():
    xml = (f'<worksheet xmlns="{NS}"><sheetData>'
           '<row r="9"><c r="B9"><v>1</v></c></row>'
           '<row r="2"><c r="Z2"><f>1</f></c><c r="A200"><v>2</v></c></row>'
           '<row r="3"><c r="C3"><v>3</v></c></row>'
           "</sheetData></worksheet>").encode()
    for cuts in ([], [0.3, 0.5, 0.7], [i / 20 for i in range(20)]):
        s = scan(xml, cuts)
        assert (s.max_row, s.max_col, s.cells) == (200, 26, 4)
        assert set(s.formula_cells()) == {(1, 25)}


def cut_before_cells(xml: bytes) -> list[float]:
    return [m.start() / len(xml) for m in re.finditer(rb'<c r="', xml)]


@pytest.mark.parametrize("cells", [
    b'<row r="1"><c r="A2"/><c r="A1"/></row>',  # a row just past the piece's last cell
    b'<row r="1"><c r="B1"/><c r="A1"/></row>',  # a column just past it
    b'<row r="1"><c r="A10"><v>1</v></c><c r="A9"><v>1</v></c></row>',
    b'<row r="1"><c r="AA1"/><c r="Z1"/></row>',
])
def test_cells_past_the_last_one_of_a_piece(cells):
    xml = (f'<worksheet xmlns="{NS}"><sheetData>'.encode() + cells
           + b'<row r="3"><c r="A3"/></row></sheetData></worksheet>')
    for cuts in ([], cut_before_cells(xml)):
        s = scan(xml, cuts)
        assert (s.max_row, s.max_col) == (reference(xml).max_row, reference(xml).max_col)


def test_row_counter_carries_over_a_fast_piece():
    xml = (f'<worksheet xmlns="{NS}"><sheetData><row r="7"><c r="A7"><v>1</v></c>'
           '<c r="B7"><v>1</v></c><c r="C7"><v>1</v></c></row>'
           "<row><c><f>1</f><v>1</v></c></row></sheetData></worksheet>").encode()
    s = scan(xml, cut_before_cells(xml))
    assert s.fast_pieces >= 1
    assert (s.max_row, set(s.formula_cells())) == (8, {(7, 0)})


@pytest.mark.parametrize("collect", [(), ("formulas",), ("errors",), ("styles",), COLLECT_ALL])
def test_collect(tmp_path, collect):
    import xlsxwriter

    path = tmp_path / "c.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台帳")
    fmt = wb.add_format({"bg_color": "#FFC7CE"})
    ws.write_formula("A1", "=1/0", fmt, "#DIV/0!")
    ws.write("B1", 5, fmt)
    wb.close()
    s = preflight(path, collect=collect).sheet("台帳")
    assert (s.formula_cells is not None) == ("formulas" in collect)
    assert (s.formula_kinds is not None) == ("formulas" in collect)
    assert (s.error_cells is not None) == ("errors" in collect)
    assert (s.style_ids is not None) == ("styles" in collect)
    if "formulas" in collect:
        assert s.formula_cells == {(0, 0)}
    if "errors" in collect:
        assert dict(s.error_cells) == {(0, 0): "#DIV/0!"}
    if "styles" in collect:
        assert set(s.style_ids) == {(0, 0), (0, 1)}
    assert (s.cells, s.max_row, s.max_col) == (2, 1, 2)


def test_collect_is_checked(tmp_path):
    with pytest.raises(ValueError):
        preflight(tmp_path / "x.xlsx", collect=("formula",))
    with pytest.raises(ValueError):
        preflight(tmp_path / "x.xlsx", collect="styles")


# --------------------------------------------------------------------------------------------
# The regexes for "at most this column / row"

def _at_most(s: str, first: str, lowest: str, highest: str, possessive: bool):
    """The "at most" pattern for Python's re, or (without possessive quantifiers) for RE2."""
    text = xlsx_common._le(s, first, lowest, highest, possessive)
    return re.compile(text + r"\Z") if possessive else re2.compile(text + r"\z")


@pytest.mark.parametrize("possessive", [True, False])
@pytest.mark.parametrize("n", [1, 9, 10, 11, 99, 100, 101, 199, 1000, 1234, 50001, 90909, 1048576])
def test_digits_at_most(n, possessive):
    pattern = _at_most(str(n), "1", "0", "9", possessive)
    for k in [*range(1, min(2 * n, 3000)), n - 1, n, n + 1, 10 * n, 10 * n + 5]:
        if k >= 1:
            assert bool(pattern.match(str(k))) == (k <= n), k


@pytest.mark.parametrize("possessive", [True, False])
@pytest.mark.parametrize("n", [1, 2, 25, 26, 27, 52, 53, 700, 702, 703, 704, 1000, 16384])
def test_columns_at_most(n, possessive):
    pattern = _at_most(col_letters(n), "A", "A", "Z", possessive)
    for k in range(1, 2 * n + 800):
        assert bool(pattern.match(col_letters(k))) == (k <= n), k


# --------------------------------------------------------------------------------------------
# CellSet and CellMap

def test_cell_set_is_like_a_frozenset():
    cells = {(0, 0), (5, 3), (1048575, 16383), (2, 1)}
    s = CellSet(cells)
    assert s == cells and cells == s and s == frozenset(cells)
    assert hash(s) == hash(frozenset(cells))
    assert len(s) == 4 and (5, 3) in s and (5, 4) not in s
    assert (True, 0) not in s and "A1" not in s and (-1, 0) not in s and (0, 16384) not in s
    assert list(s) == sorted(cells)
    assert s | {(9, 9)} == cells | {(9, 9)} and s & {(0, 0)} == {(0, 0)}
    assert pickle.loads(pickle.dumps(s)) == s
    assert s.nbytes == 32
    assert not CellSet() and CellSet() == frozenset()
    with pytest.raises(ValueError):
        CellSet([(0, 16384)])


def test_cell_map_is_like_a_read_only_dict():
    m = CellMap({(3, 1): "#N/A", (0, 0): "#REF!", (3, 0): "#N/A"})
    assert m == {(0, 0): "#REF!", (3, 0): "#N/A", (3, 1): "#N/A"}
    assert m[(3, 1)] == "#N/A" and m.get((9, 9)) is None and (0, 0) in m
    assert list(m) == [(0, 0), (3, 0), (3, 1)]
    with pytest.raises(KeyError):
        m[(1, 1)]
    ints = CellMap({(0, 1): 7, (0, 0): 3})
    assert dict(ints) == {(0, 0): 3, (0, 1): 7} and ints._palette is None
    assert pickle.loads(pickle.dumps(m)) == m


def test_whole_column_lookups():
    cells = {(0, 0): 4, (5, 3): 9, (6, 3): 2, (1048575, 16383): 1}
    m, s = CellMap(cells), CellSet(cells)
    rows = [0, 5, 6, 7, -1, 1048575, 1048576]
    for col in (0, 3, 16383, 16384, -1):
        assert m.get_in_column(rows, col, 0) == [cells.get((r, col), 0) for r in rows]
        assert s.contains_in_column(rows, col) == [(r, col) in cells for r in rows]
    text = CellMap({(1, 2): "#N/A", (3, 2): "#REF!"})
    assert text.get_in_column([0, 1, 3], 2) == [None, "#N/A", "#REF!"]
    assert CellMap().get_in_column([0], 0, "x") == ["x"] and CellSet().contains_in_column([0], 0) == [False]


@pytest.mark.parametrize("asked", [10, 3_000, 20_000])
def test_whole_column_lookups_through_the_index(asked):
    """Many cells asked at once from a collection not much larger: a hash index answers (built
    once, then reused); otherwise bisection. Both give what per-cell lookups give, off-grid rows
    and columns included."""
    rng = random.Random(asked)
    cells = {(rng.randrange(0, 40_000), rng.randrange(0, 6)): rng.randrange(1, 50) for _ in range(4 * asked)}
    cells[(1048575, 16383)] = 7
    m, s = CellMap(cells), CellSet(cells)
    rows = [rng.randrange(-2, 40_002) for _ in range(asked)] + [1048575, 1048576]
    for col in (0, 3, 5, 16383, 16384, -1, 0):  # column 0 twice: the index is reused
        assert m.get_in_column(rows, col, 0) == [cells.get((r, col), 0) for r in rows]
        assert s.contains_in_column(iter(rows), col) == [(r, col) in cells for r in rows]
    assert (m._index is not None) == (asked >= 2_000) and (s._index is not None) == (asked >= 2_000)


def test_cell_map_keeps_the_last_of_repeated_cells():
    from array import array

    keys = array("q", [5, 1, 5, 3, 1])
    values = array("I", [0, 1, 2, 3, 4])
    m = CellMap._from_arrays(keys, values, ("a", "b", "c", "d", "e"))
    assert [(k[1], v) for k, v in m.items()] == [(1, "e"), (3, "d"), (5, "c")]


# --------------------------------------------------------------------------------------------
# What is hidden inside megabytes of ordinary cell data is still caught (the fast scan sends
# those pieces to the general one)

def _big_sheet(middle: bytes, rows: int = 40_000) -> bytes:
    def row(r: int) -> bytes:
        return (b'<row r="%d" spans="1:4"><c r="A%d" s="1" t="s"><v>%d</v></c><c r="B%d" s="2"><v>%d.5</v></c>'
                b'<c r="C%d"><f>A%d*2</f><v>2</v></c><c r="D%d" s="3"/></row>' % ((r,) * 8))
    half = rows // 2
    return (f'<worksheet xmlns="{NS}" xmlns:x="{NS}"><dimension ref="A1:D{rows}"/><sheetData>'.encode()
            + b"".join(row(r) for r in range(1, half)) + middle
            + b"".join(row(r) for r in range(half + 1, rows + 1)) + b"</sheetData></worksheet>")


@pytest.mark.parametrize("name,middle,reason", [
    ("merge", b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>', "used_range"),
    ("hyperlink", b'<hyperlinks><hyperlink ref="A1:XFD9999" location="A1"/></hyperlinks>', "used_range"),
    ("prefixed", b'<row r="20000"><x:c r="XFD1048576"><x:v>1</x:v></x:c></row>', "used_range"),
    ("rless", b'<row r="1048576">' + b"<c><v>1</v></c>" * 20 + b"</row>", "used_range"),
    ("beyond", b'<row r="20000"><c r="A20000"><v>1</v></c><c r="XFE20000"><v>1</v></c></row>', "beyond_grid"),
    ("far", b'<row r="20000"><c r="A1000000"><v>1</v></c></row>', "used_range"),
])
def test_crafted_cell_data_is_caught(name, middle, reason):
    from isms_xl.errors import UnsafeWorkbookError

    xml = _big_sheet(middle)
    assert len(xml) > 4 * 2**20
    scanner = SheetScanner(DEFAULT_LIMITS.__class__(max_cells=2_000_000), Where("book.xlsx"), "s")
    with pytest.raises(UnsafeWorkbookError) as err:
        for i in range(0, len(xml), 2**20):
            scanner.feed(xml[i:i + 2**20])
        scanner.close()
    assert err.value.reason == reason
    assert scanner.fast_pieces >= 1


def test_ordinary_big_sheet_is_scanned_fast():
    xml = _big_sheet(b"")
    scanner = scan(xml, [i / 8 for i in range(1, 8)])
    expected = reference(xml)
    assert_matches(scanner, expected)
    assert scanner.general_pieces <= 3 and scanner.fast_pieces >= 5


def test_every_dimension_counts():
    """calamine sizes a sheet from the last <dimension> before <sheetData>, openpyxl's read-only
    mode from the first: both are bounded."""
    from isms_xl.errors import UnsafeWorkbookError

    for where in ("head", "body"):
        dims = b'<dimension ref="A1"/>' + (b'<dimension ref="A1:XFD1048576"/>' if where == "head" else b"")
        middle = b'<dimension ref="A1:XFD1048576"/>' if where == "body" else b""
        xml = _big_sheet(middle).replace(b'<dimension ref="A1:D40000"/>', dims)
        scanner = SheetScanner(DEFAULT_LIMITS, Where("book.xlsx"), "s")
        with pytest.raises(UnsafeWorkbookError):
            for i in range(0, len(xml), 2**20):
                scanner.feed(xml[i:i + 2**20])
            scanner.close()
        assert scanner.dimension == "A1"
