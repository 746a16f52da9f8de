"""Cell values of every sheet, read once with python-calamine (the fast reader), as absolute grids
(row 0 is Excel row 1), plus the merged ranges the header search needs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    from python_calamine import CalamineError, CalamineWorkbook
except ImportError:  # xlwings Lite (Pyodide) has no python-calamine; there Excel hands the grids
    CalamineError = CalamineWorkbook = None  # over (reader/from_grids.py) and no file is parsed

from isms_xl.errors import NotAWorkbookError


@dataclass
class SheetGrid:
    name: str
    rows: list[list[Any]]
    merged: tuple[tuple[int, int, int, int], ...]  # (first_row, first_col, last_row, last_col)
    visible: bool = True

    def value(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return None

    @property
    def height(self) -> int:
        return len(self.rows)


def load_grids(path: Path, data: bytes | None = None) -> dict[str, SheetGrid]:
    """``data``: the file's bytes as preflight checked them (read instead of the path, so the
    file cannot change between the check and the parse)."""
    try:
        wb = CalamineWorkbook.from_path(str(path)) if data is None else CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids: dict[str, SheetGrid] = {}
        for meta in wb.sheets_metadata:
            if str(meta.typ) != "SheetTypeEnum.WorkSheet":
                continue  # chart sheets hold no records
            sheet = wb.get_sheet_by_name(meta.name)
            merged = tuple((a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or ()))
            grids[meta.name] = SheetGrid(meta.name, sheet.to_python(skip_empty_area=False), merged,
                                         str(meta.visible) == "SheetVisibleEnum.Visible")
        return grids
    except (CalamineError, ValueError) as err:
        raise NotAWorkbookError(
            f"{path}: ブックを読み込めません（{type(err).__name__}: {err}）",
            f"{path}: cannot read the workbook ({type(err).__name__}: {err})",
        ) from None
