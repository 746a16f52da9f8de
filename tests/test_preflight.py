"""preflight: every kind of bad input gets the right error, fast, in bounded memory, and the file
is never touched. The bad-input corpus is generated here (no binary fixtures are committed)."""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import random
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isms_xl.errors import (
    BadInputError,
    EncryptedWorkbookError,
    ExitCode,
    InputPathError,
    IsmsXlError,
    NotAWorkbookError,
    UnsafeWorkbookError,
)
from isms_xl.io.preflight import DEFAULT_LIMITS, Limits, WorkbookInfo, preflight

CORPUS = Path("/work/shared/corpus/excel")
SHEET = "xl/worksheets/sheet1.xml"
MiB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Building the corpus

def make_xlsx(path: Path, *, vba: bytes | None = None) -> Path:
    """A small, valid XlsxWriter workbook: strings (so sharedStrings.xml exists), numbers, a
    formula, and one hidden and one very hidden sheet."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台帳")
    ws.write_row(0, 0, ["資産ID", "資産名", "機密性"])
    ws.write_row(1, 0, ["A-001", "顧客DB", 3])
    ws.write_formula("D2", "=C2*2", None, 6)
    hidden = wb.add_worksheet("hidden")
    hidden.write("B3", "x")
    hidden.hide()
    very = wb.add_worksheet("very")
    very.very_hidden()
    if vba is not None:
        vba_file = path.with_name("vbaProject.bin")
        vba_file.write_bytes(vba)
        wb.add_vba_project(str(vba_file))
    wb.close()
    if vba is not None:
        path.with_name("vbaProject.bin").unlink()
    return path


def rewrite_zip(src: Path, dst: Path, changes: dict[str, bytes | None]) -> Path:
    """Copy a zip, replacing (bytes) or dropping (None) members and adding new ones."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in changes:
                if changes[info.filename] is not None:
                    zout.writestr(info.filename, changes[info.filename])
            else:
                zout.writestr(info.filename, zin.read(info.filename))
        for name, data in changes.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return dst


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def with_sheet(tmp_path: Path, name: str, sheet_xml: bytes) -> Path:
    base = make_xlsx(tmp_path / "base.xlsx")
    out = rewrite_zip(base, tmp_path / name, {SHEET: sheet_xml})
    base.unlink()
    return out


