"""The small XML parts preflight parses whole, with defusedxml: content types, the workbook and
its relationships, sheet relationships, styles, the theme's colours and table parts.

Each is read through preflight's member reader first (size-capped, DOCTYPE refused), so the
parser only ever sees bytes that passed those checks.
"""

from __future__ import annotations

import colorsys
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeET

from isms_xl.io.xlsx_common import Where

__all__ = ["DefinedName", "TableInfo"]

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"

_CT_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xlsx", False),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ("xlsm", False),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": ("xlsx", True),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": ("xlsm", True),
}
_CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_SHEET_TYPES = {  # relationship type (its last path segment) -> SheetInfo.type
    "worksheet": "worksheet",
    "chartsheet": "chartsheet",
    "dialogsheet": "dialogsheet",
    "xlMacrosheet": "macrosheet",
    "xlIntlMacrosheet": "macrosheet",
}
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_SAVE_AS_JA = "Excel で開いて .xlsx で保存してください"
_SAVE_AS_EN = "open it in Excel and save as .xlsx"


@dataclass(frozen=True)
class DefinedName:
    """A ``<definedName>`` of xl/workbook.xml, in file order (print areas and titles too)."""

    name: str  # e.g. "ISMS_DocNo", "_xlnm.Print_Area"
    sheet: str | None  # the sheet a sheet-scoped name (localSheetId) belongs to; None: workbook
    ref: str  # the formula as written, e.g. "'SE-001'!$C$4"
    hidden: bool


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject) on a sheet, from its xl/tables/tableN.xml part."""

    name: str  # displayName: what structured references (T_B02[列]) use
    ref: str  # e.g. "A5:X460", header and totals rows included
    header_row_count: int  # 1, or 0 for a table without a header row
    totals_row_count: int
    columns: tuple[str, ...]  # the tableColumn names, _xHHHH_ escapes decoded
    part: str  # the zip member


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes, part: str, where: Where, sheet: str | None = None) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except Exception:  # noqa: BLE001 - defusedxml/expat raise several types; all mean "bad XML"
        # DTDs were refused by the prolog check already; what is left is malformed XML.
        raise where.corrupt("bad_xml", f"部品 {part} の XML が壊れています",
                            f"the XML of {part} is malformed", sheet) from None


def resolve_target(target: str, base: str = "xl") -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(base, target))


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true")


# --------------------------------------------------------------------------------------------
# Content types and the workbook

def workbook_kind(ct_xml: bytes, where: Where) -> tuple[str, bool]:
    root = parse_xml(ct_xml, CONTENT_TYPES, where)
    main: list[tuple[str, str]] = []  # (part name, content type)
    defaults: set[str] = set()
    for el in root:
        tag = local(el.tag)
        ctype = el.get("ContentType", "")
        if tag == "Override" and (ctype in _CT_MAIN or ctype == _CT_ADDIN):
            main.append((el.get("PartName", ""), ctype))
        elif tag == "Default":
            defaults.add(ctype)
    if not main:
        # openpyxl falls back to a Default of a workbook type (some writers reassign .xml).
        fallback = [ct for ct in _CT_MAIN if ct in defaults]
        if not fallback:
            raise where.corrupt("content_types", "ブック本体の種類が [Content_Types].xml にありません",
                                "[Content_Types].xml declares no workbook part")
        main = [("/" + WORKBOOK, fallback[0])]
    if len(main) > 1 or main[0][0].lower() != "/" + WORKBOOK:
        # Readers differ in where they look (openpyxl: content types; calamine: the fixed
        # name), so anything but the one usual place could show them different workbooks.
        raise where.unsafe("workbook_part", "ブック本体の場所が通常と異なります",
                           "the workbook part is not the usual single xl/workbook.xml")
    if main[0][1] == _CT_ADDIN:
        raise where.not_workbook("xlam", "Excel アドイン（.xlam）です", "an Excel add-in (.xlam)")
    return _CT_MAIN[main[0][1]]


@dataclass(frozen=True)
class SheetRef:
    name: str
    part: str
    type: str
    state: str


@dataclass(frozen=True)
class WorkbookPart:
    sheets: list[SheetRef]
    unlisted: list[SheetRef]  # sheet-like parts the workbook does not list
    defined_names: tuple[DefinedName, ...]
    date1904: bool
    styles_part: str | None
    theme_part: str | None


def workbook(wb_xml: bytes, rels_xml: bytes, names: set[str], where: Where) -> WorkbookPart:
    """The sheets the workbook lists (and sheet-like parts it does not), its defined names,
    date system, and where its styles and theme are."""
    wb = parse_xml(wb_xml, WORKBOOK, where)
    if wb.tag.startswith("{" + _STRICT_NS + "}"):
        raise where.not_workbook("strict", f"Strict Open XML 形式です。{_SAVE_AS_JA}（Excel ブック形式）",
                                 f"Strict Open XML format; {_SAVE_AS_EN} (Excel Workbook)")
    rels = parse_xml(rels_xml, WORKBOOK_RELS, where)
    targets: dict[str, tuple[str, str]] = {}  # rel id -> (type, resolved part)
    by_type: dict[str, str] = {}
    for rel in rels:
        if local(rel.tag) != "Relationship" or rel.get("TargetMode", "").lower() == "external":
            continue
        rtype = rel.get("Type", "").rsplit("/", 1)[-1]
        target = resolve_target(rel.get("Target", ""))
        targets[rel.get("Id", "")] = (rtype, target)
        by_type.setdefault(rtype, target)
    sheet_elements = [child for parent in wb if local(parent.tag) == "sheets"
                      for child in parent if local(child.tag) == "sheet"]
    sheets: list[SheetRef] = []
    for el in sheet_elements:
        name = el.get("name", "")
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid or "")
        if target is None or target[0] not in _SHEET_TYPES:
            raise where.corrupt("sheet_rel", "シートの参照先がありません", "the sheet has no part", sheet=name)
        if target[1] not in names:
            raise where.corrupt("missing_part", f"シートの部品 {target[1]} がありません",
                                f"the sheet part {target[1]} is missing", sheet=name)
        sheets.append(SheetRef(name, target[1], _SHEET_TYPES[target[0]], el.get("state", "visible")))
    if not sheets:
        raise where.corrupt("no_sheets", "シートがありません", "the workbook has no sheets")
    # Sheet-like parts the workbook does not list are scanned too: a reader that finds its
    # parts another way must not meet an unchecked sheet.
    listed = {s.part for s in sheets}
    unlisted: list[SheetRef] = []
    for n in sorted(names):
        folder = n.lower().split("/")[:2]
        if (len(folder) == 2 and folder[0] == "xl"
                and folder[1] in ("worksheets", "macrosheets", "dialogsheets")
                and n.lower().endswith(".xml") and n not in listed):
            unlisted.append(SheetRef(n, n, "worksheet", "unlisted"))

    defined: list[DefinedName] = []
    date1904 = False
    for parent in wb:
        tag = local(parent.tag)
        if tag == "workbookPr":
            date1904 = _truthy(parent.get("date1904"))
        elif tag == "definedNames":
            for el in parent:
                if local(el.tag) != "definedName":
                    continue
                scope = el.get("localSheetId")
                sheet = None
                if scope is not None:
                    try:
                        sheet = sheet_elements[int(scope)].get("name", "")
                    except (ValueError, IndexError):
                        continue  # a name for a sheet that does not exist (openpyxl drops it too)
                defined.append(DefinedName(name=el.get("name", ""), sheet=sheet, ref=el.text or "",
                                           hidden=_truthy(el.get("hidden"))))
    styles = by_type.get("styles")
    theme = by_type.get("theme")
    return WorkbookPart(sheets, unlisted, tuple(defined), date1904,
                        styles if styles in names else None, theme if theme in names else None)


def sheet_rels(rels_xml: bytes, sheet_part: str, rels_name: str,
               where: Where) -> tuple[list[str], dict[str, str]]:
    """A sheet's comment parts, and its table parts by relationship id."""
    rels = parse_xml(rels_xml, rels_name, where)
    comments: list[str] = []
    tables: dict[str, str] = {}
    base = posixpath.dirname(sheet_part)
    for rel in rels:
        if local(rel.tag) != "Relationship" or rel.get("TargetMode", "").lower() == "external":
            continue
        rtype = rel.get("Type", "")
        if rtype.endswith("/comments"):
            comments.append(resolve_target(rel.get("Target", ""), base))
        elif rtype.endswith("/table"):
            tables[rel.get("Id", "")] = resolve_target(rel.get("Target", ""), base)
    return comments, tables


