"""Patch cells in one worksheet part, keeping every byte it does not change.

The part is never parsed into a tree. The rows of <sheetData> are located with a regex over
their start tags; only the rows that hold a patched cell are looked into, and only the <c>
elements that change are re-emitted. Everything else (other rows and cells, the XML declaration,
namespaces, attribute order and quoting, everything outside <sheetData>) is copied as it was.
The <dimension> and a row's ``spans`` are widened when a cell is created outside them.

Cells written the way Excel writes them (``<c r="B2" s="3" t="s"><f>…</f><v>…</v></c>``) take a
fast path (one anchored regex); any other form of cell is parsed attribute by attribute.

A change that would break the workbook, or a sheet written in a way this module does not edit
safely, raises ``Refusal`` (turned into PatchRefusedError by the writer).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from numbers import Integral, Real

from isms_xl.io.patch.model import MISSING, CellChange, CellPatch
from isms_xl.io.patch.styles import Styles
from isms_xl.io.patch.xmltext import (
    ATTRS,
    EXCEL_MAX_TEXT,
    attr_value,
    col_letters,
    date_serial,
    escape_text,
    needs_preserve,
    normalize_rgb,
    parse_attrs,
    parse_range,
    parse_ref,
    render_attrs,
    set_attr,
    unescape_text,
)

__all__ = ["Refusal", "SheetContext", "SheetResult", "patch_sheet", "read_cells"]

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"

class Refusal(Exception):
    """A patch (or the whole sheet) is refused; ``cell`` is None for the sheet."""

    def __init__(self, reason: str, cell: str | None, ja: str, en: str) -> None:
        super().__init__(en)
        self.reason, self.cell, self.ja, self.en = reason, cell, ja, en


@dataclass
class SheetContext:
    date1904: bool
    styles: Styles
    #: (row, col) 1-based -> the table column name the header cell must hold
    table_headers: dict[tuple[int, int], str]
    #: index -> shared string (loads sharedStrings.xml on first use)
    shared_string: Callable[[int], str | None]
    sheet: str = ""
    #: the number of <c> elements preflight counted in the part (None: unknown)
    cells: int | None = None


@dataclass
class SheetResult:
    xml: bytes | None  # None: nothing changed
    changes: list[CellChange]
    formulas_added: int
    formulas_removed: int


# --------------------------------------------------------------------------------------------
# The part's layout

_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?worksheet(?=[\s/>])" + ATTRS + rb">")
_XMLNS = re.compile(rb"""xmlns(?::([A-Za-z_][\w.\-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MARKUP_DECL = re.compile(rb"<[!?]")


def _no_ref() -> Refusal:
    return Refusal("cell_without_ref", None,
                   "セル参照（r 属性）のないセルまたは行があります。Excel で開いて保存し直してから実行してください",
                   "some cells or rows have no reference (r attribute); open and save the workbook in Excel first")


class _Layout:
    """Where things are in the part: its prefix, <sheetData>, and each row's start."""

    def __init__(self, xml: bytes, cells: int | None) -> None:
        self.xml = xml
        m = _DECL_ENCODING.match(xml[:200].lstrip(b"\xef\xbb\xbf"))
        enc = m.group(1).decode("ascii").lower() if m else "utf-8"
        self.ascii_only = enc not in ("utf-8", "utf8")
        self.encoding = "utf-8" if not self.ascii_only else enc
        root = _ROOT.search(xml, 0, 65536 + 4096)
        if root is None:
            raise Refusal("unexpected_xml", None, "ワークシートの XML ではありません（ルート要素が worksheet でない）",
                          "not worksheet XML (the root element is not worksheet)")
        prefix = root.group(1) or b""
        bound = {(m.group(1) or b""): (m.group(2) if m.group(2) is not None else m.group(3))
                 for m in _XMLNS.finditer(root.group(2))}
        if bound.get(prefix.rstrip(b":")) != MAIN_NS:
            raise Refusal("namespace", None,
                          "SpreadsheetML の名前空間が想定と異なります（Strict 形式か、他のツールが書いた独自の形式）",
                          "the SpreadsheetML namespace is not the usual one (Strict, or written by another tool)")
        self.p = prefix
        p = re.escape(prefix)
        self.re_row = re.compile(b"<" + p + rb"row(?=[\s/>])" + ATTRS + rb"(/?)>")
        self.re_cell = re.compile(b"<" + p + rb"c(?=[\s/>])" + ATTRS + rb"(/?)>")
        self.re_child = re.compile(b"<" + p + rb"(f|v|is|extLst)(?=[\s/>])" + ATTRS + rb"(/?)>")
        self.re_f_attrs = re.compile(b"<" + p + rb"f\s" + ATTRS + rb"(/?)>")
        # The way Excel, XlsxWriter and openpyxl write a cell: r, s, t in that order, an <f>
        # without attributes, a <v>. Groups: ref, s, t, "/", formula text, value text.
        self.re_fast = re.compile(
            b"<" + p + rb'c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,5})")?(?: t="([a-zA-Z]{1,9})")?'
            rb"(?:(/)>|>(?:<" + p + rb"f>([^<]*)</" + p + rb"f>)?(?:<" + p + rb"v>([^<]*)</" + p
            + rb"v>|<" + p + rb"v/>)?</" + p + rb"c>)")
        self.cell_close = b"</" + prefix + b"c>"
        self.row_close = b"</" + prefix + b"row>"
        self.cell_open = b"<" + prefix + b'c r="'
        sd = re.compile(b"<" + p + rb"sheetData(?=[\s/>])" + ATTRS + rb"(/?)>").search(xml, root.end())
        if sd is None:
            raise Refusal("unexpected_xml", None, "シートに sheetData 要素がありません", "the sheet has no sheetData element")
        self.sd_tag = (sd.start(), sd.end())
        self.sd_attrs = sd.group(1)
        self.sd_empty = bool(sd.group(2))
        if self.sd_empty:
            self.sd_start = self.sd_end = sd.end()
        else:
            self.sd_start = sd.end()
            self.sd_end = xml.find(b"</" + prefix + b"sheetData>", sd.end())
            if self.sd_end < 0:
                raise Refusal("unexpected_xml", None, "sheetData 要素が閉じていません", "the sheetData element is not closed")
        self._check_region(cells)
        self._index_rows()

    def _check_region(self, cells: int | None) -> None:
        xml, a, b = self.xml, self.sd_start, self.sd_end
        if _MARKUP_DECL.search(xml, a, b):
            # A comment or CDATA section could hide a "<row" from the index below.
            raise Refusal("unexpected_xml", None,
                          "セルの部分に XML コメントや CDATA があります（Excel は書きません）",
                          "the cell data holds XML comments or CDATA (Excel never writes them)")
        canonical = xml.count(self.cell_open, a, b)
        if cells is not None and canonical == cells:
            return  # every <c> preflight counted has r as its first attribute
        for m in self.re_cell.finditer(xml, a, b):
            attrs = m.group(1)
            if not attrs.startswith(b' r="') and not any(k == b"r" for k, _ in parse_attrs(attrs)):
                raise _no_ref()

    def _index_rows(self) -> None:
        nums, starts = array("q"), array("q")
        last = 0
        xml = self.xml
        rx = re.compile(b"<" + re.escape(self.p) + rb'row(?=[\s/>])(?: r="([0-9]{1,7})")?')
        for m in rx.finditer(xml, self.sd_start, self.sd_end):
            g = m.group(1)
            if g is None:
                tag = self.re_row.match(xml, m.start())
                g = next((attr_value(v) for k, v in parse_attrs(tag.group(1)) if k == b"r"), None) if tag else None
                if g is None:
                    raise _no_ref()
            try:
                r = int(g)
            except ValueError:
                shown = g[:20].decode("ascii", "replace")
                raise Refusal("unexpected_xml", None, f"行番号 r=\"{shown}\" が異常です",
                              f"abnormal row number r=\"{shown}\"") from None
            if r <= last:
                raise Refusal("row_order", None, "行が番号順に並んでいません（または重複しています）",
                              "the rows are not in ascending order (or repeat)")
            last = r
            nums.append(r)
            starts.append(m.start())
        self.row_nums, self.row_starts = nums, starts

    def row_index(self, r: int) -> int:
        """Index of row ``r`` in the row lists, or ~insertion point when it does not exist."""
        i = bisect_left(self.row_nums, r)
        if i < len(self.row_nums) and self.row_nums[i] == r:
            return i
        return ~i

    def row_bounds(self, i: int) -> tuple[int, int, int, bool]:
        """(row start, content start, row end, empty) of row index ``i``."""
        xml = self.xml
        start = self.row_starts[i]
        gt = xml.find(b">", start, self.sd_end)
        if gt < 0 or xml.count(b'"', start, gt) % 2 or xml.find(b"'", start, gt) >= 0:
            # A ">" inside a quoted value (or single quotes): read the tag properly.
            tag = self.re_row.match(xml, start)
            if tag is None:
                raise Refusal("unexpected_xml", None, f"{self.row_nums[i]} 行目の row 要素が読めません",
                              f"the row element of row {self.row_nums[i]} cannot be read")
            gt = tag.end() - 1
        if xml[gt - 1] == 47:  # "/>": an empty row
            return start, gt + 1, gt + 1, True
        close = xml.find(self.row_close, gt, self.sd_end)
        if close < 0:
            raise Refusal("unexpected_xml", None, f"{self.row_nums[i]} 行目の row 要素が閉じていません",
                          f"the row element of row {self.row_nums[i]} is not closed")
        return start, gt + 1, close + len(self.row_close), False

    def row_tag(self, i: int) -> re.Match[bytes]:
        tag = self.re_row.match(self.xml, self.row_starts[i])
        assert tag is not None
        return tag

    def array_ranges(self) -> list[tuple[int, int, int, int, bytes]]:
        """(row1, col1, row2, col2, kind) of every array and data-table formula."""
        out = []
        for m in self.re_f_attrs.finditer(self.xml, self.sd_start, self.sd_end):
            attrs = m.group(1)
            if b"array" not in attrs and b"dataTable" not in attrs:
                continue
            a = {k: attr_value(v) for k, v in parse_attrs(attrs)}
            kind = a.get(b"t")
            if kind in (b"array", b"dataTable") and b"ref" in a:
                rng = parse_range(a[b"ref"])
                if rng is not None:
                    out.append((*rng, kind))
        return out


# --------------------------------------------------------------------------------------------
# One cell

_RPH = re.compile(rb"<(?:[\w.\-]+:)?rPh(?=[\s/>]).*?</(?:[\w.\-]+:)?rPh>", re.S)
_T_TEXT = re.compile(rb"<(?:[\w.\-]+:)?t(?=[\s>])[^>]*>(.*?)</(?:[\w.\-]+:)?t>|<(?:[\w.\-]+:)?t(?=[\s/])[^>]*/>", re.S)
_NO_ATTRS: dict[bytes, bytes] = {}


class _Cell:
    """An existing <c>. ``attrs`` is None for a cell in the fast form (only r, s, t)."""

    __slots__ = ("start", "end", "attrs", "s", "has_s", "t", "f", "f_body", "f_attrs", "v", "is_", "ext",
                 "inner_start")

    @classmethod
    def fast(cls, m: re.Match[bytes], p: bytes) -> _Cell:
        c = cls.__new__(cls)
        c.start, c.end = m.start(), m.end()
        c.attrs = None
        s = m.group(2)
        c.has_s = s is not None
        c.s = int(s) if s else 0
        c.t = m.group(3) or b"n"
        body = m.group(5)
        c.f_body = body
        # the <f> element exactly as stored: from "<f>" before its text to "</f>" after it
        c.f = None if body is None else m.string[m.start(5) - len(p) - 3:m.end(5) + len(p) + 4]
        c.f_attrs = _NO_ATTRS
        c.v = m.group(6)
        c.is_ = c.ext = None
        if m.group(4):
            c.inner_start = -1
        else:  # just after the start tag's ">" (after the closing quote of its last attribute)
            c.inner_start = (m.end(3) if m.group(3) is not None else m.end(2) if s is not None else m.end(1)) + 2
        return c

    @classmethod
    def general(cls, lay: _Layout, start: int, tag: re.Match[bytes]) -> _Cell:
        c = cls.__new__(cls)
        xml = lay.xml
        c.start = start
        if tag.group(2):
            c.end = tag.end()
            inner = b""
            c.inner_start = -1
        else:
            close = xml.find(lay.cell_close, tag.end())
            if close < 0:
                raise Refusal("unexpected_xml", None, "c 要素が閉じていません", "a c element is not closed")
            c.end = close + len(lay.cell_close)
            inner = xml[tag.end():close]
            c.inner_start = tag.end()
        c.attrs = parse_attrs(tag.group(1))
        t = s = None
        for k, v in c.attrs:
            if k == b"t":
                t = attr_value(v)
            elif k == b"s":
                s = attr_value(v)
        c.t = t or b"n"
        c.has_s = s is not None
        try:
            c.s = int(s) if s else 0
        except ValueError:
            c.s = 0
        c.f = c.v = c.is_ = c.ext = c.f_body = None
        c.f_attrs = _NO_ATTRS
        if inner:
            c._children(lay, inner)
        return c

    def _children(self, lay: _Layout, inner: bytes) -> None:
        pos = 0
        rest = []
        while True:
            m = lay.re_child.search(inner, pos)
            if m is None:
                break
            rest.append(inner[pos:m.start()])
            name = m.group(1)
            if m.group(3):
                elem, pos, body = inner[m.start():m.end()], m.end(), b""
            else:
                close_tag = b"</" + lay.p + name + b">"
                close = inner.find(close_tag, m.end())
                if close < 0:
                    raise Refusal("unexpected_xml", None, "セルの中の要素が閉じていません",
                                  "an element inside a cell is not closed")
                elem, pos, body = inner[m.start():close + len(close_tag)], close + len(close_tag), inner[m.end():close]
            if name == b"f":
                self.f, self.f_body = elem, body
                self.f_attrs = {k: attr_value(v) for k, v in parse_attrs(m.group(2))}
            elif name == b"v":
                self.v = body
            elif name == b"is":
                self.is_ = elem
            else:
                self.ext = elem
        rest.append(inner[pos:])
        if any(x.strip() for x in rest):
            raise Refusal("unexpected_xml", None, "セルの中に想定外の内容があります", "unexpected content inside a cell")

    def formula_text(self, enc: str) -> str | None:
        body = self.f_body
        if body is None:
            return None
        if b"&" in body or b"\r" in body:
            return unescape_text(body, enc, ooxml=False)
        return body.decode(enc, "replace")

    def value(self, ctx: SheetContext, enc: str) -> object:
        t = self.t
        if t == b"inlineStr":
            if self.is_ is None:
                return None
            body = _RPH.sub(b"", self.is_)
            return "".join(unescape_text(m.group(1) or b"", enc) for m in _T_TEXT.finditer(body))
        v = self.v
        if v is None:
            return None
        if t == b"n":
            try:
                return float(v)
            except ValueError:
                return v.decode(enc, "replace")
        if t == b"s":
            try:
                return ctx.shared_string(int(v))
            except ValueError:
                return None
        if t == b"b":
            return v.strip() in (b"1", b"true")
        if b"&" in v or b"_x" in v or b"\r" in v:
            return unescape_text(v, enc)
        return v.decode(enc, "replace")


def read_cells(xml: bytes) -> dict[tuple[int, int], dict[str, object]]:
    """Every cell of a worksheet part as {(row, col): {"t", "s", "v", "is", "f", "f_t", "f_ref",
    "vm", "cm"}} (1-based; raw <v> text; shared strings not resolved). For tests and checks."""
    lay = _Layout(xml, None)
    ctx = SheetContext(False, Styles(None), {}, lambda i: None)
    out: dict[tuple[int, int], dict[str, object]] = {}
    for m in lay.re_cell.finditer(xml, lay.sd_start, lay.sd_end):
        cell = _Cell.general(lay, m.start(), m)
        a = {k: attr_value(v) for k, v in cell.attrs}  # type: ignore[union-attr]
        pos = parse_ref(a.get(b"r", b""))
        if pos is None:
            continue
        out[pos] = {"t": cell.t.decode(), "s": cell.s, "v": cell.v,
                    "is": cell.value(ctx, lay.encoding) if cell.t == b"inlineStr" else None,
                    "f": cell.formula_text(lay.encoding), "f_t": cell.f_attrs.get(b"t", b"").decode(),
                    "f_ref": cell.f_attrs.get(b"ref", b"").decode(), "vm": a.get(b"vm"), "cm": a.get(b"cm")}
    return out


# --------------------------------------------------------------------------------------------
# Values

def _number_text(f: float) -> bytes:
    if f.is_integer() and -1e15 < f < 1e15:
        return b"%d" % int(f)
    return repr(f).encode("ascii")


def _encode(value: object, date1904: bool) -> tuple[str, bytes | None, object, int]:
    """(kind, <v> text, value as stored, date: 0 no / 1 date / 2 date and time).
    kind: "blank", "b", "n" or "str" (the text of a string is escaped later)."""
    tv = type(value)
    if tv is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise ValueError("not a finite number")
        return "n", _number_text(value), value, 0  # type: ignore[arg-type]
    if tv is int:
        return "n", b"%d" % value, float(value), 0  # type: ignore[str-format]
    if tv is str:
        if value == "":
            return "blank", None, None, 0
        if len(value) > EXCEL_MAX_TEXT:  # type: ignore[arg-type]
            raise ValueError(f"text longer than Excel's {EXCEL_MAX_TEXT:,} characters")
        try:
            value.encode("utf-8")  # type: ignore[union-attr]
        except UnicodeEncodeError:
            raise ValueError("text with invalid characters (lone surrogates)") from None
        return "str", None, value, 0
    if value is None:
        return "blank", None, None, 0
    if tv is bool:
        return "b", b"1" if value else b"0", value, 0
    if isinstance(value, (dt.date, dt.datetime)):
        serial = date_serial(value, date1904)
        with_time = isinstance(value, dt.datetime) and serial != int(serial)
        return "n", _number_text(serial), serial, 2 if with_time else 1
    if isinstance(value, bool):
        return "b", b"1" if value else b"0", bool(value), 0
    if isinstance(value, Integral):
        return "n", b"%d" % int(value), float(int(value)), 0
    if isinstance(value, (Real, Decimal)):
        f = float(value)  # type: ignore[arg-type]
        if not math.isfinite(f):
            raise ValueError("not a finite number")
        return "n", _number_text(f), f, 0
    if isinstance(value, str):
        return _encode(str(value), date1904)
    raise ValueError(f"unsupported value type {tv.__name__}")


def _same(old: object, old_t: bytes, kind: str, stored: object) -> bool:
    if old_t == b"e" and old is not None:
        return False  # an error value is never what a patch means
    if kind == "blank":
        return old is None or old == ""
    if kind == "str":
        return old.__class__ is str and old == stored
    if kind == "b":
        return old.__class__ is bool and old == stored
    return old.__class__ is float and old == stored


# --------------------------------------------------------------------------------------------
# The patching

_BEFORE = 1 << 40  # makes an insertion's order negative (see _SheetPatcher.run)
_INF, _NINF = float("inf"), float("-inf")


class _SheetPatcher:
    def __init__(self, xml: bytes, ctx: SheetContext) -> None:
        self.lay = _Layout(xml, ctx.cells)
        self.ctx = ctx
        self.p = self.lay.p
        self.enc = self.lay.encoding
        self._arrays: list[tuple[int, int, int, int, bytes]] | None = None
        self._col_styles: list[tuple[int, int, int]] | None = None
        self._rgb: dict[object, object] = {MISSING: MISSING, None: None}
        self._letters: dict[int, bytes] = {}
        self._opens: dict[int, bytes] = {}
        self._fast_cell = self._make_fast_cell()
        self.formulas_added = self.formulas_removed = 0

    # ------------------------------------------------------------ lookups

    def arrays(self) -> list[tuple[int, int, int, int, bytes]]:
        if self._arrays is None:
            self._arrays = self.lay.array_ranges()
        return self._arrays

    def cell_open_of(self, col: int) -> bytes:
        """'<c r="J' for column 10."""
        b = self._opens.get(col)
        if b is None:
            b = self._opens[col] = self.lay.cell_open + self.letters(col)
        return b

    def letters(self, col: int) -> bytes:
        b = self._letters.get(col)
        if b is None:
            b = self._letters[col] = col_letters(col).encode("ascii")
        return b

    def col_style(self, col: int) -> int:
        if self._col_styles is None:
            self._col_styles = []
            xml = self.lay.xml
            p = re.escape(self.p)
            cols = re.compile(b"<" + p + rb"cols(?=[\s>])").search(xml, 0, self.lay.sd_tag[0])
            if cols is not None:
                end = xml.find(b"</" + self.p + b"cols>", cols.end())
                col_re = re.compile(b"<" + p + rb"col(?=[\s/>])" + ATTRS + b"/?>")
                for m in col_re.finditer(xml, cols.end(), end):
                    a = {k: attr_value(v) for k, v in parse_attrs(m.group(1))}
                    try:
                        self._col_styles.append((int(a[b"min"]), int(a[b"max"]), int(a.get(b"style", b"0"))))
                    except (KeyError, ValueError):
                        continue
        for lo, hi, style in self._col_styles:
            if lo <= col <= hi:
                return style
        return 0

    def _color(self, value: object, ref: str) -> object:
        hit = self._rgb.get(value, self)
        if hit is self:
            try:
                hit = normalize_rgb(value)  # type: ignore[arg-type]
            except (ValueError, AttributeError, TypeError) as err:
                raise Refusal("bad_value", ref, f"色の指定が不正です（{value!r}）",
                              f"invalid colour {value!r} ({err})") from None
            self._rgb[value] = hit
        return hit

    # ------------------------------------------------------------ one cell

    def cell_bytes(self, row: int, col: int, patch: CellPatch, old: _Cell | None,
                   base_style: int) -> tuple[bytes | None, CellChange]:
        """The new <c> element (None: leave ``old`` as it is) and its report."""
        ctx, p = self.ctx, self.p
        letters = self.letters(col)
        ref = letters.decode() + str(row)
        try:
            kind, vtext, stored, date_kind = _encode(patch.value, ctx.date1904)
        except (ValueError, TypeError) as err:
            raise Refusal("bad_value", ref, f"書き込む値が不正です（{err}）", f"the value to write is invalid ({err})") from None
        fill = self._color(patch.fill, ref)
        font = self._color(patch.font_color, ref)
        formula = patch.formula
        if formula is not None:
            if formula.startswith("="):
                formula = formula[1:]
            if not formula.strip():
                raise Refusal("bad_value", ref, "空の数式は書き込めません", "an empty formula cannot be written")

        enc = self.enc
        if old is not None:
            old_value = old.value(ctx, enc)
            old_f = old.f
            old_formula = old.formula_text(enc) if old_f is not None else None
            old_t = old.t
            old_s = old.s
        else:
            old_value = old_f = old_formula = None
            old_t = b"n"
            old_s = 0

        # What happens to the formula.
        keep_f = False
        new_f: bytes | None = None
        if formula is not None:
            if old_f is not None and old_formula == formula:
                keep_f = True  # (a shared-formula child has no text of its own, so never equal)
            else:
                try:
                    text = escape_text(formula, ascii_only=self.lay.ascii_only, ooxml=False)
                except ValueError as err:
                    raise Refusal("bad_value", ref, f"数式が不正です（{err}）", f"the formula is invalid ({err})") from None
                new_f = b"<" + p + b"f>" + text + b"</" + p + b"f>"
        elif old_f is not None and patch.keep_formula:
            keep_f = True
        had_f = old_f is not None
        has_f = keep_f or new_f is not None
        content_same = has_f == had_f and not (had_f and not keep_f) and _same(old_value, old_t, kind, stored)
        if not content_same:
            self._check_protected(row, col, ref, old, new_f is not None or (had_f and not keep_f))

        # The style.
        numfmt = ctx.styles.date_numfmt(base_style, date_kind == 2) if date_kind else None
        if fill is MISSING and font is MISSING and numfmt is None:
            new_style = base_style
        else:
            try:
                new_style = ctx.styles.style_for(base_style, fill, font, numfmt)
            except Exception as err:  # StylesError: reported by the writer with the sheet
                err.cell = ref  # type: ignore[attr-defined]
                raise

        change = CellChange(
            ctx.sheet, ref, old_value,
            "blank" if old is None or (old.v is None and old.is_ is None) else old_t.decode(),
            old_formula, old_s, stored, formula if new_f is not None else (old_formula if keep_f else None),
            new_style, old is None, True)
        if content_same:
            if old is not None and new_style == old_s:
                return None, change._replace(changed=False)
            if old is None and not has_f and kind == "blank" and new_style == base_style == 0:
                return None, change._replace(changed=False)
            if old is not None:
                # Only the style changes: keep the children exactly.
                tail = self.lay.xml[old.inner_start:old.end] if old.inner_start >= 0 else b""
                return self._start_tag(old, letters, row, new_style, old_t if old_t != b"n" else None, True) \
                    + (b">" + tail if tail else b"/>"), change

        if had_f and not has_f:
            self.formulas_removed += 1
        elif new_f is not None and not had_f:
            self.formulas_added += 1

        children = []
        if keep_f:
            children.append(old_f)
        elif new_f is not None:
            children.append(new_f)
        t: bytes | None = None
        if kind == "n":
            children.append(b"<" + p + b"v>" + vtext + b"</" + p + b"v>")  # type: ignore[operator]
        elif kind == "str":
            text = escape_text(stored, ascii_only=self.lay.ascii_only)  # type: ignore[arg-type]
            if has_f:
                t = b"str"
                children.append(b"<" + p + b"v>" + text + b"</" + p + b"v>")
            else:
                t = b"inlineStr"
                space = b' xml:space="preserve"' if needs_preserve(stored) else b""  # type: ignore[arg-type]
                children.append(b"<" + p + b"is><" + p + b"t" + space + b">" + text + b"</" + p + b"t></" + p + b"is>")
        elif kind == "b":
            t = b"b"
            children.append(b"<" + p + b"v>" + vtext + b"</" + p + b"v>")  # type: ignore[operator]
        # kind "blank": no value; with a formula, Excel calculates it on load
        if old is not None and old.ext is not None:
            children.append(old.ext)
        body = b"".join(children)
        start = self._start_tag(old, letters, row, new_style, t, keep_f)
        return start + (b">" + body + b"</" + p + b"c>" if body else b"/>"), change

    def _start_tag(self, old: _Cell | None, letters: bytes, row: int, s: int, t: bytes | None,
                   keep_cm: bool) -> bytes:
        """``<c r=… s=… t=…`` (without the closing ">"), keeping ``old``'s other attributes."""
        if old is None or old.attrs is None:
            tag = self.lay.cell_open + letters + b"%d" % row + b'"'
            if s or (old is not None and old.has_s):
                tag += b' s="%d"' % s
            if t is not None:
                tag += b' t="' + t + b'"'
            return tag
        attrs = old.attrs
        if s or old.has_s:
            attrs = set_attr(attrs, b"s", b"%d" % s, after=(b"r",))
        attrs = set_attr(attrs, b"t", t, after=(b"r", b"s"))
        if not keep_cm:
            attrs = set_attr(attrs, b"cm", None)  # dynamic-array metadata belongs to the formula
        return b"<" + self.p + b"c" + render_attrs(attrs)

    def _check_protected(self, row: int, col: int, ref: str, old: _Cell | None, formula_changed: bool) -> None:
        header = self.ctx.table_headers.get((row, col))
        if header is not None:
            raise Refusal("table_header", ref,
                          f"テーブルの見出しセル（「{header}」）は変更できません（テーブルが壊れます）",
                          f"a table header cell ('{header}') cannot be changed (the table would break)")
        if old is not None and old.attrs is not None and any(k == b"vm" for k, _ in old.attrs):
            raise Refusal("rich_value", ref, "セル内画像などのリッチ値があるセルです。上書きすると失われます",
                          "the cell holds a rich value (an in-cell picture, ...) that would be lost")
        f_t = old.f_attrs.get(b"t", b"") if old is not None and old.f is not None else b""
        if f_t in (b"array", b"dataTable"):
            kind_ja = "配列数式" if f_t == b"array" else "データテーブル"
            kind_en = "an array formula" if f_t == b"array" else "a data table"
            rng = parse_range(old.f_attrs.get(b"ref", ref.encode()))  # type: ignore[union-attr]
            single = rng is not None and rng[0] == rng[2] and rng[1] == rng[3]
            if formula_changed:
                raise Refusal("array_formula", ref, f"{kind_ja}の数式は変更・削除できません（壊れます）",
                              f"this workbook contains {kind_en} at {ref} that would be broken by changing "
                              "or removing its formula")
            if not single:
                raise Refusal("array_formula", ref, f"複数セルにまたがる{kind_ja}の先頭セルです。値は書き換えられません",
                              f"this workbook contains {kind_en} at {ref} over several cells; its values "
                              "cannot be patched")
            return
        if self.arrays():
            for r1, c1, r2, c2, _kind in self._arrays:  # type: ignore[union-attr]
                if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                    master = col_letters(c1) + str(r1)
                    raise Refusal("array_formula", ref,
                                  f"{master} の配列数式の範囲内のセルです。書き込むと配列数式が壊れます",
                                  f"this workbook contains an array formula at {master} whose range covers {ref}; "
                                  "writing there would break it")
        if f_t == b"shared" and b"ref" in old.f_attrs and formula_changed:  # type: ignore[union-attr]
            raise Refusal("shared_formula", ref,
                          "共有数式の親セルです。数式を変えると同じ数式を共有する他のセルが壊れます",
                          f"{ref} is the master of a shared formula; changing or removing its formula would "
                          "break the cells that share it")

    # ------------------------------------------------------------ rows

    # Edits are (start, end, order, bytes). Several may start at one position: insertions (of a
    # new row, or a new cell) carry a negative order so they come before the replacement of
    # the element that starts there, ordered by their row or column.
    def run(self, patches: Sequence[CellPatch]) -> SheetResult:
        lay = self.lay
        xml = lay.xml
        patches = self._in_order(patches)
        edits: list[tuple[int, int, int, bytes]] = []
        changes: list[object] = []
        created: list[tuple[int, int]] = []
        row_nums, row_starts, n_rows, sd_end = lay.row_nums, lay.row_starts, len(lay.row_nums), lay.sd_end
        fast = lay.re_fast
        opens_get, opens = self._opens.get, self.cell_open_of
        fast_cell = self._fast_cell
        finish = self._finish_row
        add_edit, add_change = edits.append, changes.append
        # The hot loop: every patch, rows in order. A cell is searched for by its reference
        # (which names its row), from the previous hit to the next row's start; whatever the
        # fast path leaves is done by _finish_row with the row's full layout.
        cur = ri = -1
        row_start = limit = at = 0
        rtext = b""
        rest: list[tuple[int, CellPatch, _Cell | None]] = []
        exists = False
        row_first = 0  # index in changes of the row's first change
        for patch in patches:
            r, col = patch.row + 1, patch.col + 1
            if r != cur:
                if rest:
                    finish(cur, ri if exists else ~ri, rest, edits, changes, created, row_first)
                    rest = []
                row_first = len(changes)
                cur = r
                ri = bisect_left(row_nums, r, ri if ri > 0 else 0)
                exists = ri < n_rows and row_nums[ri] == r
                if exists:
                    row_start = at = row_starts[ri]
                    limit = row_starts[ri + 1] if ri + 1 < n_rows else sd_end
                    rtext = b'%d"' % r
            if not exists:
                rest.append((col, patch, None))
                continue
            needle = (opens_get(col) or opens(col)) + rtext
            pos = xml.find(needle, at, limit)
            if pos < 0 and at != row_start:
                pos = xml.find(needle, row_start, at)  # cells out of order
            if pos < 0:
                rest.append((col, patch, None))
                continue
            m = fast.match(xml, pos)
            if m is None:
                rest.append((col, patch, _Cell.general(lay, pos, lay.re_cell.match(xml, pos))))  # type: ignore[arg-type]
                continue
            at = m.end()
            result = fast_cell(r, needle, col, patch, m)
            if result is None:
                rest.append((col, patch, _Cell.fast(m, self.p)))
                continue
            add_change(result[1])
            if result[0] is not None:
                add_edit((pos, at, 0, result[0]))
        if rest:
            finish(cur, ri if exists else ~ri, rest, edits, changes, created, row_first)
        if not edits:
            return SheetResult(None, changes, 0, 0)  # type: ignore[arg-type]
        if created:
            self._widen_dimension(edits, created)
        p = self.p
        if lay.sd_empty:
            # <sheetData/>: the new rows go between a new start and end tag.
            here = lay.sd_start
            inner = sorted((e for e in edits if e[0] == here and e[1] == here), key=lambda e: e[2])
            others = [e for e in edits if not (e[0] == here and e[1] == here)]
            new_sd = (b"<" + p + b"sheetData" + lay.sd_attrs.rstrip() + b">" + b"".join(e[3] for e in inner)
                      + b"</" + p + b"sheetData>")
            edits = others + [(lay.sd_tag[0], lay.sd_tag[1], 0, new_sd)]
        # (start, end, order): an insertion (start == end) sorts before the replacement that
        # starts where it goes; insertions at one place by their order.
        edits.sort()
        view = memoryview(xml)
        out: list[object] = []
        push = out.append
        pos = 0
        for a, b, _, text in edits:
            if a < pos:
                raise AssertionError("overlapping edits")
            push(view[pos:a])
            push(text)
            pos = b
        push(view[pos:])
        return SheetResult(b"".join(out), changes, self.formulas_added, self.formulas_removed)  # type: ignore[arg-type]

    def _in_order(self, patches: Sequence[CellPatch]) -> Sequence[CellPatch]:
        """The patches by row and column (callers usually give them so: then this only checks);
        two patches for one cell are refused."""
        pr = pc = -1
        for patch in patches:
            r, c = patch.row, patch.col
            if r < pr or (r == pr and c <= pc):
                break
            pr, pc = r, c
        else:
            return patches
        ordered = sorted(patches, key=lambda q: (q.row, q.col))
        for a, b in zip(ordered, ordered[1:]):
            if a.row == b.row and a.col == b.col:
                raise Refusal("duplicate_patch", col_letters(a.col + 1) + str(a.row + 1),
                              "同じセルへの書き込みが 2 つあります", "two patches for the same cell")
        return ordered

    def _finish_row(self, r: int, i: int, rest: list[tuple[int, CellPatch, _Cell | None]], edits: list,
                    changes: list, created: list[tuple[int, int]], row_first: int) -> None:
        """Patch what the fast path left in row ``r`` (row index ``i``, or ~insertion point when
        the row does not exist): cells in another form, protected cells, new cells, new rows.
        The row's changes are put back in column order (the fast path's came first)."""
        done = changes[row_first:]
        del changes[row_first:]
        mine: list[tuple[int, object]] = []
        self._finish_row_cells(r, i, rest, edits, mine, created)
        merged = [(rec[1], rec) for rec in done] + mine  # fast-path records carry their column second
        merged.sort(key=lambda x: x[0])
        changes.extend(rec for _, rec in merged)

    def _finish_row_cells(self, r: int, i: int, rest: list[tuple[int, CellPatch, _Cell | None]], edits: list,
                          changes: list[tuple[int, object]], created: list[tuple[int, int]]) -> None:
        lay, p = self.lay, self.p
        xml = lay.xml
        if i < 0:
            cells = []
            for col, patch, _ in rest:
                new, change = self.cell_bytes(r, col, patch, None, self.col_style(col))
                changes.append((col, change))
                if new is not None:
                    cells.append(new)
                    created.append((r, col))
            if cells:
                at = ~i
                pos = lay.row_starts[at] if at < len(lay.row_starts) else lay.sd_end
                edits.append((pos, pos, r - _BEFORE, b"<" + p + b'row r="%d">' % r + b"".join(cells) + lay.row_close))
            return
        found = {col: cell for col, _, cell in rest if cell is not None}
        missing = len(found) < len(rest)
        row_start, content_start, row_end, empty = lay.row_bounds(i)
        content_end = row_end - len(lay.row_close) if not empty else row_end
        positions: list[tuple[int, int]] = []  # (col, start) of every cell, when a cell is added
        if missing:
            last = 0
            wanted = {col for col, _, _ in rest}
            for m in lay.re_cell.finditer(xml, content_start, content_end):
                ref = next((attr_value(v) for k, v in parse_attrs(m.group(1)) if k == b"r"), b"")
                rc = parse_ref(ref)
                shown = ref[:20].decode("ascii", "replace")
                if rc is None or rc[0] != r:
                    raise Refusal("unexpected_xml", shown, f"セル参照 {shown} が行 {r} と合いません",
                                  f"the cell reference {shown} does not match its row {r}")
                if rc[1] <= last:
                    raise Refusal("cell_order", shown, f"{r} 行目のセルが列の順に並んでいません",
                                  f"the cells of row {r} are not in column order")
                last = rc[1]
                positions.append((rc[1], m.start()))
                if rc[1] in wanted and rc[1] not in found:
                    found[rc[1]] = _Cell.general(lay, m.start(), m)
        for c in found.values():
            if not content_start <= c.start < content_end:
                raise Refusal("unexpected_xml", None, f"{r} 行目のセルが行の外にあります",
                              f"a cell of row {r} lies outside its row element")
        row_style: int | None = None
        inserted: list[tuple[int, bytes]] = []
        tag = None
        for col, patch, _ in rest:
            old = found.get(col)
            if old is not None:
                new, change = self.cell_bytes(r, col, patch, old, old.s)
                changes.append((col, change))
                if new is not None:
                    edits.append((old.start, old.end, 0, new))
                continue
            if row_style is None:
                tag = lay.row_tag(i)
                row_style = self._row_style(tag)
            base = row_style if row_style >= 0 else self.col_style(col)
            new, change = self.cell_bytes(r, col, patch, None, base)
            changes.append((col, change))
            if new is not None:
                inserted.append((col, new))
                created.append((r, col))
        if not inserted:
            return
        if tag is None:
            tag = lay.row_tag(i)
        attrs = parse_attrs(tag.group(1))
        new_attrs = self._spans(attrs, [c for c, _ in inserted])
        if empty:
            edits.append((row_start, row_end, 0, b"<" + p + b"row" + render_attrs(new_attrs) + b">"
                          + b"".join(b for _, b in inserted) + lay.row_close))
            return
        for col, new in inserted:
            at = next((start for c, start in positions if c > col), content_end)
            edits.append((at, at, col - _BEFORE, new))
        if new_attrs != attrs:
            edits.append((row_start, content_start, 0, b"<" + p + b"row" + render_attrs(new_attrs) + b">"))

    def _make_fast_cell(self) -> Callable[..., tuple[bytes | None, CellChange] | None]:
        """cell_bytes for the common case, as a closure over everything it needs (this runs for
        every patched cell): an existing cell in Excel's form, a plain number or text, no
        formula to set, nothing protected. Returns None to take the general path."""
        ctx, lay, p = self.ctx, self.lay, self.p
        sheet, headers, enc, ascii_only = ctx.sheet, ctx.table_headers, self.enc, lay.ascii_only
        shared_string, style_for = ctx.shared_string, ctx.styles.style_for
        rgb = self._rgb
        arrays = self.arrays
        styles_cache: dict[tuple[int, object, object], int] = {}
        # The new cell, after '<c r="J6"' (p: the namespace prefix, "" or "x:").
        f = b"<" + p + b"f>%s</" + p + b"f>"
        v = b"<" + p + b"v>%s</" + p + b"v></" + p + b"c>"
        t_inline = b"<" + p + b"is><" + p + b"t%s>%s</" + p + b"t></" + p + b"is></" + p + b"c>"
        num_f_s, num_f = b' s="%d">' + f + v, b">" + f + v
        num_s, num = b' s="%d">' + v, b">" + v
        str_f_s, str_f = b' s="%d" t="str">' + f + v, b' t="str">' + f + v
        inline_s, inline = b' s="%d" t="inlineStr">' + t_inline, b' t="inlineStr">' + t_inline
        num_f_s, num_f, num_s, num, str_f_s, str_f, inline_s, inline = (
            b"%s" + x for x in (num_f_s, num_f, num_s, num, str_f_s, str_f, inline_s, inline))
        hdr_rows = [r for r, _ in headers]
        hdr_lo, hdr_hi = (min(hdr_rows), max(hdr_rows)) if hdr_rows else (0, -1)
        has_arrays: bool | None = None
        new_change = tuple.__new__
        escaped_cache: dict[str, bytes] = {}
        escaped_get = escaped_cache.get

        def escaped(text: str) -> bytes | None:
            try:
                b = escape_text(text, ascii_only=ascii_only)
            except UnicodeEncodeError:
                return None  # lone surrogates: refused on the general path
            if len(escaped_cache) < 4096 and len(text) < 256:
                escaped_cache[text] = b  # recompute writes a few labels many times
            return b

        missing = MISSING
        inf, ninf = _INF, _NINF

        def fast_cell(row: int, needle: bytes, col: int, patch: CellPatch,
                      m: re.Match[bytes]) -> tuple[bytes | None, tuple] | None:
            # needle: '<c r="J6"', the start of the new tag too
            value = patch.value
            tv = type(value)
            if tv is float:
                if value != value or value == inf or value == ninf:
                    return None
                vtext = b"%d" % value if value.is_integer() and -1e15 < value < 1e15 else repr(value).encode()
                is_text, stored = False, value
            elif tv is int:
                vtext, is_text, stored = b"%d" % value, False, float(value)
            elif tv is str and value and len(value) <= EXCEL_MAX_TEXT:
                vtext, is_text, stored = None, True, value
            else:
                return None
            _, s_txt, t, empty, f_body, v = m.groups()
            if patch.formula is not None or (f_body is not None and not patch.keep_formula):
                return None
            raw_fill, raw_font = patch.fill, patch.font_color
            if t is None or t == b"n":
                if v:
                    try:
                        old = float(v)
                    except ValueError:
                        return None
                else:
                    old = None if v is None else ""  # XlsxWriter writes <v></v> for a formula's ""
                same = not is_text and old == stored
                old_type = "n" if v is not None else "blank"
            elif t == b"str":
                # the old text stays raw (decoded only if the report is read); same text, same bytes
                old = v
                text = None
                if is_text:
                    text = escaped_get(value) or escaped(value)
                    if text is None:
                        return None
                same = is_text and v == text
                old_type = "str" if v is not None else "blank"
            elif t == b"s":
                if v is None:
                    old = None
                else:
                    try:
                        old = shared_string(int(v))
                    except ValueError:
                        return None
                same = is_text and old == stored
                old_type = "s" if v is not None else "blank"
            else:
                return None  # booleans, errors, inline strings: the general path
            if not same:
                nonlocal has_arrays
                if has_arrays is None:
                    has_arrays = bool(arrays())
                if has_arrays or (headers and hdr_lo <= row <= hdr_hi and (row, col) in headers):
                    return None  # may be protected: the general path checks
            old_s = int(s_txt) if s_txt is not None else 0
            if raw_fill is missing and raw_font is missing:
                new_s = old_s
            else:
                key = (old_s, raw_fill, raw_font)
                new_s = styles_cache.get(key, -1)
                if new_s < 0:
                    fill = rgb.get(raw_fill, rgb)
                    font = rgb.get(raw_font, rgb)
                    if fill is rgb or font is rgb:
                        return None  # a colour not seen yet: checked on the general path, then cached
                    new_s = styles_cache[key] = style_for(old_s, fill, font, None)
            if same and new_s == old_s:
                return None, (decode, col, row, old, old_type, f_body, old_s, stored, new_s, False)
            with_s = new_s or s_txt is not None
            if not same:
                # one %-format per cell; f_body is the <f> text exactly as stored
                if not is_text:
                    if f_body is not None:
                        new = num_f_s % (needle, new_s, f_body, vtext) if with_s else num_f % (needle, f_body, vtext)
                    else:
                        new = num_s % (needle, new_s, vtext) if with_s else num % (needle, vtext)
                else:
                    if t != b"str":
                        text = escaped_get(value) or escaped(value)
                        if text is None:
                            return None
                    if f_body is not None:
                        new = str_f_s % (needle, new_s, f_body, text) if with_s else str_f % (needle, f_body, text)
                    else:
                        space = b' xml:space="preserve"' if needs_preserve(value) else b""
                        new = inline_s % (needle, new_s, space, text) if with_s else inline % (needle, space, text)
                return new, (decode, col, row, old, old_type, f_body, old_s, stored, new_s, True)
            # the same value, another style: the children stay exactly as they were
            tag = needle + b' s="%d"' % new_s if with_s else needle
            if t is not None and t != b"n":
                tag += b' t="' + t + b'"'
            if empty is not None:
                new = tag + b"/>"
            else:
                last = m.end(3) if t is not None else m.end(2) if s_txt is not None else m.end(1)
                new = tag + m.string[last + 1:m.end()]  # from the start tag's ">" on
            return new, (decode, col, row, old, old_type, f_body, old_s, stored, new_s, True)

        def decode(rec: tuple) -> CellChange:
            _, col, row, old, old_type, f_body, old_s, stored, new_s, changed = rec
            if f_body is None:
                formula = None
            elif b"&" in f_body or b"\r" in f_body:
                formula = unescape_text(f_body, enc, ooxml=False)
            else:
                formula = f_body.decode(enc, "replace")
            if type(old) is bytes:
                old = unescape_text(old, enc)
            return new_change(CellChange, (sheet, col_letters(col) + str(row), old, old_type, formula, old_s,
                                           stored, formula, new_s, False, changed))

        return fast_cell

    @staticmethod
    def _row_style(tag: re.Match[bytes]) -> int:
        """The row's own style when it has one (customFormat), else -1."""
        a = {k: attr_value(v) for k, v in parse_attrs(tag.group(1))}
        if a.get(b"customFormat") in (b"1", b"true") and b"s" in a:
            try:
                return int(a[b"s"])
            except ValueError:
                return -1
        return -1

    @staticmethod
    def _spans(attrs: list[tuple[bytes, bytes]], cols: list[int]) -> list[tuple[bytes, bytes]]:
        # spans ("1:24") is an optimisation hint, but keep it true.
        for k, v in attrs:
            if k == b"spans":
                nums = [int(x) for x in re.findall(rb"\d+", attr_value(v))]
                if not nums:
                    return attrs
                lo, hi = min(nums + cols), max(nums + cols)
                if lo == min(nums) and hi == max(nums):
                    return attrs
                return set_attr(attrs, b"spans", f"{lo}:{hi}".encode())
        return attrs

    def _widen_dimension(self, edits: list, created: list[tuple[int, int]]) -> None:
        lay, p = self.lay, self.p
        xml = lay.xml
        m = re.compile(b"<" + re.escape(p) + rb"dimension(?=[\s/>])" + ATTRS + b"(/?)>").search(xml, 0, lay.sd_tag[0])
        if m is None:
            return
        attrs = parse_attrs(m.group(1))
        ref = next((attr_value(v) for k, v in attrs if k == b"ref"), None)
        rng = parse_range(ref) if ref else None
        if rng is None:
            return
        rows = [r for r, _ in created]
        cols = [c for _, c in created]
        if not len(lay.row_nums):
            nr1, nc1, nr2, nc2 = min(rows), min(cols), max(rows), max(cols)  # "A1" of an empty sheet
        else:
            r1, c1, r2, c2 = rng
            nr1, nc1, nr2, nc2 = min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols)
            if (nr1, nc1, nr2, nc2) == rng:
                return
        first, last = col_letters(nc1) + str(nr1), col_letters(nc2) + str(nr2)
        new_ref = first if first == last else f"{first}:{last}"
        new_attrs = set_attr(attrs, b"ref", new_ref.encode())
        edits.append((m.start(), m.end(), 0, b"<" + p + b"dimension" + render_attrs(new_attrs)
                      + (b"/>" if m.group(2) else b">")))


def patch_sheet(xml: bytes, patches: Sequence[CellPatch], ctx: SheetContext) -> SheetResult:
    """Apply ``patches`` (all for this sheet, rows and columns already checked to be in Excel's
    grid) to the worksheet part ``xml``."""
    return _SheetPatcher(xml, ctx).run(patches)