def sheet_xml(sheet_data: bytes, dimension: bytes | None = b"A1") -> bytes:
    dim = b'<dimension ref="%s"/>' % dimension if dimension is not None else b""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            + dim + b"<sheetData>" + sheet_data + b"</sheetData></worksheet>")


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>"""


def write_repeated_member(path: Path, name: str, size: int, *, base: Path,
                          head: bytes = b"", unit: bytes = b"\0", tail: bytes = b"") -> Path:
    """A copy of ``base`` whose member ``name`` is ``head``, then ``unit`` repeated to about
    ``size`` bytes, then ``tail``: written as a stream, never held in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        with zipfile.ZipFile(base) as zin:
            for info in zin.infolist():
                if info.filename != name:
                    z.writestr(info.filename, zin.read(info.filename))
        with z.open(name, "w", force_zip64=True) as fh:
            fh.write(head)
            block = unit * (MiB // len(unit))
            for _ in range(size // len(block)):
                fh.write(block)
            fh.write(tail)
    return path


def lie_about_size(path: Path, name: str, declared: int) -> None:
    """Make ``name`` declare ``declared`` bytes (and the CRC of that prefix) while its deflate
    stream inflates further: Python's zipfile would stop at the declaration and accept it,
    other readers inflate the whole stream."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
        crc = zlib.crc32(z.read(name)[:declared])
    lh = info.header_offset
    assert data[lh:lh + 4] == b"PK\x03\x04" and not info.flag_bits & 0x8
    struct.pack_into("<I", data, lh + 14, crc)
    struct.pack_into("<I", data, lh + 22, declared)
    cd = data.rfind(b"PK\x01\x02" + data[lh + 4:lh + 6], 0)  # this member's central entry
    while struct.unpack_from("<I", data, cd + 42)[0] != lh:
        cd = data.rfind(b"PK\x01\x02", 0, cd)
    struct.pack_into("<I", data, cd + 16, crc)
    struct.pack_into("<I", data, cd + 24, declared)
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------------------------
# The checks every refusal must pass

def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path, cls: type[BadInputError], code: ExitCode, reason: str, *,
            limits: Limits = DEFAULT_LIMITS, sheet: str | None = None) -> BadInputError:
    before_hash = sha(path) if path.is_file() else None
    before_dir = sorted(os.listdir(path.parent)) if path.parent.is_dir() else None
    t0 = time.perf_counter()
    with pytest.raises(cls) as info:
        preflight(path, limits=limits)
    elapsed = time.perf_counter() - t0
    err = info.value
    assert err.exit_code == code
    assert err.reason == reason, str(err)
    for msg in (err.message("ja"), err.message("en")):
        assert str(path) in msg
        assert "\n" not in msg
        if sheet is not None:
            assert sheet in msg
    assert str(err) == err.message("ja")
    assert err.sheet == sheet
    # Bounded, not a speed measurement (benchmarks measure speed): a refusal takes a second or
    # two; a hang or a scan that grows with the claimed size would blow far past this even on a
    # loaded CI machine, where 5 s proved too tight.
    assert elapsed < 60, f"{elapsed:.1f} s"
    if before_hash is not None:
        assert sha(path) == before_hash
    if before_dir is not None:
        assert sorted(os.listdir(path.parent)) == before_dir
    return err


# --------------------------------------------------------------------------------------------
# Good workbooks

def test_valid_xlsx(tmp_path):
    path = make_xlsx(tmp_path / "book.xlsx")
    before = sorted(os.listdir(tmp_path))
    info = preflight(path)
    assert isinstance(info, WorkbookInfo)
    assert info.kind == "xlsx" and not info.is_template and not info.has_vba
    assert info.path == path
    assert info.size == path.stat().st_size
    assert info.sha256 == sha(path)
    assert [(s.name, s.state, s.type) for s in info.sheets] == [
        ("台帳", "visible", "worksheet"), ("hidden", "hidden", "worksheet"),
        ("very", "veryHidden", "worksheet")]
    ledger = info.sheet("台帳")
    assert ledger.part == SHEET
    assert (ledger.dimension, ledger.max_row, ledger.max_col, ledger.cells) == ("A1:D2", 2, 4, 7)
    assert (info.sheet("hidden").max_row, info.sheet("hidden").max_col) == (3, 2)
    assert info.sheet("very").cells == 0
    assert sorted(os.listdir(tmp_path)) == before
    # What the single pass collects on the way (tests/test_xlsx_scan*.py check it in depth).
    assert ledger.formula_cells == {(1, 3)} and not ledger.error_cells and ledger.style_ids is None
    assert not info.date1904 and info.defined_names == () and info.fills == (None,)


def test_xlsm_with_vba(tmp_path):
    path = make_xlsx(tmp_path / "macro.xlsm", vba=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    info = preflight(path)
    assert info.kind == "xlsm" and info.has_vba


def test_limits_are_frozen_and_checked():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_cells = 1  # type: ignore[misc]
    with pytest.raises(ValueError):
        Limits(max_members=0)
    with pytest.raises(ValueError):
        Limits(max_ratio=1)


# --------------------------------------------------------------------------------------------
# Not a file, not a workbook

def test_missing_file(tmp_path):
    refused(tmp_path / "nope.xlsx", InputPathError, ExitCode.USAGE, "missing")


def test_folder(tmp_path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    refused(folder, InputPathError, ExitCode.USAGE, "folder")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    err = refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "empty")
    assert "空のファイル" in err.message("ja") and "empty" in err.message("en")


@pytest.mark.parametrize("size", [1, 100, 5000, 200_000])
def test_random_bytes(tmp_path, size):
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes([0]) + random.Random(size).randbytes(size - 1) if size > 1 else b"\x00")
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "unknown")


def test_pdf(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "pdf")


@pytest.mark.parametrize("encoding,delim", [("utf-8", ","), ("utf-8-sig", ","), ("cp932", ","),
                                            ("utf-16", "\t"), ("utf-8", ";")])
def test_csv_export(tmp_path, encoding, delim):
    rows = [["資産ID", "資産名", "機密性", "完全性"], ["A-001", "顧客DB", "3", "2"],
            ["A-002", "給与, 賞与", "3", "3"], ["A-003", "Web サイト", "1", "2"]]
    text = "\r\n".join(delim.join(f'"{c}"' if delim in c else c for c in r) for r in rows) + "\r\n"
    path = tmp_path / "台帳.csv"
    path.write_bytes(text.encode(encoding))
    err = refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "csv")
    assert "Excel で開いて .xlsx で保存してください" in err.message("ja")
    assert "open it in Excel and save as .xlsx" in err.message("en")


def test_plain_text(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("これはメモです。\nただのテキストファイル\n", encoding="utf-8")
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "text")


def test_html_and_xml2003_saved_as_xls(tmp_path):
    html = tmp_path / "export.xls"
    html.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="utf-8")
    refused(html, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "html")
    xml = tmp_path / "export2003.xml"
    xml.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                   '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
                   encoding="utf-8")
    refused(xml, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "xml2003")


def test_excel_owner_file(tmp_path):
    path = tmp_path / "~$book.xlsx"
    user = "yamada".encode()
    path.write_bytes(bytes([len(user)]) + user + bytes(165 - 1 - len(user)))
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "owner_file")


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.01])
def test_truncated_xlsx(tmp_path, fraction):
    full = make_xlsx(tmp_path / "full.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(full[: max(4, int(len(full) * fraction))])
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "bad_zip")


def test_last_byte_missing(tmp_path):
    full = make_xlsx(tmp_path / "full.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(full[:-1])
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "bad_zip")


def test_corrupt_member_data(tmp_path):
    """The central directory is intact but a member's compressed bytes are damaged."""
    path = make_xlsx(tmp_path / "damaged.xlsx")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/styles.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "bad_member")


def test_zip_without_workbook_parts(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
        z.writestr("data/list.csv", "a,b\n1,2\n")
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "zip")


def test_zip_missing_workbook_xml(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    path = rewrite_zip(base, tmp_path / "noworkbook.xlsx", {"xl/workbook.xml": None})
    err = refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "missing_part")
    assert "xl/workbook.xml" in err.message("en")


def test_zip_missing_content_types(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    path = rewrite_zip(base, tmp_path / "noct.xlsx", {"[Content_Types].xml": None})
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "missing_part")


def test_sheet_part_missing(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    path = rewrite_zip(base, tmp_path / "nosheet.xlsx", {"xl/worksheets/sheet2.xml": None})
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "missing_part", sheet="hidden")


def test_ods_and_xlsb(tmp_path):
    ods = tmp_path / "book.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    refused(ods, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "ods")
    xlsb = tmp_path / "book.xlsb"
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    refused(xlsb, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "xlsb")


def test_strict_open_xml(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    wb = member(base, "xl/workbook.xml").replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    path = rewrite_zip(base, tmp_path / "strict.xlsx", {"xl/workbook.xml": wb})
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "strict")


# --------------------------------------------------------------------------------------------
# Encrypted and legacy

def test_encrypted_xlsx(tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")

    plain = make_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "secret.xlsx"
    with plain.open("rb") as src, path.open("wb") as out:
        ooxml.OOXMLFile(src).encrypt("secret", out)
    plain.unlink()
    err = refused(path, EncryptedWorkbookError, ExitCode.ENCRYPTED, "encrypted")
    assert "パスワード" in err.message("ja") and "password" in err.message("en")


@pytest.mark.libreoffice
def test_legacy_xls_made_by_libreoffice(tmp_path):
    from isms_xl.office.libreoffice import _convert, find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    (tmp_path / "src").mkdir()
    src = make_xlsx(tmp_path / "src" / "legacy.xlsx")
    out_dir = tmp_path / "out"
    path = _convert([src], out_dir, "xls:MS Excel 97", ".xls", 120)[0]
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    err = refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "legacy_xls")
    assert "Excel で開いて .xlsx で保存してください" in err.message("ja")
    assert ".xls" in err.message("en") and "save as .xlsx" in err.message("en")


def test_other_ole_file(tmp_path):
    """An OLE file too broken for olefile is reported as corrupt, not as a crash."""
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    refused(path, NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "ole_corrupt")


# --------------------------------------------------------------------------------------------
# XML bombs

def test_entity_bomb_in_shared_strings(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    path = rewrite_zip(base, tmp_path / "laughs.xlsx", {"xl/sharedStrings.xml": BILLION_LAUGHS})
    err = refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "doctype")
    assert "xl/sharedStrings.xml" in err.message("en") and "DOCTYPE" in err.message("ja")


def test_external_entity_in_sheet(tmp_path):
    xml = sheet_xml(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
    xml = xml.replace(b"\r\n<worksheet",
                      b'\r\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\r\n<worksheet')
    path = with_sheet(tmp_path, "xxe.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "doctype", sheet="台帳")


def test_doctype_after_comments_in_workbook_xml(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    wb = member(base, "xl/workbook.xml").replace(
        b"?>", b'?><!-- a comment --><?pi x?>\n<!DOCTYPE workbook [<!ENTITY a "b">]>', 1)
    path = rewrite_zip(base, tmp_path / "wbdoctype.xlsx", {"xl/workbook.xml": wb})
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "doctype")


def test_doctype_hidden_behind_a_long_prolog(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    sst = BILLION_LAUGHS.replace(b"?>", b"?><!--" + b"x" * 100_000 + b"-->", 1)
    path = rewrite_zip(base, tmp_path / "longprolog.xlsx", {"xl/sharedStrings.xml": sst})
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "prolog")


def test_utf16_sheet_part(tmp_path):
    xml = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(b"UTF-8", b"UTF-16")
    path = with_sheet(tmp_path, "utf16.xlsx", xml.decode("utf-8").encode("utf-16"))
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "encoding", sheet="台帳")


# --------------------------------------------------------------------------------------------
# Zip bombs

@pytest.fixture(scope="session")
def zero_bomb(tmp_path_factory) -> Path:
    """A valid workbook with a 300 MiB member of zeros (~300 KiB compressed, 1,000:1)."""
    folder = tmp_path_factory.mktemp("zeros")
    base = make_xlsx(folder / "base.xlsx")
    path = write_repeated_member(folder / "zeros.xlsx", "xl/media/image1.png", 300 * MiB, base=base)
    base.unlink()
    return path


@pytest.fixture(scope="session")
def cell_bomb(tmp_path_factory) -> Path:
    """A sheet part of 300 MiB: <c r="A1"/> repeated 28 million times (~1,000:1)."""
    folder = tmp_path_factory.mktemp("cells")
    base = make_xlsx(folder / "base.xlsx")
    head, tail = sheet_xml(b"<row r=\"1\">@</row>").split(b"@")
    path = write_repeated_member(folder / "cells.xlsx", SHEET, 300 * MiB, base=base,
                                 head=head, unit=b'<c r="A1"/>', tail=tail)
    base.unlink()
    return path


def test_zip_bomb_ratio(zero_bomb, cell_bomb):
    for bomb, part in ((zero_bomb, "xl/media/image1.png"), (cell_bomb, SHEET)):
        assert bomb.stat().st_size < 2 * MiB
        err = refused(bomb, UnsafeWorkbookError, ExitCode.UNSAFE, "zip_bomb")
        assert part in err.message("en")


def test_zip_bomb_total_size(zero_bomb):
    limits = Limits(max_total_uncompressed=256 * MiB, max_ratio=100_000)
    refused(zero_bomb, UnsafeWorkbookError, ExitCode.UNSAFE, "zip_bomb", limits=limits)
    # Within the limits the 300 MiB are streamed through and accepted.
    assert preflight(zero_bomb, limits=Limits(max_ratio=100_000)).uncompressed_size > 300e6


def test_cell_bomb_stops_at_the_cell_limit(cell_bomb):
    """With the bomb limits out of the way, the sheet scan stops at 10 million cells."""
    limits = Limits(max_ratio=100_000)
    refused(cell_bomb, UnsafeWorkbookError, ExitCode.UNSAFE, "cell_count", limits=limits, sheet="台帳")


def test_tag_without_end_is_bounded(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    head = sheet_xml(b'<row r="1"><c r="A1" s="').split(b"</sheetData>")[0]
    path = write_repeated_member(tmp_path / "longtag.xlsx", SHEET, 8 * MiB, base=base,
                                 head=head, unit=b"1")
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "malformed", sheet="台帳",
            limits=Limits(max_ratio=100_000))


def test_too_many_members(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    path = rewrite_zip(base, tmp_path / "many.xlsx",
                       {f"customXml/item{i}.xml": b"<a/>" for i in range(60)})
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "too_many_members", limits=Limits(max_members=50))
    assert preflight(path).kind == "xlsx"


def test_member_inflating_past_its_declared_size(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    padding = b"<!-- " + b" " * (4 * MiB) + b" -->"
    sst = member(base, "xl/sharedStrings.xml") + padding  # inflates to 4 MiB (from ~20 KiB)
    path = rewrite_zip(base, tmp_path / "liar.xlsx", {"xl/sharedStrings.xml": sst})
    lie_about_size(path, "xl/sharedStrings.xml", 2000)
    with zipfile.ZipFile(path) as z:  # Python's zipfile believes the declaration
        assert len(z.read("xl/sharedStrings.xml")) == 2000
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "size_mismatch")


def test_duplicate_member(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    path = tmp_path / "dup.xlsx"
    path.write_bytes(base.read_bytes())
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as z:
        z.writestr(SHEET, sheet_xml(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "duplicate_part")


def test_zip_encryption(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    data = bytearray(base.read_bytes())
    with zipfile.ZipFile(base) as z:
        infos = z.infolist()
    for info in infos:  # set the "encrypted" flag in the local and central headers
        struct.pack_into("<H", data, info.header_offset + 6, info.flag_bits | 1)
    cd = data.find(b"PK\x01\x02")
    while cd >= 0:
        flags = struct.unpack_from("<H", data, cd + 8)[0]
        struct.pack_into("<H", data, cd + 8, flags | 1)
        cd = data.find(b"PK\x01\x02", cd + 4)
    path = tmp_path / "zipcrypto.xlsx"
    path.write_bytes(bytes(data))
    refused(path, EncryptedWorkbookError, ExitCode.ENCRYPTED, "zip_encrypted")


# --------------------------------------------------------------------------------------------
# Absurd used ranges

def huge_dimension(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台帳")
    ws.write("A1", "top")
    ws.write("XFD1048576", "bottom")
    wb.close()
    return path


def test_huge_dimension(tmp_path):
    path = huge_dimension(tmp_path / "huge.xlsx")
    assert path.stat().st_size < 10_000
    assert b'<dimension ref="A1:XFD1048576"/>' in member(path, SHEET)
    err = refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")
    assert "A1:XFD1048576" in err.message("ja") and "A1:XFD1048576" in err.message("en")


def test_dimension_lies_small(tmp_path):
    """The dimension says A1 but a cell sits at XFD1048576: found by the scan."""
    src = huge_dimension(tmp_path / "huge.xlsx")
    xml = member(src, SHEET).replace(b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1"/>')
    assert b'r="XFD1048576"' in xml
    path = with_sheet(tmp_path, "liar.xlsx", xml)
    err = refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")
    assert "A1:XFD1048576" in err.message("en")


def test_dimension_absent(tmp_path):
    src = huge_dimension(tmp_path / "huge.xlsx")
    xml = member(src, SHEET).replace(b'<dimension ref="A1:XFD1048576"/>', b"")
    path = with_sheet(tmp_path, "nodim.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")


def test_dimension_lies_big(tmp_path):
    """Few cells, but readers that trust the dimension (openpyxl read-only) would walk it."""
    xml = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>', dimension=b"A1:XFD1048576")
    path = with_sheet(tmp_path, "bigdim.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")


@pytest.mark.parametrize("row", [
    b'<row r="1"><c r="XFE1"><v>1</v></c></row>',
    b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
    b'<row r="1"><c r="AAAA1"><v>1</v></c></row>',
])
def test_cell_beyond_excel_grid(tmp_path, row):
    path = with_sheet(tmp_path, "beyond.xlsx", sheet_xml(row))
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "beyond_grid", sheet="台帳")


@pytest.mark.parametrize("name,row", [
    # No r on the cells: openpyxl places them in the next columns of row 1048576.
    ("rless", b'<row r="1048576">' + b"<c><v>1</v></c>" * 20 + b"</row>"),
    # A namespace prefix (and calamine ignores namespaces altogether).
    ("prefixed", b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'),
    # Single quotes, spaces around "=", r not first, a ">" inside another attribute.
    ("quoting", b"<row r='1'><c t='n' r = 'XFD1048576'><v>1</v></c></row>"),
    ("gt_in_attr", b'<row r="1"><c foo=">" r="XFD1048576"><v>1</v></c></row>'),
    ("newline", b'<row r="1"><c\n r="XFD1048576"><v>1</v></c></row>'),
    ("lowercase_dollar", b'<row r="1"><c r="$xfd$1048576"><v>1</v></c></row>'),
])
def test_unusual_xml_is_still_bounded(tmp_path, name, row):
    xml = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>' + row)
    if name == "prefixed":
        main_ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="' + main_ns + b'" ')
    path = with_sheet(tmp_path, f"{name}.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")


def test_entity_in_cell_reference(tmp_path):
    row = b'<row r="1"><c r="&#88;FD1048576"><v>1</v></c></row>'
    path = with_sheet(tmp_path, "charref.xlsx", sheet_xml(row))
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "cell_ref", sheet="台帳")


def test_entity_in_dimension(tmp_path):
    xml = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>', dimension=b"A1:&#88;FD1048576")
    path = with_sheet(tmp_path, "chardim.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "dimension", sheet="台帳")


def test_same_cell_repeated(tmp_path):
    """A tiny range but too many cell elements (calamine stores every one of them)."""
    row = b'<row r="1">' + b'<c r="A1"><v>1</v></c>' * 2000 + b"</row>"
    path = with_sheet(tmp_path, "repeat.xlsx", sheet_xml(row))
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "cell_count", sheet="台帳",
            limits=Limits(max_cells=1000))


def test_cells_limit_is_rows_times_columns(tmp_path):
    path = make_xlsx(tmp_path / "book.xlsx")
    assert preflight(path, limits=Limits(max_cells=8)).sheet("台帳").max_col == 4
    err = refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳",
                  limits=Limits(max_cells=7))
    assert "A1:D2" in err.message("en")


def test_rless_cells_placed_like_openpyxl(tmp_path):
    """Cells without r continue after the last explicit column of their row; rows without r
    follow the previous row."""
    rows = (b'<row r="5"><c r="C5"><v>1</v></c><c><v>2</v></c></row>'
            b"<row><c><v>3</v></c></row>")
    path = with_sheet(tmp_path, "rless.xlsx", sheet_xml(rows))
    s = preflight(path).sheet("台帳")
    assert (s.max_row, s.max_col, s.cells) == (6, 4, 3)
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(path)["台帳"]
    assert (ws.max_row, ws.max_column) == (6, 4)


# --------------------------------------------------------------------------------------------
# Memory: the dangerous cases in a process that cannot have more than 1 GiB

_LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from isms_xl.io.preflight import Limits, preflight
    from isms_xl.errors import IsmsXlError
    limits = Limits(max_ratio=float(sys.argv[2]))
    try:
        preflight(sys.argv[1], limits=limits)
    except IsmsXlError as err:
        # VmHWM: this process's peak resident memory (ru_maxrss would include the parent's,
        # as Linux keeps it across fork and exec).
        status = open("/proc/self/status").read()
        peak_kib = int(status.split("VmHWM:")[1].split()[0])
        print(int(err.exit_code), err.reason, peak_kib)
        sys.exit(0)
    print("accepted")
    sys.exit(3)
""")


def run_limited(path: Path, max_ratio: float = 200.0) -> list[str]:
    # Bounded time: the child is killed (and the test fails) after 60 s, far beyond a refusal's
    # second or two even on a loaded machine.
    proc = subprocess.run([sys.executable, "-c", _LIMITED, str(path), str(max_ratio)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.split()


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RLIMIT_AS and /proc/self/status are Linux features")


@linux_only
def test_huge_dimension_in_limited_memory(tmp_path):
    code, reason, _rss = run_limited(huge_dimension(tmp_path / "huge.xlsx"))
    assert (int(code), reason) == (ExitCode.UNSAFE, "used_range")


@linux_only
def test_zip_bomb_in_limited_memory(cell_bomb):
    code, reason, _rss = run_limited(cell_bomb)
    assert (int(code), reason) == (ExitCode.UNSAFE, "zip_bomb")
    # Streamed through until the cell limit: ~110 MB decompressed, memory stays bounded.
    code, reason, peak_kib = run_limited(cell_bomb, max_ratio=100_000)
    assert (int(code), reason) == (ExitCode.UNSAFE, "cell_count")
    assert int(peak_kib) < 100 * 1024


# --------------------------------------------------------------------------------------------
# Robustness: damaged copies of a real workbook never escape as other exceptions

@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory) -> bytes:
    return make_xlsx(tmp_path_factory.mktemp("good") / "good.xlsx").read_bytes()


def damaged(data, good: bytes, path: Path, changes: tuple[int, int]) -> Path:
    """``good`` with a drawn number of bytes (within ``changes``) overwritten, and perhaps cut
    short, written to ``path``."""
    blob = bytearray(good)
    for _ in range(data.draw(st.integers(*changes))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    path.write_bytes(bytes(blob))
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_workbooks_fail_cleanly(tmp_path, good_bytes, data):
    path = damaged(data, good_bytes, tmp_path / "fuzz.xlsx", (1, 8))
    try:
        preflight(path)
    except BadInputError as err:
        assert str(path) in str(err) and "\n" not in str(err)


# --------------------------------------------------------------------------------------------
# Real Excel files and speed

@pytest.mark.slow
def test_excel_saved_corpus():
    files = sorted(glob.glob(str(CORPUS / "*.xlsx")) + glob.glob(str(CORPUS / "*.xlsm")))
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    outcomes: Counter[str] = Counter()
    refusals = []
    t0 = time.perf_counter()
    for f in files:
        try:
            info = preflight(f)
        except IsmsXlError as err:
            outcomes[f"{type(err).__name__}:{getattr(err, 'reason', '')}"] += 1
            refusals.append(str(err))
        else:
            outcomes["passed"] += 1
            assert info.sheets
    elapsed = time.perf_counter() - t0
    print(f"\n{len(files)} corpus files in {elapsed:.2f} s: {dict(outcomes)}")
    for line in refusals:
        print("  ", line)
    assert len(files) >= 900
    # comment03.xlsx has a comment at XFD1048576, so Excel itself wrote A1:XFD1048576.
    assert outcomes["passed"] >= len(files) - 5
    assert elapsed < 60


def big_sheet_xml(rows: int, cols: int = 10) -> bytes:
    """Sheet XML shaped like Excel's: numbers and shared strings, ~47 bytes a cell."""
    letters = [chr(65 + i).encode() for i in range(cols)]
    out = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1:%s%d"/><sheetData>' % (letters[-1], rows)]
    for r in range(1, rows + 1):
        cells = b"".join(
            b'<c r="%s%d" s="3" t="s"><v>%d</v></c>' % (col, r, r % 5000) if i % 2
            else b'<c r="%s%d" s="1"><v>%d.25</v></c>' % (col, r, r * 13)
            for i, col in enumerate(letters))
        out.append(b'<row r="%d" spans="1:%d" x14ac:dyDescent="0.25">%s</row>' % (r, cols, cells))
    out.append(b"</sheetData></worksheet>")
    return b"".join(out)


@pytest.mark.slow
def test_scan_speed(tmp_path):
    xml = big_sheet_xml(250_000)  # ~120 MB of XML, 2.5 million cells
    path = with_sheet(tmp_path, "big.xlsx", xml)
    t0 = time.perf_counter()
    info = preflight(path)
    elapsed = time.perf_counter() - t0
    s = info.sheet("台帳")
    assert (s.max_row, s.max_col, s.cells, s.dimension) == (250_000, 10, 2_500_000, "A1:J250000")
    rate = len(xml) / elapsed / 1e6
    print(f"\n{len(xml) / 1e6:.0f} MB of sheet XML ({path.stat().st_size / 1e6:.1f} MB file) "
          f"in {elapsed:.2f} s: {rate:.0f} MB/s")
    # Well under the ~150 MB/s measured, well above a per-cell Python loop (~30 MB/s).
    print(f"preflight scan: {rate:.0f} MB/s")  # a figure, not a pass/fail: timings flake on shared CI


# --------------------------------------------------------------------------------------------
# Ranges openpyxl fills with cells: merges, hyperlinks, comments

@pytest.mark.parametrize("extra", [
    b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    b'<hyperlinks><hyperlink ref="A1:XFD1048576" display="x" location="A1"/></hyperlinks>',
    b'<mergeCells count="1"><mergeCell ref="A:Z"/></mergeCells>',
])
def test_range_that_openpyxl_would_fill(tmp_path, extra):
    xml = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b"</sheetData>", b"</sheetData>" + extra)
    path = with_sheet(tmp_path, "merge.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")


def test_overlapping_merges(tmp_path):
    merges = b"".join(b'<mergeCell ref="A1:J100000"/>' for _ in range(20))  # 20 x 1 million
    xml = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>', dimension=b"A1:J100000").replace(
        b"</sheetData>", b'</sheetData><mergeCells count="20">' + merges + b"</mergeCells>")
    path = with_sheet(tmp_path, "merges.xlsx", xml)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "cell_count", sheet="台帳")


def test_comment_far_away(tmp_path):
    """A comment's cell counts even when the sheet part hides it (dimension A1, no row)."""
    src = tmp_path / "comment.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("台帳")
    ws.write("A1", "x")
    ws.write_comment("XFD1048576", "far away")
    wb.close()
    xml = member(src, SHEET)
    assert b"XFD1048576" in xml
    xml = xml.replace(b"A1:XFD1048576", b"A1")
    xml = xml[: xml.index(b'<row r="1048576"')] + xml[xml.index(b"</sheetData>"):]
    assert b"XFD1048576" not in xml and b"1048576" not in xml
    path = rewrite_zip(src, tmp_path / "hidden_comment.xlsx", {SHEET: xml})
    src.unlink()
    err = refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "used_range", sheet="台帳")
    assert "XFD1048576" in err.message("en")
    # Comments near the data are fine.
    ok = tmp_path / "ok.xlsx"
    wb = xlsxwriter.Workbook(str(ok))
    wb.add_worksheet("台帳").write_comment("C3", "note")
    wb.close()
    assert preflight(ok).sheet("台帳").max_row == 0


def test_file_too_large(tmp_path):
    path = make_xlsx(tmp_path / "book.xlsx")
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "file_too_large",
            limits=Limits(max_file_bytes=path.stat().st_size - 1))
    assert preflight(path, limits=Limits(max_file_bytes=path.stat().st_size)).size == path.stat().st_size


