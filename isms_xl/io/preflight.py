"""Decide whether a file is a workbook we can safely hand to an Excel library, before any does.

No Excel library parses sheets or shared strings here. ``preflight(path)`` reads the file once
into memory, hashes it, and then works only on those bytes:

1. the path is a readable, non-empty file no larger than ``Limits.max_file_bytes``;
2. the first bytes say what it is: a zip (xlsx/xlsm), an OLE compound file (legacy ``.xls`` or an
   encrypted xlsx, told apart with ``olefile``), a PDF, text (CSV/TSV, HTML or XML 2003 saved as
   "Excel"), or something else;
3. zip bombs are refused from the central directory alone (member count, declared total size,
   per-member ratio), before anything is decompressed;
4. the content types, ``xl/workbook.xml`` and its rels are parsed with defusedxml to find the
   sheets and their parts;
5. every member is then decompressed as a stream, never more than its declared size plus one
   byte (a member that inflates past its declaration is refused, so every reader sees what we
   saw); every XML part has its prolog checked for a DOCTYPE (Excel never writes one), and each
   sheet part is scanned for its ``<dimension>`` and the cell references it really contains,
   stopping as soon as a limit is passed.

Errors are ``isms_xl.errors.BadInputError`` subclasses with one-line ja/en messages naming the
file (and the sheet where it applies). Nothing is written anywhere.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET

from isms_xl.errors import (
    BadInputError,
    EncryptedWorkbookError,
    InputPathError,
    NotAWorkbookError,
    UnsafeWorkbookError,
)

__all__ = ["Limits", "DEFAULT_LIMITS", "SheetInfo", "WorkbookInfo", "preflight"]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384  # XFD


@dataclass(frozen=True)
class Limits:
    """What preflight accepts. Defaults are far above any ISMS register and far below what
    exhausts a desktop; change them with ``dataclasses.replace(DEFAULT_LIMITS, ...)``."""

    #: The file itself; it is read into memory once. Excel files with photos stay well below.
    max_file_bytes: int = 200 * MiB
    #: Zip members. Excel writes ~10-50; tens of thousands only come from crafted files, and
    #: ``zipfile`` holds one object per member in memory.
    max_members: int = 10_000
    #: Sum of the members' declared uncompressed sizes. Every member is decompressed once here
    #: (~1 s per GiB), and readers need several times that in memory.
    max_total_uncompressed: int = 1 * GiB
    #: Uncompressed:compressed ratio above which a large member is a bomb. Sheet XML written by
    #: Excel compresses 5-30:1 (at most ~65:1 in the 993 Excel-saved test files); deflate's
    #: ceiling is ~1030:1, which is what a bomb of zeros reaches.
    max_ratio: float = 200.0
    #: The ratio applies only to members whose declared size is above this (tiny members can
    #: reach high ratios harmlessly).
    ratio_min_bytes: int = 1 * MiB
    #: Rows x columns of a sheet's used range, counted from A1 (openpyxl's iter_rows creates
    #: every cell of it, calamine allocates it as one dense grid, ~32 bytes a cell). 10 million
    #: is 100,000 rows x 100 columns; A1:XFD1048576 is 17 billion. The range covers the
    #: dimension, every cell reference, merged and hyperlink ranges and comments (openpyxl
    #: creates cells for those). Also caps the cell elements in a part, and the total area of
    #: merged and hyperlink ranges.
    max_cells: int = 10_000_000
    #: The XML prolog (declaration, comments) must end within this many bytes of a part.
    max_prolog_bytes: int = 64 * KiB

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_members", "max_total_uncompressed",
                     "ratio_min_bytes", "max_cells", "max_prolog_bytes"):
            if int(getattr(self, name)) <= 0:
                raise ValueError(f"Limits.{name} must be positive")
        if self.max_ratio <= 1:
            raise ValueError("Limits.max_ratio must be above 1")


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # zip member, e.g. "xl/worksheets/sheet1.xml"
    type: str  # "worksheet" | "chartsheet" | "dialogsheet" | "macrosheet"
    state: str  # "visible" | "hidden" | "veryHidden"
    dimension: str | None  # the <dimension ref> as written; None when absent
    max_row: int  # the largest row of any cell in the part (0: no cells)
    max_col: int  # the largest column of any cell (1 = A)
    cells: int  # number of cell elements


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

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(f"{name!r} not in {[s.name for s in self.sheets]}")


# --------------------------------------------------------------------------------------------
# Entry point

_CHUNK = 1 * MiB


def preflight(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> WorkbookInfo:
    """Check ``path`` before any Excel library parses it; return what it is.

    Raises InputPathError (missing, a folder, unreadable), NotAWorkbookError, EncryptedWorkbookError
    or UnsafeWorkbookError, each with a one-line ja/en message naming the file.
    """
    p = Path(path)
    data = _read_file(p, limits)
    digest = hashlib.sha256(data).hexdigest()
    where = _Where(str(p))
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return _check_zip(p, data, digest, limits, where)
    if head.startswith(b"PK\x05\x06") or head.startswith(b"PK\x07\x08"):
        raise where.not_workbook("zip_empty", "中身のない（または壊れた）zip ファイルです",
                                 "an empty or broken zip archive")
    if head == _OLE_MAGIC:
        _refuse_ole(data, where)
    if head.startswith(b"%PDF-"):
        raise where.not_workbook("pdf", "PDF ファイルです", "a PDF file")
    _refuse_other(data, where)
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Messages

_SAVE_AS_JA = "Excel で開いて .xlsx で保存してください"
_SAVE_AS_EN = "open it in Excel and save as .xlsx"


_CONTROL = dict.fromkeys([*range(32), 127, 0x2028, 0x2029, 0x85])


def _one_line(text: str) -> str:
    """Sheet names and paths come from the input; keep the message on one line."""
    if not any(ord(ch) in _CONTROL for ch in text):
        return text
    return "".join(repr(ch)[1:-1] if ord(ch) in _CONTROL else ch for ch in text)


class _Where:
    """Builds the errors for one file (and optionally one sheet) so every message names it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _make(self, cls: type[BadInputError], reason: str, ja: str, en: str,
              sheet: str | None) -> BadInputError:
        path = _one_line(self.path)
        if sheet is None:
            return cls(f"{path}: {ja}", f"{path}: {en}", reason=reason, path=self.path)
        shown = _one_line(sheet)
        return cls(f"{path}: シート「{shown}」: {ja}", f"{path}: sheet '{shown}': {en}",
                   reason=reason, path=self.path, sheet=sheet)

    def path_error(self, reason: str, ja: str, en: str) -> BadInputError:
        return self._make(InputPathError, reason, ja, en, None)

    def not_workbook(self, reason: str, ja: str, en: str, sheet: str | None = None) -> BadInputError:
        return self._make(NotAWorkbookError, reason, f"Excel ブック（.xlsx）ではありません。{ja}",
                          f"not an Excel workbook (.xlsx): {en}", sheet)

    def corrupt(self, reason: str, ja: str, en: str, sheet: str | None = None) -> BadInputError:
        return self._make(NotAWorkbookError, reason,
                          f"ファイルが壊れているか途中で切れています（{ja}）。"
                          "元のファイルかバックアップから取り直してください",
                          f"the file is corrupt or truncated ({en}); "
                          "get it again from its source or a backup",
                          sheet)

    def unsafe(self, reason: str, ja: str, en: str, sheet: str | None = None) -> BadInputError:
        return self._make(UnsafeWorkbookError, reason, f"{ja}（安全のため読み込みを中止しました）",
                          f"{en} (refused as unsafe to read)", sheet)

    def encrypted(self, reason: str, ja: str, en: str) -> BadInputError:
        return self._make(EncryptedWorkbookError, reason, ja, en, None)


