"""verify_patch: read a patched workbook back and prove it holds what was meant and nothing else
changed.

Independent readers are used on purpose: python-calamine for values (and the grid of every
patched sheet, which must equal the source's outside the patched cells), openpyxl for fills,
font colours and formulas, and the raw zip for every member that was not meant to change
(local entry bytes, CRC, compression, central-directory record).
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

from isms_xl.errors import BadInputError, PatchVerifyError
from isms_xl.io.patch.model import MISSING, CellPatch, PatchReport
from isms_xl.io.patch.xmltext import cell_ref, date_serial, normalize_rgb, ooxml_unescape
from isms_xl.io.patch.zipraw import RawZip, ZipLayoutError
from isms_xl.io.preflight import preflight

__all__ = ["verify_patch", "check_members"]


def _fail(dst: Path, problems: list[str]) -> PatchVerifyError:
    shown = "; ".join(problems[:5]) + (f"; … (+{len(problems) - 5})" if len(problems) > 5 else "")
    return PatchVerifyError(
        f"{dst}: 書き込んだ結果を読み直すと意図と違います: {shown}",
        f"{dst}: reading the written workbook back does not show what was meant: {shown}")


def check_members(src: Path | bytes, dst: Path | bytes, allowed_changed: set[str],
                  allowed_removed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Problems (empty when none) with the members of ``dst`` against ``src``: every member not
    in ``allowed_changed`` must be the same raw local entry (header fields, compressed bytes,
    data descriptor), CRC and compression, in the same order, with the same central record
    apart from its offset."""
    a = RawZip(src if isinstance(src, bytes) else Path(src).read_bytes())
    b = RawZip(dst if isinstance(dst, bytes) else Path(dst).read_bytes())
    problems = []
    removed = [m.name for m in a.members if m.name not in b.by_name]
    for name in removed:
        if name not in allowed_removed:
            problems.append(f"member {name} is missing")
    added = [m.name for m in b.members if m.name not in a.by_name]
    if added:
        problems.append(f"members added: {added}")
    order_a = [m.name for m in sorted(a.members, key=lambda m: m.local_offset) if m.name in b.by_name]
    order_b = [m.name for m in sorted(b.members, key=lambda m: m.local_offset)]
    if order_a != order_b:
        problems.append("member order differs")
    if [m.name for m in a.members if m.name in b.by_name] != [m.name for m in b.members]:
        problems.append("central directory order differs")
    for ma in a.members:
        mb = b.by_name.get(ma.name)
        if mb is None:
            continue
        if ma.name in allowed_changed:
            if mb.method != ma.method:
                problems.append(f"{ma.name}: compression method changed")
            continue
        if a.raw_entry(ma) != b.raw_entry(mb):
            problems.append(f"{ma.name}: raw bytes differ")
        if (ma.crc, ma.compress_size, ma.file_size, ma.method) != (mb.crc, mb.compress_size, mb.file_size, mb.method):
            problems.append(f"{ma.name}: CRC/size/compression differ")
        if ma.central[:42] + ma.central[46:] != mb.central[:42] + mb.central[46:] and ma.central[42:46] != b"\xff" * 4:
            problems.append(f"{ma.name}: central directory record differs")
    if a.comment != b.comment:
        problems.append("archive comment differs")
    return problems


def _expected(p: CellPatch, date1904: bool) -> object:
    v = p.value
    if v == "":
        return None
    return v


def _same_value(expected: object, actual: object, date1904: bool) -> bool:
    """Calamine's reading of a cell against the value patched in."""
    if expected is None:
        return actual in ("", None)
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual == expected
    if isinstance(expected, (dt.date, dt.datetime)):
        want = date_serial(expected, date1904)
        try:
            if isinstance(actual, (dt.date, dt.datetime)):
                got = date_serial(actual, date1904)
            elif isinstance(actual, (int, float)) and not isinstance(actual, bool):
                got = float(actual)
            else:
                return False
        except ValueError:
            return False
        return abs(got - want) < 1e-6
    if isinstance(expected, str):
        return actual == expected
    try:
        want = float(expected)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    return math.isclose(float(actual), want, rel_tol=1e-12, abs_tol=1e-12)