def test_sheet_name_with_a_newline_keeps_the_message_on_one_line(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    wb = member(base, "xl/workbook.xml").replace("台帳".encode(), "台&#10;帳".encode())
    sheet = sheet_xml(b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>')
    path = rewrite_zip(base, tmp_path / "nl.xlsx", {"xl/workbook.xml": wb, SHEET: sheet})
    with pytest.raises(UnsafeWorkbookError) as info:
        preflight(path)
    assert info.value.sheet == "台\n帳"
    assert "\n" not in info.value.message("ja") and "台\\n帳" in info.value.message("en")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="needs POSIX permissions as non-root")
def test_unreadable_file(tmp_path):
    path = make_xlsx(tmp_path / "book.xlsx")
    path.chmod(0)
    try:
        refused(path, InputPathError, ExitCode.USAGE, "unreadable")
    finally:
        path.chmod(0o644)


# --------------------------------------------------------------------------------------------
# The sheet scan agrees with an XML parser, whatever the spelling and wherever chunks split

def _reference_extent(xml: bytes) -> tuple[int, int, int]:
    """Max row, max column and cell count as openpyxl's reader would place the cells."""
    import xml.etree.ElementTree as ET

    from isms_xl.io.xlsx_common import col_number as _col_number

    max_row = max_col = cells = row_counter = col_counter = 0
    for el in ET.fromstring(xml).iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "row":
            row_counter = int(el.get("r")) if el.get("r") else row_counter + 1
            col_counter = 0
        elif tag == "c":
            cells += 1
            ref = el.get("r")
            if ref:
                letters = ref.rstrip("0123456789").replace("$", "")
                row, col = int(ref[len(ref.rstrip("0123456789")):]), _col_number(letters.encode())
                col_counter = col
            else:
                col_counter += 1
                row, col = row_counter, col_counter
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col, cells


def _col_name(n: int) -> str:
    s = ""
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


@st.composite
def sheet_documents(draw):
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\r\n<worksheet xmlns="{ns}" xmlns:x="{ns}">'
             '<dimension ref="A1"/><cols><col min="1" max="3" width="9"/></cols><sheetData>']
    # Mostly Excel's own spelling (the fast path) with the odd exception, or anything goes.
    odd = st.sampled_from([1] * 19 + [0]) if draw(st.booleans()) else st.sampled_from([1, 0])
    for _ in range(draw(st.integers(0, 12))):
        pre = "x:" if draw(odd) == 0 else ""
        row_r = None if draw(odd) == 0 else draw(st.integers(1, 3000))
        attrs = "" if row_r is None else f' r="{row_r}"'
        parts.append(f'<{pre}row{attrs} spans="1:3">')
        for _ in range(draw(st.integers(0, 6))):
            cpre = "x:" if draw(odd) == 0 else ""
            if draw(odd) == 0:
                ref_attr = ""
            else:
                col = _col_name(draw(st.integers(1, 800)))
                row = draw(st.integers(1, 3000))
                ref = (f"{col}{row}" if draw(odd)
                       else draw(st.sampled_from([f"${col}${row}", f"{col.lower()}{row}"])))
                ref_attr = (f' r="{ref}"' if draw(odd)
                            else draw(st.sampled_from([f" r='{ref}'", f'\n r = "{ref}"'])))
            other = draw(st.sampled_from(["", ' s="1"', ' t="s"']))
            first, second = (ref_attr, other) if draw(odd) else (other, ref_attr)
            body = draw(st.sampled_from(["/>", f"><{cpre}v>1</{cpre}v></{cpre}c>"]))
            parts.append(f"<{cpre}c{first}{second}{body}")
        parts.append(f"</{pre}row>")
    parts.append('</sheetData><mergeCells count="0"/></worksheet>')
    return "".join(parts).encode()


