"""Cell layout helpers of the core (isms_xl.layout)."""

from __future__ import annotations

from isms_xl.layout import col_index, col_letter


def test_column_letters_and_indexes_are_inverse():
    assert [col_letter(i) for i in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    assert all(col_index(col_letter(i)) == i for i in range(16384))
    assert col_index("xfd") == 16383