def _grid(path: Path, sheet: str) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _at(grid: list[list[object]], r: int, c: int) -> object:
    if r < len(grid) and c < len(grid[r]):
        return grid[r][c]
    return ""


def verify_patch(src: Path, dst: Path, patches: Sequence[CellPatch], *, report: PatchReport | None = None,
                 compare_unpatched: bool = True) -> None:
    """Raise PatchVerifyError unless ``dst`` is ``src`` with exactly ``patches`` applied.

    With ``report`` (from patch_workbook) the changed and removed members must be exactly the
    ones it lists; without it, any of the patched sheets, xl/styles.xml and xl/workbook.xml may
    differ (and the calc chain be gone). ``compare_unpatched``: also compare every other cell
    of the patched sheets, src against dst (calamine values).
    """
    src, dst = Path(src), Path(dst)
    problems: list[str] = []
    try:
        info = preflight(dst)
    except BadInputError as err:
        raise PatchVerifyError(f"{dst}: 書き込んだ結果が読めません: {err.message_ja}",
                               f"{dst}: the written workbook cannot be read: {err.message_en}") from None
    src_info = preflight(src)
    sheets = sorted({p.sheet for p in patches})
    parts = {s.name: s.part for s in src_info.sheets}
    if report is not None:
        allowed = set(report.changed_members)
        allowed_removed = set(report.removed_members)
    else:
        allowed = {parts[s] for s in sheets if s in parts} | {"xl/styles.xml", "xl/workbook.xml"}
        allowed_removed = {"xl/calcChain.xml"}
        if "xl/calcChain.xml" not in {i.filename for i in zipfile.ZipFile(dst).infolist()}:
            allowed |= {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    try:
        problems += check_members(src, dst, allowed, allowed_removed)
    except ZipLayoutError as err:
        problems.append(f"zip layout: {err}")
    with zipfile.ZipFile(dst) as zf:
        bad = zf.testzip()
        if bad is not None:
            problems.append(f"{bad}: CRC error")
        date1904 = b'date1904="1"' in zf.read("xl/workbook.xml") or b'date1904="true"' in zf.read("xl/workbook.xml")
    if [s.name for s in info.sheets] != [s.name for s in src_info.sheets]:
        problems.append("sheet list differs")

    old_formulas: dict[tuple[str, str], str | None] = {}
    if report is not None:
        old_formulas = {(c.sheet, c.cell): c.old_formula for c in report.changes}

    by_sheet: dict[str, list[CellPatch]] = {}
    for p in patches:
        by_sheet.setdefault(p.sheet, []).append(p)
    for sheet, plist in by_sheet.items():
        grid = _grid(dst, sheet)
        patched = {(p.row, p.col) for p in plist}
        for p in plist:
            got = _at(grid, p.row, p.col)
            if not _same_value(_expected(p, date1904), got, date1904):
                problems.append(f"{sheet}!{cell_ref(p.row + 1, p.col + 1)}: calamine reads {got!r}, "
                                f"expected {p.value!r}")
        if compare_unpatched:
            before = _grid(src, sheet)
            rows = max(len(before), len(grid))
            for r in range(rows):
                a = before[r] if r < len(before) else []
                b = grid[r] if r < len(grid) else []
                if a == b:
                    continue
                for c in range(max(len(a), len(b))):
                    if (r, c) in patched:
                        continue
                    va = a[c] if c < len(a) else ""
                    vb = b[c] if c < len(b) else ""
                    if va != vb and not (isinstance(va, float) and isinstance(vb, float)
                                         and math.isnan(va) and math.isnan(vb)):
                        problems.append(f"{sheet}!{cell_ref(r + 1, c + 1)} changed: {va!r} -> {vb!r}")
                        break
        dst_sheet = info.sheet(sheet)
        if dst_sheet.cells <= _OPENPYXL_CELLS:
            problems += _check_openpyxl(src, dst, sheet, plist, old_formulas, report is None)
        else:
            problems += _check_streamed(src, dst, sheet, dst_sheet.part, parts.get(sheet), plist, old_formulas,
                                        report is None)
    if problems:
        raise _fail(dst, problems)


# Up to this many cells in a patched sheet, openpyxl reads the whole sheet (its own cell parser);
# above, its read-only parser takes minutes (35 s for 1.2 million cells), so each patched cell's
# style index and formula come from a streaming expat parse and openpyxl's stylesheet parser
# resolves the styles. Both are independent of the writer's own byte-level tokenizer.
_OPENPYXL_CELLS = 200_000
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _streamed_cells(path: Path, part: str, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], _CellView]:
    """(style index, has formula) of the wanted cells (0-based), from one pass of expat."""
    import xml.parsers.expat

    from isms_xl.io.patch.xmltext import parse_ref

    out: dict[tuple[int, int], dict] = {}
    current: list[dict | None] = [None]
    c_tag, f_tag = f"{_MAIN} c", f"{_MAIN} f"

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == c_tag:
            rc = parse_ref(attrs.get("r", "").encode())
            key = (rc[0] - 1, rc[1] - 1) if rc else None
            if key in wanted:
                current[0] = out[key] = {"s": int(attrs.get("s", "0") or 0), "f": False, "t": attrs.get("t", "n")}
            else:
                current[0] = None
        elif name == f_tag and current[0] is not None:
            current[0]["f"] = True

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return out  # type: ignore[return-value]


