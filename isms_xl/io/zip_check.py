"""The checks of an xlsx/xlsm zip before any Excel library reads it (``check_zip``): bombs from
the central directory alone, the workbook's parts, every member decompressed within its
declared size with its prolog checked, and every sheet's cells scanned (``xlsx_scan``) - in two
stages, so that the value reader may parse beside the scan (see ``workbook_info.Staged``)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Collection
from pathlib import Path

from isms_xl.errors import BadInputError
from isms_xl.io import xlsx_parts
from isms_xl.io.cell_bound import CellBound
from isms_xl.io.workbook_info import SheetInfo, Staged, WorkbookInfo, collected
from isms_xl.io.xlsx_common import SAVE_AS_EN, SAVE_AS_JA, Limits, MiB, Where, mib
from isms_xl.io.xlsx_parts import CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS
from isms_xl.io.xlsx_scan import (
    CellMap,
    CellSet,
    CommentScanner,
    SheetScanner,
    TagStream,
)
from isms_xl.io.zip_members import (
    MAX_PARSED_PART,
    MemberReader,
    PrologChecker,
    is_xml_name,
    part_too_large,
)

__all__ = ["check_zip"]

#: Parts are decompressed into memory at once (``Staged``) when their declared sizes add up to no
#: more than this; larger workbooks are streamed in 1 MiB pieces as the scans go.
STAGE_BYTES = 256 * MiB
#: From this size on a thread inflates ahead of the bound check; below, handing pieces between
#: threads costs more than it saves.
AHEAD_BYTES = 4 * MiB


def check_zip(p: Path, data: bytes, digest: str, limits: Limits, where: Where,
              collect: tuple[str, ...], hold: bool) -> Staged:
    """Stage one of the zip's checks (see ``workbook_info.Staged``); ``hold``: keep the parts in
    memory for stage two (the reader), else stream them again then (low memory)."""
    # Each central-directory entry starts with this signature, so the count bounds the number
    # of members before zipfile builds one object per entry.
    if data.count(b"PK\x01\x02") > limits.max_members:
        raise _too_many_members(where, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - zipfile raises many types for broken archives
        raise where.corrupt("bad_zip", "zip として読めません", "not a readable zip archive") from None
    try:
        check = _ZipCheck(zf, p, data, digest, limits, where, collect)
        parse_safe = check.inflate(hold)
    except BaseException:
        zf.close()
        raise
    return Staged(data, parse_safe, check.finish, check.vetted() if parse_safe else {})


class _ZipCheck:
    """One xlsx zip's checks: the workbook's parts and the scanners, set up from the central
    directory and the small parts (``__init__``); every member inflated and bounded
    (``inflate``, stage one); the cell scans and the ``WorkbookInfo`` (``finish``, stage two)."""

    def __init__(self, zf: zipfile.ZipFile, p: Path, data: bytes, digest: str, limits: Limits, where: Where,
                 collect: tuple[str, ...]) -> None:
        self.zf, self.p, self.data, self.digest = zf, p, data, digest
        self.limits, self.where, self.collect = limits, where, collect
        self.infos = infos = zf.infolist()
        _check_central_directory(infos, limits, where)
        self.names = names = {i.filename for i in infos}
        _refuse_other_zip_formats(zf, names, where)
        for required in (CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS):
            if required not in names:
                raise where.corrupt("missing_part", f"必要な部品 {required} がありません",
                                    f"the part {required} is missing")
        self.reader = reader = MemberReader(zf, limits, where)
        by_name = {i.filename: i for i in infos}
        self.kind, self.is_template = xlsx_parts.workbook_kind(reader.read_xml(by_name[CONTENT_TYPES]), where)
        self.book = book = xlsx_parts.workbook(reader.read_xml(by_name[WORKBOOK]),
                                               reader.read_xml(by_name[WORKBOOK_RELS]), names, where)
        self.part_to_sheet = {s.part: s for s in book.sheets + book.unlisted}
        listed = {s.part for s in book.sheets}
        self.scans: dict[str, SheetScanner] = {}
        for s in book.sheets + book.unlisted:
            if s.type != "chartsheet":
                shown = s.part in listed  # unlisted parts are only checked
                self.scans[s.part] = SheetScanner(
                    limits, where, s.name, formulas=shown and "formulas" in collect,
                    errors=shown and "errors" in collect, styles=shown and "styles" in collect)
        done = {CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS}
        # openpyxl creates a cell for every comment, so comments extend their sheet's range.
        self.comments: dict[str, CommentScanner] = {}
        self.table_parts: dict[str, dict[str, str]] = {}  # sheet part -> r:id -> table part
        for part, scanner in self.scans.items():
            rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
            if rels_name in by_name:
                comment_parts, tables = xlsx_parts.sheet_rels(
                    reader.read_xml(by_name[rels_name]), part, rels_name, where)
                for target in comment_parts:
                    self.comments[target] = CommentScanner(scanner)
                self.table_parts[part] = tables
                done.add(rels_name)
        # Small parts parsed after the pass (kept as they stream by).
        keep = {book.styles_part, book.theme_part} | {t for ts in self.table_parts.values() for t in ts.values()}
        self.kept: dict[str, list[bytes]] = {}
        total = 0
        for name in sorted(n for n in keep if n in by_name):
            total += by_name[name].file_size
            if total > MAX_PARSED_PART:
                raise part_too_large(where, name)
            self.kept[name] = []
        self.members = [i for i in infos if i.filename not in done and not i.filename.endswith("/")]
        self.held: dict[str, list[bytes]] | None = None  # the inflated parts, between the stages

    def label_of(self, name: str) -> str | None:
        sheet = self.part_to_sheet.get(name)
        return sheet.name if sheet is not None else None

    def prolog_checker(self, name: str) -> PrologChecker | None:
        if not (is_xml_name(name) or name in self.part_to_sheet):
            return None
        return PrologChecker(name, self.limits, self.where, self.label_of(name),
                             strict_encoding=name in self.part_to_sheet)

    # -- stage one -----------------------------------------------------------------------------

    def inflate(self, hold: bool) -> bool:
        """Decompress every part (each bounded by its declared size, all together by
        STAGE_BYTES) and keep it, checking each part's prolog and bounding each worksheet's cells
        (cell_bound) as the pieces arrive; large workbooks are inflated by a thread while this
        one checks. Whether calamine may parse now (``Staged.parse_safe``)."""
        members = self.members
        size = sum(i.file_size for i in members)
        if not hold or size > STAGE_BYTES:
            return False
        self.held = held = {i.filename: [] for i in members}
        checkers = {i.filename: self.prolog_checker(i.filename) for i in members}
        bounds = {s.part: CellBound(self.limits.max_cells) for s in self.book.sheets if s.type == "worksheet"}
        ahead = self.reader.stream_ahead if size >= AHEAD_BYTES else self.reader.stream_all
        current = None
        try:
            for info, chunk in ahead(members, self.label_of):
                if chunk is None:  # a member begins
                    current = info
                    continue
                name = info.filename
                checker, bound = checkers[name], bounds.get(name)
                if checker is not None and not checker.done:
                    checker.feed(chunk)
                held[name].append(chunk)
                if bound is not None:
                    bound.feed(chunk)
        except BadInputError:
            # Streamed, the cells of the parts before this one, and of this one's pieces so far,
            # are scanned before this error could arise: a refusal of theirs comes first, so that
            # every reader reports the same reason for the same file.
            if current is not None:
                self._scan_members(until=current.filename)
            raise
        return all(part in held and bound.result() is not None for part, bound in bounds.items())

    def vetted(self) -> dict[str, list[bytes]]:
        """Each worksheet's inflated XML (its pieces), by sheet name."""
        return {s.name: self.held[s.part] for s in self.book.sheets if s.type == "worksheet"}

    # -- stage two -----------------------------------------------------------------------------

    def finish(self, more: Collection[str] | None) -> WorkbookInfo:
        if more is not None:
            self.collect = collect = collected((*collected(more), *self.collect))
            for sheet in self.book.sheets:  # listed sheets collect; unlisted parts are only checked
                if sheet.part in self.scans:
                    sc = self.scans[sheet.part]
                    sc.collect_formulas = "formulas" in collect
                    sc.collect_errors = "errors" in collect
                    sc.collect_styles = "styles" in collect
        with self.zf:
            self._scan_members()
            return self._info()

    def _scan_members(self, until: str | None = None) -> None:
        """The scans over every member; with ``until``, over the members up to that one (its
        pieces so far, left open), for the refusal they would give."""
        held = self.held
        for info in self.members:
            name = info.filename
            sinks: list[Callable[[bytes], None]] = []
            checker = self.prolog_checker(name) if held is None else None  # stage one checked them
            if checker is not None:
                sinks.append(checker.feed)
            stream: TagStream | None = self.scans.get(name) or self.comments.get(name)
            if stream is not None:
                sinks.append(stream.feed)
            if name in self.kept:
                sinks.append(self.kept[name].append)
            if held is None:
                self.reader.stream(info, sinks, self.label_of(name))
            else:
                for piece in held.pop(name):  # freed part by part
                    for sink in sinks:
                        sink(piece)
            if name == until:
                return
            if stream is not None:
                stream.close()

    def _info(self) -> WorkbookInfo:
        book, kept, where = self.book, self.kept, self.where

        def part_bytes(name: str | None) -> bytes | None:
            return b"".join(kept[name]) if name in kept else None

        theme = xlsx_parts.theme_colors(part_bytes(book.theme_part))
        fills, fonts = xlsx_parts.styles(part_bytes(book.styles_part), book.styles_part or "", theme, where)
        sheets = tuple(_sheet_info(s, self.scans.get(s.part), self.table_parts.get(s.part, {}), part_bytes,
                                   self.collect, where) for s in book.sheets)
        return WorkbookInfo(
            path=self.p, kind=self.kind, is_template=self.is_template, sheets=sheets,
            has_vba=any(n.lower() == "xl/vbaproject.bin" for n in self.names),
            sha256=self.digest, size=len(self.data), uncompressed_size=sum(i.file_size for i in self.infos),
            fills=fills, fonts_rgb=fonts, defined_names=book.defined_names, date1904=book.date1904,
            collected=self.collect)


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
            raise where.not_workbook("ods", f"OpenDocument スプレッドシート（.ods）です。{SAVE_AS_JA}",
                                     f"an OpenDocument spreadsheet (.ods); {SAVE_AS_EN}")
        raise where.not_workbook("odf", "OpenDocument 形式のファイルです", "an OpenDocument file")
    if "xl/workbook.bin" in names:
        raise where.not_workbook("xlsb", f"Excel バイナリブック（.xlsb）です。{SAVE_AS_JA}",
                                 f"an Excel binary workbook (.xlsb); {SAVE_AS_EN}")
    if "word/document.xml" in names:
        raise where.not_workbook("docx", "Word 文書（.docx）です", "a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        raise where.not_workbook("pptx", "PowerPoint ファイル（.pptx）です", "a PowerPoint file (.pptx)")
    if WORKBOOK not in names and CONTENT_TYPES not in names:
        raise where.not_workbook("zip", "Excel ブックではない zip ファイルです",
                                 "a zip archive that is not an Excel workbook")
