"""A quick, sound answer to one question about a worksheet part: does every cell python-calamine
would place lie inside the sheet's own ``<dimension>``, and is that box within the limits?

Why: calamine allocates one dense grid spanning the cells it reads (~32 bytes a cell) and aborts
the whole process when that fails, so no sheet may reach it before its cells are bounded. The
full scan (``xlsx_scan.SheetScanner``) bounds them, but it is pure Python at ~200 MB/s and also
collects formulas and errors. This check runs one linear-time RE2 search (~1 GB/s) instead;
when it says yes, calamine may parse the sheet while the full scan runs beside it (the scan
still decides whether the file is accepted). When it cannot say yes (no dimension, a cell
spelled unusually, RE2 not installed) the answer is no and the reader simply waits for the scan.

The search looks for anything that could put a cell outside the box, as calamine reads cells
(quick-xml, by local name; a cell's ``r`` attribute gives its position, and a later ``r``
overrides an earlier one): a ``c`` element whose first attribute is not ``r="LETTERS DIGITS"``,
a reference beyond the box, a second ``r``, single-quoted attributes, a namespace-prefixed
``c``. Anything odd counts against (a comment or CDATA that looks like a cell included): a
"no" only costs speed.
"""

from __future__ import annotations

import functools
import re

from isms_xl.io.xlsx_common import (
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    col_letters,
    col_number,
)

try:  # google-re2; absent in xlwings Lite (Pyodide), where no file is parsed anyway
    import re2
except ImportError:  # pragma: no cover - a dependency everywhere else
    re2 = None

__all__ = ["cells_within_dimension", "CellBound"]

# The dimension as Excel, LibreOffice, openpyxl and XlsxWriter write it: "A1" or "A1:X50005".
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?"\s*/>')
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_HEAD_LIMIT = 64 * 1024  # the dimension comes before sheetData, near the start


def cells_within_dimension(xml: bytes, max_cells: int) -> tuple[int, int] | None:
    """(rows, cols) of the sheet's dimension when every cell python-calamine would read lies in
    A1 … that corner and rows x cols <= ``max_cells``; else None (not known to be safe)."""
    bound = CellBound(max_cells)
    bound.feed(xml)
    return bound.result()