def _check_streamed(src: Path, dst: Path, sheet: str, part: str, src_part: str | None, plist: list[CellPatch],
                    old_formulas: dict[tuple[str, str], str | None], load_src: bool) -> list[str]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    problems: list[str] = []
    wanted = {(p.row, p.col) for p in plist}
    cells = _streamed_cells(dst, part, wanted)
    before = _streamed_cells(src, src_part or part, wanted) if load_src else {}
    with zipfile.ZipFile(dst) as zf:
        styles = Stylesheet.from_tree(fromstring(zf.read("xl/styles.xml")))
    xfs = styles.cellXfs.xf
    codes = {n.numFmtId: n.formatCode for n in (styles.numFmts.numFmt if styles.numFmts else [])}
    for p in plist:
        where = f"{sheet}!{cell_ref(p.row + 1, p.col + 1)}"
        cell = cells.get((p.row, p.col))
        if cell is None:
            if p.value not in (None, "") or p.formula or p.fill not in (MISSING, None) or p.font_color not in (MISSING, None):
                problems.append(f"{where}: no such cell in the sheet")
            continue
        xf = xfs[cell["s"]] if cell["s"] < len(xfs) else None
        if xf is None:
            problems.append(f"{where}: style index {cell['s']} is not in styles.xml")
            continue
        had_formula = (old_formulas.get((sheet, where.split("!")[1])) is not None if not load_src
                       else bool(before.get((p.row, p.col), {}).get("f")))
        if (p.formula is not None or (had_formula and p.keep_formula)) and not cell["f"]:
            problems.append(f"{where}: the formula is missing")
        if p.formula is None and not (had_formula and p.keep_formula) and cell["f"]:
            problems.append(f"{where}: holds a formula, expected the constant {p.value!r}")
        if p.fill is not MISSING:
            fill = styles.fills[xf.fillId] if xf.fillId is not None and xf.fillId < len(styles.fills) else None
            got = (fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" else
                   ("none" if fill is None or fill.fill_type is None else f"other:{fill.fill_type}"))
            want = "none" if p.fill is None else normalize_rgb(p.fill)
            if got != want:
                problems.append(f"{where}: fill {got}, expected {want}")
        if p.font_color is not MISSING:
            font = styles.fonts[xf.fontId] if xf.fontId is not None and xf.fontId < len(styles.fonts) else None
            color = font.color if font is not None else None
            got = color.rgb if color is not None and color.type == "rgb" else (None if color is None else "theme")
            want = None if p.font_color is None else normalize_rgb(p.font_color)
            if got != want:
                problems.append(f"{where}: font colour {got}, expected {want}")
        if isinstance(p.value, (dt.date, dt.datetime)) and p.formula is None:
            code = codes.get(xf.numFmtId, BUILTIN_FORMATS.get(xf.numFmtId, "General"))
            if not is_date_format(code):
                problems.append(f"{where}: the date is not formatted as a date ({code})")
    return problems