# --------------------------------------------------------------------------------------------
# The file

def _read_file(p: Path, limits: Limits) -> bytes:
    w = _Where(str(p))
    data = b""
    too_large = False
    try:
        if not p.exists():
            raise w.path_error("missing", "ファイルが見つかりません", "file not found")
        if p.is_dir():
            raise w.path_error("folder", "フォルダーです（ファイルを指定してください）", "a folder, not a file")
        if not p.is_file():
            raise w.path_error("not_a_file", "通常のファイルではありません", "not a regular file")
        too_large = p.stat().st_size > limits.max_file_bytes
        if not too_large:
            with p.open("rb") as fh:
                data = fh.read(limits.max_file_bytes + 1)  # +1: it may have grown meanwhile
    except PermissionError:
        raise w.path_error("unreadable", "読み取る権限がありません", "permission denied") from None
    except OSError as err:
        raise w.path_error("unreadable", f"読み取れません（{err.strerror or err}）",
                           f"cannot be read ({err.strerror or err})") from None
    if too_large or len(data) > limits.max_file_bytes:
        raise w.unsafe("file_too_large", f"ファイルが {_mib(limits.max_file_bytes)} を超えています",
                       f"the file is larger than {_mib(limits.max_file_bytes)}")
    if not data:
        raise w.not_workbook("empty", "空のファイル（0 バイト）です", "the file is empty (0 bytes)")
    return data


