"""Small byte-level helpers for SpreadsheetML: cell references, attributes, text escaping,
serial dates and number formats."""

from __future__ import annotations

import datetime as dt
import re

# The grid's limits and column letters are the preflight's: one definition for both layers
# (re-exported here for the writer's modules).
from isms_xl.io.xlsx_common import (  # noqa: F401
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    col_letters,
    col_number,
)

EXCEL_MAX_TEXT = 32_767

# --------------------------------------------------------------------------------------------
# References

def cell_ref(row: int, col: int) -> str:
    """1-based row and column -> "D5"."""
    return f"{col_letters(col)}{row}"


_REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")


def parse_ref(ref: bytes) -> tuple[int, int] | None:
    """b"D5" -> (5, 4) (1-based row, col), None when it is not a plain cell reference."""
    m = _REF.match(ref)
    if m is None:
        return None
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: bytes) -> tuple[int, int, int, int] | None:
    """b"A1:C3" or b"B2" -> (row1, col1, row2, col2), 1-based, inclusive."""
    parts = ref.strip().split(b":")
    if len(parts) > 2:
        return None
    ends = [parse_ref(p.strip()) for p in parts]
    if any(e is None for e in ends):
        return None
    (r1, c1), (r2, c2) = ends[0], ends[-1]  # type: ignore[misc]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


# --------------------------------------------------------------------------------------------
# Attributes

# Attribute text that honours quotes (a ">" may appear inside a quoted value).
ATTRS = rb"""((?:[^>"']|"[^"]*"|'[^']*')*?)"""
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*("[^"]*"|'[^']*')""")


def parse_attrs(attrs: bytes) -> list[tuple[bytes, bytes]]:
    """Attribute names and their quoted values (quotes kept), in document order."""
    return _ATTR.findall(attrs)


def attr_value(quoted: bytes) -> bytes:
    return quoted[1:-1]


def render_attrs(attrs: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(b" " + k + b"=" + v for k, v in attrs)


def set_attr(attrs: list[tuple[bytes, bytes]], name: bytes, value: bytes | None,
             after: tuple[bytes, ...] = ()) -> list[tuple[bytes, bytes]]:
    """Set (or with None remove) an attribute, keeping the others' order; a new attribute goes
    right after the last of ``after`` present, else at the end."""
    out = []
    done = value is None
    for k, v in attrs:
        if k == name:
            if value is not None and not done:
                out.append((k, b'"' + value + b'"'))
                done = True
            continue
        out.append((k, v))
    if not done:
        pos = len(out)
        for i, (k, _) in enumerate(out):
            if k in after:
                pos = i + 1
        out.insert(pos, (name, b'"' + value + b'"'))  # type: ignore[operator]
    return out


# --------------------------------------------------------------------------------------------
# Text

# XML 1.0 forbids most control characters; Excel writes them as _xHHHH_ and escapes a literal
# "_xHHHH_" in the text as "_x005F_xHHHH_" (calamine and Excel undo both; openpyxl does not
# for inline strings). A CR is written as a character reference, which every XML parser keeps
# (a raw CR would be read as LF).
_NEEDS_OOXML_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_OOXML_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    return f"_x{ord(ch):04X}_"


def escape_text(text: str, *, ascii_only: bool = False, ooxml: bool = True) -> bytes:
    """Text for an element's content (a <t>, <v> or <f>), as bytes of the part's encoding.
    ``ooxml=False`` (formulas): no _xHHHH_ escaping; control characters are refused."""
    if ooxml:
        if _NEEDS_OOXML_ESCAPE.search(text):
            text = _NEEDS_OOXML_ESCAPE.sub(_ooxml_escape, text)
    elif _XML_ILLEGAL.search(text):
        raise ValueError("control characters in a formula")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if ascii_only:
        return text.encode("ascii", "xmlcharrefreplace")
    return text.encode("utf-8")


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED[name]


def unescape_text(raw: bytes, encoding: str = "utf-8", *, ooxml: bool = True) -> str:
    if b"&#" not in raw and b"\r" not in raw:
        # The five named entities are all Excel writes; replacing them is much faster than a
        # regex with a callback ("&amp;" last, so "&amp;lt;" stays "&lt;").
        raw = (raw.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&quot;", b'"')
               .replace(b"&apos;", b"'").replace(b"&amp;", b"&"))
        text = raw.decode(encoding, "replace")
        if ooxml and "_x" in text:
            text = _OOXML_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        return text
    text = raw.decode(encoding, "replace")
    if "\r" in text:  # as an XML parser does, before character references are expanded
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    if ooxml and "_x" in text:
        text = _OOXML_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def ooxml_unescape(text: str) -> str:
    """Undo Excel's _xHHHH_ escapes in text an XML parser has already decoded."""
    if "_x" not in text:
        return text
    return _OOXML_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def needs_preserve(text: str) -> bool:
    return bool(text) and (text[0].isspace() or text[-1].isspace() or "\n" in text or "\t" in text)


# --------------------------------------------------------------------------------------------
# Numbers and dates

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def date_serial(value: dt.date, date1904: bool) -> float:
    """Excel's serial number for a date or datetime (1900 system with its 1900-02-29 quirk, or
    the 1904 system)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("a datetime with a time zone (Excel has none)")
        moment = value
    else:
        moment = dt.datetime(value.year, value.month, value.day)
    delta = moment - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    if not date1904 and serial < 61:
        # Excel counts a 29 February 1900 that never was: serials 1..59 are one day "late".
        serial -= 1
        if serial < 1:
            raise ValueError("a date before 1900-01-01 (Excel cannot store it)")
    if date1904 and serial < 0:
        raise ValueError("a date before 1904-01-01 (the workbook uses the 1904 date system)")
    return serial


# Built-in number formats that are dates or times (ECMA-376 18.8.30 and the East Asian ids
# Excel uses in Japanese: 27-36, 50-58).
BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
FMT_DATE = 14  # "m/d/yyyy"; Excel shows it in the system's short date (yyyy/m/d in Japan)
FMT_DATETIME = 22  # "m/d/yyyy h:mm"

_STRIP_FORMAT = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)
_DATE_TOKEN = re.compile(r"[dmyhs]|\[[hms]+\]", re.IGNORECASE)


def is_date_format(fmt_id: int, code: str | None) -> bool:
    if code is None:
        return fmt_id in BUILTIN_DATE_FORMATS
    stripped = _STRIP_FORMAT.sub("", code.split(";")[0]).replace("General", "").replace("general", "")
    return bool(_DATE_TOKEN.search(stripped))


def normalize_rgb(color: str) -> str:
    """"RRGGBB", "#RRGGBB" or "AARRGGBB" -> "FFRRGGBB" / "AARRGGBB" (upper case)."""
    c = color.strip().lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}", c):
        raise ValueError(f"not an RRGGBB colour: {color!r}")
    c = c.upper()
    return c if len(c) == 8 else "FF" + c
