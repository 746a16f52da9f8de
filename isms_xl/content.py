"""What goes into a form workbook: the document-control values and the records, plus the
deliberate imperfections the demo seeds (a typed-over formula, a stale cached value, a wrong fill,
an error cell, a missing or extra column, blank rows).

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from isms_xl.schema import DocControl, FormSpec

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()
OVERRIDES = "_overrides"  # record key holding {column key: CellOverride}


@dataclass(frozen=True)
class CellOverride:
    """How one cell deviates from what the writer would put there."""

    constant: Any = MISSING  # computed cell: a constant typed over the formula
    cached: Any = MISSING  # computed cell: formula kept, cached value stale
    fill_band: str | None = None  # banded cell: static fill of this band key ("none" = no fill)
    formula: str | None = None  # a raw formula, e.g. "=NA()"
    formula_value: Any = MISSING  # the cached value of ``formula`` (e.g. "#N/A")
    raw: Any = MISSING  # input cell: written as is (text "R8.4.1", a bad level "4")


@dataclass
class FormContent:
    spec: FormSpec
    doc: DocControl
    records: list[dict[str, Any] | None] = field(default_factory=list)  # None: a blank row (tables)
    omit: tuple[str, ...] = ()  # schema columns left out of the sheet
    extra: tuple[str, ...] = ()  # headers of the user's own columns; values by header in records
    below: list[dict[str, Any]] = field(default_factory=list)  # rows under the table's end
    sheet_name: str | None = None
    spare_rows: int = 0  # blank rows with formulas after the records (room to type)
    lang: str = "ja"


def overrides_of(record: dict[str, Any] | None) -> dict[str, CellOverride]:
    return (record or {}).get(OVERRIDES, {})
