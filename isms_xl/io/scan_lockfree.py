"""The sheet scan's commonest piece, checked by RE2 outside the interpreter lock.

Why: the fast scan (``SheetScanner._fast``) checks every cell of a piece with one ``re.split``,
which holds the GIL: 0.31–0.40 s of a 50,000-row register, during which a check's other reader
thread (and the rules) wait (benchmarks/bench_check.py). RE2 releases the GIL while it matches.

What: for the default collection (formulas and errors, no style ids), a piece that consists only
of row tags, whitespace, cells inside the box already proven (``plain``) and formula cells
without an error (``formula``), spelled as ``_cell_split`` spells them, is accepted by one RE2
full match. Then only the formula cells' references need Python: one ``re.findall`` in C. A
piece RE2 does not accept goes to ``_fast`` as before, which accepts a superset of these pieces
and names what it refuses; so this path can only take fewer pieces, never other results
(tests/test_xlsx_scan.py compares the two on generated sheets).
"""

from __future__ import annotations

import functools
import re

from isms_xl.io.xlsx_common import box_pattern

try:  # google-re2; absent in xlwings Lite (Pyodide), where no file is parsed anyway
    import re2
except ImportError:  # pragma: no cover - a dependency everywhere else
    re2 = None

__all__ = ["accepts", "formula_refs"]

_VAL = rb"""[^"<>&'=]*"""
_REF = rb"[A-Z]{1,3}[1-9][0-9]{0,6}"
# What a cell may carry besides r, as _cell_split names them (no t="e": errors are collected).
_ATTRS = rb'(?: s="[0-9]+"| t="(?:s|n|b|d|str|inlineStr)"| (?:cm|vm|ph)="[0-9]+")*'
_VALUE = rb'(?:<v>[^<]*</v>|<is><t(?: xml:space="preserve")?>[^<]*</t></is>)?'
# The f of a formula cell: t first if at all (an attribute named t after the first is not taken).
_F = (rb'<f(?: t="' + _VAL + rb'")?(?: (?:[A-Za-su-z0-9][A-Za-z0-9]*|t[A-Za-z0-9]+)="' + _VAL + rb'")*'
      rb'(?:/>|>[^<]*</f>)')
# An attribute name other than "hidden" (a hidden row is for the fast scan's own gap reading):
# one that differs from it at some letter, stops before its end, or goes on after it.
_NAME_CHARS = b"0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _not_name(word: bytes) -> bytes:
    other = lambda ch: b"[" + bytes(c for c in _NAME_CHARS if c != ch) + b"]"  # noqa: E731
    rest = b"[" + _NAME_CHARS + b"]*"
    alts = [word[:i] + other(word[i]) + rest for i in range(len(word))]  # differs at i
    alts += [word[:i] for i in range(1, len(word))]  # stops before the end
    alts.append(word + b"[" + _NAME_CHARS + b"]+")  # goes on after it
    return b"(?:" + b"|".join(alts) + b")"


_NOT_HIDDEN = _not_name(b"hidden")
# Row tags as Excel writes them too (spans="1:24" x14ac:dyDescent="0.25"), and whitespace. A row
# number without a leading zero, as the fast scan's gap reading wants it where it looks closer.
_ROW = rb'<row r="[1-9][0-9]*"(?: ' + _NOT_HIDDEN + rb'="' + _VAL + rb'")*/?>|</row>|[ \t\r\n]+'
# The formula cells' references and the t of their f, once a piece is accepted.
_FORMULA = re.compile(rb'<c r="(' + _REF + rb')"[^>]*><f(?: t="(' + _VAL + rb')")?')


@functools.lru_cache(maxsize=256)
def _validator(max_col: int, max_row: int):
    """RE2 full match of a piece of plain cells in A1:(max_col, max_row), formula cells
    anywhere, row tags and whitespace; None when RE2 is not there or takes no such pattern."""
    if re2 is None or max_col < 1 or max_row < 1:
        return None
    box = box_pattern(max_col, max_row, possessive=False).encode("ascii")
    plain = rb'<c r="' + box + rb'"' + _ATTRS + rb'(?:/>|>' + _VALUE + rb'</c>)'
    formula = rb'<c r="' + _REF + rb'"' + _ATTRS + rb'>' + _F + _VALUE + rb'</c>'
    opts = re2.Options()
    opts.encoding = re2.Options.Encoding.LATIN1  # bytes as they are: text in values is UTF-8
    opts.max_mem = 64 << 20
    try:
        return re2.compile(rb'(?:' + plain + rb'|' + formula + rb'|' + _ROW + rb')*', opts)
    except re2.error:  # pragma: no cover - the pattern is fixed but for the box
        return None


def accepts(buf: bytes, max_col: int, max_row: int) -> bool:
    """Whether the piece is only row tags, whitespace, plain cells in the box and formula cells
    without an error, as _cell_split spells them (the GIL is released while RE2 matches)."""
    validator = _validator(max_col, max_row)
    return validator is not None and validator.fullmatch(buf) is not None


def formula_refs(buf: bytes) -> list[tuple[bytes, bytes]]:
    """(reference, t of the f or b"") of each formula cell of an accepted piece, in order."""
    return _FORMULA.findall(buf)
