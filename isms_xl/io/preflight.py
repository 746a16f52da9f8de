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
import hashlib
import io
import os
from collections.abc import Collection
from pathlib import Path

from isms_xl.io.workbook_info import (
    COLLECT_ALL,
    COLLECT_DEFAULT,
    SheetInfo,
    Staged,
    WorkbookInfo,
    collected,
)
from isms_xl.io.xlsx_common import (
    DEFAULT_LIMITS,
    SAVE_AS_EN,
    SAVE_AS_JA,
    KiB,
    Limits,
    Where,
    mib,
)
from isms_xl.io.xlsx_parts import DefinedName, TableInfo
from isms_xl.io.xlsx_scan import CellMap, CellSet
from isms_xl.io.zip_check import check_zip

__all__ = ["Limits", "DEFAULT_LIMITS", "SheetInfo", "WorkbookInfo", "DefinedName", "TableInfo",
           "CellSet", "CellMap", "COLLECT_ALL", "COLLECT_DEFAULT", "preflight", "preflight_with_bytes",
           "preflight_staged", "Staged"]

# --------------------------------------------------------------------------------------------
# Entry point

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


def preflight_staged(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS,
                     collect: Collection[str] = COLLECT_DEFAULT) -> Staged:
    """The first stage of ``preflight`` (see ``Staged``). Raises what ``preflight`` raises for
    everything decided without the cells: not a workbook, encrypted, a zip bomb, a DOCTYPE.
    Holds the decompressed parts (at most 256 MiB; beyond, ``parse_safe`` is False) until
    ``finish()`` has scanned them."""
    return _preflight(path, limits, collect, hold=True)


def _preflight(path: str | os.PathLike[str], limits: Limits, collect: Collection[str], *, hold: bool) -> Staged:
    wanted = collected(collect)
    p = Path(path)
    data = _read_file(p, limits)
    digest = hashlib.sha256(data).hexdigest()
    where = Where(str(p))
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return check_zip(p, data, digest, limits, where, wanted, hold)
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
            "ole", f"古い Excel 形式（.xls）か、パスワード付きのブックです。{SAVE_AS_JA}",
            f"a legacy .xls or a password-protected workbook; {SAVE_AS_EN}") from None
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
            "legacy_xls", f"古い Excel 97-2003 形式（.xls）です。{SAVE_AS_JA}",
            f"a legacy Excel 97-2003 workbook (.xls); {SAVE_AS_EN}")
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
        raise where.not_workbook("xml2003", f"XML スプレッドシート 2003 形式です。{SAVE_AS_JA}",
                                 f"an XML Spreadsheet 2003 file; {SAVE_AS_EN}")
    if low.startswith(("<!doctype html", "<html", "<table", "mime-version:")) or "<html" in low[:1024]:
        raise where.not_workbook("html", f"Web ページ（HTML）形式です。{SAVE_AS_JA}",
                                 f"a web page (HTML) saved with an Excel name; {SAVE_AS_EN}")
    if _looks_like_csv(text):
        raise where.not_workbook("csv", f"CSV（区切り文字のテキスト）ファイルです。{SAVE_AS_JA}",
                                 f"a CSV (delimited text) file; {SAVE_AS_EN}")
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