def test_scan_keeps_openpyxl_counters_across_chunks():
    from isms_xl.io.xlsx_scan import SheetScanner as _SheetScanner
    from isms_xl.io.xlsx_common import Where as _Where

    pieces = [b'<worksheet><cols><col min="1" max="2"/></cols><sheetData>',
              b'<row r="5"><c r="C5"><v>1</v></c>', b"<c><v>2</v></c></row><row><c><v>3</v></c>",
              b"</row></sheetData></worksheet>"]
    scanner = _SheetScanner(DEFAULT_LIMITS, _Where("book.xlsx"), "s")
    for piece in pieces:
        scanner.feed(piece)
    scanner.close()
    expected = _reference_extent(b"".join(pieces))
    assert (scanner.max_row, scanner.max_col, scanner.cells) == expected == (6, 4, 3)


@settings(max_examples=300, deadline=None)
@given(xml=sheet_documents(), cuts=st.lists(st.floats(0, 1), max_size=40))
def test_scan_matches_an_xml_parser(xml, cuts):
    from isms_xl.io.xlsx_scan import SheetScanner as _SheetScanner
    from isms_xl.io.xlsx_common import Where as _Where

    scanner = _SheetScanner(DEFAULT_LIMITS, _Where("book.xlsx"), "s")
    points = sorted({0, len(xml), *(int(c * len(xml)) for c in cuts)})
    for a, b in zip(points, points[1:]):
        scanner.feed(xml[a:b])
    scanner.close()
    assert (scanner.max_row, scanner.max_col, scanner.cells) == _reference_extent(xml)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    refused(fifo, InputPathError, ExitCode.USAGE, "not_a_file")