# --------------------------------------------------------------------------------------------
# Tables

_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_xstring(text: str) -> str:
    """OOXML's _xHHHH_ escapes (Excel writes a line break in a column name as _x000a_)."""
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def table(xml: bytes, part: str, where: Where, sheet: str) -> TableInfo:
    root = parse_xml(xml, part, where, sheet)
    columns: list[str] = []
    for child in root:
        if local(child.tag) == "tableColumns":
            columns.extend(decode_xstring(col.get("name", "")) for col in child
                           if local(col.tag) == "tableColumn")
    return TableInfo(
        name=root.get("displayName") or root.get("name") or "",
        ref=root.get("ref", ""),
        header_row_count=_int(root.get("headerRowCount"), 1),
        totals_row_count=_int(root.get("totalsRowCount"), 0),
        columns=tuple(columns),
        part=part,
    )


# --------------------------------------------------------------------------------------------
# Colours

# The legacy palette (indexed="0".."63"); a workbook may replace it with <indexedColors>.
_INDEXED = (
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "800000", "008000", "000080", "808000", "800080", "008080", "C0C0C0", "808080",
    "9999FF", "993366", "FFFFCC", "CCFFFF", "660066", "FF8080", "0066CC", "CCCCFF",
    "000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000", "008080", "0000FF",
    "00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
    "3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696",
    "003366", "339966", "003300", "333300", "993300", "993366", "333399", "333333",
)
# indexed 64 and 65 are the system foreground and background (window text and window).
_SYSTEM = {64: "000000", 65: "FFFFFF"}
# theme="N" counts lt1, dk1, lt2, dk2 (in that order, unlike the theme part), then the accents.
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4",
                "accent5", "accent6", "hlink", "folHlink")
