"""Where things sit on the project's own sheets: the document-control block, the header row, card
fields and embedded tables. The template writer places cells by this, and the reader looks here
first before searching (users move things; see the reader for that).

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isms_xl.schema import DOC_FIELDS, Column, DocField, EmbeddedTable, FormSpec

TITLE_ROW = 0  # 0-based rows and columns throughout; A1 strings only at the edges
DOC_ROWS = (1, 2)  # two rows of four label/value pairs
TABLE_HEADER_ROW = 4  # row 5 in Excel
COVER_SHEET = "表紙"
COVER_SHEET_EN = "Cover"

CARD_LABEL_COL = 1  # B
CARD_VALUE_FIRST, CARD_VALUE_LAST = 2, 8  # C:I
CARD_FIRST_ROW = 3  # row 4
CARD_COLUMN_WIDTHS = (2, 18, 12, 12, 12, 12, 12, 12, 14)  # A..I


def col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """The 0-based column of "A", "AB" … (case-insensitive): col_letter's inverse."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def a1(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def doc_cell(field: DocField) -> tuple[int, int]:
    """(row, col) of a document-control value cell; its label is one column to the left."""
    i = DOC_FIELDS.index(field)
    return DOC_ROWS[i // 4], (i % 4) * 2 + 1


def defined_name(key: str) -> str:
    """Sheet-scoped defined name of a card field or embedded table ("isms_report_id")."""
    return f"isms_{key}"


@dataclass(frozen=True)
class TableLayout:
    """Columns of a table form as written: schema columns (minus any omitted) plus extra ones."""

    columns: tuple[Column, ...]
    extra: tuple[str, ...] = ()
    header_row: int = TABLE_HEADER_ROW

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def width(self) -> int:
        return len(self.columns) + len(self.extra)

    def index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return i
        raise KeyError(key)

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)

    def group_range(self, group: str, row: int) -> str:
        idx = [i for i, c in enumerate(self.columns) if c.group == group]
        if idx != list(range(idx[0], idx[-1] + 1)):
            raise ValueError(f"columns of group {group!r} must be adjacent")
        return f"{a1(row, idx[0])}:{a1(row, idx[-1])}"

    def refs(self, row: int):
        """Reference function for expressions evaluated in data row ``row``."""
        groups = {c.group for c in self.columns if c.group}

        def ref(key: str) -> str:
            if key in groups:
                return self.group_range(key, row)
            return a1(row, self.index(key))

        return ref


def table_layout(spec: FormSpec, omit: Sequence[str] = (), extra: Sequence[str] = ()) -> TableLayout:
    return TableLayout(tuple(c for c in spec.columns if c.key not in omit), tuple(extra))


@dataclass(frozen=True)
class CardTablePlace:
    table: EmbeddedTable
    title_row: int
    header_row: int
    rows: int  # data rows

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_data_row(self) -> int:
        return self.header_row + self.rows

    def column_index(self, key: str) -> int:
        return CARD_LABEL_COL + [c.key for c in self.table.columns].index(key)

    def column_range(self, key: str) -> str:
        c = self.column_index(key)
        return f"{a1(self.first_data_row, c, True)}:{a1(self.last_data_row, c, True)}"


@dataclass(frozen=True)
class CardLayout:
    fields: dict[str, int]  # column key -> row of its label and value
    tables: tuple[CardTablePlace, ...]
    last_row: int

    def value_cell(self, key: str) -> tuple[int, int]:
        return self.fields[key], CARD_VALUE_FIRST

    def refs(self):
        places = {f"{p.table.key}.{c.key}": p for p in self.tables for c in p.table.columns}

        def ref(key: str) -> str:
            if key in places:
                return places[key].column_range(key.split(".", 1)[1])
            row, col = self.value_cell(key)
            return a1(row, col, True)

        return ref

    def table(self, key: str) -> CardTablePlace:
        for place in self.tables:
            if place.table.key == key:
                return place
        raise KeyError(key)


def card_layout(spec: FormSpec, table_rows: dict[str, int] | None = None) -> CardLayout:
    """One field per row under the title, then each embedded table (title, header, rows).

    ``table_rows`` gives a record's number of rows per embedded table when it has more than the
    printed default, so a long findings list still fits.
    """
    row = CARD_FIRST_ROW
    fields: dict[str, int] = {}
    for col in spec.columns:
        fields[col.key] = row
        row += 1
    places = []
    for tab in spec.tables:
        row += 1
        n = max(tab.rows, len(tab.default_rows), (table_rows or {}).get(tab.key, 0))
        places.append(CardTablePlace(tab, row, row + 1, n))
        row += 2 + n
    return CardLayout(fields, tuple(places), row)
