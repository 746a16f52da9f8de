"""Reading and writing an open workbook through xlwings in as few Excel round trips as possible.

Every call into Excel (a COM call on Windows, an AppleScript event on macOS, an action sent to
Office.js by xlwings Lite/Server) costs far more than any computation here, so a sheet is read
with one ``.value`` of its used range (plus one ``.formula`` where the engine can), and each
contiguous block is written with one assignment. The number of calls depends on the number of
blocks, never on the number of rows.

xlwings is not imported here: these functions take its objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isms_xl.excel.plan import KEEP, Block, Paint
from isms_xl.reader.from_grids import GridSheet, NamedRef, formulas_from

#: xlwings' limit for one ``Range.set_colors`` call.
MAX_COLOUR_CELLS = 10_000
#: Excel refuses a ``Range("A1,A3,...")`` address longer than 255 characters.
MAX_ADDRESS = 255


@dataclass
class SheetRead:
    name: str
    values: list[list[Any]]  # anchored at A1: values[0][0] is A1
    formulas: list[list[Any]] | None  # the same, as Excel's Range.Formula; None when unreadable
    visible: bool = True

    def grid(self) -> GridSheet:
        return GridSheet(self.name, self.values, formulas_from(self.formulas), self.visible)


def engine_name(book: Any) -> str:
    try:
        return str(book.app.engine.name)
    except Exception:  # noqa: BLE001 - an engine without the notion is treated as desktop
        return "excel"


def _anchored(rows: Any, top: int, left: int) -> list[list[Any]]:
    """A used range's 2-D values moved to A1 (Excel may start the used range anywhere)."""
    if not isinstance(rows, (list, tuple)):
        rows = [[rows]]
    elif rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]
    pad = [None] * left
    return [[] for _ in range(top)] + [pad + list(line) for line in rows]


def read_sheet(sheet: Any) -> SheetRead:
    """One sheet: its used range's values in one call, and its formulas in one more where the
    engine can read them synchronously (desktop Excel; not the remote engine of Lite/Server)."""
    used = sheet.used_range
    top, left = used.row - 1, used.column - 1
    values = _anchored(used.options(ndim=2).value, top, left)
    try:
        formulas = _anchored(used.formula, top, left)
    except NotImplementedError:
        formulas = None
    try:
        visible = bool(sheet.visible)
    except Exception:  # noqa: BLE001 - engines without the property show every sheet
        visible = True
    return SheetRead(sheet.name, values, formulas, visible)


def read_names(book: Any) -> list[NamedRef]:
    """The workbook's defined names; sheet-scoped ones carry their sheet (xlwings spells them
    ``Sheet!name``)."""
    out = []
    for name in book.names:
        full = str(name.name)
        sheet = None
        if "!" in full:
            sheet, full = full.rsplit("!", 1)
            sheet = sheet.strip("'").replace("''", "'")
        try:
            ref = str(name.refers_to)
        except Exception:  # noqa: BLE001 - a broken name (#REF!) is skipped, as Excel would
            continue
        out.append(NamedRef(full, ref, sheet))
    return out


def book_path(book: Any) -> Path:
    """Where the workbook lives. An unsaved book has only a name; a OneDrive/SharePoint book a URL
    (doctor.py explains what to do then)."""
    return Path(str(book.fullname))


def write_block(sheet: Any, block: Block) -> None:
    """One assignment for the whole rectangle: formulas through ``.formula`` (constants in it stay
    constants), plain values through ``.value``."""
    height, width = len(block.rows), len(block.rows[0])
    target = sheet.range((block.row + 1, block.col + 1), (block.row + height, block.col + width))
    if any(isinstance(v, str) and v.startswith("=") for line in block.rows for v in line):
        target.formula = block.rows
    else:
        target.value = block.rows


def paint(sheet: Any, block: Paint, engine: str) -> int:
    """Fill colours; returns the number of calls made. The remote engine takes a colour per cell
    in one action (``set_colors``, up to 10,000 cells a call). Desktop xlwings would set them one cell at
    a time, so there cells are grouped by colour into multi-area addresses instead."""
    if engine == "remote":
        # One action per column: a column of up to 10,000 rows is always one call (a wider block
        # would split at 10,000 cells, so the count would depend on the rows).
        calls = 0
        for j in range(len(block.colours[0])):
            for start in range(0, len(block.colours), MAX_COLOUR_CELLS):
                chunk = [[_hex(line[j])] for line in block.colours[start:start + MAX_COLOUR_CELLS]]
                top, col = block.row + start + 1, block.col + j + 1
                sheet.range((top, col), (top + len(chunk) - 1, col)).set_colors(chunk)
                calls += 1
        return calls
    calls = 0
    for colour, address in union_addresses(block):
        sheet.range(address).color = None if colour is None else "#" + colour
        calls += 1
    return calls


def _hex(colour: Any) -> Any:
    return KEEP if colour is KEEP else (None if colour is None else "#" + colour)


def union_addresses(block: Paint) -> list[tuple[str | None, str]]:
    """Per colour, the cells as runs down each column ("J6:J9,J12"), in addresses Excel accepts
    (at most 255 characters each)."""
    from isms_xl.layout import a1

    runs: dict[Any, list[str]] = {}
    width = len(block.colours[0])
    for j in range(width):
        start = None
        for i in range(len(block.colours) + 1):
            colour = block.colours[i][j] if i < len(block.colours) else KEEP
            if start is not None and (colour != block.colours[start][j]):
                first, last = a1(block.row + start, block.col + j), a1(block.row + i - 1, block.col + j)
                runs.setdefault(block.colours[start][j], []).append(first if first == last else f"{first}:{last}")
                start = None
            if start is None and colour is not KEEP:
                start = i
    out = []
    for colour, parts in runs.items():
        current = ""
        for part in parts:
            if current and len(current) + 1 + len(part) > MAX_ADDRESS:
                out.append((colour, current))
                current = ""
            current = f"{current},{part}" if current else part
        if current:
            out.append((colour, current))
    return out


def alert(book: Any, message: str, title: str = "isms_xl") -> None:
    book.app.alert(message, title)
