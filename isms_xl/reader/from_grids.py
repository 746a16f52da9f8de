"""Read forms from cell values already in memory — an open workbook's sheets as Excel (xlwings)
hands them over — instead of from a file.

A workbook open in Excel may hold edits that are not saved yet; the buttons must recompute and
check what the user sees, so the Excel layer reads each sheet's used range in one call and gives
the grids here. Everything after the file parsing is the reader's own code (header search,
typing, READ findings), so a form reads the same from Excel as from its saved file.

What a file gives and a grid does not: fills (so CALC-003 cannot be judged here; the Excel layer
repaints every banded cell instead) and merged ranges. Formulas are given when the Excel engine
can read them in one call (desktop Excel); without them CALC-002 cannot be judged either.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from isms_xl.config import Config, config_for
from isms_xl.reader import _names, _read, form_groups
from isms_xl.reader.grid import SheetGrid
from isms_xl.reader.identify import form_of_sheet
from isms_xl.reader.model import Form


@dataclass(frozen=True)
class NamedRef:
    """A defined name as Excel lists it: ``ref`` like ``=$C$3`` or ``='表紙'!$C$3``; ``sheet`` is
    the sheet it is scoped to (None for a workbook-scoped name)."""

    name: str
    ref: str
    sheet: str | None


@dataclass
class GridSheet:
    """One sheet's values as a grid anchored at A1 (row 0 is Excel row 1)."""

    name: str
    rows: list[list[Any]]
    formulas: frozenset[tuple[int, int]] | None = None  # cells holding a formula, when known
    visible: bool = True
    merged: tuple[tuple[int, int, int, int], ...] = field(default=())


def read_grids(path: Path | str, sheets: Iterable[GridSheet], *, names: Iterable[NamedRef] = (),
               config: Config | None = None, form: str | None = None) -> list[Form]:
    """Every form in a workbook given as grids. ``path`` is where the workbook lives (or would be
    saved): its name identifies a form as a last resort, and the nearest ``isms_xl.toml`` in its
    folder or above is its configuration. ``form``: only that form, and what the workbook holds
    when nothing in it says (as ``read_form(path, form)``); without it, the [forms] of the
    configuration may say."""
    path = Path(path)
    sheets = list(sheets)
    config = config if config is not None else config_for(path)
    form = form if form is not None else config.form_of(path)
    grids = {s.name: SheetGrid(s.name, s.rows, s.merged, s.visible) for s in sheets}
    info = _info(sheets, names)
    parsed = _names(info)
    per_sheet = {}
    for name, grid in grids.items():
        ref = parsed.cells.get(name, {}).get("ISMS_DocNo")
        per_sheet[name] = form_of_sheet(grid, grid.value(ref.row, ref.col) if ref else None)
    from isms_xl.forms import FORMS

    groups = form_groups(path, grids, per_sheet, form)
    return [_read(FORMS[fid], path, [grids[s] for s in members], info, parsed, config)
            for fid, members in groups.items()]


def _info(sheets: list[GridSheet], names: Iterable[NamedRef]) -> Any:
    """What the reader asks of a file's preflight, answered from the grids."""
    known = all(s.formulas is not None for s in sheets)
    sheet_info = tuple(SimpleNamespace(name=s.name, formula_cells=s.formulas if known else None,
                                       error_cells=None, style_ids=None, tables=()) for s in sheets)
    defined = tuple(SimpleNamespace(name=n.name.rsplit("!", 1)[-1], ref=n.ref, sheet=n.sheet) for n in names)
    return SimpleNamespace(sheets=sheet_info, defined_names=defined, sha256=None,
                           collected=("formulas",) if known else (), fill=lambda _style: None)


def formulas_from(formula_rows: list[list[Any]] | None) -> frozenset[tuple[int, int]] | None:
    """The cells of a grid of formulas (as Excel's ``Range.Formula`` gives them, anchored at A1)
    that hold one: text starting with "="."""
    if formula_rows is None:
        return None
    return frozenset((r, c) for r, line in enumerate(formula_rows) for c, text in enumerate(line)
                     if isinstance(text, str) and text.startswith("="))