def _mib(n: int) -> str:
    return f"{n / MiB:,.0f} MiB" if n >= MiB else f"{n:,} bytes"


# --------------------------------------------------------------------------------------------
# OLE compound files: legacy .xls, or an xlsx encrypted by Excel

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse_ole(data: bytes, where: _Where) -> None:
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


def _refuse_other(data: bytes, where: _Where) -> None:
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

_CT_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xlsx", False),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ("xlsm", False),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": ("xlsx", True),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": ("xlsm", True),
}
_CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_CONTENT_TYPES = "[Content_Types].xml"
_SHEET_TYPES = {  # relationship type (its last path segment) -> SheetInfo.type
    "worksheet": "worksheet",
    "chartsheet": "chartsheet",
    "dialogsheet": "dialogsheet",
    "xlMacrosheet": "macrosheet",
    "xlIntlMacrosheet": "macrosheet",
}
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_MAX_PARSED_PART = 64 * MiB  # content types, workbook.xml and its rels are parsed in memory


def _check_zip(p: Path, data: bytes, digest: str, limits: Limits, where: _Where) -> WorkbookInfo:
    # Each central-directory entry starts with this signature, so the count bounds the number
    # of members before zipfile builds one object per entry.
    if data.count(b"PK\x01\x02") > limits.max_members:
        raise _too_many_members(where, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - zipfile raises many types for broken archives
        raise where.corrupt("bad_zip", "zip として読めません", "not a readable zip archive") from None
    with zf:
        infos = zf.infolist()
        _check_central_directory(infos, limits, where)
        names = {i.filename for i in infos}
        _refuse_other_zip_formats(zf, names, where)
        for required in (_CONTENT_TYPES, _WORKBOOK, _WORKBOOK_RELS):
            if required not in names:
                raise where.corrupt("missing_part", f"必要な部品 {required} がありません",
                                    f"the part {required} is missing")
        reader = _MemberReader(zf, limits, where)
        by_name = {i.filename: i for i in infos}
        kind, is_template = _workbook_kind(reader.read_xml(by_name[_CONTENT_TYPES]), where)
        sheets, unlisted = _sheet_parts(reader.read_xml(by_name[_WORKBOOK]),
                                        reader.read_xml(by_name[_WORKBOOK_RELS]), names, where)
        part_to_sheet = {s.part: s for s in sheets + unlisted}
        scans = {s.part: _SheetScanner(limits, where, s.name)
                 for s in sheets + unlisted if s.type != "chartsheet"}
        done = {_CONTENT_TYPES, _WORKBOOK, _WORKBOOK_RELS}
        # openpyxl creates a cell for every comment, so comments extend their sheet's range.
        comments: dict[str, _CommentScanner] = {}
        for part, scanner in scans.items():
            rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
            if rels_name in by_name:
                for target in _comment_parts(reader.read_xml(by_name[rels_name]), part, rels_name, where):
                    comments[target] = _CommentScanner(scanner)
                done.add(rels_name)
        for info in infos:
            name = info.filename
            if name in done or name.endswith("/"):
                continue
            sheet = part_to_sheet.get(name)
            label = sheet.name if sheet is not None else None
            sinks: list[Callable[[bytes], None]] = []
            if _is_xml_name(name) or sheet is not None:
                checker = _PrologChecker(name, limits, where, label, strict_encoding=sheet is not None)
                sinks.append(checker.feed)
            stream: _TagStream | None = scans.get(name) or comments.get(name)
            if stream is not None:
                sinks.append(stream.feed)
            reader.stream(info, sinks, label)
            if stream is not None:
                stream.close()
        result = []
        for s in sheets:
            sc = scans.get(s.part)
            result.append(SheetInfo(
                name=s.name, part=s.part, type=s.type, state=s.state,
                dimension=sc.dimension if sc else None,
                max_row=sc.max_row if sc else 0, max_col=sc.max_col if sc else 0,
                cells=sc.cells if sc else 0))
        return WorkbookInfo(
            path=p, kind=kind, is_template=is_template, sheets=tuple(result),
            has_vba=any(n.lower() == "xl/vbaproject.bin" for n in names),
            sha256=digest, size=len(data), uncompressed_size=sum(i.file_size for i in infos))


def _too_many_members(where: _Where, limits: Limits) -> BadInputError:
    return where.unsafe("too_many_members", f"zip の部品が {limits.max_members:,} 個を超えています",
                        f"more than {limits.max_members:,} zip members")


def _check_central_directory(infos: list[zipfile.ZipInfo], limits: Limits, where: _Where) -> None:
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
                f"展開後のサイズが {_mib(limits.max_total_uncompressed)} を超えます（zip 爆弾の疑い）",
                f"it would expand to more than {_mib(limits.max_total_uncompressed)} (zip bomb?)")
        if (info.file_size > limits.ratio_min_bytes
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            ratio = info.file_size / max(info.compress_size, 1)
            raise where.unsafe(
                "zip_bomb",
                f"部品 {info.filename} の圧縮率が異常です（{ratio:,.0f}:1、zip 爆弾の疑い）",
                f"the part {info.filename} has an abnormal compression ratio ({ratio:,.0f}:1, zip bomb?)")


def _refuse_other_zip_formats(zf: zipfile.ZipFile, names: set[str], where: _Where) -> None:
    if _WORKBOOK in names:
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
    if _WORKBOOK not in names and _CONTENT_TYPES not in names:
        raise where.not_workbook("zip", "Excel ブックではない zip ファイルです",
                                 "a zip archive that is not an Excel workbook")


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(data: bytes, part: str, where: _Where):
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except Exception:  # noqa: BLE001 - defusedxml/expat raise several types; all mean "bad XML"
        # DTDs were refused by the prolog check already; what is left is malformed XML.
        raise where.corrupt("bad_xml", f"部品 {part} の XML が壊れています",
                            f"the XML of {part} is malformed") from None


def _workbook_kind(ct_xml: bytes, where: _Where) -> tuple[str, bool]:
    root = _parse_xml(ct_xml, _CONTENT_TYPES, where)
    main: list[tuple[str, str]] = []  # (part name, content type)
    defaults: set[str] = set()
    for el in root:
        tag = _local(el.tag)
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
        main = [("/" + _WORKBOOK, fallback[0])]
    if len(main) > 1 or main[0][0].lower() != "/" + _WORKBOOK:
        # Readers differ in where they look (openpyxl: content types; calamine: the fixed
        # name), so anything but the one usual place could show them different workbooks.
        raise where.unsafe("workbook_part", "ブック本体の場所が通常と異なります",
                           "the workbook part is not the usual single xl/workbook.xml")
    if main[0][1] == _CT_ADDIN:
        raise where.not_workbook("xlam", "Excel アドイン（.xlam）です", "an Excel add-in (.xlam)")
    return _CT_MAIN[main[0][1]]


@dataclass(frozen=True)
class _SheetRef:
    name: str
    part: str
    type: str
    state: str


def _sheet_parts(wb_xml: bytes, rels_xml: bytes, names: set[str],
                 where: _Where) -> tuple[list[_SheetRef], list[_SheetRef]]:
    """The sheets the workbook lists, and sheet-like parts it does not list."""
    wb = _parse_xml(wb_xml, _WORKBOOK, where)
    if wb.tag.startswith("{" + _STRICT_NS + "}"):
        raise where.not_workbook("strict", f"Strict Open XML 形式です。{_SAVE_AS_JA}（Excel ブック形式）",
                                 f"Strict Open XML format; {_SAVE_AS_EN} (Excel Workbook)")
    rels = _parse_xml(rels_xml, _WORKBOOK_RELS, where)
    targets: dict[str, tuple[str, str]] = {}  # rel id -> (type, resolved part)
    for rel in rels:
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode", "").lower() == "external":
            continue
        rtype = rel.get("Type", "").rsplit("/", 1)[-1]
        targets[rel.get("Id", "")] = (rtype, _resolve_target(rel.get("Target", "")))
    sheets: list[_SheetRef] = []
    for el in (child for parent in wb if _local(parent.tag) == "sheets" for child in parent):
        if _local(el.tag) != "sheet":
            continue
        name = el.get("name", "")
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid or "")
        if target is None or target[0] not in _SHEET_TYPES:
            raise where.corrupt("sheet_rel", "シートの参照先がありません", "the sheet has no part", sheet=name)
        if target[1] not in names:
            raise where.corrupt("missing_part", f"シートの部品 {target[1]} がありません",
                                f"the sheet part {target[1]} is missing", sheet=name)
        sheets.append(_SheetRef(name, target[1], _SHEET_TYPES[target[0]], el.get("state", "visible")))
    if not sheets:
        raise where.corrupt("no_sheets", "シートがありません", "the workbook has no sheets")
    # Sheet-like parts the workbook does not list are scanned too: a reader that finds its
    # parts another way must not meet an unchecked sheet.
    listed = {s.part for s in sheets}
    unlisted: list[_SheetRef] = []
    for n in sorted(names):
        folder = n.lower().split("/")[:2]
        if (len(folder) == 2 and folder[0] == "xl"
                and folder[1] in ("worksheets", "macrosheets", "dialogsheets")
                and n.lower().endswith(".xml") and n not in listed):
            unlisted.append(_SheetRef(n, n, "worksheet", "unlisted"))
    return sheets, unlisted