# --------------------------------------------------------------------------------------------
# The small parts parsed whole: styles, theme, tables

def _with_table(tmp_path: Path, table_xml: bytes) -> Path:
    src = tmp_path / "table.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("台帳")
    ws.write_row(0, 0, ["ID", "名前"])
    ws.write_row(1, 0, ["A-1", "x"])
    ws.add_table("A1:B2", {"name": "T_list", "columns": [{"header": "ID"}, {"header": "名前"}]})
    wb.close()
    out = rewrite_zip(src, tmp_path / "changed.xlsx", {"xl/tables/table1.xml": table_xml})
    src.unlink()
    return out


def test_table_part(tmp_path):
    path = _with_table(tmp_path, member(make_table(tmp_path), "xl/tables/table1.xml"))
    (table,) = preflight(path).sheet("台帳").tables
    assert (table.name, table.ref, table.header_row_count, table.columns) == ("T_list", "A1:B2", 1, ("ID", "名前"))


def make_table(tmp_path: Path) -> Path:
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台帳")
    ws.add_table("A1:B2", {"name": "T_list", "columns": [{"header": "ID"}, {"header": "名前"}]})
    wb.close()
    return path


def test_broken_table_part(tmp_path):
    refused(_with_table(tmp_path, b"<table"), NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "bad_xml", sheet="台帳")
    refused(_with_table(tmp_path, BILLION_LAUGHS), UnsafeWorkbookError, ExitCode.UNSAFE, "doctype")


