"""Streaming scan of worksheet parts: the used range, and what python-calamine does not tell.

preflight decompresses every sheet part once, in pieces, and feeds them to a ``SheetScanner``.
The scanner bounds the sheet (its dimension and the cells it really contains, for the limits),
and collects on the way, cheaply, what the value reader (python-calamine) cannot give:

* formula cells (any ``<c>`` with an ``<f>`` child) and the kind of the non-normal ones
  ("shared", "array", "dataTable");
* error cells (``t="e"``, formulas included) with their ``<v>`` text ("#N/A", "#REF!", ...);
* optionally the style id (``s``) of every cell that has a non-zero one;
* merged ranges, hidden rows and columns (and ``zeroHeight``), and the table parts' r:ids.

Cells are (row, col), 0-based, and are kept compactly (8 bytes a cell) in ``CellSet`` and
``CellMap``, which behave like a frozenset and a read-only dict.

How it stays fast: pieces (about 1 MiB) are cut just before a cell start tag, so none ends
inside a cell. With the default collection a piece is first offered to RE2 (io/scan_lockfree),
which accepts the usual piece in one match outside the interpreter lock; the rest goes through
one ``re.split`` whose pattern matches whole
cells as Excel, LibreOffice, openpyxl and XlsxWriter write them, capturing only the unusual
ones (formulas, errors, cells beyond the range already seen); what it leaves between the cells
must be row tags only. So one pass both checks every byte of the cell data and finds what is to
collect, with per-cell work in C; Python only touches the unusual cells and the rows. Anything
else (a cell spelled otherwise, a misplaced tag, a namespace prefix, a cell without r) sends the
piece to the general scan, which reads it tag by tag (~30 MB/s) and is the reference the fast
scan is tested against (tests/test_xlsx_scan.py).
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Set
from itertools import compress, islice, repeat
from typing import Any

from isms_xl.errors import BadInputError
from isms_xl.io import scan_lockfree
from isms_xl.io.xlsx_common import (
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    Limits,
    MiB,
    Where,
    box_pattern,
    col_letters,
    col_number,
    range_bounds,
    xml_unescape,
)

__all__ = ["CellSet", "CellMap", "SheetScanner", "CommentScanner", "TagStream", "style_id"]

# --------------------------------------------------------------------------------------------
# Compact cell collections

_COL_BITS = 14  # 16,384 columns
_COL_MASK = (1 << _COL_BITS) - 1


def _key(cell: Any) -> int | None:
    try:
        row, col = cell
    except (TypeError, ValueError):
        return None
    if type(row) is not int or type(col) is not int:  # noqa: E721 - bools are not cells
        return None
    if not (0 <= row < EXCEL_MAX_ROWS and 0 <= col < EXCEL_MAX_COLS):
        return None
    return (row << _COL_BITS) | col


def _column_keys(rows: Iterable[int], col: int) -> list[int]:
    """The keys of the cells (row, col) for ``rows`` (-1 for a cell off the grid), in C."""
    rows = list(rows)
    if not 0 <= col < EXCEL_MAX_COLS:
        return [-1] * len(rows)
    if rows and (min(rows) < 0 or max(rows) >= EXCEL_MAX_ROWS):
        return [(r << _COL_BITS) | col if 0 <= r < EXCEL_MAX_ROWS else -1 for r in rows]
    return list(map(operator.or_, map(operator.lshift, rows, repeat(_COL_BITS)), repeat(col)))


def _find_in_column(keys: array, rows: Iterable[int], col: int) -> list[int]:
    """For the cells (row, col) of one column: each one's position in the sorted ``keys``, or -1
    when absent. One C-level bisect per cell: the readers ask for a whole column at once."""
    wanted = _column_keys(rows, col)
    at = map(bisect.bisect_left, repeat(keys), wanted)
    n = len(keys)
    return [i if w >= 0 and i < n and keys[i] == w else -1 for i, w in zip(at, wanted)]


def _use_index(keys: array, asked: int) -> bool:
    """Build (once) a hash index of the keys for a whole-column lookup: a dict lookup per cell
    instead of a ~20-step bisect through the array. Worth it when many cells are asked and the
    collection is not much larger than what is asked (the index costs time and ~60 bytes a key:
    a register's formula cells, yes; the style ids of every cell of it, no)."""
    return asked >= 2_000 and len(keys) <= 8 * asked


def _ascending(keys: array) -> bool:
    """Strictly ascending (sorted and without duplicates)."""
    return len(keys) < 2 or all(map(operator.lt, keys, islice(keys, 1, None)))


class CellSet(Set):
    """An immutable set of (row, col) cells, 0-based, like a frozenset of tuples.

    Stored as one sorted array of 8-byte keys: ~8 bytes a cell where a frozenset of tuples
    takes ~90. ``in``, ``len``, iteration (in row-major order) and the set operators work.
    """

    __slots__ = ("_keys", "_index")

    def __init__(self, cells: Iterable[tuple[int, int]] = ()) -> None:
        keys = set()
        for cell in cells:
            key = _key(cell)
            if key is None:
                raise ValueError(f"not a cell: {cell!r}")
            keys.add(key)
        self._keys = array("q", sorted(keys))
        self._index: frozenset[int] | None = None

    @classmethod
    def _from_keys(cls, keys: array) -> CellSet:
        obj = cls.__new__(cls)
        obj._keys = keys if _ascending(keys) else array("q", sorted(set(keys)))
        obj._index = None
        return obj

    def __contains__(self, cell: object) -> bool:
        key = _key(cell)
        if key is None:
            return False
        keys = self._keys
        i = bisect.bisect_left(keys, key)
        return i < len(keys) and keys[i] == key

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for key in self._keys:
            yield key >> _COL_BITS, key & _COL_MASK

    def contains_in_column(self, rows: Iterable[int], col: int) -> list[bool]:
        """``[(r, col) in self for r in rows]``, for a whole column at once."""
        rows = list(rows)
        if self._index is None and not _use_index(self._keys, len(rows)):
            return [i >= 0 for i in _find_in_column(self._keys, rows, col)]
        if self._index is None:
            self._index = frozenset(self._keys)
        return list(map(self._index.__contains__, _column_keys(rows, col)))

    def __len__(self) -> int:
        return len(self._keys)

    def __hash__(self) -> int:
        return self._hash()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CellSet):
            return self._keys == other._keys
        return super().__eq__(other)

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, islice(self, 5)))
        more = ", ..." if len(self) > 5 else ""
        return f"CellSet({{{shown}{more}}}, {len(self)} cells)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (CellSet._from_keys, (self._keys,))

    @property
    def nbytes(self) -> int:
        """Memory held by the cells (the array's buffer)."""
        return self._keys.buffer_info()[1] * self._keys.itemsize


