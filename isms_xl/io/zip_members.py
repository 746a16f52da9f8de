"""Decompressing a workbook's zip members safely: never past their declared size, checked
against their CRC, with each XML part's prolog checked for a DOCTYPE (``PrologChecker``), and
optionally in a thread that runs ahead of the caller (``MemberReader.stream_ahead``)."""

from __future__ import annotations

import codecs
import copy
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator

from isms_xl.errors import BadInputError
from isms_xl.io.xlsx_common import Limits, MiB, Where

__all__ = ["MemberReader", "PrologChecker", "MAX_PARSED_PART", "part_too_large", "is_xml_name"]

CHUNK = 1 * MiB
MAX_PARSED_PART = 64 * MiB  # each of content types, workbook.xml, rels; styles, theme and tables together


def part_too_large(where: Where, name: str) -> BadInputError:
    return where.unsafe("part_too_large", f"部品 {name} が大きすぎます", f"the part {name} is too large")


def is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


class _Stopped(Exception):
    """The caller of ``MemberReader.stream_ahead`` stopped reading."""


class MemberReader:
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
        if info.file_size > MAX_PARSED_PART:
            raise part_too_large(self.where, info.filename)
        parts: list[bytes] = []
        checker = PrologChecker(info.filename, self.limits, self.where, None, strict_encoding=True)
        self.stream(info, [checker.feed, parts.append], None)
        return b"".join(parts)

    def stream_all(self, members: list[zipfile.ZipInfo],
                   label_of: Callable[[str], str | None]) -> Iterator[tuple[zipfile.ZipInfo, bytes | None]]:
        """``stream_ahead`` in this thread (for small workbooks)."""
        for info in members:
            yield info, None
            pieces: list[bytes] = []
            try:
                self.stream(info, [pieces.append], label_of(info.filename))
            except BadInputError:
                yield from ((info, piece) for piece in pieces)  # what came before the damage
                raise
            for piece in pieces:
                yield info, piece

    def stream_ahead(self, members: list[zipfile.ZipInfo],
                     label_of: Callable[[str], str | None]) -> Iterator[tuple[zipfile.ZipInfo, bytes | None]]:
        """(member, piece) for every piece of every member in order, each member announced by
        (member, None) before its pieces, decompressed by a thread that runs ahead of the caller
        (zlib releases the GIL). Its errors are raised here, in
        member order; when the caller stops early, the thread stops at its next piece."""
        pieces: queue.SimpleQueue = queue.SimpleQueue()
        stop = threading.Event()
        done = object()

        def produce() -> None:
            try:
                for info in members:
                    def put(chunk: bytes | None, info: zipfile.ZipInfo = info) -> None:
                        if stop.is_set():
                            raise _Stopped
                        pieces.put((info, chunk))
                    put(None)
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
                    chunk = fh.read(CHUNK)
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


class PrologChecker:
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
