"""Test helpers: read cells back by A1 address with python-calamine (no recalculation)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

_A1 = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def rc(address: str) -> tuple[int, int]:
    m = _A1.match(address)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


class Values:
    """All sheets of a workbook as absolute grids (row 0 = Excel row 1)."""

    def __init__(self, path: Path | str) -> None:
        wb = CalamineWorkbook.from_path(str(path))
        self.sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}

    def get(self, sheet: str, address: str) -> Any:
        r, c = rc(address)
        grid = self.sheets[sheet]
        if r >= len(grid) or c >= len(grid[r]):
            return ""
        return grid[r][c]


def same_value(excel: Any, python: Any) -> bool:
    """Excel's "" is Python's None; numbers compare with a tolerance (calamine gives floats)."""
    if python is None:
        return excel in ("", None)
    if isinstance(python, (int, float)) and not isinstance(python, bool):
        return isinstance(excel, (int, float)) and abs(excel - python) < 1e-9
    return excel == python