def _resolve_target(target: str, base: str = "xl") -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(base, target))


def _comment_parts(rels_xml: bytes, sheet_part: str, rels_name: str, where: _Where) -> list[str]:
    rels = _parse_xml(rels_xml, rels_name, where)
    return [_resolve_target(rel.get("Target", ""), posixpath.dirname(sheet_part))
            for rel in rels
            if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/comments")
            and rel.get("TargetMode", "").lower() != "external"]


# --------------------------------------------------------------------------------------------
# Streaming members

class _MemberReader:
    """Decompresses members as streams, never past their declared size plus one byte.

    zipfile stops at the declared size on its own, but other readers (calamine's Rust zip)
    inflate the whole stream; opening a copy of the entry that declares one byte more (and no
    CRC, which is checked here instead) shows whether the stream really ends where it says, so
    the bomb limits hold for those readers too.
    """

    def __init__(self, zf: zipfile.ZipFile, limits: Limits, where: _Where) -> None:
        self.zf = zf
        self.limits = limits
        self.where = where

    def read_xml(self, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > _MAX_PARSED_PART:
            raise self.where.unsafe("part_too_large", f"部品 {info.filename} が大きすぎます",
                                    f"the part {info.filename} is too large")
        parts: list[bytes] = []
        checker = _PrologChecker(info.filename, self.limits, self.where, None, strict_encoding=True)
        self.stream(info, [checker.feed, parts.append], None)
        return b"".join(parts)

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

    def __init__(self, part: str, limits: Limits, where: _Where, sheet: str | None,
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


# --------------------------------------------------------------------------------------------
# Scanning sheet parts

# Excel, LibreOffice, openpyxl and XlsxWriter write every cell as <c r="A1" ...> and every
# row as <row r="1" ...>. Those are found with literal-prefix regexes (fast); a chunk where the
# number of "<c"/"<row" tag starts differs from the canonical matches has some other form
# (cells without r, prefixes, odd quoting, entities) and is scanned tag by tag instead.
_CANON_CELL = re.compile(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"')
_PREFIXED_CELL_OR_ROW = re.compile(rb":(?:c|row)")
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = b"0123456789"
_CANON_ROW = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
# Attribute text that honours quotes (a ">" may appear inside a quoted value) and never
# crosses a "<" (which XML forbids in attributes), so a match never spans a chunk boundary.
_ATTRS = rb"""((?:[^>"'<]|"[^"<]*"|'[^'<]*')*)"""
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(c|row|dimension)(?=[\s/>])" + _ATTRS + rb">")
_DIM = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension(?=[\s/>])" + _ATTRS + rb">")
_RANGE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(?:mergeCell|hyperlink)(?=[\s/>])" + _ATTRS + rb">")
_COMMENT_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?comment(?=[\s/>])" + _ATTRS + rb">")
_RANGE_END = re.compile(rb"^\$?([A-Za-z]{0,10})\$?([0-9]{0,15})$")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ATTR_REF = re.compile(rb"""(?:^|\s)ref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LOOSE_REF = re.compile(rb"^\$?([A-Za-z]{1,10})\$?([0-9]{1,15})$")
_CARRY_LIMIT = 1 * MiB  # no tag is this long; text in a cell is at most 32,767 characters


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


def _range_bounds(value: bytes) -> tuple[int, int, int, int] | None:
    """(first row, first col, last row, last col) of "B2", "A1:C3", "A:C" or "2:5"."""
    ends = []
    for part in value.strip().split(b":"):
        m = _RANGE_END.match(part.strip())
        if m is None or not (m.group(1) or m.group(2)):
            return None
        ends.append((int(m.group(2)) if m.group(2) else None,
                     _col_number(m.group(1)) if m.group(1) else None))
    if not 1 <= len(ends) <= 2:
        return None
    rows = [r for r, _ in ends if r is not None]
    cols = [c for _, c in ends if c is not None]
    # A missing part means whole columns ("A:C") or whole rows ("2:5").
    r1, r2 = (min(rows), max(rows)) if len(rows) == len(ends) else (1, EXCEL_MAX_ROWS)
    c1, c2 = (min(cols), max(cols)) if len(cols) == len(ends) else (1, EXCEL_MAX_COLS)
    return r1, c1, r2, c2


class _TagStream:
    """Feeds a part's XML in pieces that end just before a "<", so no tag is ever split."""

    def __init__(self, where: _Where, sheet: str | None) -> None:
        self.where, self.sheet = where, sheet
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        buf = self.carry + chunk if self.carry else chunk
        cut = buf.rfind(b"<")
        if cut <= 0:
            if len(buf) > _CARRY_LIMIT:
                raise self._unsafe("malformed", "XML が異常です（タグが長すぎます）",
                                   "abnormal XML (a tag is too long)")
            self.carry = buf
            return
        self.carry = buf[cut:]
        self._scan(buf[:cut])

    def close(self) -> None:
        if self.carry:
            self._scan(self.carry)
            self.carry = b""

    def _unsafe(self, reason: str, ja: str, en: str) -> BadInputError:
        return self.where.unsafe(reason, ja, en, self.sheet)

    def _scan(self, buf: bytes) -> None:
        raise NotImplementedError


class _SheetScanner(_TagStream):
    """Bounds a sheet part's used range from its dimension and its real cell references.

    Memory is bounded (a 1 MiB chunk plus an unfinished tag); it stops at the first limit
    passed. Cells without an r attribute are placed as openpyxl does (next column of the
    current row). Merged ranges and hyperlink ranges count too: openpyxl creates a cell for
    every cell they cover.
    """

    def __init__(self, limits: Limits, where: _Where, sheet: str | None) -> None:
        super().__init__(where, sheet)
        self.limits = limits
        self.dimension: str | None = None
        self.dim_row = self.dim_col = 0
        self.max_row = self.max_col = 0
        self.cells = 0
        self.row_counter = 0  # openpyxl's counters for cells and rows without r
        self.col_counter = 0
        self.other_row = self.other_col = 0  # merges, hyperlinks, comments
        self.other_area = 0

    def _scan(self, buf: bytes) -> None:
        if b"dimension" in buf:
            for m in _DIM.finditer(buf):
                self._dimension(m.group(1))
        if b"mergeCell" in buf or b"hyperlink" in buf:
            for m in _RANGE_TAG.finditer(buf):
                self.add_range(m.group(1))
        cells = _CANON_CELL.findall(buf)
        rows = _CANON_ROW.findall(buf)
        if (buf.count(b"<c") == len(cells) and buf.count(b"<row") == len(rows)
                and not _PREFIXED_CELL_OR_ROW.search(buf)):
            self._fast(buf, cells, rows)
        else:
            self._slow(buf)
        self._check()

    def _fast(self, buf: bytes, cells: list[bytes], rows: list[bytes]) -> None:
        if cells:
            # Splitting the joined refs with translate() keeps the per-cell work in C.
            joined = b" ".join(cells)
            cell_rows = set(joined.translate(None, _UPPER).split())
            cell_cols = set(joined.translate(None, _DIGITS).split())
            self.max_row = max(self.max_row, max(map(int, cell_rows)))
            self.max_col = max(self.max_col, max(map(_col_number, cell_cols)))
            self.cells += len(cells)
        # Keep openpyxl's counters right for a later chunk with cells without r.
        last_row = buf.rfind(b"<row r=")
        last_cell = buf.rfind(b"<c r=")
        if rows:
            self.row_counter = int(rows[-1])
        if cells and last_cell > last_row:
            self.col_counter = _col_number(cells[-1].translate(None, _DIGITS))
        elif rows:
            self.col_counter = 0

    def _slow(self, buf: bytes) -> None:
        for m in _TAG.finditer(buf):
            name, attrs = m.group(1), m.group(2)
            if name == b"dimension":
                continue
            r = _ATTR_R.search(attrs)
            value = None if r is None else (r.group(1) if r.group(1) is not None else r.group(2))
            if name == b"row":
                if value is None:
                    self.row_counter += 1
                elif value.isdigit():
                    self.row_counter = int(value)
                else:
                    raise self._odd_ref(value)
                self.col_counter = 0
                continue
            self.cells += 1
            if value is None:
                self.col_counter += 1
                row, col = self.row_counter, self.col_counter
            else:
                ref = _LOOSE_REF.match(value)
                if ref is None:
                    raise self._odd_ref(value)
                row, col = int(ref.group(2)), _col_number(ref.group(1))
                self.col_counter = col
            if row > self.max_row:
                self.max_row = row
            if col > self.max_col:
                self.max_col = col
            if self.cells % 65536 == 0:
                self._check()

    def _odd_ref(self, value: bytes) -> BadInputError:
        shown = value[:40].decode("ascii", "replace")
        return self._unsafe("cell_ref", f"セル参照 r=\"{shown}\" が異常です", f"abnormal cell reference r=\"{shown}\"")

    def _dimension(self, attrs: bytes) -> None:
        r = _ATTR_REF.search(attrs)
        if r is None:
            return
        value = r.group(1) if r.group(1) is not None else r.group(2)
        if b"&" in value:  # an entity could spell any range to an XML parser
            raise self._unsafe("dimension", "使用範囲（dimension）の記述が異常です",
                               "abnormal used range (dimension)")
        if self.dimension is None:
            self.dimension = value[:100].decode("ascii", "replace")
        for part in value.split(b":"):
            ref = _LOOSE_REF.match(part.strip())
            if ref is not None:
                self.dim_row = max(self.dim_row, int(ref.group(2)))
                self.dim_col = max(self.dim_col, _col_number(ref.group(1)))
        self._check()

    def add_range(self, attrs: bytes) -> None:
        r = _ATTR_REF.search(attrs)
        if r is None:
            return
        value = r.group(1) if r.group(1) is not None else r.group(2)
        if b"&" in value:
            raise self._unsafe("cell_ref", "セル範囲の記述が異常です", "abnormal cell range")
        bounds = _range_bounds(value)
        if bounds is None:
            return  # readers reject it on their own
        r1, c1, r2, c2 = bounds
        self.other_row = max(self.other_row, r2)
        self.other_col = max(self.other_col, c2)
        self.other_area += (r2 - r1 + 1) * (c2 - c1 + 1)
        self._check()

    def _check(self) -> None:
        limits = self.limits
        rows = max(self.max_row, self.dim_row, self.other_row)
        cols = max(self.max_col, self.dim_col, self.other_col)
        if rows > EXCEL_MAX_ROWS or cols > EXCEL_MAX_COLS:
            ref = f"{_col_letters(min(cols, 10**6))}{rows}"
            raise self._unsafe("beyond_grid", f"Excel の最大範囲（XFD1048576）を超えるセル {ref} があります",
                               f"a cell beyond Excel's grid (XFD1048576): {ref}")
        if rows * cols > limits.max_cells:
            ref = f"A1:{_col_letters(cols)}{rows}"
            raise self._unsafe(
                "used_range",
                f"使用範囲 {ref} が大きすぎます（{rows * cols:,} セル、上限 {limits.max_cells:,}）。"
                "不要な行・列を削除して保存し直してください",
                f"the used range {ref} is too large ({rows * cols:,} cells, limit {limits.max_cells:,}); "
                "delete the unused rows and columns and save again")
        if self.cells > limits.max_cells or self.other_area > limits.max_cells:
            raise self._unsafe("cell_count", f"セルが {limits.max_cells:,} 個を超えています",
                               f"more than {limits.max_cells:,} cells")


class _CommentScanner(_TagStream):
    """Adds each comment's cell (<comment ref="...">) to its sheet's range."""

    def __init__(self, sheet: _SheetScanner) -> None:
        super().__init__(sheet.where, sheet.sheet)
        self.sheet_scanner = sheet

    def _scan(self, buf: bytes) -> None:
        for m in _COMMENT_TAG.finditer(buf):
            self.sheet_scanner.add_range(m.group(1))
