"""The fills of a form's banded cells (CALC-003), kept a column at a time.

A mapping ``(sheet, row, col) -> fill RGB`` (``None``: no fill), as ``Form.fills`` always was,
but stored as the reader finds the fills: one list per banded column, in record order. A
60,000-row register has 240,000 banded cells; one key tuple and dict entry each cost the reader
~0.05 s and the recompute's column-wise pass another ~0.07 s (benchmarks/bench_check.py), where
handing over a column's list costs nothing. Cells set one by one (tests, callers) are kept
beside the columns and win over them.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from itertools import count, repeat

__all__ = ["Fills"]

Key = tuple[str, int, int]


class _Column:
    __slots__ = ("_at", "fills", "rows")

    def __init__(self, rows: list[int], fills: list[str | None]) -> None:
        self.rows, self.fills = rows, fills
        self._at: dict[int, int] | None = None

    def at(self, row: int) -> int | None:
        """Where ``row`` is in the lists (the last place when a row is given twice, as a dict
        filled in order would keep)."""
        if self._at is None:
            self._at = dict(zip(self.rows, count()))
        return self._at.get(row)


class Fills(MutableMapping):
    """``(sheet, row, col) -> fill``; see the module docstring."""

    def __init__(self) -> None:
        self._columns: dict[tuple[str, int], _Column] = {}
        self._cells: dict[Key, str | None] = {}  # set one by one: these win over the columns

    def put_column(self, sheet: str, col: int, rows: list[int], fills: list[str | None]) -> None:
        """The fills of ``col`` at ``rows`` (one each, in that order), replacing any before."""
        if len(rows) != len(fills):
            raise ValueError("one fill per row")
        for key in [k for k in self._cells if k[0] == sheet and k[2] == col]:
            del self._cells[key]
        self._columns[(sheet, col)] = _Column(list(rows), list(fills))

    def column(self, sheet: str, rows: Sequence[int], col: int) -> list[str | None]:
        """``[self.get((sheet, r, col)) for r in rows]``: a copy of the column's list when it was
        put for exactly these rows and no cell of it was set since, else cell by cell."""
        stored = self._columns.get((sheet, col))
        if stored is not None and stored.rows == rows and not any(k[0] == sheet and k[2] == col for k in self._cells):
            return list(stored.fills)
        return list(map(self.get, zip(repeat(sheet), rows, repeat(col))))

    def __getitem__(self, key: Key) -> str | None:
        if key in self._cells:
            return self._cells[key]
        try:
            sheet, row, col = key
        except (TypeError, ValueError):
            raise KeyError(key) from None
        stored = self._columns.get((sheet, col))
        at = stored.at(row) if stored is not None else None
        if at is None:
            raise KeyError(key)
        return stored.fills[at]

    def __setitem__(self, key: Key, fill: str | None) -> None:
        self._cells[key] = fill

    def __delitem__(self, key: Key) -> None:
        present = key in self
        self._cells.pop(key, None)
        sheet, row, col = key
        stored = self._columns.get((sheet, col))
        if stored is not None and stored.at(row) is not None:
            # Rare (nothing in isms_xl deletes a fill): the column becomes cells one by one.
            del self._columns[(sheet, col)]
            kept = {k for k in self._cells if k[0] == sheet and k[2] == col}  # set since: they win
            for r, fill in zip(stored.rows, stored.fills):  # a row given twice: the last fill, as read
                if r != row and (sheet, r, col) not in kept:
                    self._cells[(sheet, r, col)] = fill
        elif not present:
            raise KeyError(key)

    def __iter__(self) -> Iterator[Key]:
        seen = set(self._cells)
        yield from self._cells
        for (sheet, col), stored in self._columns.items():
            for row in dict.fromkeys(stored.rows):
                if (sheet, row, col) not in seen:
                    yield sheet, row, col

    def __len__(self) -> int:
        n = len(self._cells)
        for stored in self._columns.values():
            stored.at(0)  # builds the index of distinct rows
            n += len(stored._at)
        # Cells set one by one over a column's cell are counted once.
        return n - sum(1 for sheet, row, col in self._cells
                       if (sheet, col) in self._columns and self._columns[(sheet, col)].at(row) is not None)

    def __bool__(self) -> bool:
        return bool(self._cells) or any(stored.rows for stored in self._columns.values())

    def __repr__(self) -> str:
        return f"Fills({dict(self.items())!r})"
