"""Decide whether a file is a workbook we can safely hand to an Excel library, before any does,
and collect on the way what the value reader (python-calamine) cannot tell.

No Excel library parses sheets or shared strings here. ``preflight(path)`` reads the file once
into memory, hashes it, and then works only on those bytes:

1. the path is a readable, non-empty file no larger than ``Limits.max_file_bytes``;
2. the first bytes say what it is: a zip (xlsx/xlsm), an OLE compound file (legacy ``.xls`` or an
   encrypted xlsx, told apart with ``olefile``), a PDF, text (CSV/TSV, HTML or XML 2003 saved as
   "Excel"), or something else;
3. zip bombs are refused from the central directory alone (member count, declared total size,
   per-member ratio), before anything is decompressed;
4. the content types, ``xl/workbook.xml`` and its rels are parsed with defusedxml to find the
   sheets and their parts, the defined names and the date system;
5. every member is then decompressed as a stream, never more than its declared size plus one
   byte (a member that inflates past its declaration is refused, so every reader sees what we
   saw); every XML part has its prolog checked for a DOCTYPE (Excel never writes one), and each
   sheet part is scanned (``xlsx_scan.SheetScanner``) for its ``<dimension>`` and the cell
   references it really contains, stopping as soon as a limit is passed. The same single pass
   collects the formula cells, the error cells and (on request) the cells' style ids, merged
   ranges, hidden rows and columns, and the sheet's tables;
6. the styles, theme and table parts are parsed with defusedxml (``xlsx_parts``) for the fill
   and font colour of each cell style and the tables' names, ranges and columns.

Errors are ``isms_xl.errors.BadInputError`` subclasses with one-line ja/en messages naming the
file (and the sheet where it applies). Nothing is written anywhere.

The reader uses ``preflight_staged``: steps 1-4 and the decompression and prolog checks of step
5 first, holding the parts, plus a quick RE2 check that each worksheet's cells lie within its
dimension (``cell_bound``). When that holds, python-calamine can parse the held bytes in a thread
while the cell scans run (``Staged.finish``); the file is still accepted only once they pass.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import io
import os
import posixpath
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from isms_xl.errors import BadInputError
from isms_xl.io import xlsx_parts
from isms_xl.io.cell_bound import CellBound
from isms_xl.io.xlsx_common import DEFAULT_LIMITS, KiB, Limits, MiB, Where, mib
from isms_xl.io.xlsx_parts import CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS, DefinedName, TableInfo
from isms_xl.io.xlsx_scan import CellMap, CellSet, CommentScanner, SheetScanner, TagStream

__all__ = ["Limits", "DEFAULT_LIMITS", "SheetInfo", "WorkbookInfo", "DefinedName", "TableInfo",
           "CellSet", "CellMap", "COLLECT_ALL", "COLLECT_DEFAULT", "preflight", "preflight_with_bytes",
           "preflight_staged", "Staged"]

#: What ``preflight(collect=...)`` can collect from the cells. Merged ranges, hidden rows and
#: columns, tables, defined names, colours and the date system always come (they cost nothing).
COLLECT_ALL = ("formulas", "errors", "styles")
#: The default: what the reader needs for every sheet. On a 50,000 x 24 register (see
#: tests/test_xlsx_scan_speed.py) the checks alone take ~0.5x a bare python-calamine read,
#: errors add nothing measurable, formulas ~0.15x, style ids ~0.7x: those are asked for.
COLLECT_DEFAULT = ("formulas", "errors")


@dataclass(frozen=True)
class SheetInfo:
    """One sheet. Cells are (row, col), 0-based (A1 is (0, 0)); ``None`` means not collected
    (see ``preflight(collect=...)``)."""

    name: str
    part: str  # zip member, e.g. "xl/worksheets/sheet1.xml"
    type: str  # "worksheet" | "chartsheet" | "dialogsheet" | "macrosheet"
    state: str  # "visible" | "hidden" | "veryHidden"
    dimension: str | None  # the (first) <dimension ref> as written; None when absent
    max_row: int  # the largest row of any cell in the part, 1-based (0: no cells)
    max_col: int  # the largest column of any cell (1 = A)
    cells: int  # number of cell elements
    #: Cells with an <f> child: normal, shared (the master and its <f t="shared" si/> children),
    #: array and data-table formulas. Behaves like a frozenset of (row, col).
    formula_cells: CellSet | None = None
    #: The kind of the formula cells that are not normal: "shared", "array" or "dataTable".
    formula_kinds: CellMap | None = None
    #: Cells with t="e" and a value (formula results included) -> the <v> text, e.g. "#N/A".
    #: python-calamine reads these cells as "".
    error_cells: CellMap | None = None
    #: Cells with a non-zero s -> s, the index into ``WorkbookInfo.fills`` / ``fonts_rgb``; a cell
    #: that is not here has style 0. Only with collect=(..., "styles").
    style_ids: CellMap | None = None
    #: Merged ranges (first row, first col, last row, last col), 0-based and inclusive, in
    #: file order.
    merged: tuple[tuple[int, int, int, int], ...] = ()
    hidden_rows: frozenset[int] = frozenset()  # rows with <row hidden="1">, 0-based
    #: With <sheetFormatPr zeroHeight="1"> every row the part does not list is hidden too.
    rows_hidden_by_default: bool = False
    hidden_cols: frozenset[int] = frozenset()  # from <col min max hidden="1">, 0-based
    tables: tuple[TableInfo, ...] = ()


@dataclass(frozen=True)
class WorkbookInfo:
    path: Path
    kind: str  # "xlsx" | "xlsm"
    is_template: bool  # .xltx/.xltm content type
    sheets: tuple[SheetInfo, ...]
    has_vba: bool
    sha256: str  # of the bytes checked; compare before writing to detect a concurrent change
    size: int  # bytes
    uncompressed_size: int  # sum of the zip members' sizes
    #: For each cell style (a cell's s="N", cellXfs in styles.xml): its fill's foreground colour
    #: as "RRGGBB" (uppercase, no alpha), or None (no fill, pattern "none", automatic colour).
    #: Theme and indexed colours are resolved with the workbook's theme and palette (tint
    #: applied, as Excel does); one the workbook does not define stays "theme:N" / "indexed:N".
    #: A gradient gives its first stop's colour.
    fills: tuple[str | None, ...] = ()
    #: The same for each cell style's font colour (None: automatic, usually black).
    fonts_rgb: tuple[str | None, ...] = ()
    #: Every <definedName> of xl/workbook.xml in file order (print areas and titles included).
    defined_names: tuple[DefinedName, ...] = ()
    date1904: bool = False  # <workbookPr date1904="1">: serial dates count from 1904-01-01
    collected: tuple[str, ...] = field(default=COLLECT_DEFAULT)

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(f"{name!r} not in {[s.name for s in self.sheets]}")

    def fill(self, style_id: int) -> str | None:
        """The fill colour of cell style ``style_id`` (None when out of range)."""
        return self.fills[style_id] if 0 <= style_id < len(self.fills) else None

    def font_rgb(self, style_id: int) -> str | None:
        return self.fonts_rgb[style_id] if 0 <= style_id < len(self.fonts_rgb) else None


# --------------------------------------------------------------------------------------------
# Entry point

_CHUNK = 1 * MiB


def preflight(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS,
              collect: Collection[str] = COLLECT_DEFAULT) -> WorkbookInfo:
    """Check ``path`` before any Excel library parses it; return what it is.

    ``collect`` says what to gather from the cells on the way: any of "formulas", "errors",
    "styles" (``COLLECT_ALL``). The checks are the same whatever is collected.

    Raises InputPathError (missing, a folder, unreadable), NotAWorkbookError, EncryptedWorkbookError
    or UnsafeWorkbookError, each with a one-line ja/en message naming the file.
    """
    return preflight_with_bytes(path, limits=limits, collect=collect)[0]


def preflight_with_bytes(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS,
                         collect: Collection[str] = COLLECT_DEFAULT) -> tuple[WorkbookInfo, bytes]:
    """``preflight``, and the bytes it checked. Give those bytes, not the path, to the Excel
    library: it then parses exactly what was checked, even if the file is replaced meanwhile."""
    # Streamed (nothing held between the stages): memory stays ~3x the file, whatever its parts.
    staged = _preflight(path, limits, collect, hold=False)
    return staged.finish(), staged.data


class Staged:
    """``preflight`` in two stages, so that the value reader need not wait for the whole scan.

    The first stage (``preflight_staged``) reads the file, makes every check that needs no look
    at the cells (the zip limits, the parts' sizes, CRCs and prologs) and decompresses the parts.
    ``parse_safe`` then says whether python-calamine may parse ``data`` already: every worksheet's
    cells are known to lie in a box within the limits (``cell_bound``), which is what calamine
    needs not to exhaust memory. ``finish()`` runs the cell scans and returns the
    ``WorkbookInfo``, or raises exactly what ``preflight`` raises; the file is accepted only if it
    returns. When ``parse_safe`` is False, parse only after ``finish()``.
    """

    def __init__(self, data: bytes, parse_safe: bool, finish: Callable[[Collection[str] | None], WorkbookInfo],
                 sheets: dict[str, list[bytes]] | None = None) -> None:
        self.data = data
        self.parse_safe = parse_safe
        self._finish: Callable[[Collection[str] | None], WorkbookInfo] | None = finish
        self._sheets = sheets or {}

    def finish(self, collect: Collection[str] | None = None) -> WorkbookInfo:
        """``collect``: what to gather from the cells, when it is more than stage one was told
        (e.g. the style ids, after all); None keeps what stage one was told."""
        if self._finish is None:
            raise RuntimeError("Staged.finish() runs once")
        finish, self._finish = self._finish, None
        return finish(collect)

    def sheet_xml(self, name: str) -> bytes | None:
        """A worksheet's XML, when parse-safe (its cells vetted by ``cell_bound``); else None."""
        chunks = self._sheets.get(name)
        return None if chunks is None else b"".join(chunks)


def preflight_staged(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS,
                     collect: Collection[str] = COLLECT_DEFAULT) -> Staged:
    """The first stage of ``preflight`` (see ``Staged``). Raises what ``preflight`` raises for
    everything decided without the cells: not a workbook, encrypted, a zip bomb, a DOCTYPE.
    Holds the decompressed parts (at most 256 MiB; beyond, ``parse_safe`` is False) until
    ``finish()`` has scanned them."""
    return _preflight(path, limits, collect, hold=True)


def _preflight(path: str | os.PathLike[str], limits: Limits, collect: Collection[str], *, hold: bool) -> Staged:
    unknown = set(collect) - set(COLLECT_ALL)
    if unknown or isinstance(collect, str):
        raise ValueError(f"collect: expected some of {COLLECT_ALL}, got {collect!r}")
    wanted = tuple(c for c in COLLECT_ALL if c in collect)
    p = Path(path)
    data = _read_file(p, limits)
    digest = hashlib.sha256(data).hexdigest()
    where = Where(str(p))
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return _check_zip(p, data, digest, limits, where, wanted, hold)
    if head.startswith(b"PK\x05\x06") or head.startswith(b"PK\x07\x08"):
        raise where.not_workbook("zip_empty", "中身のない（または壊れた）zip ファイルです",
                                 "an empty or broken zip archive")
    if head == _OLE_MAGIC:
        _refuse_ole(data, where)
    if head.startswith(b"%PDF-"):
        raise where.not_workbook("pdf", "PDF ファイルです", "a PDF file")
    _refuse_other(data, where)
    raise AssertionError("unreachable")  # pragma: no cover


_SAVE_AS_JA = "Excel で開いて .xlsx で保存してください"
_SAVE_AS_EN = "open it in Excel and save as .xlsx"


# --------------------------------------------------------------------------------------------
# The file

def _read_file(p: Path, limits: Limits) -> bytes:
    w = Where(str(p))
    data = b""
    too_large = False
    try:
        if not p.exists():
            raise w.path_error("missing", "ファイルが見つかりません", "file not found")
        if p.is_dir():
            raise w.path_error("folder", "フォルダーです（ファイルを指定してください）", "a folder, not a file")
        if not p.is_file():
            raise w.path_error("not_a_file", "通常のファイルではありません", "not a regular file")
        size = p.stat().st_size
        too_large = size > limits.max_file_bytes
        if not too_large:
            with p.open("rb") as fh:
                # read(n) allocates n bytes up front: ask for the size (+1: it may have grown
                # meanwhile), and for the rest up to the limit only when it did.
                data = fh.read(size + 1)
                if len(data) > size:
                    data += fh.read(limits.max_file_bytes + 1 - len(data))
    except PermissionError:
        raise w.path_error("unreadable", "読み取る権限がありません", "permission denied") from None
    except OSError as err:
        raise w.path_error("unreadable", f"読み取れません（{err.strerror or err}）",
                           f"cannot be read ({err.strerror or err})") from None
    if too_large or len(data) > limits.max_file_bytes:
        raise w.unsafe("file_too_large", f"ファイルが {mib(limits.max_file_bytes)} を超えています",
                       f"the file is larger than {mib(limits.max_file_bytes)}")
    if not data:
        raise w.not_workbook("empty", "空のファイル（0 バイト）です", "the file is empty (0 bytes)")
    return data


# --------------------------------------------------------------------------------------------
# OLE compound files: legacy .xls, or an xlsx encrypted by Excel

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse_ole(data: bytes, where: Where) -> None:
    try:
        import olefile  # installed with msoffcrypto-tool
    except ImportError:  # pragma: no cover - depends on the environment
        raise where.not_workbook(
            "ole", f"古い Excel 形式（.xls）か、パスワード付きのブックです。{_SAVE_AS_JA}",
            f"a legacy .xls or a password-protected workbook; {_SAVE_AS_EN}") from None
    try:
        # A BytesIO, not the bytes: olefile takes bytes shorter than 1,536 as a file name.
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception:  # noqa: BLE001 - olefile raises many types for broken input
        raise where.corrupt("ole_corrupt", "OLE 複合ファイルとして読めません",
                            "unreadable OLE compound file") from None
    if "encryptioninfo" in streams and "encryptedpackage" in streams:
        raise where.encrypted(
            "encrypted",
            "パスワードで保護（暗号化）されています。Excel でパスワードを解除して保存し直してから指定してください",
            "the workbook is password-protected (encrypted); remove the password in Excel and save it again")
    if "workbook" in streams or "book" in streams:
        raise where.not_workbook(
            "legacy_xls", f"古い Excel 97-2003 形式（.xls）です。{_SAVE_AS_JA}",
            f"a legacy Excel 97-2003 workbook (.xls); {_SAVE_AS_EN}")
    if "worddocument" in streams:
        raise where.not_workbook("doc", "Word 文書（.doc）です", "a Word document (.doc)")
    raise where.not_workbook("ole", "Excel ブックではない OLE 複合ファイルです",
                             "an OLE compound file that is not an Excel workbook")


# --------------------------------------------------------------------------------------------
# Text and everything else

_TEXT_HEAD = 64 * KiB


def _refuse_other(data: bytes, where: Where) -> None:
    name = Path(where.path).name
    if name.startswith("~$") and len(data) < 4 * KiB:
        # A folder scan picks these up: Excel's marker that someone has the workbook open.
        raise where.not_workbook("owner_file", "Excel がブックを開いている間に作る一時ファイル（~$）です",
                                 "a temporary owner file Excel keeps while the workbook is open (~$)")
    if name.startswith(".~lock.") and len(data) < 4 * KiB:
        raise where.not_workbook("lock_file", "LibreOffice がブックを開いている間に作るロックファイルです",
                                 "a lock file LibreOffice keeps while the workbook is open")
    text = _decode_text(data[:_TEXT_HEAD], truncated=len(data) > _TEXT_HEAD)
    if text is None:
        raise where.not_workbook("unknown", "形式が分かりません", "unknown file format")
    low = text.lstrip("\ufeff \t\r\n").lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low[:4096] or "progid=\"excel.sheet\"" in low[:512]:
        raise where.not_workbook("xml2003", f"XML スプレッドシート 2003 形式です。{_SAVE_AS_JA}",
                                 f"an XML Spreadsheet 2003 file; {_SAVE_AS_EN}")
    if low.startswith(("<!doctype html", "<html", "<table", "mime-version:")) or "<html" in low[:1024]:
        raise where.not_workbook("html", f"Web ページ（HTML）形式です。{_SAVE_AS_JA}",
                                 f"a web page (HTML) saved with an Excel name; {_SAVE_AS_EN}")
    if _looks_like_csv(text):
        raise where.not_workbook("csv", f"CSV（区切り文字のテキスト）ファイルです。{_SAVE_AS_JA}",
                                 f"a CSV (delimited text) file; {_SAVE_AS_EN}")
    raise where.not_workbook("text", "テキストファイルです", "a text file")


def _decode_text(head: bytes, truncated: bool) -> str | None:
    """The head as text, or None when it looks binary. Japanese exports are often cp932."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    else:
        if b"\x00" in head:
            return None
        candidates = ["utf-8", "cp932"]
    for enc in candidates:
        decoder = codecs.getincrementaldecoder(enc)()
        try:
            text = decoder.decode(head, final=not truncated)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        if "\x00" in text or controls > max(2, len(text) // 100):
            return None
        return text
    return None


def _looks_like_csv(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return False
    for delim in (",", "\t", ";", "|"):
        with_delim = sum(1 for ln in lines if delim in ln)
        if with_delim and with_delim >= 0.8 * len(lines):
            return True
    return False


# --------------------------------------------------------------------------------------------
# The zip

_MAX_PARSED_PART = 64 * MiB  # each of content types, workbook.xml, rels; styles, theme and tables together
#: Parts are decompressed into memory at once (``Staged``) when their declared sizes add up to no
#: more than this; larger workbooks are streamed in 1 MiB pieces as the scans go.
_STAGE_BYTES = 256 * MiB


def _check_zip(p: Path, data: bytes, digest: str, limits: Limits, where: Where,
               collect: tuple[str, ...], hold: bool) -> Staged:
    # Each central-directory entry starts with this signature, so the count bounds the number
    # of members before zipfile builds one object per entry.
    if data.count(b"PK\x01\x02") > limits.max_members:
        raise _too_many_members(where, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - zipfile raises many types for broken archives
        raise where.corrupt("bad_zip", "zip として読めません", "not a readable zip archive") from None
    try:
        infos = zf.infolist()
        _check_central_directory(infos, limits, where)
        names = {i.filename for i in infos}
        _refuse_other_zip_formats(zf, names, where)
        for required in (CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS):
            if required not in names:
                raise where.corrupt("missing_part", f"必要な部品 {required} がありません",
                                    f"the part {required} is missing")
        reader = _MemberReader(zf, limits, where)
        by_name = {i.filename: i for i in infos}
        kind, is_template = xlsx_parts.workbook_kind(reader.read_xml(by_name[CONTENT_TYPES]), where)
        book = xlsx_parts.workbook(reader.read_xml(by_name[WORKBOOK]),
                                   reader.read_xml(by_name[WORKBOOK_RELS]), names, where)
        part_to_sheet = {s.part: s for s in book.sheets + book.unlisted}
        listed = {s.part for s in book.sheets}
        scans: dict[str, SheetScanner] = {}
        for s in book.sheets + book.unlisted:
            if s.type != "chartsheet":
                shown = s.part in listed  # unlisted parts are only checked
                scans[s.part] = SheetScanner(
                    limits, where, s.name, formulas=shown and "formulas" in collect,
                    errors=shown and "errors" in collect, styles=shown and "styles" in collect)
        done = {CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS}
        # openpyxl creates a cell for every comment, so comments extend their sheet's range.
        comments: dict[str, CommentScanner] = {}
        table_parts: dict[str, dict[str, str]] = {}  # sheet part -> r:id -> table part
        for part, scanner in scans.items():
            rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
            if rels_name in by_name:
                comment_parts, tables = xlsx_parts.sheet_rels(
                    reader.read_xml(by_name[rels_name]), part, rels_name, where)
                for target in comment_parts:
                    comments[target] = CommentScanner(scanner)
                table_parts[part] = tables
                done.add(rels_name)
        # Small parts parsed after the pass (kept as they stream by).
        keep = {book.styles_part, book.theme_part} | {t for ts in table_parts.values() for t in ts.values()}
        kept: dict[str, list[bytes]] = {}
        total = 0
        for name in sorted(n for n in keep if n in by_name):
            total += by_name[name].file_size
            if total > _MAX_PARSED_PART:
                raise _part_too_large(where, name)
            kept[name] = []
        members = [i for i in infos if i.filename not in done and not i.filename.endswith("/")]

        def label_of(name: str) -> str | None:
            sheet = part_to_sheet.get(name)
            return sheet.name if sheet is not None else None

        def prolog_checker(name: str) -> _PrologChecker | None:
            if not (_is_xml_name(name) or name in part_to_sheet):
                return None
            return _PrologChecker(name, limits, where, label_of(name), strict_encoding=name in part_to_sheet)

        # Stage one: decompress every part (each bounded by its declared size, all together by
        # _STAGE_BYTES) in a thread, checking each part's prolog and bounding each worksheet's
        # cells (cell_bound) here as the pieces arrive: zlib and RE2 run side by side.
        held: dict[str, list[bytes]] | None = None
        parse_safe = False
        if hold and sum(i.file_size for i in members) <= _STAGE_BYTES:
            held = {i.filename: [] for i in members}
            checkers = {i.filename: prolog_checker(i.filename) for i in members}
            bounds = {s.part: CellBound(limits.max_cells) for s in book.sheets if s.type == "worksheet"}
            for info, chunk in reader.stream_ahead(members, label_of):
                name = info.filename
                held[name].append(chunk)
                checker, bound = checkers[name], bounds.get(name)
                if checker is not None and not checker.done:
                    checker.feed(chunk)
                if bound is not None:
                    bound.feed(chunk)
            parse_safe = all(p in held and b.result() is not None for p, b in bounds.items())
    except BaseException:
        zf.close()
        raise

    def finish(more: Collection[str] | None) -> WorkbookInfo:
        nonlocal collect
        if more is not None:
            unknown = set(more) - set(COLLECT_ALL)
            if unknown or isinstance(more, str):
                raise ValueError(f"collect: expected some of {COLLECT_ALL}, got {more!r}")
            collect = tuple(c for c in COLLECT_ALL if c in more or c in collect)
            for sheet in book.sheets:  # listed sheets collect; unlisted parts are only checked
                if sheet.part in scans:
                    sc = scans[sheet.part]
                    sc.collect_formulas = "formulas" in collect
                    sc.collect_errors = "errors" in collect
                    sc.collect_styles = "styles" in collect
        with zf:
            return _scan_members()

    def _scan_members() -> WorkbookInfo:
        for info in members:
            name = info.filename
            label = label_of(name)
            sinks: list[Callable[[bytes], None]] = []
            checker = prolog_checker(name) if held is None else None  # stage one checked them
            if checker is not None:
                sinks.append(checker.feed)
            stream: TagStream | None = scans.get(name) or comments.get(name)
            if stream is not None:
                sinks.append(stream.feed)
            if name in kept:
                sinks.append(kept[name].append)
            if held is None:
                reader.stream(info, sinks, label)
            else:
                for piece in held.pop(name):  # freed part by part
                    for sink in sinks:
                        sink(piece)
            if stream is not None:
                stream.close()

        def part_bytes(name: str | None) -> bytes | None:
            return b"".join(kept[name]) if name in kept else None

        theme = xlsx_parts.theme_colors(part_bytes(book.theme_part))
        fills, fonts = xlsx_parts.styles(part_bytes(book.styles_part), book.styles_part or "", theme, where)
        sheets = tuple(_sheet_info(s, scans.get(s.part), table_parts.get(s.part, {}), part_bytes, collect, where)
                       for s in book.sheets)
        return WorkbookInfo(
            path=p, kind=kind, is_template=is_template, sheets=sheets,
            has_vba=any(n.lower() == "xl/vbaproject.bin" for n in names),
            sha256=digest, size=len(data), uncompressed_size=sum(i.file_size for i in infos),
            fills=fills, fonts_rgb=fonts, defined_names=book.defined_names, date1904=book.date1904,
            collected=collect)

    vetted = {s.name: held[s.part] for s in book.sheets if s.type == "worksheet"} if parse_safe else {}
    return Staged(data, parse_safe, finish, vetted)


def _sheet_info(s, sc: SheetScanner | None, table_parts: dict[str, str],
                part_bytes: Callable[[str | None], bytes | None], collect: tuple[str, ...], where: Where) -> SheetInfo:
    """One listed sheet's ``SheetInfo`` from its scan (None for a chartsheet: no cells)."""
    if sc is None:
        return SheetInfo(
            name=s.name, part=s.part, type=s.type, state=s.state, dimension=None,
            max_row=0, max_col=0, cells=0,
            formula_cells=CellSet() if "formulas" in collect else None,
            formula_kinds=CellMap() if "formulas" in collect else None,
            error_cells=CellMap() if "errors" in collect else None,
            style_ids=CellMap() if "styles" in collect else None)
    tables = []
    for rid in sc.table_ids:
        part = table_parts.get(rid)
        data = part_bytes(part)
        if part is not None and data is not None:
            tables.append(xlsx_parts.table(data, part, where, s.name))
    return SheetInfo(
        name=s.name, part=s.part, type=s.type, state=s.state, dimension=sc.dimension,
        max_row=sc.max_row, max_col=sc.max_col, cells=sc.cells,
        formula_cells=sc.formula_cells(), formula_kinds=sc.formula_kinds(),
        error_cells=sc.error_cells(), style_ids=sc.style_ids(),
        merged=tuple(sc.merged), hidden_rows=frozenset(sc.hidden_rows),
        rows_hidden_by_default=sc.zero_height, hidden_cols=frozenset(sc.hidden_cols),
        tables=tuple(tables))


def _part_too_large(where: Where, name: str) -> BadInputError:
    return where.unsafe("part_too_large", f"部品 {name} が大きすぎます", f"the part {name} is too large")


def _too_many_members(where: Where, limits: Limits) -> BadInputError:
    return where.unsafe("too_many_members", f"zip の部品が {limits.max_members:,} 個を超えています",
                        f"more than {limits.max_members:,} zip members")


def _check_central_directory(infos: list[zipfile.ZipInfo], limits: Limits, where: Where) -> None:
    """Zip-bomb limits from the declared sizes alone, before anything is decompressed."""
    if len(infos) > limits.max_members:
        raise _too_many_members(where, limits)
    seen: set[str] = set()
    total = 0
    for info in infos:
        # OPC part names are case-insensitive; two entries for one part let different readers
        # see different content.
        key = info.filename.lower()
        if key in seen:
            raise where.unsafe("duplicate_part", f"同じ名前の部品 {info.filename} が複数あります",
                               f"the part {info.filename} appears more than once")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise where.encrypted("zip_encrypted",
                                  "zip がパスワードで暗号化されています。Excel で保存し直してください",
                                  "the zip archive is password-encrypted; save it again from Excel")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise where.corrupt("compression", f"部品 {info.filename} の圧縮方式に対応していません",
                                f"unsupported compression method in {info.filename}")
        total += info.file_size
        if total > limits.max_total_uncompressed:
            raise where.unsafe(
                "zip_bomb",
                f"展開後のサイズが {mib(limits.max_total_uncompressed)} を超えます（zip 爆弾の疑い）",
                f"it would expand to more than {mib(limits.max_total_uncompressed)} (zip bomb?)")
        if (info.file_size > limits.ratio_min_bytes
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            ratio = info.file_size / max(info.compress_size, 1)
            raise where.unsafe(
                "zip_bomb",
                f"部品 {info.filename} の圧縮率が異常です（{ratio:,.0f}:1、zip 爆弾の疑い）",
                f"the part {info.filename} has an abnormal compression ratio ({ratio:,.0f}:1, zip bomb?)")


def _refuse_other_zip_formats(zf: zipfile.ZipFile, names: set[str], where: Where) -> None:
    if WORKBOOK in names:
        return
    if "mimetype" in names:
        try:
            with zf.open("mimetype") as fh:  # only its start: the sizes are not checked yet
                mimetype = fh.read(200).decode("ascii", "replace")
        except Exception:  # noqa: BLE001 - a broken mimetype member is judged like a broken zip
            mimetype = ""
        if "opendocument.spreadsheet" in mimetype:
            raise where.not_workbook("ods", f"OpenDocument スプレッドシート（.ods）です。{_SAVE_AS_JA}",
                                     f"an OpenDocument spreadsheet (.ods); {_SAVE_AS_EN}")
        raise where.not_workbook("odf", "OpenDocument 形式のファイルです", "an OpenDocument file")
    if "xl/workbook.bin" in names:
        raise where.not_workbook("xlsb", f"Excel バイナリブック（.xlsb）です。{_SAVE_AS_JA}",
                                 f"an Excel binary workbook (.xlsb); {_SAVE_AS_EN}")
    if "word/document.xml" in names:
        raise where.not_workbook("docx", "Word 文書（.docx）です", "a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        raise where.not_workbook("pptx", "PowerPoint ファイル（.pptx）です", "a PowerPoint file (.pptx)")
    if WORKBOOK not in names and CONTENT_TYPES not in names:
        raise where.not_workbook("zip", "Excel ブックではない zip ファイルです",
                                 "a zip archive that is not an Excel workbook")



def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


# --------------------------------------------------------------------------------------------
# Streaming members

class _Stopped(Exception):
    """The caller of ``_MemberReader.stream_ahead`` stopped reading."""


class _MemberReader:
    """Decompresses members as streams, never past their declared size plus one byte.

    zipfile stops at the declared size on its own, but other readers (calamine's Rust zip)
    inflate the whole stream; opening a copy of the entry that declares one byte more (and no
    CRC, which is checked here instead) shows whether the stream really ends where it says, so
    the bomb limits hold for those readers too.
    """

    def __init__(self, zf: zipfile.ZipFile, limits: Limits, where: Where) -> None:
        self.zf = zf
        self.limits = limits
        self.where = where

    def read_xml(self, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > _MAX_PARSED_PART:
            raise _part_too_large(self.where, info.filename)
        parts: list[bytes] = []
        checker = _PrologChecker(info.filename, self.limits, self.where, None, strict_encoding=True)
        self.stream(info, [checker.feed, parts.append], None)
        return b"".join(parts)

    def stream_ahead(self, members: list[zipfile.ZipInfo],
                     label_of: Callable[[str], str | None]) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
        """(member, piece) for every piece of every member in order, decompressed by a thread
        that runs ahead of the caller (zlib releases the GIL). Its errors are raised here, in
        member order; when the caller stops early, the thread stops at its next piece."""
        pieces: queue.SimpleQueue = queue.SimpleQueue()
        stop = threading.Event()
        done = object()

        def produce() -> None:
            try:
                for info in members:
                    def put(chunk: bytes, info: zipfile.ZipInfo = info) -> None:
                        if stop.is_set():
                            raise _Stopped
                        pieces.put((info, chunk))
                    self.stream(info, [put], label_of(info.filename))
                pieces.put(done)
            except _Stopped:
                pass
            except BaseException as err:  # noqa: BLE001 - handed to the caller
                pieces.put(err)

        thread = threading.Thread(target=produce, name="isms-xl-inflate", daemon=True)
        thread.start()
        try:
            while (item := pieces.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    def stream(self, info: zipfile.ZipInfo, sinks: list[Callable[[bytes], None]],
               sheet: str | None) -> None:
        probe = copy.copy(info)
        probe.file_size = info.file_size + 1
        del probe.CRC  # ZipExtFile checks the CRC only when the ZipInfo has one
        total = crc = 0
        try:
            with self.zf.open(probe) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    total += len(chunk)
                    crc = zlib.crc32(chunk, crc)
                    if total > info.file_size:
                        raise self.where.unsafe(
                            "size_mismatch",
                            f"部品 {info.filename} が申告サイズより大きく展開されます（zip 爆弾の疑い）",
                            f"the part {info.filename} expands beyond its declared size (zip bomb?)",
                            sheet)
                    for sink in sinks:
                        sink(chunk)
        except BadInputError:
            raise
        except Exception:  # noqa: BLE001 - BadZipFile (CRC), zlib.error, EOFError, ...
            raise self.where.corrupt("bad_member", f"部品 {info.filename} を展開できません",
                                     f"the part {info.filename} cannot be decompressed", sheet) from None
        if total != info.file_size or crc != info.CRC:
            raise self.where.corrupt("bad_member", f"部品 {info.filename} が壊れています",
                                     f"the part {info.filename} is damaged (size or CRC)", sheet)


# Encodings in which every ASCII character is itself (the scans below look for ASCII bytes).
_ASCII_COMPATIBLE = {
    "utf-8", "utf8", "us-ascii", "ascii", "latin-1", "latin1", "windows-1252", "cp1252",
    "shift_jis", "shift-jis", "sjis", "cp932", "windows-31j", "ms932", "euc-jp",
    *(f"iso-8859-{n}" for n in range(1, 17)),
}
_XML_DECL_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")


class _PrologChecker:
    """Refuses a DOCTYPE (entity bombs, external entities) before the root element of a part.

    Excel never writes a DOCTYPE; a DTD can only appear in the prolog, which must end within
    ``max_prolog_bytes``. Parts in UTF-16 are decoded for the check; sheet and workbook parts
    must be in an ASCII-compatible encoding, because their scans look for ASCII bytes.
    """

    def __init__(self, part: str, limits: Limits, where: Where, sheet: str | None,
                 *, strict_encoding: bool) -> None:
        self.part, self.limits, self.where, self.sheet = part, limits, where, sheet
        self.strict_encoding = strict_encoding
        self.head = b""
        self.done = False

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        self.head += chunk[: self.limits.max_prolog_bytes + 16 - len(self.head)]
        verdict = self._check(final=len(self.head) > self.limits.max_prolog_bytes)
        if verdict:
            self.done = True
            self.head = b""

    def _unsafe(self, reason: str, ja: str, en: str) -> BadInputError:
        return self.where.unsafe(reason, f"部品 {self.part}: {ja}", f"part {self.part}: {en}", self.sheet)

    def _check(self, final: bool) -> bool:
        head = self.head
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:4].count(b"\x00") >= 2:
            if self.strict_encoding:
                raise self._unsafe("encoding", "UTF-16 などの想定外の文字コードです",
                                   "unexpected character encoding (UTF-16/32)")
            enc = "utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else (
                "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be")
            text = head.decode(enc, "ignore")
        else:
            text = head.decode("latin-1")
        pos = 1 if text.startswith("\ufeff") else (3 if text.startswith("ï»¿") else 0)
        n = len(text)
        while True:
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if pos >= n:
                return self._incomplete(final)
            if text.startswith("<?", pos):
                end = text.find("?>", pos)
                if end < 0:
                    return self._incomplete(final)
                decl = text[pos:end]
                if decl.startswith("<?xml") and self.strict_encoding:
                    m = _XML_DECL_ENCODING.search(decl)
                    if m and m.group(1).lower() not in _ASCII_COMPATIBLE:
                        raise self._unsafe("encoding", f"想定外の文字コード {m.group(1)} です",
                                           f"unexpected character encoding {m.group(1)}")
                pos = end + 2
            elif text.startswith("<!--", pos):
                end = text.find("-->", pos + 4)
                if end < 0:
                    return self._incomplete(final)
                pos = end + 3
            elif text.startswith("<!", pos):
                if n - pos < 9 and not final:
                    return False
                raise self._unsafe("doctype", "DOCTYPE（エンティティ定義）があります。Excel は書きません",
                                   "it has a DOCTYPE (entity declarations), which Excel never writes")
            else:
                return True  # the root element (or text a parser will reject on its own)

    def _incomplete(self, final: bool) -> bool:
        if final:
            raise self._unsafe("prolog", "XML の前置きが長すぎます", "the XML prolog is too long")
        return False