class CellMap(Mapping):
    """An immutable mapping (row, col) -> value, 0-based, like a read-only dict.

    Stored as a sorted array of 8-byte keys and a parallel array of values (small ints, or
    indexes into a palette of the distinct values, for strings).
    """

    __slots__ = ("_keys", "_values", "_palette", "_index")

    def __init__(self, items: Mapping[tuple[int, int], Any] | Iterable[tuple[tuple[int, int], Any]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        by_key: dict[int, Any] = {}
        for cell, value in pairs:
            key = _key(cell)
            if key is None:
                raise ValueError(f"not a cell: {cell!r}")
            by_key[key] = value
        keys = sorted(by_key)
        values = [by_key[k] for k in keys]
        self._keys = array("q", keys)
        self._index: dict[int, int] | None = None
        if all(type(v) is int and 0 <= v < 2**32 for v in values):  # noqa: E721
            self._values, self._palette = array("I", values), None
        else:
            palette: dict[Any, int] = {}
            self._values = array("I", (palette.setdefault(v, len(palette)) for v in values))
            self._palette = tuple(palette)

    @classmethod
    def _from_arrays(cls, keys: array, values: array, palette: tuple[Any, ...] | None) -> CellMap:
        """Keys in file order (the last of equal keys wins, as in an XML reader)."""
        obj = cls.__new__(cls)
        if not _ascending(keys):
            order = sorted(range(len(keys)), key=keys.__getitem__)  # stable
            last = [i for i, j in zip(order, order[1:]) if keys[i] != keys[j]]
            if order:
                last.append(order[-1])
            keys = array("q", map(keys.__getitem__, last))
            values = array(values.typecode, map(values.__getitem__, last))
        obj._keys, obj._values, obj._palette = keys, values, palette
        obj._index = None
        return obj

    def __getitem__(self, cell: tuple[int, int]) -> Any:
        key = _key(cell)
        keys = self._keys
        if key is not None:
            i = bisect.bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                value = self._values[i]
                return value if self._palette is None else self._palette[value]
        raise KeyError(cell)

    def __contains__(self, cell: object) -> bool:
        key = _key(cell)
        if key is None:
            return False
        keys = self._keys
        i = bisect.bisect_left(keys, key)
        return i < len(keys) and keys[i] == key

    def get_in_column(self, rows: Iterable[int], col: int, default: Any = None) -> list[Any]:
        """``[self.get((r, col), default) for r in rows]``, for a whole column at once."""
        rows = list(rows)
        if self._index is None and not _use_index(self._keys, len(rows)):
            found = _find_in_column(self._keys, rows, col)
        else:
            if self._index is None:
                self._index = dict(zip(self._keys, range(len(self._keys))))
            found = list(map(self._index.get, _column_keys(rows, col), repeat(-1)))
        values, palette = self._values, self._palette
        if palette is None:
            return [values[i] if i >= 0 else default for i in found]
        return [palette[values[i]] if i >= 0 else default for i in found]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for key in self._keys:
            yield key >> _COL_BITS, key & _COL_MASK

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k!r}: {v!r}" for k, v in islice(self.items(), 5))
        more = ", ..." if len(self) > 5 else ""
        return f"CellMap({{{shown}{more}}}, {len(self)} cells)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (CellMap._from_arrays, (self._keys, self._values, self._palette))

    @property
    def nbytes(self) -> int:
        """Memory held by the keys and values (the arrays' buffers; the palette is tiny)."""
        return sum(a.buffer_info()[1] * a.itemsize for a in (self._keys, self._values))


_EMPTY_KEYS = array("q")


# --------------------------------------------------------------------------------------------
# Regexes

# Attribute text that honours quotes (a ">" may appear inside a quoted value) and never
# crosses a "<" (which XML forbids in attributes), so a match never spans a piece boundary.
_ATTRS = rb"""((?:[^>"'<]|"[^"<]*"|'[^'<]*')*)"""
_PFX = rb"(?:[A-Za-z_][\w.\-]*:)?"
# The general scan: every tag it cares about, in any spelling.
_GTAG = re.compile(rb"<(/?)" + _PFX + rb"(c|row|f|v|col|mergeCell|hyperlink|dimension|sheetFormatPr"
                   rb"|tablePart|sheetData)(?=[\s/>])" + _ATTRS + rb">")
_SHEETDATA_OPEN = re.compile(rb"<" + _PFX + rb"sheetData(?=[\s/>])" + _ATTRS + rb">")
_RANGE_TAG = re.compile(rb"<" + _PFX + rb"(mergeCell|hyperlink)(?=[\s/>])" + _ATTRS + rb">")
_COMMENT_TAG = re.compile(rb"<" + _PFX + rb"comment(?=[\s/>])" + _ATTRS + rb">")
_ROW_ATTRS = re.compile(rb"<row(?=[\s/>])" + _ATTRS + rb">")
_ATTR = {name: re.compile(rb"""(?:^|\s)""" + name + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
         for name in (b"r", b"s", b"t", b"ref", b"min", b"max", b"hidden", b"zeroHeight")}
_ATTR_RID = re.compile(rb"""(?:^|\s)[A-Za-z_][\w.\-]*:id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LOOSE_REF = re.compile(rb"^\$?([A-Za-z]{1,10})\$?([0-9]{1,15})$")

# The fast scan (see _cell_split). Attributes are spelled ` name="value"`, the value without
# quotes, "<", ">", "&" or "=": then a regex and an XML reader agree on where each attribute and
# tag ends, and the general scan's ``_attr`` (the first r, s, t) reads the attribute so named.
_VAL = rb"""[^"<>&'=]*+"""
_C_ATTRS = rb'(?: [A-Za-z]++="' + _VAL + rb'")*+'
_F_ATTRS = rb'(?: [A-Za-z0-9]++="' + _VAL + rb'")*+'
_REF = rb"[A-Z]{1,3}[1-9][0-9]{0,6}"
_REF_QUOTE = re.compile(rb"([A-Z]{1,3})([1-9][0-9]{0,6})\"")
_CELL_COLS = re.compile(rb'<c r="([A-Z]{1,3})[1-9]')
# An odd cell as the split captured it (after `<c r="`): letters, digits, attributes, "/" when
# it closes itself, the f's attributes (None without f) and the v's text (None without v).
_ODD_CELL = re.compile(rb"([A-Z]{1,3})([1-9][0-9]{0,6})\"(" + _C_ATTRS + rb")(/?)>(?:<f(" + _F_ATTRS
                       + rb")(?:/>|>[^<]*+</f>))?(?:<v>([^<]*+)</v>)?")
_ROW_REF_NOT_DIGITS = re.compile(rb'<row r="(?![0-9]++")')
# Joins the text between cells: "<" so that no tag spans two pieces of it, "\x00" so that
# the join starts none.
_GAP_JOIN = b"<\x00"
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = b"0123456789"

_CARRY_LIMIT = 1 * MiB  # no tag is this long; text in a cell is at most 32,767 characters

_KIND_CODES = {b"shared": 1, b"array": 2, b"dataTable": 3}
_KIND_NAMES = (None, "shared", "array", "dataTable")


@functools.lru_cache(maxsize=256)
def _cell_split(max_col: int, max_row: int, formulas: bool, errors: bool, styles: bool) -> re.Pattern[bytes]:
    """A pattern that matches whole cells in the usual spelling, for ``split``; what it leaves
    between the matches (row tags, and anything spelled otherwise) is for ``_fast`` to check.

    A cell matches when its start tag is ``<c r="A1"`` and attributes spelled as ``_C_ATTRS``
    says, and its children are an optional f, then an optional v or plain inline string. It
    matches one of three branches, tried in turn:

    * plain: inside A1:(max_col, max_row), and (when collected) without a formula or an error;
      nothing is captured, and this is nearly every cell;
    * formula (when formulas are collected): any reference, no error; captures the reference
      and the f's t when t is the f's first attribute (the f may have no other t);
    * odd: any other; captures the cell (after ``<c r="``) for ``_odd_cells``.

    The first two take only the attributes the schema gives a cell (s, t, cm, vm, ph) with
    their usual values, and no t="e" when errors are collected (an error cell is one whose
    first t is "e"). With ``styles`` a first group holds b'A1" s="3' when s is the cell's
    first attribute after r (with 1-9 digits); the first two branches then take no other s.
    """
    if max_col < 1 or max_row < 1:
        box = "(?!)"
    else:
        box = box_pattern(max_col, max_row)
    ref, val = _REF.decode(), _VAL.decode()
    style = f'(?:(?=({ref}" s="[0-9]{{1,9}}"))|)' if styles else ""
    # The attributes a cell may have besides r (and t="e" only when errors are not collected);
    # naming them is cheaper than a general attribute with a lookahead for t="e".
    first_s, any_s = ('(?: s="[0-9]{1,9}")?+', "") if styles else ("", ' s="[0-9]++"|')
    types = "s|n|b|d|str|inlineStr" + ("" if errors else "|e")
    attrs = f'{first_s}(?:{any_s} t="(?:{types})"| (?:cm|vm|ph)="[0-9]++")*+'
    value = r'(?:<v>[^<]*+</v>|<is><t(?: xml:space="preserve")?>[^<]*+</t></is>)?'
    any_f = rf"<f{_F_ATTRS.decode()}(?:/>|>[^<]*+</f>)"
    plain = rf'{box}"{attrs}(?:/>|>{"" if formulas else f"(?:{any_f})?"}{value}</c>)'
    kind_f = rf'<f(?: t="({val})")?+(?: (?!t=)[A-Za-z0-9]++="{val}")*+(?:/>|>[^<]*+</f>)'
    formula = rf'({ref})"{attrs}>{kind_f}{value}</c>|' if formulas else ""
    odd = rf'({ref}"{_C_ATTRS.decode()}(?:/>|>(?:{any_f})?{value}</c>))'
    return re.compile(f'<c r="{style}(?:{plain}|{formula}{odd})'.encode("ascii"))


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    m = _ATTR[name].search(attrs)
    if m is None:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def style_id(attrs: bytes) -> int:
    """A cell's style id from its start tag's attributes, as an XML reader reads ``s`` (the
    first one; entities resolved, spaces stripped); 0 when absent or not a number. Capped to
    what the style arrays hold (an id that large has no style anyway)."""
    s = _attr(attrs, b"s")
    if s is None:
        return 0
    s = xml_unescape(s).strip()
    return min(int(s), 2**32 - 1) if s.isdigit() else 0


def _truthy(value: bytes | None) -> bool:
    return value is not None and xml_unescape(value).strip().lower() in (b"1", b"true")


class _ColIndex(dict):
    """b"J" -> 9 (0-based column)."""

    def __missing__(self, letters: bytes) -> int:
        value = col_number(letters) - 1
        self[letters] = value
        return value


class _RowKey(dict):
    """b"123" -> the key part of row 122 (0-based)."""

    def __missing__(self, digits: bytes) -> int:
        value = (int(digits) - 1) << _COL_BITS
        if len(self) < 200_000:
            self[digits] = value
        return value


_COLS = _ColIndex()


class _Numbers(dict):
    """b"17" -> 17 (style ids repeat: a lookup is cheaper than int())."""

    def __missing__(self, digits: bytes) -> int:
        value = int(digits)
        if len(self) < 100_000:
            self[digits] = value
        return value


_STYLE_NUMBERS = _Numbers()


class _ColKey(dict):
    """b"J" -> 9 - (1 << 14): a column's part of a key whose row part is (1-based row) << 14."""

    def __missing__(self, letters: bytes) -> int:
        value = col_number(letters) - 1 - (1 << _COL_BITS)
        self[letters] = value
        return value


_COL_KEYS = _ColKey()


def _ref_keys(refs: bytes, letters: list[bytes]) -> array:
    """The keys of b"J2 K2 ..." (whose letters are ``letters``), all in C."""
    return array("q", map(operator.add,
                          map(operator.lshift, map(int, refs.translate(None, _UPPER).split()),
                              repeat(_COL_BITS)),
                          map(_COL_KEYS.__getitem__, letters)))


def _formula_keys(refs: bytes, kinds: list[bytes | None] | None
                  ) -> tuple[array, list[int], list[int], int, int] | None:
    """From the formula cells' references b"J2 K2 ..." and (when any is not normal) each one's f
    t: their keys, the keys and kind codes of the non-normal ones, and the last column and row
    they reach (1-based); None when a column is beyond Excel's grid. In C."""
    letters = refs.translate(None, _DIGITS).split()
    max_col = max(map(_COLS.__getitem__, set(letters))) + 1
    if max_col > EXCEL_MAX_COLS:
        return None
    f_keys = _ref_keys(refs, letters)
    kind_keys: list[int] = []
    kind_codes: list[int] = []
    if kinds is not None:
        codes = list(map(_KIND_CODES.get, kinds, repeat(0)))
        kind_keys, kind_codes = list(compress(f_keys, codes)), list(filter(None, codes))
    return f_keys, kind_keys, kind_codes, max_col, (max(f_keys) >> _COL_BITS) + 1


class _OddCells:
    """What ``SheetScanner._odd_cells`` found, for ``_fast`` to add once the piece has passed."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0
        self.f_keys: list[int] = []
        self.kind_keys: list[int] = []
        self.kind_codes: list[int] = []
        self.errors: list[tuple[int, bytes]] = []
        self.style_keys: list[int] = []
        self.style_values: list[int] = []


def _gap_rows(gaps: list[bytes]) -> list[int] | None:
    """The hidden rows (0-based) of the row tags between the cells of a piece, or None when
    something else is there, or a row whose r is not digits (the general scan refuses it)."""
    gaps = list(filter(None, gaps))  # nearly all are empty: two cells side by side
    rest = _GAP_JOIN.join(gaps)
    n_tags = rest.count(b"<") - max(len(gaps) - 1, 0)
    if n_tags and (n_tags != rest.count(b'<row r="') + rest.count(b"</row>")
                   or _ROW_REF_NOT_DIGITS.search(rest)):
        return None
    hidden: list[int] = []
    if b"hidden" in rest:
        for attrs in _ROW_ATTRS.findall(rest):
            if b"hidden" in attrs:
                r = _attr(attrs, b"r")
                if r is None or not r.isdigit() or int(r) < 1:
                    return None
                if _truthy(_attr(attrs, b"hidden")):
                    hidden.append(int(r) - 1)
    return hidden


# --------------------------------------------------------------------------------------------
# Streams

class TagStream:
    """Feeds a part's XML in pieces that end just before a "<", so no tag is ever split."""

    def __init__(self, where: Where, sheet: str | None) -> None:
        self.where, self.sheet = where, sheet
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        cut, clean = self._cut(chunk)
        if cut > 0 or (cut == 0 and self.carry):
            # The usual case: cut within the chunk, copying it once.
            piece = b"".join((self.carry, memoryview(chunk)[:cut])) if self.carry else chunk[:cut]
            self.carry = chunk[cut:]
            self._scan(piece, clean, False)
            return
        buf = self.carry + chunk
        cut, clean = self._cut(buf)
        if cut <= 0:
            if len(buf) > _CARRY_LIMIT:
                raise self._unsafe("malformed", "XML が異常です（タグが長すぎます）",
                                   "abnormal XML (a tag is too long)")
            self.carry = buf
            return
        self.carry = buf[cut:]
        self._scan(buf[:cut], clean, False)

    def close(self) -> None:
        if self.carry:
            carry, self.carry = self.carry, b""
            self._scan(carry, False, True)

    def _cut(self, buf: bytes) -> tuple[int, bool]:
        """Where the piece ends, and whether that is just before a cell start tag."""
        return buf.rfind(b"<"), False

    def _unsafe(self, reason: str, ja: str, en: str) -> BadInputError:
        return self.where.unsafe(reason, ja, en, self.sheet)

    def _scan(self, buf: bytes, ends_at_cell: bool, final: bool) -> None:
        raise NotImplementedError


_HEAD, _BODY, _TAIL = 0, 1, 2  # before, inside and after <sheetData>


class SheetScanner(TagStream):
    """Scans one sheet part: its used range (for the limits) and the cells' formulas, errors
    and styles, merged ranges, hidden rows and columns, and table part ids.

    Memory is bounded by a piece (about 1 MiB) plus what is collected (8-12 bytes a formula,
    error or styled cell). It stops at the first limit passed. Cells without an r attribute
    are placed as openpyxl does (next column of the current row). Merged ranges and hyperlink
    ranges count for the used range too: openpyxl creates a cell for every cell they cover.
    """

    def __init__(self, limits: Limits, where: Where, sheet: str | None, *,
                 formulas: bool = True, errors: bool = True, styles: bool = False) -> None:
        super().__init__(where, sheet)
        self.limits = limits
        self.collect_formulas, self.collect_errors, self.collect_styles = formulas, errors, styles
        self.dimension: str | None = None  # the first <dimension ref>, as written
        self.dim_row = self.dim_col = 0
        self.max_row = self.max_col = 0  # 1-based; 0 while no cell
        self.cells = 0
        self.row_counter = 0  # openpyxl's counters for cells and rows without r
        self.col_counter = 0
        self.other_row = self.other_col = 0  # merges, hyperlinks, comments
        self.other_area = 0
        self.zone = _HEAD
        self.cell: list[Any] | None = None  # general scan: [key, error, f seen, v seen] of an open <c>
        self.f_keys = array("q")
        self.kind_keys, self.kind_codes = array("q"), array("B")
        self.err_keys, self.err_codes = array("q"), array("I")
        self.err_palette: dict[str, int] = {}
        self.style_keys, self.style_values = array("q"), array("H")
        self.hidden_rows: set[int] = set()
        self.hidden_cols: set[int] = set()
        self.zero_height = False
        self.merged: list[tuple[int, int, int, int]] = []
        self.table_ids: list[str] = []
        self._rows = _RowKey()
        self.fast_pieces = self.general_pieces = 0  # for tests and benchmarks
        self.lockfree_pieces = 0  # of the fast pieces, those RE2 accepted (scan_lockfree)

    # -- results -------------------------------------------------------------------------------

    def formula_cells(self) -> CellSet | None:
        return CellSet._from_keys(self.f_keys) if self.collect_formulas else None

    def formula_kinds(self) -> CellMap | None:
        if not self.collect_formulas:
            return None
        return CellMap._from_arrays(self.kind_keys, self.kind_codes, _KIND_NAMES)

    def error_cells(self) -> CellMap | None:
        if not self.collect_errors:
            return None
        return CellMap._from_arrays(self.err_keys, self.err_codes, tuple(self.err_palette))

    def style_ids(self) -> CellMap | None:
        if not self.collect_styles:
            return None
        return CellMap._from_arrays(self.style_keys, self.style_values, None)

    # -- pieces ----------------------------------------------------------------------------------

    def _cut(self, buf: bytes) -> tuple[int, bool]:
        cut = buf.rfind(b'<c r="')
        if cut >= 0:
            return cut, True
        return buf.rfind(b"<"), False

    def _scan(self, buf: bytes, ends_at_cell: bool, final: bool) -> None:
        if self.zone == _HEAD:
            m = _SHEETDATA_OPEN.search(buf)
            if m is None:
                self._general(buf)
                self._check()
                return
            self._general(buf[: m.end()])  # switches to the body
            buf = buf[m.end():]
        if (self.zone == _BODY and ends_at_cell and not final and self.cell is None
                and self._fast(buf)):
            self.fast_pieces += 1
        else:
            self.general_pieces += 1
            self._general(buf)
        self._check()

    # -- the fast scan -------------------------------------------------------------------------

    def _fast(self, buf: bytes) -> bool:
        """Scan a piece of cell data that starts and ends between cells, or return False
        (having changed nothing) when it needs the general scan."""
        last = buf.rfind(b'<c r="')
        if last < 0:
            return False
        m = _REF_QUOTE.match(buf, last + 6)
        if m is None:
            return False
        last_col = _COLS[m.group(1)] + 1
        row_bound = max(self.max_row, int(m.group(2)))
        col_bound = max(self.max_col, last_col)
        if self.max_col == 0:
            # The first cells: the widest column of the piece, not just its last cell's, so
            # that the cells of the earlier rows fit the plain branch's box. Every
            # `<c r="` of a piece that passes begins a cell, so some cell has that column.
            col_bound = max(col_bound, max(map(_COLS.__getitem__, set(_CELL_COLS.findall(buf)))) + 1)
        if row_bound > EXCEL_MAX_ROWS or col_bound > EXCEL_MAX_COLS:
            return False  # the general scan names the cell
        formulas, errors, styles = self.collect_formulas, self.collect_errors, self.collect_styles
        if formulas and errors and not styles and scan_lockfree.accepts(buf, col_bound, row_bound):
            return self._take_accepted(buf, row_bound, col_bound, last, last_col)
        split = _cell_split(col_bound, row_bound, formulas, errors, styles)
        parts = split.split(buf)
        step = split.groups + 1

        # Between the cells there may only be row tags (and text): anything else, from an
        # unusual cell to a misplaced tag, is for the general scan.
        hidden = _gap_rows(parts[0::step])
        if hidden is None:
            return False
        # openpyxl's counters, for a later piece with cells or rows without r.
        counted = self._row_counter_after(buf)
        if counted is None:
            return False
        row_counter, last_row_tag = counted

        # Formula cells in bulk, odd cells one by one.
        f_keys: array | list[int] = []
        kind_keys: list[int] = []
        kind_codes: list[int] = []
        if formulas:
            refs_of = parts[1 + styles::step]
            refs = b" ".join(filter(None, refs_of))
            if refs:
                kinds = parts[2 + styles::step]
                got = _formula_keys(refs, list(compress(kinds, refs_of)) if any(kinds) else None)
                if got is None:
                    return False
                f_keys, kind_keys, kind_codes, f_col, f_row = got
                col_bound, row_bound = max(col_bound, f_col), max(row_bound, f_row)
        odd_of = parts[step - 1::step]
        odd = list(filter(None, odd_of))
        found = _OddCells()
        if odd:
            found = self._odd_cells(odd, list(compress(parts[1::step], odd_of)) if styles else None)
            if found is None:
                return False
            row_bound, col_bound = max(row_bound, found.max_row), max(col_bound, found.max_col)
            # CellMap keeps the last of a cell given twice: the same cell in both lists would
            # need them merged in file order.
            if (found.kind_keys and kind_keys and not set(found.kind_keys).isdisjoint(kind_keys)) or (
                    found.style_keys and not set(found.style_keys).isdisjoint(
                        self._style_keys_of(filter(None, parts[1::step])))):
                return False
        if row_bound > EXCEL_MAX_ROWS or col_bound > EXCEL_MAX_COLS:
            return False

        # Nothing can fail from here on.
        self.cells += (len(parts) - 1) // step
        self.max_row, self.max_col = row_bound, col_bound
        self.row_counter = row_counter
        self.col_counter = last_col if last > last_row_tag else 0
        self.f_keys.extend(f_keys)
        self.f_keys.extend(found.f_keys)
        self.kind_keys.extend(kind_keys)
        self.kind_codes.extend(kind_codes)
        self.kind_keys.extend(found.kind_keys)
        self.kind_codes.extend(found.kind_codes)
        for key, text in found.errors:
            self._error(key, text)
        self.hidden_rows.update(hidden)
        if styles:
            styled = list(filter(None, parts[1::step]))
            if styled:
                self._fast_styles(styled)
            for key, value in zip(found.style_keys, found.style_values):
                self._add_style(key, value)
        if len(self._rows) >= 200_000:
            self._rows.clear()
        return True

    def _row_counter_after(self, buf: bytes) -> tuple[int, int] | None:
        """openpyxl's row counter after the piece (the r of its last row tag), with where that
        tag is (-1: none); None when that r is not digits (for the general scan)."""
        last_row_tag = buf.rfind(b"<row")
        if last_row_tag < 0:
            return self.row_counter, last_row_tag
        tag = _ROW_ATTRS.match(buf, last_row_tag)
        r = None if tag is None else _attr(tag.group(1), b"r")
        if r is None or not r.isdigit():
            return None
        return int(r), last_row_tag

    def _take_accepted(self, buf: bytes, row_bound: int, col_bound: int, last: int, last_col: int) -> bool:
        """What ``_fast`` collects from a piece ``scan_lockfree`` accepted (row tags, plain cells
        in the box, formula cells without an error): the formula cells, the bounds, the
        counters; False (having changed nothing) to leave the piece to ``_fast``."""
        found = scan_lockfree.formula_refs(buf)
        f_keys: array | list[int] = []
        kind_keys: list[int] = []
        kind_codes: list[int] = []
        if found:
            kinds = list(map(operator.itemgetter(1), found))
            got = _formula_keys(b" ".join(map(operator.itemgetter(0), found)), kinds if any(kinds) else None)
            if got is None:
                return False  # the fast scan names the cell
            f_keys, kind_keys, kind_codes, f_col, f_row = got
            col_bound, row_bound = max(col_bound, f_col), max(row_bound, f_row)
            if row_bound > EXCEL_MAX_ROWS:
                return False
        counted = self._row_counter_after(buf)
        if counted is None:
            return False
        row_counter, last_row_tag = counted
        # Nothing can fail from here on.
        self.cells += buf.count(b'<c r="')
        self.max_row, self.max_col = row_bound, col_bound
        self.row_counter = row_counter
        self.col_counter = last_col if last > last_row_tag else 0
        self.f_keys.extend(f_keys)
        self.kind_keys.extend(kind_keys)
        self.kind_codes.extend(kind_codes)
        self.lockfree_pieces += 1
        return True

    def _odd_cells(self, cells: list[bytes], styled: list[bytes | None] | None) -> _OddCells | None:
        """What the general scan collects from these cells (as ``_ODD_CELL`` splits them), or
        None when one is beyond Excel's grid (the general scan names it). ``styled``: the style
        group of each (the bulk styles have the cells whose s comes first)."""
        out = _OddCells()
        for i, cell in enumerate(cells):
            m = _ODD_CELL.match(cell)
            letters, digits, attrs, closed, f_attrs, v_text = m.groups()
            row, col = int(digits), _COLS[letters] + 1
            if row > EXCEL_MAX_ROWS or col > EXCEL_MAX_COLS:
                return None
            out.max_row, out.max_col = max(out.max_row, row), max(out.max_col, col)
            key = ((row - 1) << _COL_BITS) | (col - 1)
            if styled is not None and styled[i] is None:
                sid = style_id(attrs)
                if sid:
                    out.style_keys.append(key)
                    out.style_values.append(sid)
            if closed:
                continue
            if f_attrs is not None and self.collect_formulas:
                out.f_keys.append(key)
                kind = _attr(f_attrs, b"t")
                code = _KIND_CODES.get(xml_unescape(kind)) if kind is not None else None
                if code:
                    out.kind_keys.append(key)
                    out.kind_codes.append(code)
            if v_text is not None and self.collect_errors:
                t = _attr(attrs, b"t")
                if t is not None and xml_unescape(t) == b"e":
                    out.errors.append((key, v_text))
        return out

    def _style_keys_of(self, items: Iterable[bytes]) -> Iterator[int]:
        """The keys of b'J2" s="3' items."""
        for item in items:
            m = _REF_QUOTE.match(item)
            yield ((int(m.group(2)) - 1) << _COL_BITS) | _COLS[m.group(1)]

    def _add_style(self, key: int, value: int) -> None:
        if value >= 65536 and self.style_values.typecode == "H":
            self.style_values = array("I", self.style_values)
        self.style_keys.append(key)
        self.style_values.append(value)

    def _fast_styles(self, items: list[bytes]) -> None:
        """Keys and values from b'J2" s="3' items, all in C."""
        text = b" ".join(items).translate(None, b'"s=')  # b"J2  3 K2  3 ..."
        numbers = text.translate(None, _UPPER).split()  # row, s, row, s, ...
        values = list(map(_STYLE_NUMBERS.__getitem__, numbers[1::2]))
        keys = map(operator.add, map(self._rows.__getitem__, numbers[0::2]),
                   map(_COLS.__getitem__, text.translate(None, _DIGITS).split()))
        self.style_keys.extend(compress(keys, values))
        if self.style_values.typecode == "H" and max(values) >= 65536:
            self.style_values = array("I", self.style_values)
        self.style_values.extend(filter(None, values))

    # -- the general scan ----------------------------------------------------------------------

    def _general(self, buf: bytes) -> None:
        for m in _GTAG.finditer(buf):
            closing, name, attrs = m.group(1), m.group(2), m.group(3)
            if name == b"c":
                if closing:
                    self.cell = None
                else:
                    self._general_cell(attrs)
            elif name == b"row":
                if not closing:
                    self._general_row(attrs)
            elif name == b"f":
                cell = self.cell
                if not closing and cell is not None and not cell[2]:
                    cell[2] = True
                    if self.collect_formulas:
                        self.f_keys.append(cell[0])
                        kind = _attr(attrs, b"t")
                        code = _KIND_CODES.get(xml_unescape(kind)) if kind is not None else None
                        if code:
                            self.kind_keys.append(cell[0])
                            self.kind_codes.append(code)
            elif name == b"v":
                cell = self.cell
                if not closing and cell is not None and cell[1] and not cell[3]:
                    cell[3] = True
                    if attrs.rstrip().endswith(b"/"):
                        text = b""
                    else:
                        end = buf.find(b"<", m.end())
                        text = buf[m.end(): end if end >= 0 else len(buf)]
                    self._error(cell[0], text)
            elif closing:
                if name == b"sheetData":
                    self.zone = _TAIL
            elif name in (b"mergeCell", b"hyperlink"):
                self._range(name, attrs)
            elif name == b"dimension":
                self._dimension(attrs)
            elif name == b"sheetData":
                if self.zone == _HEAD:
                    self.zone = _TAIL if attrs.rstrip().endswith(b"/") else _BODY
            elif self.zone == _BODY:
                continue  # cols, sheetFormatPr and tableParts belong outside the cell data
            elif name == b"col":
                self._col(attrs)
            elif name == b"sheetFormatPr":
                self.zero_height = self.zero_height or _truthy(_attr(attrs, b"zeroHeight"))
            elif name == b"tablePart":
                rid = _ATTR_RID.search(attrs)
                if rid is not None:
                    value = rid.group(1) if rid.group(1) is not None else rid.group(2)
                    self.table_ids.append(xml_unescape(value).decode("utf-8", "replace"))

    def _general_row(self, attrs: bytes) -> None:
        r = _attr(attrs, b"r")
        if r is None:
            self.row_counter += 1
        elif r.isdigit():
            self.row_counter = int(r)
        else:
            raise self._odd_ref(r)
        self.col_counter = 0
        if self.row_counter >= 1 and b"hidden" in attrs and _truthy(_attr(attrs, b"hidden")):
            self.hidden_rows.add(self.row_counter - 1)

    def _general_cell(self, attrs: bytes) -> None:
        self.cells += 1
        value = _attr(attrs, b"r")
        if value is None:
            self.col_counter += 1
            row, col = self.row_counter, self.col_counter
        else:
            ref = _LOOSE_REF.match(value)
            if ref is None:
                raise self._odd_ref(value)
            row, col = int(ref.group(2)), col_number(ref.group(1))
            self.col_counter = col
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col
        if self.cells % 65536 == 0:
            self._check()
        if not (1 <= row <= EXCEL_MAX_ROWS and 1 <= col <= EXCEL_MAX_COLS):
            self._check()  # names a cell beyond the grid
            self.cell = None  # row 0: a cell outside any row, or r="A0"; no reader places it
            return
        key = ((row - 1) << _COL_BITS) | (col - 1)
        if self.collect_styles:
            value = style_id(attrs)
            if value:
                if value >= 65536 and self.style_values.typecode == "H":
                    self.style_values = array("I", self.style_values)
                self.style_keys.append(key)
                self.style_values.append(value)
        t = _attr(attrs, b"t")
        error = self.collect_errors and t is not None and xml_unescape(t) == b"e"
        self.cell = None if attrs.rstrip().endswith(b"/") else [key, error, False, False]

    def _error(self, key: int, text: bytes) -> None:
        value = xml_unescape(text).decode("utf-8", "replace")
        code = self.err_palette.setdefault(value, len(self.err_palette))
        self.err_keys.append(key)
        self.err_codes.append(code)

    def _col(self, attrs: bytes) -> None:
        if not _truthy(_attr(attrs, b"hidden")):
            return
        lo, hi = _attr(attrs, b"min"), _attr(attrs, b"max")
        try:
            first = int(xml_unescape(lo or b""))
            last = int(xml_unescape(hi or b""))
        except ValueError:
            return
        self.hidden_cols.update(range(max(first, 1) - 1, min(last, EXCEL_MAX_COLS)))

    def _odd_ref(self, value: bytes) -> BadInputError:
        shown = value[:40].decode("ascii", "replace")
        return self._unsafe("cell_ref", f"セル参照 r=\"{shown}\" が異常です", f"abnormal cell reference r=\"{shown}\"")

    def _dimension(self, attrs: bytes) -> None:
        value = _attr(attrs, b"ref")
        if value is None:
            return
        if b"&" in value:  # an entity could spell any range to an XML parser
            raise self._unsafe("dimension", "使用範囲（dimension）の記述が異常です",
                               "abnormal used range (dimension)")
        # Every one counts: calamine sizes the sheet from the last before <sheetData>,
        # openpyxl's read-only mode from the first.
        if self.dimension is None:
            self.dimension = value[:100].decode("ascii", "replace")
        for part in value.split(b":"):
            ref = _LOOSE_REF.match(part.strip())
            if ref is not None:
                self.dim_row = max(self.dim_row, int(ref.group(2)))
                self.dim_col = max(self.dim_col, col_number(ref.group(1)))
        self._check()

    def _range(self, name: bytes, attrs: bytes) -> None:
        bounds = self.add_range(attrs)
        if bounds is not None and name == b"mergeCell":
            r1, c1, r2, c2 = bounds
            self.merged.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))

    def add_range(self, attrs: bytes) -> tuple[int, int, int, int] | None:
        value = _attr(attrs, b"ref")
        if value is None:
            return None
        if b"&" in value:
            raise self._unsafe("cell_ref", "セル範囲の記述が異常です", "abnormal cell range")
        bounds = range_bounds(value)
        if bounds is None:
            return None  # readers reject it on their own
        r1, c1, r2, c2 = bounds
        self.other_row = max(self.other_row, r2)
        self.other_col = max(self.other_col, c2)
        self.other_area += (r2 - r1 + 1) * (c2 - c1 + 1)
        self._check()
        return bounds

    def _check(self) -> None:
        limits = self.limits
        rows = max(self.max_row, self.dim_row, self.other_row)
        cols = max(self.max_col, self.dim_col, self.other_col)
        if rows > EXCEL_MAX_ROWS or cols > EXCEL_MAX_COLS:
            ref = f"{col_letters(min(cols, 10**6))}{rows}"
            raise self._unsafe("beyond_grid", f"Excel の最大範囲（XFD1048576）を超えるセル {ref} があります",
                               f"a cell beyond Excel's grid (XFD1048576): {ref}")
        if rows * cols > limits.max_cells:
            ref = f"A1:{col_letters(cols)}{rows}"
            raise self._unsafe(
                "used_range",
                f"使用範囲 {ref} が大きすぎます（{rows * cols:,} セル、上限 {limits.max_cells:,}）。"
                "不要な行・列を削除して保存し直してください",
                f"the used range {ref} is too large ({rows * cols:,} cells, limit {limits.max_cells:,}); "
                "delete the unused rows and columns and save again")
        if self.cells > limits.max_cells or self.other_area > limits.max_cells:
            raise self._unsafe("cell_count", f"セルが {limits.max_cells:,} 個を超えています",
                               f"more than {limits.max_cells:,} cells")


class CommentScanner(TagStream):
    """Adds each comment's cell (<comment ref="...">) to its sheet's range."""

    def __init__(self, sheet: SheetScanner) -> None:
        super().__init__(sheet.where, sheet.sheet)
        self.sheet_scanner = sheet

    def _scan(self, buf: bytes, ends_at_cell: bool, final: bool) -> None:
        for m in _COMMENT_TAG.finditer(buf):
            self.sheet_scanner.add_range(m.group(1))