class CellBound:
    """``cells_within_dimension`` over a part that arrives in pieces, as it is decompressed.

    Pieces are searched as they come, cut just before a "<" (and searched with it): a
    well-formed tag never holds one, so no cell tag is split, and one that holds a "<" is found
    by the search for a "<" inside a cell tag.
    """

    def __init__(self, max_cells: int) -> None:
        self.max_cells = max_cells
        self.pending = b""  # the start of the part, until its dimension is known; then the carry
        self.search = None  # the compiled searches (head, rest), once the dimension is known
        self.box: tuple[int, int] | None = None
        self.failed = re2 is None
        self.head = 0  # how much of the next piece is the head (where the one dimension is)

    def feed(self, chunk: bytes) -> None:
        if self.failed:
            return
        if self.search is None:
            self.pending += chunk
            if not self._read_head():
                return
            chunk, self.pending = self.pending, b""
        cut = chunk.rfind(b"<")
        if cut <= 0:
            self.pending += chunk
            if len(self.pending) > _HEAD_LIMIT:
                self.failed = True  # a piece this long without a tag: not what writers make
            return
        piece = self.pending + chunk[:cut + 1] if self.pending else chunk[:cut + 1]
        self.pending = chunk[cut:]
        self._search(piece)

    def _search(self, piece: bytes) -> None:
        base, search = self.search
        if self.head:  # the head holds the dimension; after it, another one is refused too
            found = base.search(piece, 0, self.head) or search.search(piece, self.head)
            self.head = 0
        else:
            found = search.search(piece)
        if found is not None:
            self.failed = True

    def result(self) -> tuple[int, int] | None:
        if self.failed:
            return None
        if self.search is None and not self._read_head(final=True):
            return None
        if self.pending:
            self._search(self.pending)
            self.pending = b""
        return None if self.failed else self.box

    def _read_head(self, final: bool = False) -> bool:
        """Find the dimension once the head has arrived; False while it has not (or never will:
        then ``failed``)."""
        head = self.pending[:_HEAD_LIMIT]
        start = head.find(b"<sheetData")
        if start < 0:
            if final or len(self.pending) >= _HEAD_LIMIT:
                self.failed = True
            return False
        head = head[:start]
        enc = _ENCODING.match(head)
        m = _DIMENSION.search(head)
        if (enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8")) \
                or head.count(b"<dimension") != 1 or m is None:
            # calamine's reading of other encodings is not what the search assumes; without
            # one plain dimension there is no box to check against
            self.failed = True
            return False
        letters, digits = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
        col, row = col_number(letters), int(digits)
        if row > EXCEL_MAX_ROWS or col > EXCEL_MAX_COLS or row * col > self.max_cells:
            self.failed = True
            return False
        self.box = (row, col)
        self.search = (_outside(row, col, False), _outside(row, col, True))
        self.head = start
        return True


@functools.lru_cache(maxsize=64)
def _outside(rows: int, cols: int, no_dimension: bool):
    """The RE2 search for anything that could place a cell outside A1:(cols)(rows); with
    ``no_dimension``, for a dimension element too (one after the head could be the one another
    reader believes)."""
    opts = re2.Options()
    opts.encoding = re2.Options.Encoding.LATIN1  # every byte is one character: no UTF-8 gaps
    opts.max_mem = 64 << 20
    pattern = b"|".join((
        # a cell tag whose first attribute is not exactly r="
        rb'<c(?:[\t\n\r/>]| (?:[^r]|r[^=]|r=[^"]))',
        # r is not LETTERS DIGITS" (entities, lower case, "$", a leading zero, ...)
        rb'<c r="(?:[^A-Z]|[A-Z]+(?:[^A-Z0-9]|0|[0-9]+[^0-9"]))',
        # beyond the box: a column after its last, or a row after its last
        rb'<c r="(?:' + greater_letters(col_letters(cols)) + rb'|[A-Z]+(?:' + greater_digits(str(rows)) + rb'))',
        # after r="...": a second r, or a single quote (outside the double-quoted values)
        rb"""<c r="[^"]*"(?:[^>"'<]|"[^"<]*")*(?:'|\sr\s*=)""",
        # a namespace-prefixed cell
        rb'<[^\s<>/!?:=]+:c[\s/>]',
        # a "<" inside a cell tag, in a value or not (ill-formed; it would also let a tag span
        # two pieces, which end just before a "<": each piece is searched with that "<")
        rb"""<c\s(?:[^>"'<]|"[^"<]*")*(?:"[^"<]*)?<""",
        *((rb"<dimension",) if no_dimension else ()),
    ))
    return re2.compile(pattern, opts)


def greater_digits(bound: str) -> bytes:
    """A regex for a run of digits (no leading zero) whose number is above ``bound``: a longer
    run, or one as long that is larger. Matching a longer run's first digits is fine: it is
    larger too."""
    n = len(bound)
    alts = [rb"[1-9][0-9]{%d}" % n]
    for i, ch in enumerate(bound):
        d = int(ch)
        if d < 9:
            alts.append(bound[:i].encode() + b"[%d-9]" % (d + 1) + (b"[0-9]{%d}" % (n - i - 1) if n - i - 1 else b""))
    return b"|".join(alts)


def greater_letters(bound: str) -> bytes:
    """A regex for column letters after ``bound`` ("X" -> Y, Z, and any two letters): more
    letters, or as many that sort later."""
    m = len(bound)
    alts = [rb"[A-Z]{%d}" % (m + 1)]
    for i, ch in enumerate(bound):
        if ch < "Z":
            nxt = chr(ord(ch) + 1)
            alts.append(bound[:i].encode() + b"[%s-Z]" % nxt.encode() + (b"[A-Z]{%d}" % (m - i - 1) if m - i - 1 else b""))
    return b"|".join(alts)
