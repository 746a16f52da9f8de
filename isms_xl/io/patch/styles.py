"""Append cell formats to xl/styles.xml without re-serialising it.

A patched cell that needs another fill, font colour or (for a date) number format gets a clone of
its own <xf> with just that changed, so its borders, alignment, protection, number format and
font stay as they were. New <fill>, <font> and <xf> entries are appended before the closing tag
of their list and the list's count is updated; everything else in the part keeps its bytes.
Identical entries are reused (an existing one with the same bytes, or one added earlier), so
writing the same colours again does not grow the part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from isms_xl.io.patch.xmltext import (
    ATTRS,
    FMT_DATE,
    FMT_DATETIME,
    attr_value,
    is_date_format,
    parse_attrs,
    render_attrs,
    set_attr,
    unescape_text,
)

__all__ = ["Styles", "StylesError"]

# Excel refuses to open a workbook with more cell formats than this.
MAX_CELL_XFS = 64_000


class StylesError(Exception):
    """styles.xml cannot be edited (``reason`` says why)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class _List:
    """One list element (<cellXfs>, <fills>, <fonts>) located in the part."""

    start_tag: tuple[int, int]  # span of the start tag
    close: int  # position of the closing tag (new entries go here)
    items: list[bytes]  # each entry, as stored
    attrs: bytes  # attributes of the start tag
    self_closing: bool


