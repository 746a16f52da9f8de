"""io/cell_styles: the style ids of a few columns' cells, read from a vetted sheet's XML after
the values, must be what the preflight's full scan collects for those cells."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from isms_xl.io.cell_bound import cells_within_dimension
from isms_xl.io.cell_styles import style_ids_by_column
from isms_xl.io.xlsx_common import col_letters
from tests.test_cell_bound import sheet
from tests.test_xlsx_scan import reference, sheet_documents


def style_ids_in_columns(xml, columns) -> dict[tuple[int, int], int]:
    """(row, col) -> style id: what the reader reads by column, as one mapping of cells."""
    return {(row, col): sid for col, by_row in style_ids_by_column(xml, columns).items() for row, sid in by_row.items()}


@pytest.mark.parametrize("cell, expected", [
    ('<c r="B2" s="3"><v>1</v></c>', 3),
    ('<c r="B2" t="n" s="3"><v>1</v></c>', 3),  # s after t
    ('<c r="B2" s ="3"/>', 3),
    ('<c r="B2" t="s" s = "&#51;"><v>0</v></c>', 3),  # spaces and a character reference
    ('<c r="B2" s=" 4 "/>', 4),
    ('<c r="B2" s="0"><v>1</v></c>', None),
    ('<c r="B2"><v>1</v></c>', None),
    ('<c r="B2" s="x"/>', None),
    ('<c r="B2" s="5"/><c r="B2"/>', 5),  # a repeat without a style keeps the styled one
    ('<c r="B2" s="5"/><c r="B2" s="6"/>', 6),
])
def test_spellings(cell, expected):
    xml = sheet(f'<row r="2"><c r="A2" s="9"/>{cell}<c r="BA2" s="8"/></row>', "BA2")
    assert cells_within_dimension(xml, 10_000_000) is not None
    got = style_ids_in_columns(xml, [1])
    assert got == ({} if expected is None else {(1, 1): expected})


def test_only_the_columns_asked():
    xml = sheet('<row r="1"><c r="A1" s="1"/><c r="J1" s="2"/><c r="JA1" s="3"/><c r="K1" s="4"/></row>', "JA1")
    assert style_ids_in_columns(xml, [9]) == {(0, 9): 2}
    assert style_ids_in_columns(xml, [9, 10, 260]) == {(0, 9): 2, (0, 10): 4, (0, 260): 3}
    assert style_ids_in_columns(xml, []) == {}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_same_as_the_full_scan(data):
    xml = data.draw(sheet_documents(canonical=data.draw(st.booleans())))
    truth = reference(xml)
    xml = re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)
    corner = f"{col_letters(max(truth.max_col, 1))}{max(truth.max_row, 1)}"
    xml = xml.replace(b"<sheetData>", f'<dimension ref="A1:{corner}"/><sheetData>'.encode(), 1)
    assume(cells_within_dimension(xml, 10_000_000) is not None)  # only vetted sheets are read so
    columns = data.draw(st.sets(st.integers(0, max(truth.max_col, 1)), max_size=6))
    expected = {cell: s for cell, s in truth.styles.items() if cell[1] in columns}
    assert style_ids_in_columns(xml, columns) == expected
    # In the pieces it was inflated in (cut anywhere, a tag across several of them): the same.
    cuts = sorted(data.draw(st.lists(st.integers(0, len(xml)), max_size=12)))
    pieces = [xml[a:b] for a, b in zip([0, *cuts], [*cuts, len(xml)])]
    assert style_ids_in_columns(pieces, columns) == expected


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_pieces_of_every_size_give_the_whole(size):
    xml = sheet('<row r="1"><c r="A1" s="1"/><c r="J1" s="2"><v>5</v></c><c r="JA1" s="3"/>'
                '<c r="K1" t="n" s="4"/></row><row r="2"><c r="J2" s="7"/><c r="J2"/></row>', "JA2")
    whole = style_ids_in_columns(xml, [9, 10, 260])
    assert whole == {(0, 9): 2, (0, 10): 4, (0, 260): 3, (1, 9): 7}
    assert style_ids_in_columns([xml[i:i + size] for i in range(0, len(xml), size)], [9, 10, 260]) == whole