_HEX6 = re.compile(r"^[0-9A-Fa-f]{6}$")


_THEME_SCHEME = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?clrScheme[\s>].*?</(?:[A-Za-z_][\w.\-]*:)?clrScheme>",
                           re.S)
_THEME_SLOT = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?(dk1|lt1|dk2|lt2|accent[1-6]|hlink|folHlink)>\s*"
    rb"<(?:[A-Za-z_][\w.\-]*:)?(?:srgbClr|sysClr)\s[^>]*?\b(?:val|lastClr)=[\"']([0-9A-Fa-f]{6})[\"']")


def theme_colors(xml: bytes | None) -> tuple[str, ...]:
    """The theme's 12 colours in the order cells' theme="N" counts them ("" when missing;
    none when there is no theme: no reader needs it, so it is read with a regex, not parsed:
    its prolog was checked, and the rest of a theme is hundreds of font elements)."""
    if xml is None:
        return ()
    scheme = _THEME_SCHEME.search(xml)
    if scheme is None:
        return ()
    found: dict[str, str] = {}
    for m in _THEME_SLOT.finditer(scheme.group(0)):
        found.setdefault(m.group(1).decode("ascii"), m.group(2).decode("ascii").upper())
    return tuple(found.get(name, "") for name in _THEME_ORDER)


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) the luminance in HLS."""
    if not tint:
        return rgb
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, min(max(lum, 0.0), 1.0), s)
    return "".join(f"{round(v * 255):02X}" for v in (r, g, b))


def color(el: Any, palette: tuple[str, ...], theme: tuple[str, ...]) -> str | None:
    """An RGB like "FFC7CE" (uppercase, no alpha) for a <color>/<fgColor> element; None when
    there is none or it is automatic; "theme:N" / "indexed:N" when the theme or palette does
    not have that colour."""
    if el is None or _truthy(el.get("auto")):
        return None
    try:
        tint = float(el.get("tint", "0"))
    except ValueError:
        tint = 0.0
    rgb = el.get("rgb")
    if rgb is not None:
        value = rgb[-6:]
        return _tinted(value.upper(), tint) if _HEX6.match(value) else None
    index = el.get("theme")
    if index is not None:
        n = _int(index, -1)
        if 0 <= n < len(theme) and theme[n]:
            return _tinted(theme[n], tint)
        return f"theme:{index}"
    index = el.get("indexed")
    if index is not None:
        n = _int(index, -1)
        if 0 <= n < len(palette) and _HEX6.match(palette[n]):
            return _tinted(palette[n], tint)
        if n in _SYSTEM:
            return _SYSTEM[n]
        return f"indexed:{index}"
    return None


def _fill_color(fill: Any, palette: tuple[str, ...], theme: tuple[str, ...]) -> str | None:
    for kind in fill:
        tag = local(kind.tag)
        if tag == "patternFill":
            pattern = kind.get("patternType")
            if pattern is None or pattern == "none":
                return None
            fg = next((c for c in kind if local(c.tag) == "fgColor"), None)
            return color(fg, palette, theme)
        if tag == "gradientFill":  # best effort: the first stop's colour
            for stop in kind:
                if local(stop.tag) == "stop":
                    return color(next((c for c in stop if local(c.tag) == "color"), None), palette, theme)
            return None
    return None


def styles(xml: bytes | None, part: str, theme: tuple[str, ...],
           where: Where) -> tuple[tuple[str | None, ...], tuple[str | None, ...]]:
    """For each cellXfs entry (a cell's s="N"): its fill's foreground colour, and its font's
    colour (see ``color`` for the values)."""
    if xml is None:
        return (), ()
    root = parse_xml(xml, part, where)
    sections = {local(el.tag): el for el in root}
    palette = _INDEXED
    colors = sections.get("colors")
    if colors is not None:
        for el in colors:
            if local(el.tag) == "indexedColors":
                custom = tuple((c.get("rgb") or "")[-6:].upper() for c in el if local(c.tag) == "rgbColor")
                if custom:
                    palette = custom
    fills = [_fill_color(f, palette, theme) for f in sections.get("fills", ()) if local(f.tag) == "fill"]
    fonts = [color(next((c for c in f if local(c.tag) == "color"), None), palette, theme)
             for f in sections.get("fonts", ()) if local(f.tag) == "font"]
    fill_of: list[str | None] = []
    font_of: list[str | None] = []
    for xf in sections.get("cellXfs", ()):
        if local(xf.tag) != "xf":
            continue
        fill_id, font_id = _int(xf.get("fillId"), 0), _int(xf.get("fontId"), 0)
        fill_of.append(fills[fill_id] if 0 <= fill_id < len(fills) else None)
        font_of.append(fonts[font_id] if 0 <= font_id < len(fonts) else None)
    return tuple(fill_of), tuple(font_of)
