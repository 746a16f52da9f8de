"""What a caller asks the patching writer to do, and what it reports back."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Missing(enum.Enum):
    """The type of ``MISSING``: "leave this as it is" (distinct from None, which removes)."""

    MISSING = "MISSING"

    # Enum's own __hash__ is Python code; the writer looks MISSING up in dicts per cell.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing.MISSING


@dataclass(frozen=True)
class CellPatch:
    """One cell to write.

    ``value``: int, float, str, bool, datetime.date, datetime.datetime or None (blank). With
    ``formula`` ("SUM(A1:A3)", no "="), the cell gets that formula and ``value`` is its cached
    result. With ``keep_formula`` (the default) a cell that already holds a formula keeps it and
    only its cached value changes; with ``keep_formula=False`` the formula is replaced by the
    constant. ``fill`` / ``font_color``: "RRGGBB" sets a solid fill / the font colour, None
    removes it, MISSING leaves the cell's style alone.
    """

    sheet: str  # sheet name
    row: int  # 0-based
    col: int  # 0-based
    value: object
    formula: str | None = None
    keep_formula: bool = True
    fill: str | None | Missing = MISSING
    font_color: str | None | Missing = MISSING


@dataclass(frozen=True)
class PatchOptions:
    #: Set ``<calcPr fullCalcOnLoad="1"/>`` in xl/workbook.xml so Excel recalculates every
    #: formula when the workbook is opened (needed when a formula's inputs were changed).
    force_full_calc: bool = False


class CellChange(NamedTuple):
    """One patched cell, before and after. Values are as stored: numbers as float, dates as
    their serial number, shared strings resolved to their text, errors as "#N/A".
    (A NamedTuple: a report can hold hundreds of thousands of these.)"""

    sheet: str
    cell: str  # "D5"
    old_value: object
    old_type: str  # the cell's t attribute ("n" when absent), "blank" when it had no value
    old_formula: str | None  # the <f> text ("" for a shared-formula child), None when none
    old_style: int  # the s attribute (0 when absent)
    new_value: object
    new_formula: str | None
    new_style: int
    created: bool  # the cell (or its row) did not exist before
    changed: bool  # False when the cell already held exactly this (its XML is left as it was)


class ChangeLog(Sequence[CellChange]):
    """The report's cells, in patch order (by sheet, row, column), as CellChange tuples.

    The writer keeps a compact record per cell and turns it into a CellChange (decoding the old
    formula and text) on first access, so a run that never reads the details does not pay for
    them; a record is a tuple whose first item is the function that decodes it.
    """

    __slots__ = ("_items", "_decoded")

    def __init__(self, items: list[object]) -> None:
        self._items: list[object] | None = items
        self._decoded: tuple[CellChange, ...] | None = None

    def _all(self) -> tuple[CellChange, ...]:
        if self._decoded is None:
            items = self._items or []
            self._decoded = tuple(i if type(i) is CellChange else i[0](i) for i in items)  # type: ignore[index,operator]
            self._items = None
        return self._decoded

    def __getitem__(self, index):  # type: ignore[override]
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._decoded) if self._decoded is not None else len(self._items or ())

    def __iter__(self) -> Iterator[CellChange]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChangeLog):
            return self._all() == other._all()
        return isinstance(other, tuple) and self._all() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ChangeLog({len(self)} cells)"

    def count_changed(self) -> int:
        """How many cells changed, without decoding the records (``changed`` is their last item)."""
        if self._decoded is not None:
            return sum(1 for c in self._decoded if c.changed)
        return sum(1 for i in self._items or () if i[-1])  # type: ignore[index]


@dataclass(frozen=True)
class PatchReport:
    src: Path
    dst: Path
    #: One CellChange per patch (a ChangeLog: decoded when first read).
    changes: Sequence[CellChange]
    #: Zip members whose bytes differ from the source (sheets, styles, workbook, ...).
    changed_members: tuple[str, ...]
    #: Members dropped (xl/calcChain.xml when formulas were added or removed: Excel rebuilds it).
    removed_members: tuple[str, ...]
    #: Members copied byte for byte (raw compressed bytes, same header fields).
    copied_members: tuple[str, ...]
    new_xfs: int = 0
    new_fills: int = 0
    new_fonts: int = 0
    full_calc_on_load: bool = False
    date1904: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cells_changed(self) -> int:
        if isinstance(self.changes, ChangeLog):
            return self.changes.count_changed()
        return sum(1 for c in self.changes if c.changed)