def test_broken_styles_and_theme(tmp_path):
    base = make_xlsx(tmp_path / "base.xlsx")
    refused(rewrite_zip(base, tmp_path / "styles.xlsx", {"xl/styles.xml": b"<styleSheet"}),
            NotAWorkbookError, ExitCode.NOT_A_WORKBOOK, "bad_xml")
    # No reader needs the theme: a broken one leaves theme colours as "theme:N".
    info = preflight(rewrite_zip(base, tmp_path / "theme.xlsx", {"xl/theme/theme1.xml": b"<a:theme"}))
    assert info.fonts_rgb[0] == "theme:1"
    assert preflight(base).fonts_rgb[0] == "000000"


def test_parsed_parts_are_capped(tmp_path, monkeypatch):
    """Styles, theme and table parts are kept in memory for parsing: 64 MiB together at most."""
    import isms_xl.io.zip_check as module

    path = _with_table(tmp_path, member(make_table(tmp_path), "xl/tables/table1.xml"))
    with zipfile.ZipFile(path) as z:
        kept = sum(z.getinfo(n).file_size for n in ("xl/styles.xml", "xl/theme/theme1.xml", "xl/tables/table1.xml"))
    monkeypatch.setattr(module, "MAX_PARSED_PART", kept)
    assert preflight(path).sheet("台帳").tables
    monkeypatch.setattr(module, "MAX_PARSED_PART", kept - 1)
    refused(path, UnsafeWorkbookError, ExitCode.UNSAFE, "part_too_large")
