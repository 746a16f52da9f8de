"""The style ids of the cells of a few columns of a sheet, read from its XML after the values.

The band checks (CALC-003) need the fill of the cells that show a band: a few columns of one
sheet. Collecting every cell's style id during the preflight scan costs more than reading the
values; once the reader knows which columns hold bands, one regex pass over the sheet's XML for
those columns' cells costs a fraction of it (benchmarks/bench_read.py).

Only for a sheet whose cells ``cell_bound`` has vetted: every cell tag starts ``<c r="A1"``
(the reference first, double quotes, no prefix, no second r), so the pass sees every cell of
the columns, whatever else the tag holds. Pure: bytes in, a dict out.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from itertools import compress, repeat

from isms_xl.io.xlsx_common import col_letters, col_number
from isms_xl.io.xlsx_scan import style_id

__all__ = ["style_ids_by_column"]

# An s attribute in the rest of a tag, spelled otherwise (spaces, a repeat): then every cell is
# read with the scan's own ``style_id``.
_S_ATTR = re.compile(rb'\ss\s*=')


def style_ids_by_column(xml: bytes | Sequence[bytes], columns: Iterable[int]) -> dict[int, dict[int, int]]:
    """col -> {row -> style id} (the cell's s; 0 is left out) of every cell in ``columns``
    (0-based) of the sheet part ``xml`` (its bytes, or the pieces it was inflated in); of a cell
    given twice, the last one with a style (as the preflight's scan collects them). By column,
    with rows as keys: a 60,000-row register's four banded columns would otherwise make 240,000
    key tuples."""
    letters = sorted({col_letters(c + 1) for c in columns})
    if not letters:
        return {}
    # The digits that must follow the letters keep "J" from matching "JA5".
    cells = re.compile(rb'<c r="(' + "|".join(letters).encode() + rb')([0-9]+)"(?: s="([0-9]+)")?([^>]*)>')
    index = {name.encode(): col_number(name.encode()) - 1 for name in letters}
    found = _findall(cells, (xml,) if isinstance(xml, bytes) else xml)
    if not found:
        return {}
    # One list per group (zip(*found) would make an iterator per match: three times slower).
    names, rows, ss, rests = (list(map(operator.itemgetter(i), found)) for i in range(4))
    out: dict[int, dict[int, int]] = {}
    if b"" not in ss and _S_ATTR.search(b"\x00".join(rests)) is None:
        # Every cell spelled r then s (as Excel, openpyxl and XlsxWriter write them): all in C.
        distinct = set(names)
        number = {s: int(s) for s in set(ss)}  # a sheet has a few styles and many cells
        for name in distinct:
            mask = None if len(distinct) == 1 else list(map(name.__eq__, names))
            col_rows = rows if mask is None else compress(rows, mask)
            sids = list(map(number.__getitem__, ss if mask is None else compress(ss, mask)))
            keys = map(operator.sub, map(int, col_rows), repeat(1))
            out[index[name]] = dict(compress(zip(keys, sids), sids))  # the last styled one of a repeated cell
        return out
    for name, row, s, rest in found:
        sid = style_id((b' s="' + s + b'"' if s else b"") + rest)
        if sid:
            out.setdefault(index[name], {})[int(row) - 1] = sid
    return out


def _findall(pattern: re.Pattern[bytes], pieces: Iterable[bytes]) -> list[tuple[bytes, ...]]:
    """``pattern.findall`` over the pieces as if joined, without joining them (a sheet's XML is
    tens of MB). The pattern matches one tag, from "<" to its first ">": so each piece is read up
    to its last ">" (no match crosses that), and the rest, with the next piece up to its first
    ">", is read on its own."""
    found: list[tuple[bytes, ...]] = []
    carry = b""
    for piece in pieces:
        start = 0
        if carry:
            close = piece.find(b">")
            if close < 0:
                carry += piece
                continue
            found.extend(pattern.findall(carry + piece[:close + 1]))
            start = close + 1
        end = piece.rfind(b">", start) + 1
        if end > start:
            found.extend(pattern.findall(piece, start, end))
            carry = piece[end:]
        else:
            carry = piece[start:]
    if carry:
        found.extend(pattern.findall(carry))
    return found
