"""What the preflight tells about a workbook (``WorkbookInfo``, one ``SheetInfo`` a sheet) and
its two stages (``Staged``). Plain data: no parsing here."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from isms_xl.io.xlsx_parts import DefinedName, TableInfo
from isms_xl.io.xlsx_scan import CellMap, CellSet

__all__ = ["COLLECT_ALL", "COLLECT_DEFAULT", "collected", "SheetInfo", "WorkbookInfo", "Staged"]

#: What ``preflight(collect=...)`` can collect from the cells. Merged ranges, hidden rows and
#: columns, tables, defined names, colours and the date system always come (they cost nothing).
COLLECT_ALL = ("formulas", "errors", "styles")
#: The default: what the reader needs for every sheet. On a 50,000 x 24 register (see
#: tests/test_xlsx_scan_speed.py) the checks alone take ~0.5x a bare python-calamine read,
#: errors add nothing measurable, formulas ~0.15x, style ids ~0.7x: those are asked for.
COLLECT_DEFAULT = ("formulas", "errors")


def collected(collect: Collection[str]) -> tuple[str, ...]:
    """``collect`` checked and in ``COLLECT_ALL``'s order."""
    unknown = set(collect) - set(COLLECT_ALL)
    if unknown or isinstance(collect, str):
        raise ValueError(f"collect: expected some of {COLLECT_ALL}, got {collect!r}")
    return tuple(c for c in COLLECT_ALL if c in collect)


@dataclass(frozen=True)
class SheetInfo:
    """One sheet. Cells are (row, col), 0-based (A1 is (0, 0)); ``None`` means not collected
    (see ``preflight(collect=...)``)."""

    name: str
    part: str  # zip member, e.g. "xl/worksheets/sheet1.xml"
    type: str  # "worksheet" | "chartsheet" | "dialogsheet" | "macrosheet"
    state: str  # "visible" | "hidden" | "veryHidden"
    dimension: str | None  # the (first) <dimension ref> as written; None when absent
    max_row: int  # the largest row of any cell in the part, 1-based (0: no cells)
    max_col: int  # the largest column of any cell (1 = A)
    cells: int  # number of cell elements
    #: Cells with an <f> child: normal, shared (the master and its <f t="shared" si/> children),
    #: array and data-table formulas. Behaves like a frozenset of (row, col).
    formula_cells: CellSet | None = None
    #: The kind of the formula cells that are not normal: "shared", "array" or "dataTable".
    formula_kinds: CellMap | None = None
    #: Cells with t="e" and a value (formula results included) -> the <v> text, e.g. "#N/A".
    #: python-calamine reads these cells as "".
    error_cells: CellMap | None = None
    #: Cells with a non-zero s -> s, the index into ``WorkbookInfo.fills`` / ``fonts_rgb``; a cell
    #: that is not here has style 0. Only with collect=(..., "styles").
    style_ids: CellMap | None = None
    #: Merged ranges (first row, first col, last row, last col), 0-based and inclusive, in
    #: file order.
    merged: tuple[tuple[int, int, int, int], ...] = ()
    hidden_rows: frozenset[int] = frozenset()  # rows with <row hidden="1">, 0-based
    #: With <sheetFormatPr zeroHeight="1"> every row the part does not list is hidden too.
    rows_hidden_by_default: bool = False
    hidden_cols: frozenset[int] = frozenset()  # from <col min max hidden="1">, 0-based
    tables: tuple[TableInfo, ...] = ()


@dataclass(frozen=True)
class WorkbookInfo:
    path: Path
    kind: str  # "xlsx" | "xlsm"
    is_template: bool  # .xltx/.xltm content type
    sheets: tuple[SheetInfo, ...]
    has_vba: bool
    sha256: str  # of the bytes checked; compare before writing to detect a concurrent change
    size: int  # bytes
    uncompressed_size: int  # sum of the zip members' sizes
    #: For each cell style (a cell's s="N", cellXfs in styles.xml): its fill's foreground colour
    #: as "RRGGBB" (uppercase, no alpha), or None (no fill, pattern "none", automatic colour).
    #: Theme and indexed colours are resolved with the workbook's theme and palette (tint
    #: applied, as Excel does); one the workbook does not define stays "theme:N" / "indexed:N".
    #: A gradient gives its first stop's colour.
    fills: tuple[str | None, ...] = ()
    #: The same for each cell style's font colour (None: automatic, usually black).
    fonts_rgb: tuple[str | None, ...] = ()
    #: Every <definedName> of xl/workbook.xml in file order (print areas and titles included).
    defined_names: tuple[DefinedName, ...] = ()
    date1904: bool = False  # <workbookPr date1904="1">: serial dates count from 1904-01-01
    collected: tuple[str, ...] = field(default=COLLECT_DEFAULT)

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(f"{name!r} not in {[s.name for s in self.sheets]}")

    def fill(self, style_id: int) -> str | None:
        """The fill colour of cell style ``style_id`` (None when out of range)."""
        return self.fills[style_id] if 0 <= style_id < len(self.fills) else None

    def font_rgb(self, style_id: int) -> str | None:
        return self.fonts_rgb[style_id] if 0 <= style_id < len(self.fonts_rgb) else None


class Staged:
    """``preflight`` in two stages, so that the value reader need not wait for the whole scan.

    The first stage (``preflight_staged``) reads the file, makes every check that needs no look
    at the cells (the zip limits, the parts' sizes, CRCs and prologs) and decompresses the parts.
    ``parse_safe`` then says whether python-calamine may parse ``data`` already: every worksheet's
    cells are known to lie in a box within the limits (``cell_bound``), which is what calamine
    needs not to exhaust memory. ``finish()`` runs the cell scans and returns the
    ``WorkbookInfo``, or raises exactly what ``preflight`` raises; the file is accepted only if it
    returns. When ``parse_safe`` is False, parse only after ``finish()``.
    """

    def __init__(self, data: bytes, parse_safe: bool, finish: Callable[[Collection[str] | None], WorkbookInfo],
                 sheets: dict[str, list[bytes]] | None = None) -> None:
        self.data = data
        self.parse_safe = parse_safe
        self._finish: Callable[[Collection[str] | None], WorkbookInfo] | None = finish
        self._sheets = sheets or {}

    def finish(self, collect: Collection[str] | None = None) -> WorkbookInfo:
        """``collect``: what to gather from the cells, when it is more than stage one was told
        (e.g. the style ids, after all); None keeps what stage one was told."""
        if self._finish is None:
            raise RuntimeError("Staged.finish() runs once")
        finish, self._finish = self._finish, None
        return finish(collect)

    def sheet_pieces(self, name: str) -> list[bytes] | None:
        """A worksheet's XML in the pieces it was inflated in, when parse-safe (its cells vetted
        by ``cell_bound``); else None. Not joined: that would copy tens of MB."""
        return self._sheets.get(name)