def _openpyxl_cells(path: Path, sheet: str, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], object]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        ws = wb[sheet]
        ws.reset_dimensions()  # read every row, whatever <dimension> says
        max_row = max(r for r, _ in wanted) + 1
        out = {}
        for row in ws.iter_rows(min_row=1, max_row=max_row):
            for cell in row:
                if not hasattr(cell, "column"):
                    continue
                key = (cell.row - 1, cell.column - 1)
                if key in wanted:
                    out[key] = _CellView(cell)
        return out
    finally:
        wb.close()


class _CellView:
    """What verify needs from an openpyxl cell, read while the workbook is open."""

    def __init__(self, cell) -> None:
        self.value = cell.value
        self.data_type = cell.data_type
        fill = cell.fill
        self.fill = (fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" and fill.fgColor is not None
                     else ("none" if fill is None or fill.fill_type is None else f"other:{fill.fill_type}"))
        color = cell.font.color if cell.font is not None else None
        self.font_color = color.rgb if color is not None and color.type == "rgb" else (None if color is None else "theme")
        self.is_date = cell.is_date


def _check_openpyxl(src: Path, dst: Path, sheet: str, plist: list[CellPatch],
                    old_formulas: dict[tuple[str, str], str | None], load_src: bool) -> list[str]:
    problems: list[str] = []
    wanted = {(p.row, p.col) for p in plist}
    cells = _openpyxl_cells(dst, sheet, wanted)
    before = _openpyxl_cells(src, sheet, wanted) if load_src else {}
    for p in plist:
        ref = cell_ref(p.row + 1, p.col + 1)
        where = f"{sheet}!{ref}"
        cell = cells.get((p.row, p.col))
        if cell is None:
            if p.value not in (None, "") or p.formula or p.fill not in (MISSING, None) or p.font_color not in (MISSING, None):
                problems.append(f"{where}: openpyxl finds no cell")
            continue
        had_formula = (old_formulas.get((sheet, ref)) is not None if not load_src
                       else (before.get((p.row, p.col)) is not None
                             and before[(p.row, p.col)].data_type == "f"))  # type: ignore[union-attr]
        is_formula = cell.data_type == "f"
        if p.formula is not None:
            text = cell.value.text if hasattr(cell.value, "text") else cell.value
            want = "=" + (p.formula[1:] if p.formula.startswith("=") else p.formula)
            if text != want:
                problems.append(f"{where}: openpyxl reads formula {text!r}, expected {want!r}")
        elif had_formula and p.keep_formula:
            if not is_formula:
                problems.append(f"{where}: the formula was lost")
        else:
            if is_formula:
                problems.append(f"{where}: holds a formula, expected the constant {p.value!r}")
            elif not _same_openpyxl(p.value, cell.value):
                problems.append(f"{where}: openpyxl reads {cell.value!r}, expected {p.value!r}")
        if p.fill is not MISSING:
            want_fill = "none" if p.fill is None else normalize_rgb(p.fill)
            if cell.fill != want_fill:
                problems.append(f"{where}: fill {cell.fill}, expected {want_fill}")
        if p.font_color is not MISSING:
            want_color = None if p.font_color is None else normalize_rgb(p.font_color)
            if cell.font_color != want_color:
                problems.append(f"{where}: font colour {cell.font_color}, expected {want_color}")
        if isinstance(p.value, (dt.date, dt.datetime)) and not cell.is_date and p.formula is None:
            problems.append(f"{where}: the date is not formatted as a date")
    return problems


def _same_openpyxl(expected: object, actual: object) -> bool:
    if expected is None or expected == "":
        return actual is None or actual == ""
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, dt.datetime):
        return isinstance(actual, dt.datetime) and abs((actual - expected).total_seconds()) < 0.002
    if isinstance(expected, dt.date):
        return isinstance(actual, dt.datetime) and actual.date() == expected and actual.time() == dt.time()
    if isinstance(expected, str):
        # openpyxl does not undo Excel's _xHHHH_ escapes in inline strings (calamine and Excel do).
        return actual == expected or (isinstance(actual, str) and ooxml_unescape(actual) == expected)
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    return math.isclose(float(actual), float(expected), rel_tol=1e-12, abs_tol=1e-12)  # type: ignore[arg-type]
