"""patch_workbook: write cells into a copy of a workbook, changing nothing else."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from defusedxml import ElementTree as SafeET

from isms_xl.errors import ChangedSinceReadError, PatchRefusedError
from isms_xl.io.patch.model import MISSING, CellPatch, ChangeLog, PatchOptions, PatchReport
from isms_xl.io.patch.sheet import Refusal, SheetContext, patch_sheet
from isms_xl.io.patch.styles import Styles, StylesError
from isms_xl.io.patch.xmltext import (
    ATTRS,
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    attr_value,
    cell_ref,
    parse_attrs,
    parse_range,
    render_attrs,
    set_attr,
    ooxml_unescape,
)
from isms_xl.io.patch.zipraw import RawZip, ZipLayoutError, write_zip
from isms_xl.io.preflight import WorkbookInfo, preflight

__all__ = ["patch_workbook", "WorkbookParts", "refused"]

_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_CONTENT_TYPES = "[Content_Types].xml"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _one_line(text: str) -> str:
    return "".join(repr(ch)[1:-1] if ord(ch) < 32 or ch in "\u2028\u2029\x85\x7f" else ch for ch in text)


def refused(path: Path | str, reason: str, ja: str, en: str, *, sheet: str | None = None,
            cell: str | None = None) -> PatchRefusedError:
    """A PatchRefusedError whose one-line message names the file, the sheet and the cell."""
    shown = _one_line(str(path))
    where_ja = where_en = ""
    if sheet is not None:
        where_ja = f"シート「{_one_line(sheet)}」" + (f"のセル {cell}" if cell else "") + ": "
        where_en = f"sheet '{_one_line(sheet)}'" + (f" cell {cell}" if cell else "") + ": "
    return PatchRefusedError(
        f"{shown}: {where_ja}{ja}（書き込みを中止しました。ファイルは変更していません）",
        f"{shown}: {where_en}{en} (nothing was written; the file is unchanged)",
        reason=reason, path=str(path), sheet=sheet, cell=cell)


def _resolve(target: str, base_dir: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(base_dir, target))


def _rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """(type's last segment, resolved target) of the part's internal relationships."""
    name = _rels_name(part)
    try:
        root = SafeET.fromstring(zf.read(name), forbid_dtd=True)
    except KeyError:
        return []
    out = []
    for rel in root:
        if not rel.tag.endswith("Relationship") or rel.get("TargetMode", "").lower() == "external":
            continue
        out.append((rel.get("Type", "").rsplit("/", 1)[-1],
                    _resolve(rel.get("Target", ""), posixpath.dirname(part))))
    return out


class WorkbookParts:
    """The parts around the sheets that patching needs, read from the archive."""

    def __init__(self, zf: zipfile.ZipFile, names: set[str]) -> None:
        self.zf = zf
        self.workbook = zf.read(_WORKBOOK)
        m = re.search(rb"<([A-Za-z_][\w.\-]*:)?workbook(?=[\s>])", self.workbook)
        self.wb_prefix = (m.group(1) or b"") if m else b""
        p = re.escape(self.wb_prefix)
        pr = re.search(b"<" + p + rb"workbookPr(?=[\s/>])" + ATTRS + b"/?>", self.workbook)
        attrs = {k: attr_value(v) for k, v in parse_attrs(pr.group(1))} if pr else {}
        self.date1904 = attrs.get(b"date1904", b"0").lower() in (b"1", b"true")
        rels = _rels(zf, _WORKBOOK)
        self.styles_part = next((t for k, t in rels if k == "styles" and t in names), None)
        self.sst_part = next((t for k, t in rels if k == "sharedStrings" and t in names), None)
        self.calc_chain = next((t for k, t in rels if k == "calcChain" and t in names), None)
        self._sst: list[str] | None = None

    def shared_string(self, i: int) -> str | None:
        if self._sst is None:
            self._sst = read_shared_strings(self.zf, self.sst_part) if self.sst_part else []
        return self._sst[i] if 0 <= i < len(self._sst) else None

    def table_headers(self, sheet_part: str) -> dict[tuple[int, int], str]:
        out: dict[tuple[int, int], str] = {}
        for kind, target in _rels(self.zf, sheet_part):
            if kind != "table":
                continue
            try:
                root = SafeET.fromstring(self.zf.read(target), forbid_dtd=True)
            except KeyError:
                continue
            rng = parse_range(root.get("ref", "").encode())
            if rng is None:
                continue
            header_rows = int(root.get("headerRowCount", "1") or "1")
            names = [el.get("name", "") for el in root.iter() if el.tag.endswith("}tableColumn")]
            r1, c1 = rng[0], rng[1]
            for dr in range(header_rows):
                for k, name in enumerate(names):
                    out[(r1 + dr, c1 + k)] = ooxml_unescape(name)
        return out


def read_shared_strings(zf: zipfile.ZipFile, part: str) -> list[str]:
    out: list[str] = []
    with zf.open(part) as fh:
        for _event, el in SafeET.iterparse(fh, events=("end",), forbid_dtd=True):
            if el.tag.endswith("}si"):
                texts = []
                for child in el.iter():
                    if child.tag.endswith("}rPh"):
                        for sub in child.iter():
                            sub.text = None  # phonetic (furigana) runs are not the text
                    if child.tag.endswith("}t") and child.text:
                        texts.append(child.text)
                out.append(ooxml_unescape("".join(texts)))
                el.clear()
    return out


def _by_sheet(path: Path, info: WorkbookInfo, patches: Sequence[CellPatch]) -> dict[str, list[CellPatch]]:
    """The patches per sheet, each checked to be a CellPatch for a worksheet inside Excel's grid."""
    by_sheet: dict[str, list[CellPatch]] = {}
    sheets = {s.name: s for s in info.sheets}
    names = [s.name for s in info.sheets]
    last_name: object = None
    last: list[CellPatch] = []
    for patch in patches:
        if type(patch) is not CellPatch and not isinstance(patch, CellPatch):
            raise TypeError(f"expected CellPatch, got {type(patch).__name__}")
        name = patch.sheet
        if name != last_name:
            lst = by_sheet.get(name)
            if lst is None:
                sheet = sheets.get(name)
                if sheet is None:
                    raise refused(path, "no_sheet",
                                  f"シート「{_one_line(str(name))}」がありません（あるシート: {'、'.join(names)}）",
                                  f"no sheet named '{_one_line(str(name))}' (sheets: {', '.join(names)})")
                if sheet.type != "worksheet":
                    raise refused(path, "not_worksheet", f"{sheet.type} には書き込めません（ワークシートのみ）",
                                  f"cannot write into a {sheet.type} (worksheets only)", sheet=name)
                lst = by_sheet[name] = []
            last_name, last = name, lst
        row, col = patch.row, patch.col
        if not (type(row) is int and type(col) is int and 0 <= row < EXCEL_MAX_ROWS and 0 <= col < EXCEL_MAX_COLS):
            raise refused(path, "bad_cell", f"セル位置 (行 {row!r}, 列 {col!r}) が Excel の範囲外です",
                          f"cell position (row {row!r}, col {col!r}) is outside Excel's grid", sheet=name)
        for color in (patch.fill, patch.font_color):
            if not (color is MISSING or color is None or type(color) is str):
                raise refused(path, "bad_value", f"色の指定が不正です（{color!r}）", f"invalid colour {color!r}",
                              sheet=name, cell=cell_ref(row + 1, col + 1))
        last.append(patch)
    return by_sheet


def _drop_calc_chain(parts: WorkbookParts, zf: zipfile.ZipFile, replace: dict[str, bytes]) -> str | None:
    """Remove xl/calcChain.xml with its relationship and content type. Excel rebuilds the chain;
    a chain naming a cell that no longer has a formula makes it "repair" the workbook."""
    chain = parts.calc_chain
    if chain is None:
        return None
    rels = replace.get(_WORKBOOK_RELS, zf.read(_WORKBOOK_RELS))
    new_rels = re.sub(rb"<(?:[\w.\-]+:)?Relationship(?=\s)[^>]*?Type=\"[^\"]*/calcChain\"[^>]*?/>", b"", rels)
    ct = replace.get(_CONTENT_TYPES, zf.read(_CONTENT_TYPES))
    part_name = re.escape(("/" + chain).encode())
    new_ct = re.sub(rb"<(?:[\w.\-]+:)?Override(?=\s)[^>]*?PartName=\"" + part_name + rb"\"[^>]*?/>", b"", ct,
                    flags=re.I)
    if new_rels == rels:
        return None  # not the usual form; keep the chain rather than guess
    replace[_WORKBOOK_RELS] = new_rels
    if new_ct != ct:
        replace[_CONTENT_TYPES] = new_ct
    return chain


_CALC_PR_FOLLOWERS = (b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr", b"smartTagTypes",
                      b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst")


def _full_calc(workbook: bytes, prefix: bytes) -> bytes:
    p = re.escape(prefix)
    m = re.search(b"<" + p + rb"calcPr(?=[\s/>])" + ATTRS + b"(/?)>", workbook)
    if m is not None:
        attrs = parse_attrs(m.group(1))
        new = set_attr(attrs, b"fullCalcOnLoad", b"1")
        if new == attrs:
            return workbook
        return (workbook[:m.start()] + b"<" + prefix + b"calcPr" + render_attrs(new)
                + (b"/>" if m.group(2) else b">") + workbook[m.end():])
    at = None
    for name in _CALC_PR_FOLLOWERS:
        f = re.search(b"<" + p + name + rb"(?=[\s/>])", workbook)
        if f is not None and (at is None or f.start() < at):
            at = f.start()
    if at is None:
        at = workbook.rfind(b"</" + prefix + b"workbook>")
    return workbook[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + workbook[at:]


@contextlib.contextmanager
def _gc_paused():
    """The writer keeps a few hundred thousand small tuples alive (edits, report records); the
    cyclic GC would walk them over and over (a third of the time on 200,000 cells). Nothing here
    makes reference cycles, so collection can wait until the end."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def patch_workbook(src: Path, dst: Path, patches: Sequence[CellPatch], *,
                   options: PatchOptions | None = None, info: WorkbookInfo | None = None) -> PatchReport:
    """Write ``patches`` into a copy of ``src`` at ``dst``, changing nothing else.

    Only the patched sheets' XML and xl/styles.xml (and xl/workbook.xml with
    ``options.force_full_calc``; the calc chain when formulas are added or removed) change;
    every other member is copied byte for byte. ``info``: the preflight of ``src`` when the
    caller already has it (its hash must still match). Raises PatchRefusedError (nothing
    written) when a patch would break something, BadInputError subclasses from preflight.
    """
    with _gc_paused():
        return _patch_workbook(Path(src), Path(dst), patches, options or PatchOptions(), info)


def _patch_workbook(src: Path, dst: Path, patches: Sequence[CellPatch], options: PatchOptions,
                    info: WorkbookInfo | None) -> PatchReport:
    if dst.resolve() == src.resolve():
        raise ValueError("dst must differ from src (use isms_xl.io.patch.patch_in_place to write in place)")
    if info is None:
        info = preflight(src)
    data = src.read_bytes()
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise ChangedSinceReadError(
            f"{_one_line(str(src))}: 読み込んだ後にファイルが変更されました。もう一度やり直してください",
            f"{_one_line(str(src))}: the file changed after it was read; run again")
    try:
        raw = RawZip(data)
    except ZipLayoutError as err:
        raise refused(src, "zip_layout", f"zip の構成が特殊なため安全に書き込めません（{err}）",
                      f"the zip archive is laid out in a way that cannot be copied safely ({err})") from None
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    if {m.name for m in raw.members} != names or len(raw.members) != len(zf.infolist()):
        raise refused(src, "zip_layout", "zip の目次が二通りに読めます", "the zip directory reads two ways")
    by_sheet = _by_sheet(src, info, patches)
    parts = WorkbookParts(zf, names)
    styles_xml = zf.read(parts.styles_part) if parts.styles_part else None
    s_prefix = b""
    if styles_xml is not None:
        m = re.search(rb"<([A-Za-z_][\w.\-]*:)?styleSheet(?=[\s>])", styles_xml)
        s_prefix = (m.group(1) or b"") if m else b""
    styles = Styles(styles_xml, s_prefix)

    replace: dict[str, bytes] = {}
    changes: list[object] = []
    formulas_touched = False
    for sheet in info.sheets:  # workbook order
        sheet_patches = by_sheet.get(sheet.name)
        if not sheet_patches:
            continue
        ctx = SheetContext(date1904=parts.date1904, styles=styles,
                           table_headers=parts.table_headers(sheet.part),
                           shared_string=parts.shared_string, sheet=sheet.name, cells=sheet.cells)
        try:
            result = patch_sheet(zf.read(sheet.part), sheet_patches, ctx)
        except Refusal as r:
            raise refused(src, r.reason, r.ja, r.en, sheet=sheet.name, cell=r.cell) from None
        except StylesError as err:
            raise refused(src, err.reason, f"書式（styles.xml）を編集できません（{err}）",
                          f"cannot edit the cell formats (styles.xml): {err}", sheet=sheet.name,
                          cell=getattr(err, "cell", None)) from None
        changes.extend(result.changes)
        if result.xml is not None:
            replace[sheet.part] = result.xml
        formulas_touched |= bool(result.formulas_added or result.formulas_removed)

    new_styles = styles.render()
    if new_styles is not None:
        replace[parts.styles_part] = new_styles  # type: ignore[index]
    removed: list[str] = []
    notes: list[str] = []
    if formulas_touched:
        chain = _drop_calc_chain(parts, zf, replace)
        if chain:
            removed.append(chain)
            notes.append("calcChain dropped: formulas were added or removed (Excel rebuilds it)")
    if options.force_full_calc:
        wb = _full_calc(parts.workbook, parts.wb_prefix)
        if wb != parts.workbook:
            replace[_WORKBOOK] = wb
    try:
        out = write_zip(raw, replace, set(removed))
    except ZipLayoutError as err:
        raise refused(src, "zip_layout", f"zip を書き出せません（{err}）", f"cannot write the zip archive ({err})") from None
    with open(dst, "wb") as fh:
        fh.write(out)
    order = [m.name for m in sorted(raw.members, key=lambda m: m.local_offset)]
    return PatchReport(
        src=src, dst=dst, changes=ChangeLog(changes),
        changed_members=tuple(n for n in order if n in replace),
        removed_members=tuple(removed),
        copied_members=tuple(n for n in order if n not in replace and n not in removed),
        new_xfs=len(styles.added_xfs), new_fills=len(styles.added_fills), new_fonts=len(styles.added_fonts),
        full_calc_on_load=options.force_full_calc, date1904=parts.date1904, notes=tuple(notes))