class Styles:
    def __init__(self, xml: bytes | None, prefix: bytes = b"") -> None:
        self.xml = xml
        self.p = prefix
        self.added_xfs: list[bytes] = []
        self.added_fills: list[bytes] = []
        self.added_fonts: list[bytes] = []
        self._cache: dict[tuple[int, object, object, int | None], int] = {}
        if xml is None:
            self.xfs = self.fills = self.fonts = None
            self.numfmts: dict[int, str] = {}
            return
        self.xfs = self._list(b"cellXfs", b"xf")
        self.fills = self._list(b"fills", b"fill")
        self.fonts = self._list(b"fonts", b"font")
        self.numfmts = self._numfmts()
        self._xf_index = {b: i for i, b in reversed(list(enumerate(self.xfs.items)))} if self.xfs else {}
        self._fill_index = {b: i for i, b in reversed(list(enumerate(self.fills.items)))} if self.fills else {}
        self._font_index = {b: i for i, b in reversed(list(enumerate(self.fonts.items)))} if self.fonts else {}
        self._xf_attrs: dict[int, dict[bytes, bytes]] = {}

    # ---------------------------------------------------------------- reading

    def _list(self, outer: bytes, inner: bytes) -> _List | None:
        p = re.escape(self.p)
        m = re.search(b"<" + p + outer + rb"(?=[\s/>])" + ATTRS + rb"(/?)>", self.xml)
        if m is None:
            return None
        if m.group(2):
            return _List((m.start(), m.end()), m.end(), [], m.group(1), True)
        close = self.xml.find(b"</" + self.p + outer + b">", m.end())
        if close < 0:
            raise StylesError("styles", f"<{outer.decode()}> is not closed")
        item = re.compile(b"<" + p + inner + rb"(?=[\s/>])" + ATTRS + b"(?:/>|>.*?</" + p + inner + b">)", re.S)
        items = [x.group(0) for x in item.finditer(self.xml, m.end(), close)]
        return _List((m.start(), m.end()), close, items, m.group(1), False)

    def _numfmts(self) -> dict[int, str]:
        out: dict[int, str] = {}
        p = re.escape(self.p)
        for m in re.finditer(b"<" + p + rb"numFmt(?=[\s/>])" + ATTRS + b"/?>", self.xml):
            a = {k: attr_value(v) for k, v in parse_attrs(m.group(1))}
            try:
                out[int(a.get(b"numFmtId", b""))] = unescape_text(a.get(b"formatCode", b""), ooxml=False)
            except ValueError:
                continue
        return out

    def xf_count(self) -> int:
        return len(self.xfs.items) + len(self.added_xfs) if self.xfs else 0

    def _xf(self, s: int) -> bytes:
        if self.xfs is None:
            raise StylesError("styles", "styles.xml has no <cellXfs>")
        if 0 <= s < len(self.xfs.items):
            return self.xfs.items[s]
        if 0 <= s - len(self.xfs.items) < len(self.added_xfs):
            return self.added_xfs[s - len(self.xfs.items)]
        raise StylesError("style_index", f"cell style index {s} is not in <cellXfs>")

    def xf_attrs(self, s: int) -> dict[bytes, bytes]:
        a = self._xf_attrs.get(s)
        if a is None:
            xf = self._xf(s)
            m = re.match(b"<" + re.escape(self.p) + b"xf" + ATTRS + b"/?>", xf)
            a = {k: attr_value(v) for k, v in parse_attrs(m.group(1))} if m else {}
            self._xf_attrs[s] = a
        return a

    def _int_attr(self, s: int, name: bytes) -> int:
        try:
            return int(self.xf_attrs(s).get(name, b"0"))
        except ValueError:
            return 0

    def is_date(self, s: int) -> bool:
        if self.xfs is None or s < 0 or s >= self.xf_count():
            return False
        fmt = self._int_attr(s, b"numFmtId")
        return is_date_format(fmt, self.numfmts.get(fmt))

    # ---------------------------------------------------------------- adding

    def style_for(self, s: int, fill: object, font_color: object, numfmt: int | None) -> int:
        """The xf index for style ``s`` with ``fill`` / ``font_color`` ("FFRRGGBB", None, or
        the MISSING sentinel for "leave") and ``numfmt`` (None: leave)."""
        key = (s, fill, font_color, numfmt)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if self.xfs is None:
            raise StylesError("styles", "styles.xml has no <cellXfs>")
        xf = self._xf(s)
        attrs_m = re.match(b"<" + re.escape(self.p) + b"xf" + ATTRS + b"(/?)>", xf)
        if attrs_m is None:
            raise StylesError("styles", f"cannot read cell style {s}")
        attrs = parse_attrs(attrs_m.group(1))
        body = xf[attrs_m.end():] if not attrs_m.group(2) else b""
        new_attrs = attrs
        if isinstance(fill, str) or fill is None:
            fid = self._fill_id(fill)
            new_attrs = set_attr(new_attrs, b"fillId", str(fid).encode(), after=(b"fontId", b"numFmtId"))
            if fid:
                new_attrs = set_attr(new_attrs, b"applyFill", b"1")
        if isinstance(font_color, str) or font_color is None:
            fid = self._font_id(self._int_attr(s, b"fontId"), font_color)
            new_attrs = set_attr(new_attrs, b"fontId", str(fid).encode(), after=(b"numFmtId",))
            new_attrs = set_attr(new_attrs, b"applyFont", b"1")
        if numfmt is not None:
            new_attrs = set_attr(new_attrs, b"numFmtId", str(numfmt).encode())
            new_attrs = set_attr(new_attrs, b"applyNumberFormat", b"1")
        if new_attrs == attrs:
            self._cache[key] = s
            return s
        new = b"<" + self.p + b"xf" + render_attrs(new_attrs) + (b">" + body if body else b"/>")
        index = self._xf_index.get(new)
        if index is None:
            index = len(self.xfs.items) + len(self.added_xfs)
            if index >= MAX_CELL_XFS:
                raise StylesError("too_many_styles", f"more than {MAX_CELL_XFS:,} cell formats")
            self.added_xfs.append(new)
            self._xf_index[new] = index
        self._cache[key] = index
        return index

    def date_numfmt(self, s: int, with_time: bool) -> int | None:
        """The number format to add so a date shows as one, None when ``s`` already shows dates."""
        if self.is_date(s):
            return None
        return FMT_DATETIME if with_time else FMT_DATE

    def _fill_id(self, rgb: str | None) -> int:
        if self.fills is None:
            raise StylesError("styles", "styles.xml has no <fills>")
        p = self.p
        if rgb is None:
            for i, f in enumerate(self.fills.items):
                if re.search(rb'patternType="none"', f) or re.fullmatch(b"<" + re.escape(p) + rb"fill\s*/>", f):
                    return i
            new = b"<" + p + b'fill><' + p + b'patternFill patternType="none"/></' + p + b"fill>"
        else:
            new = (b"<" + p + b"fill><" + p + b'patternFill patternType="solid"><' + p + b'fgColor rgb="'
                   + rgb.encode() + b'"/><' + p + b'bgColor indexed="64"/></' + p + b"patternFill></"
                   + p + b"fill>")
        index = self._fill_index.get(new)
        if index is None:
            index = len(self.fills.items) + len(self.added_fills)
            self.added_fills.append(new)
            self._fill_index[new] = index
        return index

    def _font_id(self, base: int, rgb: str | None) -> int:
        if self.fonts is None:
            raise StylesError("styles", "styles.xml has no <fonts>")
        fonts = self.fonts.items + self.added_fonts
        if not 0 <= base < len(fonts):
            raise StylesError("style_index", f"font index {base} is not in <fonts>")
        font = fonts[base]
        p = re.escape(self.p)
        m = re.match(b"<" + p + b"font" + ATTRS + b"(/?)>", font)
        if m is None:
            raise StylesError("styles", f"cannot read font {base}")
        start = font[:m.end()] if not m.group(2) else font[:m.end() - 2].rstrip() + b">"
        body = font[m.end():-len(b"</" + self.p + b"font>")] if not m.group(2) else b""
        body = re.sub(b"<" + p + rb"color(?=[\s/>])" + ATTRS + b"(?:/>|>.*?</" + p + b"color>)", b"", body, flags=re.S)
        if rgb is not None:
            color = b"<" + self.p + b'color rgb="' + rgb.encode() + b'"/>'
            sz = re.search(b"<" + p + rb"sz(?=[\s/>])" + ATTRS + b"/>", body)
            at = sz.end() if sz else 0
            body = body[:at] + color + body[at:]
        new = start + body + b"</" + self.p + b"font>"
        if new == font:
            return base
        index = self._font_index.get(new)
        if index is None:
            index = len(self.fonts.items) + len(self.added_fonts)
            self.added_fonts.append(new)
            self._font_index[new] = index
        return index

    # ---------------------------------------------------------------- writing

    def render(self) -> bytes | None:
        """The new styles.xml, or None when nothing was added."""
        if not (self.added_xfs or self.added_fills or self.added_fonts):
            return None
        edits: list[tuple[int, int, bytes]] = []
        for lst, added, name in ((self.fills, self.added_fills, b"fills"), (self.fonts, self.added_fonts, b"fonts"),
                                 (self.xfs, self.added_xfs, b"cellXfs")):
            if not added:
                continue
            assert lst is not None
            count = str(len(lst.items) + len(added)).encode()
            attrs = set_attr(parse_attrs(lst.attrs), b"count", count)
            start = b"<" + self.p + name + render_attrs(attrs) + b">"
            if lst.self_closing:
                edits.append((lst.start_tag[0], lst.start_tag[1], start + b"".join(added) + b"</" + self.p + name + b">"))
            else:
                edits.append((lst.start_tag[0], lst.start_tag[1], start))
                edits.append((lst.close, lst.close, b"".join(added)))
        edits.sort()
        out = []
        pos = 0
        for a, b, text in edits:
            out.append(self.xml[pos:a])
            out.append(text)
            pos = b
        out.append(self.xml[pos:])
        return b"".join(out)
