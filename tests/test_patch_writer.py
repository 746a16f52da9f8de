"""The patching writer, case by case: what it writes, what it keeps byte for byte, what it refuses.

Workbooks are built here with XlsxWriter (and, for forms XlsxWriter never writes, by replacing a
sheet part with hand-written XML); results are read back with python-calamine and openpyxl, and
the zip members are compared raw (local entry bytes and CRC), independently of the writer's own
zip code.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from isms_xl.errors import ExitCode, PatchRefusedError, PatchVerifyError
from isms_xl.io.patch import MISSING, CellPatch, PatchOptions, patch_workbook, verify_patch
from isms_xl.io.patch.sheet import read_cells

CORPUS = Path("/work/shared/corpus/excel")
SHEET1 = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --------------------------------------------------------------------------------------------
# Helpers


def build(path: Path, fill_sheet, **options) -> Path:
    wb = xlsxwriter.Workbook(str(path), options)
    ws = wb.add_worksheet("S")
    fill_sheet(wb, ws)
    wb.close()
    return path


def with_members(path: Path, replace: dict[str, bytes | str], add: dict[str, bytes | str] | None = None) -> Path:
    """Rewrite ``path`` with some members replaced (or added), keeping the others' order."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        data = {i.filename: z.read(i) for i in infos}
    for name, content in {**replace, **(add or {})}.items():
        data[name] = content.encode() if isinstance(content, str) else content
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in infos:
            z.writestr(i, data[i.filename])
        for name in add or {}:
            z.writestr(name, data[name])
    return path


def sheet_xml(rows: str, *, prefix: str = "", head: str = "", tail: str = "", dimension: str | None = None) -> str:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN_NS}" xmlns:r="{REL_NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<{p}worksheet {ns}>{dim}{head}'
            f"<{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>")


def custom(tmp_path: Path, rows: str, name: str = "custom.xlsx", **kw) -> Path:
    path = build(tmp_path / name, lambda wb, ws: ws.write("A1", 1))
    return with_members(path, {SHEET1: sheet_xml(rows, **kw)})


def raw_entries(path: Path) -> dict[str, tuple[bytes, int, int, tuple]]:
    """Each member's local entry bytes (header + compressed data), CRC, method and header
    fields, read with zipfile's directory and the local header lengths."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as z:
        for i in z.infolist():
            n, m = struct.unpack_from("<HH", data, i.header_offset + 26)
            end = i.header_offset + 30 + n + m + i.compress_size
            fields = (i.date_time, i.flag_bits & ~0x8, i.create_system, i.create_version, i.extract_version,
                      i.external_attr, i.internal_attr, i.comment)
            out[i.filename] = (data[i.header_offset:end], i.CRC, i.compress_type, fields)
    return out


def assert_only_changed(src: Path, dst: Path, changed: set[str], removed: set[str] = frozenset()) -> None:
    a, b = raw_entries(src), raw_entries(dst)
    assert list(b) == [n for n in a if n not in removed], "member names or order changed"
    for name in b:
        if name in changed:
            assert b[name][2] == a[name][2], f"{name}: compression method changed"
            assert b[name][3] == a[name][3], f"{name}: header fields changed"
        else:
            assert b[name][0] == a[name][0], f"{name}: raw bytes differ"
            assert b[name][1] == a[name][1], f"{name}: CRC differs"
    differing = {n for n in b if b[n][0] != a[n][0]}
    assert differing == changed, f"changed members {differing} != expected {changed}"


def grid(path: Path, sheet: str = "S") -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cal(path: Path, ref: str, sheet: str = "S") -> object:
    col = openpyxl.utils.column_index_from_string("".join(ch for ch in ref if ch.isalpha())) - 1
    row = int("".join(ch for ch in ref if ch.isdigit())) - 1
    g = grid(path, sheet)
    return g[row][col] if row < len(g) and col < len(g[row]) else ""


def opx(path: Path, sheet: str = "S", data_only: bool = False):
    return openpyxl.load_workbook(path, data_only=data_only)[sheet]


def member(path: Path, name: str = SHEET1) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def patch(src: Path, patches: list[CellPatch], name: str = "out.xlsx", **kw):
    dst = src.with_name(name)
    report = patch_workbook(src, dst, patches, **kw)
    verify_patch(src, dst, patches, report=report)
    return dst, report


# --------------------------------------------------------------------------------------------
# Values, strings, members


def test_values_of_every_type_read_back_and_other_members_stay_raw(tmp_path):
    def fill(wb, ws):
        ws.write("A1", 1)
        ws.write("B1", "old text")
        ws.write_formula("C1", "=A1*2", None, 2)
        ws.write("A3", "keep me")
    src = build(tmp_path / "book.xlsx", fill)
    patches = [
        CellPatch("S", 0, 0, 7.25),  # number over number
        CellPatch("S", 0, 1, "新しい & <text>"),  # text over a shared string
        CellPatch("S", 0, 2, 99),  # a formula's cached value
        CellPatch("S", 1, 0, True),  # a new row between existing ones
        CellPatch("S", 1, 1, False),
        CellPatch("S", 9, 4, "far away"),  # a new row after the last
        CellPatch("S", 2, 1, None),  # a blank cell stays blank (nothing to write)
    ]
    dst, report = patch(src, patches)
    assert cal(dst, "A1") == 7.25 and cal(dst, "B1") == "新しい & <text>" and cal(dst, "C1") == 99.0
    assert cal(dst, "A2") is True and cal(dst, "B2") is False and cal(dst, "E10") == "far away"
    ws = opx(dst)
    assert ws["A1"].value == 7.25 and ws["B1"].value == "新しい & <text>" and ws["C1"].value == "=A1*2"
    assert ws["A2"].value is True and ws["E10"].value == "far away" and ws["A3"].value == "keep me"
    assert opx(dst, data_only=True)["C1"].value == 99
    # only the sheet changed (no fills: styles.xml untouched); sharedStrings.xml is raw-identical
    assert_only_changed(src, dst, {SHEET1})
    assert report.changed_members == (SHEET1,) and "xl/sharedStrings.xml" in report.copied_members
    xml = member(dst)
    assert b'<c r="B1" t="inlineStr"><is><t>\xe6\x96\xb0\xe3\x81\x97\xe3\x81\x84 &amp; &lt;text&gt;</t></is></c>' in xml
    assert b'<dimension ref="A1:E10"/>' in xml
    assert [c.cell for c in report.changes] == ["A1", "B1", "C1", "A2", "B2", "B3", "E10"]
    b1 = report.changes[1]
    assert (b1.old_value, b1.old_type, b1.new_value, b1.changed) == ("old text", "s", "新しい & <text>", True)
    c1 = report.changes[2]
    assert (c1.old_value, c1.old_formula, c1.new_formula, c1.new_value) == (2.0, "A1*2", "A1*2", 99.0)
    assert report.changes[5].changed is False  # B3: blank stays blank
    assert report.cells_changed == 6


def test_formula_string_cache_is_t_str_and_constant_string_is_inline(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write_formula("A1", '="x"&"y"', None, "xy"))
    dst, _ = patch(src, [CellPatch("S", 0, 0, "新値"), CellPatch("S", 0, 1, "定数")])
    cells = read_cells(member(dst))
    assert cells[(1, 1)]["t"] == "str" and cells[(1, 1)]["f"] == '"x"&"y"' and cells[(1, 1)]["v"] == "新値".encode()
    assert cells[(1, 2)]["t"] == "inlineStr" and cells[(1, 2)]["is"] == "定数"
    assert cal(dst, "A1") == "新値" and opx(dst, data_only=True)["A1"].value == "新値"


def test_unchanged_patch_writes_a_byte_identical_file(tmp_path):
    def fill(wb, ws):
        ws.write("A1", 5)
        ws.write("B1", "text")
        ws.write_formula("C1", "=A1", None, 5)
    src = build(tmp_path / "b.xlsx", fill)
    dst, report = patch(src, [CellPatch("S", 0, 0, 5), CellPatch("S", 0, 1, "text"), CellPatch("S", 0, 2, 5)])
    assert dst.read_bytes() == src.read_bytes()
    assert report.changed_members == () and report.cells_changed == 0


def test_patching_twice_with_the_same_fill_adds_no_styles(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write_column("A1", [1, 2, 3]))
    patches = [CellPatch("S", i, 0, 10 + i, fill="FFC7CE") for i in range(3)]
    once, r1 = patch(src, patches, "once.xlsx")
    twice, r2 = patch(once, patches, "twice.xlsx")
    assert r1.new_xfs == 1 and r1.new_fills == 1  # three cells, one new format (de-duplicated)
    assert r2.new_xfs == 0 and r2.changed_members == () and twice.read_bytes() == once.read_bytes()


def test_escapes_whitespace_and_control_characters(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write("A1", 1))
    texts = ["  leading and trailing  ", "line1\nline2\r\nline3\rend", "tab\there", "_x0041_ stays literal",
             "ctrl\x01\x1f chars", "emoji 😀 and 山田 太郎", "quote \" and apos ' and ]]>"]
    patches = [CellPatch("S", i, 0, t) for i, t in enumerate(texts)]
    patches.append(CellPatch("S", 0, 1, "=not a formula"))
    dst, _ = patch(src, patches)
    for i, t in enumerate(texts):
        assert cal(dst, f"A{i + 1}") == t
    ws = opx(dst)
    assert ws["A1"].value == texts[0] and ws["A2"].value == texts[1] and ws["A6"].value == texts[5]
    assert ws["B1"].data_type == "s" and ws["B1"].value == "=not a formula"  # text, never a formula
    assert b'<t xml:space="preserve">  leading and trailing  </t>' in member(dst)


def test_invalid_values_are_refused_before_anything_is_written(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write("A1", 1))
    dst = tmp_path / "out.xlsx"
    for value in (float("nan"), float("inf"), object(), "x" * 32768, "\ud800", dt.time(12, 0),
                  dt.date(1899, 12, 31)):
        with pytest.raises(PatchRefusedError) as e:
            patch_workbook(src, dst, [CellPatch("S", 0, 0, value)])
        assert e.value.reason == "bad_value" and e.value.cell == "A1"
        assert not dst.exists()
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, dst, [CellPatch("S", 0, 0, 1, fill="red")])
    assert e.value.reason == "bad_value"
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, dst, [CellPatch("S", 0, 0, 1), CellPatch("S", 0, 0, 2)])
    assert e.value.reason == "duplicate_patch"
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, dst, [CellPatch("Nope", 0, 0, 1)])
    assert e.value.reason == "no_sheet" and "S" in str(e.value)
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, dst, [CellPatch("S", 1_048_576, 0, 1)])
    assert e.value.reason == "bad_cell"
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, dst, [CellPatch("S", 0, 0, 1, formula="")])
    assert e.value.reason == "bad_value"
    assert not dst.exists()


def test_refusal_message_is_one_line_ja_en_naming_file_sheet_cell(tmp_path):
    def fill(wb, ws):
        ws.write_array_formula("A1:A3", "{=B1:B3*2}", None, 0)
    src = build(tmp_path / "配列.xlsx", fill)
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, tmp_path / "out.xlsx", [CellPatch("S", 1, 0, 5)])
    err = e.value
    assert err.exit_code == ExitCode.WRITE_FAILED and err.reason == "array_formula"
    for text in (err.message("ja"), err.message("en")):
        assert "\n" not in text and str(src) in text and "A2" in text
    assert "シート「S」のセル A2" in err.message("ja") and "配列数式" in err.message("ja")
    assert "sheet 'S' cell A2" in err.message("en") and "array formula at A1" in err.message("en")
    assert "ファイルは変更していません" in err.message("ja")


# --------------------------------------------------------------------------------------------
# Formulas


SHARED = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
          '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
          '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>')


def test_shared_formula_child_and_master_cached_values(tmp_path):
    src = custom(tmp_path, SHARED, dimension="A1:B3")
    dst, report = patch(src, [CellPatch("S", 0, 1, 20), CellPatch("S", 1, 1, 40), CellPatch("S", 2, 1, 60)])
    xml = member(dst)
    assert b'<c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>20</v></c>' in xml
    assert b'<c r="B2"><f t="shared" si="0"/><v>40</v></c>' in xml
    assert [cal(dst, f"B{i}") for i in (1, 2, 3)] == [20.0, 40.0, 60.0]
    ws = opx(dst)
    assert ws["B1"].value == "=A1*2" and ws["B2"].value == "=A2*2" and ws["B3"].value == "=A3*2"
    assert report.changes[1].old_formula == ""  # a child has no text of its own


def test_shared_formula_master_cannot_be_replaced_or_removed(tmp_path):
    src = custom(tmp_path, SHARED)
    for p in (CellPatch("S", 0, 1, 5, formula="A1*3"), CellPatch("S", 0, 1, 5, keep_formula=False)):
        with pytest.raises(PatchRefusedError) as e:
            patch_workbook(src, tmp_path / "out.xlsx", [p])
        assert e.value.reason == "shared_formula" and e.value.cell == "B1"
    # the same formula text is no change
    patch(src, [CellPatch("S", 0, 1, 5, formula="A1*2")])


def test_shared_formula_child_may_get_its_own_formula(tmp_path):
    src = custom(tmp_path, SHARED)
    dst, _ = patch(src, [CellPatch("S", 1, 1, 20, formula="A2*10"), CellPatch("S", 2, 1, 3, keep_formula=False)])
    xml = member(dst)
    assert b'<c r="B2"><f>A2*10</f><v>20</v></c>' in xml and b'<c r="B3"><v>3</v></c>' in xml
    ws = opx(dst)
    assert ws["B2"].value == "=A2*10" and ws["B3"].value == 3 and ws["B1"].value == "=A1*2"


def test_array_formulas(tmp_path):
    def fill(wb, ws):
        ws.write_column("B1", [1, 2, 3])
        ws.write_array_formula("A1:A3", "{=B1:B3*2}", None, 2)
        ws.write_array_formula("C1:C1", "{=SUM(B1:B3*2)}", None, 12)
        ws.write_dynamic_array_formula("D1:D1", "=MAX(B1:B3)", None, 3)
    src = build(tmp_path / "arr.xlsx", fill)
    out = tmp_path / "out.xlsx"
    refusals = {
        "master of a multi-cell array": CellPatch("S", 0, 0, 5),
        "inside an array's range": CellPatch("S", 2, 0, 5),
        "new formula on a single-cell array": CellPatch("S", 0, 2, 5, formula="SUM(B1:B3)"),
        "removing a single-cell array": CellPatch("S", 0, 2, 5, keep_formula=False),
        "dynamic array formula change": CellPatch("S", 0, 3, 5, formula="MIN(B1:B3)"),
    }
    for why, p in refusals.items():
        with pytest.raises(PatchRefusedError) as e:
            patch_workbook(src, out, [p])
        assert e.value.reason == "array_formula", why
    # fine: a single-cell array's cached value (plain and dynamic), a fill on a member
    member_value = cal(src, "A2")  # Excel keeps each array cell's value; only a fill may change there
    dst, _ = patch(src, [CellPatch("S", 0, 2, 99), CellPatch("S", 0, 3, 7),
                         CellPatch("S", 1, 0, member_value, fill="FFFF00")])
    cells = read_cells(member(dst))
    assert cells[(1, 3)]["f_t"] == "array" and cells[(1, 3)]["v"] == b"99"
    assert cells[(1, 4)]["cm"] == b"1" and cells[(1, 4)]["v"] == b"7"  # dynamic-array metadata kept
    assert cal(dst, "C1") == 99.0 and opx(dst, data_only=True)["C1"].value == 99


def test_new_and_removed_formulas_drop_the_calc_chain(tmp_path):
    def fill(wb, ws):
        ws.write("A1", 2)
        ws.write_formula("B1", "=A1*2", None, 4)
        ws.write_formula("C1", "=A1*3", None, 6)
    src = build(tmp_path / "b.xlsx", fill)
    chain = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<calcChain xmlns="{MAIN_NS}"><c r="B1" i="1"/><c r="C1"/></calcChain>'
    with zipfile.ZipFile(src) as z:
        ct = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    ct = ct.replace("</Types>", '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    rels = rels.replace("</Relationships>", '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    with_members(src, {"[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels}, add={"xl/calcChain.xml": chain})
    # a cached value only: the chain stays
    dst, report = patch(src, [CellPatch("S", 0, 1, 40)], "cached.xlsx")
    assert report.removed_members == () and "xl/calcChain.xml" in report.copied_members
    # a formula removed: the chain goes, with its relationship and content type
    dst, report = patch(src, [CellPatch("S", 0, 1, 40, keep_formula=False)], "removed.xlsx")
    assert report.removed_members == ("xl/calcChain.xml",)
    assert_only_changed(src, dst, {SHEET1, "[Content_Types].xml", "xl/_rels/workbook.xml.rels"},
                        removed={"xl/calcChain.xml"})
    assert b"calcChain" not in member(dst, "[Content_Types].xml") and b"calcChain" not in member(
        dst, "xl/_rels/workbook.xml.rels")
    assert opx(dst)["B1"].value == 40 and opx(dst)["C1"].value == "=A1*3"
    # a formula added: the chain goes too
    _, report = patch(src, [CellPatch("S", 1, 0, 4, formula="A1*2")], "added.xlsx")
    assert report.removed_members == ("xl/calcChain.xml",)


def test_force_full_calc(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write_formula("B1", "=A1*2", None, 0))
    wb_xml = member(src, "xl/workbook.xml")
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in wb_xml  # XlsxWriter sets it: take it out
    with_members(src, {"xl/workbook.xml": wb_xml.replace(b' fullCalcOnLoad="1"', b"")})
    dst, report = patch(src, [CellPatch("S", 0, 0, 21)], options=PatchOptions(force_full_calc=True))
    wb_xml = member(dst, "xl/workbook.xml")
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in wb_xml and report.full_calc_on_load
    assert_only_changed(src, dst, {SHEET1, "xl/workbook.xml"})
    # without a <calcPr>, one is added in its place in the schema order
    no_calc = with_members(src, {"xl/workbook.xml": member(src, "xl/workbook.xml").replace(
        b'<calcPr calcId="124519"/>', b"")})
    assert b"calcPr" not in member(no_calc, "xl/workbook.xml")
    dst2, _ = patch(no_calc, [CellPatch("S", 0, 0, 21)], "nocalc.xlsx", options=PatchOptions(force_full_calc=True))
    assert b'</sheets><calcPr fullCalcOnLoad="1"/>' in member(dst2, "xl/workbook.xml")
    openpyxl.load_workbook(dst2)
    # not asked: workbook.xml untouched
    dst3, _ = patch(no_calc, [CellPatch("S", 0, 0, 21)], "plain.xlsx")
    assert member(dst3, "xl/workbook.xml") == member(no_calc, "xl/workbook.xml")


# --------------------------------------------------------------------------------------------
# Dates


def test_dates_1900_keep_the_cell_date_format_or_get_one(tmp_path):
    def fill(wb, ws):
        ws.write_datetime("A1", dt.datetime(2020, 1, 1), wb.add_format({"num_format": "yyyy/mm/dd", "border": 1}))
        ws.write("B1", 5)
    src = build(tmp_path / "d.xlsx", fill)
    patches = [CellPatch("S", 0, 0, dt.date(2026, 4, 1)),  # keeps yyyy/mm/dd and the border
               CellPatch("S", 0, 1, dt.date(2026, 4, 2)),  # General -> built-in date format
               CellPatch("S", 0, 2, dt.datetime(2026, 4, 3, 13, 45, 30)),  # new cell -> date-time format
               CellPatch("S", 0, 3, dt.date(1900, 2, 28)),  # before Excel's phantom 1900-02-29
               CellPatch("S", 0, 4, dt.date(1900, 3, 1))]
    dst, report = patch(src, patches)
    cells = read_cells(member(dst))
    assert cells[(1, 1)]["v"] == b"46113" and cells[(1, 4)]["v"] == b"59" and cells[(1, 5)]["v"] == b"61"
    ws = opx(dst)
    assert ws["A1"].number_format == "yyyy/mm/dd" and ws["A1"].border.left.style == "thin"
    assert ws["A1"].value == dt.datetime(2026, 4, 1) and ws["B1"].value == dt.datetime(2026, 4, 2)
    assert ws["B1"].is_date and ws["C1"].is_date and ws["C1"].value == dt.datetime(2026, 4, 3, 13, 45, 30)
    assert ws["D1"].value == dt.datetime(1900, 2, 28) and ws["E1"].value == dt.datetime(1900, 3, 1)
    assert cal(dst, "B1") in (dt.date(2026, 4, 2), dt.datetime(2026, 4, 2))
    assert cal(dst, "C1") == dt.datetime(2026, 4, 3, 13, 45, 30)
    assert report.changes[0].new_style == report.changes[0].old_style  # A1 kept its style


def test_dates_1904_system(tmp_path):
    def fill(wb, ws):
        ws.write_datetime("A1", dt.datetime(2020, 1, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    src = build(tmp_path / "d1904.xlsx", fill, date_1904=True)
    # (serial 0, 1904-01-01 itself, reads back as a time of day in both readers: not tested)
    dst, report = patch(src, [CellPatch("S", 0, 0, dt.date(2026, 4, 1)), CellPatch("S", 0, 1, dt.date(1904, 1, 2))])
    assert report.date1904
    cells = read_cells(member(dst))
    assert cells[(1, 1)]["v"] == str(46113 - 1462).encode() and cells[(1, 2)]["v"] == b"1"
    assert opx(dst)["B1"].value == dt.datetime(1904, 1, 2)
    assert opx(dst)["A1"].value == dt.datetime(2026, 4, 1)
    assert cal(dst, "A1") in (dt.date(2026, 4, 1), dt.datetime(2026, 4, 1))
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, tmp_path / "x.xlsx", [CellPatch("S", 0, 0, dt.date(1903, 12, 31))])
    assert e.value.reason == "bad_value"


# --------------------------------------------------------------------------------------------
# Rows and cells that do not exist yet


def test_new_rows_and_cells_go_in_order(tmp_path):
    rows = ('<row r="2" spans="2:3"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c></row>'
            '<row r="4" spans="2:3" ht="30" customHeight="1"><c r="C4"><v>3</v></c></row>'
            '<row r="6" spans="1:1"/>')
    src = custom(tmp_path, rows, dimension="B2:D6")
    patches = [CellPatch("S", 0, 0, "before first row"),  # row 1
               CellPatch("S", 1, 0, "A2"), CellPatch("S", 1, 2, "C2"), CellPatch("S", 1, 5, "F2"),  # in row 2
               CellPatch("S", 2, 1, "row 3"),  # between rows
               CellPatch("S", 5, 3, "in empty row 6"),  # <row .../> becomes a row with a cell
               CellPatch("S", 8, 0, "after last")]  # row 9
    dst, _ = patch(src, patches)
    xml = member(dst).decode()
    body = xml[xml.index("<sheetData>"):xml.index("</sheetData>")]
    assert body.index('<row r="1">') < body.index('<row r="2"') < body.index('<row r="3">') < body.index('<row r="4"')
    assert body.index('<row r="4"') < body.index('<row r="6"') < body.index('<row r="9">')
    row2 = body[body.index('<row r="2"'):body.index("</row>", body.index('<row r="2"'))]
    assert [x.split('"')[0] for x in row2.split('<c r="')[1:]] == ["A2", "B2", "C2", "D2", "F2"]
    assert '<row r="2" spans="1:6">' in body  # spans widened
    assert '<row r="4" spans="2:3" ht="30" customHeight="1"><c r="C4"><v>3</v></c></row>' in body  # untouched
    assert '<row r="6" spans="1:4"><c r="D6" t="inlineStr"><is><t>in empty row 6</t></is></c></row>' in body
    assert '<dimension ref="A1:F9"/>' in xml
    g = grid(dst)
    assert g[0][0] == "before first row" and g[1][:6] == ["A2", 1.0, "C2", 2.0, "", "F2"] and g[8][0] == "after last"
    assert opx(dst)["D6"].value == "in empty row 6"


def test_empty_sheet_data_gets_rows(tmp_path):
    src = custom(tmp_path, "", dimension="A1")
    xml = member(src).replace(b"<sheetData></sheetData>", b"<sheetData/>")
    with_members(src, {SHEET1: xml})
    dst, _ = patch(src, [CellPatch("S", 2, 1, 5), CellPatch("S", 3, 2, "x")])
    body = member(dst)
    assert b'<dimension ref="B3:C4"/>' in body
    assert b'<sheetData><row r="3"><c r="B3"><v>5</v></c></row><row r="4"><c r="C4" t="inlineStr">' in body
    assert cal(dst, "B3") == 5.0 and opx(dst)["C4"].value == "x"


def test_new_cells_take_the_row_or_column_style(tmp_path):
    def fill(wb, ws):
        ws.set_column("C:C", 12, wb.add_format({"num_format": "0.000"}))
        ws.set_row(4, 20, wb.add_format({"italic": True}))
        ws.write("A1", 1)
    src = build(tmp_path / "b.xlsx", fill)
    dst, _ = patch(src, [CellPatch("S", 1, 2, 1.5), CellPatch("S", 4, 0, "italic row")])
    ws = opx(dst)
    assert ws["C2"].number_format == "0.000" and ws["A5"].font.i


# --------------------------------------------------------------------------------------------
# Styles


def test_fill_and_font_colour_clone_the_cell_format(tmp_path):
    def fill(wb, ws):
        fmt = wb.add_format({"border": 2, "num_format": "#,##0.00", "align": "center", "bold": True,
                             "font_color": "#0000FF", "locked": False})
        ws.write("A1", 1234.5, fmt)
        ws.write("A2", 1234.5, fmt)
        ws.write("B1", 7, wb.add_format({"bg_color": "#00FF00"}))
    src = build(tmp_path / "s.xlsx", fill)
    patches = [CellPatch("S", 0, 0, 1234.5, fill="FFC7CE"),  # style only: the value stays
               CellPatch("S", 1, 0, 99, fill="FFC7CE", font_color="9C0006"),
               CellPatch("S", 0, 1, 7, fill=None)]  # remove the fill
    dst, report = patch(src, patches)
    assert_only_changed(src, dst, {SHEET1, "xl/styles.xml"})
    ws = opx(dst)
    for ref in ("A1", "A2"):
        c = ws[ref]
        assert c.border.left.style == "medium" and c.number_format == "#,##0.00"
        assert c.alignment.horizontal == "center" and c.font.b and c.protection.locked is False
        assert c.fill.fill_type == "solid" and c.fill.fgColor.rgb == "FFFFC7CE"
    assert ws["A1"].font.color.rgb == "FF0000FF" and ws["A2"].font.color.rgb == "FF9C0006"
    assert ws["A2"].font.b and ws["A2"].font.name == ws["A1"].font.name
    assert ws["B1"].fill.fill_type is None
    assert report.changes[0].old_value == 1234.5 and report.changes[0].changed
    assert read_cells(member(dst))[(1, 1)]["v"] == b"1234.5"  # value bytes untouched
    assert report.new_xfs == 3 and report.new_fills == 1 and report.new_fonts == 1
    # styles.xml: only appended entries and counts differ
    before, after = member(src, "xl/styles.xml"), member(dst, "xl/styles.xml")
    assert after.startswith(before[:before.index(b"<fonts")])
    assert before[before.index(b"<cellStyles"):] == after[after.index(b"<cellStyles"):]


def test_styles_grow_only_by_new_formats(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: [ws.write(r, 0, r) for r in range(50)])
    bands = ["C6EFCE", "FFEB9C", "FFC7CE"]
    dst, report = patch(src, [CellPatch("S", r, 0, r, fill=bands[r % 3]) for r in range(50)])
    assert report.new_xfs == 3 and report.new_fills == 3
    assert {opx(dst)[f"A{r + 1}"].fill.fgColor.rgb for r in range(50)} == {"FF" + b for b in bands}


# --------------------------------------------------------------------------------------------
# Tables, rich values, odd XML


def test_table_header_cells_are_protected(tmp_path):
    def fill(wb, ws):
        ws.add_table("B2:D4", {"columns": [{"header": "資産ID"}, {"header": "名称"}, {"header": "値"}],
                               "data": [["A-1", "x", 1], ["A-2", "y", 2]]})
    src = build(tmp_path / "t.xlsx", fill)
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, tmp_path / "out.xlsx", [CellPatch("S", 1, 2, "別名")])
    assert e.value.reason == "table_header" and e.value.cell == "C2" and "名称" in str(e.value)
    # the same text with a fill, and data cells: fine
    dst, _ = patch(src, [CellPatch("S", 1, 2, "名称", fill="DDEBF7"), CellPatch("S", 2, 3, 10)])
    assert cal(dst, "C2") == "名称" and cal(dst, "D3") == 10.0
    assert opx(dst).tables["Table1"].ref == "B2:D4"


def test_in_cell_picture_is_refused():
    src = CORPUS / "embed_image01.xlsx"
    if not src.exists():
        pytest.skip("corpus not available")
    with pytest.raises(PatchRefusedError) as e:
        patch_workbook(src, Path("/nonexistent/never-written.xlsx"), [CellPatch("Sheet1", 0, 0, 5)])
    assert e.value.reason == "rich_value"


def test_rich_text_inline_cell_is_replaced_and_its_neighbours_kept(tmp_path):
    rich = ('<c r="B1" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/><color rgb="FFFF0000"/></rPr>'
            '<t xml:space="preserve"> bold</t></r></is></c>')
    rows = f'<row r="1"><c r="A1" t="inlineStr"><is><r><t>x</t></r><r><rPr><i/></rPr><t>y</t></r></is></c>{rich}</row>'
    src = custom(tmp_path, rows)
    dst, report = patch(src, [CellPatch("S", 0, 0, "plain")])
    assert rich.encode() in member(dst)
    assert report.changes[0].old_value == "xy" and report.changes[0].old_type == "inlineStr"
    assert cal(dst, "A1") == "plain" and cal(dst, "B1") == "a bold"


def test_prefixed_spreadsheetml_is_handled(tmp_path):
    rows = ('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>hi</x:t></x:is></x:c></x:row>'
            '<x:row r="2"><x:c r="A2"><x:f>A1*2</x:f><x:v>2</x:v></x:c></x:row>')
    src = custom(tmp_path, rows, prefix="x", dimension="A1:B2")
    dst, _ = patch(src, [CellPatch("S", 0, 0, 5, fill="FF0000"), CellPatch("S", 1, 0, 10), CellPatch("S", 3, 2, "新")])
    xml = member(dst)
    assert b'<x:c r="A1" s="1"><x:v>5</x:v></x:c>' in xml and b'<x:c r="A2"><x:f>A1*2</x:f><x:v>10</x:v></x:c>' in xml
    assert b'<x:row r="4"><x:c r="C4" t="inlineStr"><x:is><x:t>' in xml and b"<c " not in xml
    assert grid(dst)[:4] == [[5.0, "hi", ""], [10.0, "", ""], ["", "", ""], ["", "", "新"]]
    ws = opx(dst)
    assert ws["A2"].value == "=A1*2" and ws["A1"].fill.fgColor.rgb == "FFFF0000"


def test_foreign_namespace_is_refused(tmp_path):
    src = custom(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row>')
    xml = member(src).replace(f'xmlns="{MAIN_NS}"'.encode(), b'xmlns="urn:example:not-spreadsheetml"')
    with_members(src, {SHEET1: xml})
    with pytest.raises(Exception) as e:  # preflight or the patcher refuses; nothing is written
        patch_workbook(src, tmp_path / "out.xlsx", [CellPatch("S", 0, 0, 2)])
    assert getattr(e.value, "reason", None) in ("namespace", "bad_xml", "strict") or "namespace" in str(e.value)
    assert not (tmp_path / "out.xlsx").exists()


def test_cells_or_rows_without_references_are_refused(tmp_path):
    for rows in ('<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c></row>',
                 '<row><c r="A1"><v>1</v></c></row>'):
        src = custom(tmp_path, rows, name="nor.xlsx")
        with pytest.raises(PatchRefusedError) as e:
            patch_workbook(src, tmp_path / "out.xlsx", [CellPatch("S", 0, 0, 2)])
        assert e.value.reason == "cell_without_ref" and e.value.cell is None and e.value.sheet == "S"
        assert "Excel で開いて保存し直して" in e.value.message("ja")


def test_rows_out_of_order_and_comments_are_refused(tmp_path):
    cases = {"row_order": '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>',
             "unexpected_xml": '<row r="1"><c r="A1"><v>1</v></c></row><!-- <row r="5"> -->'}
    for reason, rows in cases.items():
        src = custom(tmp_path, rows, name=f"{reason}.xlsx")
        with pytest.raises(PatchRefusedError) as e:
            patch_workbook(src, tmp_path / "out.xlsx", [CellPatch("S", 4, 0, 2)])
        assert e.value.reason == reason


def test_cell_attribute_order_and_quotes_from_other_writers(tmp_path):
    rows = ("<row r='1' spans='1:3'><c s='0' r='A1' t='n'><v>1</v></c><c t=\"b\" r=\"B1\"><v>1</v></c>"
            "<c r='C1'><v>3</v></c></row>")
    src = custom(tmp_path, rows)
    dst, _ = patch(src, [CellPatch("S", 0, 0, 10), CellPatch("S", 0, 3, "D1")])
    xml = member(dst)
    assert b"<c s='0' r='A1'><v>10</v></c>" in xml or b'<c s="0" r=\'A1\'><v>10</v></c>' in xml
    assert b"<c r='C1'><v>3</v></c><c r=\"D1\" t=\"inlineStr\">" in xml
    assert cal(dst, "A1") == 10.0 and cal(dst, "D1") == "D1"


def test_non_utf8_sheet_gets_character_references(tmp_path):
    src = custom(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row>')
    xml = member(src).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    with_members(src, {SHEET1: xml})
    dst, _ = patch(src, [CellPatch("S", 0, 1, "山田")])
    assert b"&#23665;&#30000;" in member(dst)
    assert cal(dst, "B1") == "山田" and opx(dst)["B1"].value == "山田"


def test_excel_saved_file_keeps_its_zip_layout():
    """An Excel-saved file (flags "super fast", data in a fixed order): the changed member keeps
    its header fields and compression flags; all the others are raw copies."""
    src = CORPUS / "date_1904_02.xlsx"
    if not src.exists():
        pytest.skip("corpus not available")
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "out.xlsx"
        patches = [CellPatch("Sheet1", 1, 0, dt.date(2026, 4, 1), fill="C6EFCE")]
        report = patch_workbook(src, dst, patches)
        verify_patch(src, dst, patches, report=report)
        assert_only_changed(src, dst, {SHEET1, "xl/styles.xml"})
        with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
            assert [i.flag_bits for i in a.infolist()] == [i.flag_bits for i in b.infolist()]
        assert opx(dst, "Sheet1")["A2"].value == dt.datetime(2026, 4, 1)


def test_members_with_data_descriptors_are_copied_raw(tmp_path):
    """zipfile writing to a stream that cannot seek puts sizes in data descriptors (flag bit 3)."""
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write("A1", 1))

    class NoSeek:
        def __init__(self, fh):
            self.fh = fh

        def write(self, b):
            return self.fh.write(b)

        def flush(self):
            self.fh.flush()

        def tell(self):
            raise OSError("not seekable")

        def seekable(self):
            return False

    streamed = tmp_path / "streamed.xlsx"
    with zipfile.ZipFile(src) as zin, open(streamed, "wb") as fh, zipfile.ZipFile(NoSeek(fh), "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i.filename, zin.read(i))
    with zipfile.ZipFile(streamed) as z:
        assert all(i.flag_bits & 0x8 for i in z.infolist())
    dst, _ = patch(streamed, [CellPatch("S", 0, 0, 2)])
    a, b = streamed.read_bytes(), dst.read_bytes()
    with zipfile.ZipFile(streamed) as za, zipfile.ZipFile(dst) as zb:
        for ia, ib in zip(za.infolist(), zb.infolist()):
            if ia.filename == SHEET1:
                assert not ib.flag_bits & 0x8  # rewritten with its sizes in the header
                continue
            # the whole local entry, data descriptor included
            la = a[ia.header_offset:ia.header_offset + 30 + len(ia.filename) + len(ia.extra) + ia.compress_size + 16]
            lb = b[ib.header_offset:ib.header_offset + 30 + len(ib.filename) + len(ib.extra) + ib.compress_size + 16]
            assert la == lb and ia.CRC == ib.CRC
    assert cal(dst, "A1") == 2.0


# --------------------------------------------------------------------------------------------
# verify_patch


def test_verify_catches_a_changed_member_and_a_wrong_value(tmp_path):
    src = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write("A1", 1))
    patches = [CellPatch("S", 0, 0, 2, fill="FF0000")]
    dst = tmp_path / "out.xlsx"
    report = patch_workbook(src, dst, patches)
    verify_patch(src, dst, patches, report=report)
    verify_patch(src, dst, patches)  # without the report: the default set of members
    with pytest.raises(PatchVerifyError, match="S!A1"):
        verify_patch(src, dst, [CellPatch("S", 0, 0, 3, fill="FF0000")], report=report)
    with pytest.raises(PatchVerifyError, match="fill"):
        verify_patch(src, dst, [CellPatch("S", 0, 0, 2, fill="00FF00")], report=report)
    # a member recompressed (same content, other bytes) is caught
    tampered = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(dst) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for i in zin.infolist():
            data = zin.read(i)
            zout.writestr(i, data, compress_type=zipfile.ZIP_DEFLATED,
                          compresslevel=1 if i.filename == "docProps/app.xml" else None)
    with pytest.raises(PatchVerifyError, match="docProps/app.xml"):
        verify_patch(src, tampered, patches, report=report)
    # another cell changed is caught
    other = tmp_path / "other.xlsx"
    patch_workbook(src, other, patches + [CellPatch("S", 5, 5, "extra")])
    with pytest.raises(PatchVerifyError, match="F6"):
        verify_patch(src, other, patches)


# --------------------------------------------------------------------------------------------
# Property: any set of patches reads back as written


COLOURS = [MISSING, None, "C6EFCE", "FFEB9C", "FFC7CE"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x0b\x0c",
                                      min_codepoint=9), min_size=1, max_size=30)
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    TEXT.filter(lambda s: not any(ord(c) < 32 and c not in "\t\n\r" for c in s)),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
)


@st.composite
def patch_sets(draw):
    cells = draw(st.sets(st.tuples(st.integers(0, 25), st.integers(0, 8)), min_size=1, max_size=25))
    return [CellPatch("S", r, c, draw(VALUES), fill=draw(st.sampled_from(COLOURS))) for r, c in sorted(cells)]


@pytest.fixture(scope="module")
def base_book(tmp_path_factory) -> Path:
    def fill(wb, ws):
        for r in range(0, 20, 2):
            for c in range(0, 8, 3):
                ws.write(r, c, r * 10 + c if c % 2 == 0 else f"s{r}{c}")
        ws.write_formula("J1", "=A1+1", None, 1)
        ws.write_datetime("K1", dt.datetime(2024, 1, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    return build(tmp_path_factory.mktemp("prop") / "base.xlsx", fill)


def _expected_cell(value):
    if value is None or value == "":
        return ""
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patches=patch_sets())
def test_random_patch_sets_read_back_as_written(base_book, tmp_path, patches):
    dst = tmp_path / "prop.xlsx"
    report = patch_workbook(base_book, dst, patches)
    before, after = grid(base_book), grid(dst)
    patched = {(p.row, p.col): p for p in patches}
    height = max(len(before), len(after), 26)
    for r in range(height):
        for c in range(max(len(before[0]) if before else 0, len(after[0]) if after else 0, 11)):
            got = after[r][c] if r < len(after) and c < len(after[r]) else ""
            old = before[r][c] if r < len(before) and c < len(before[r]) else ""
            p = patched.get((r, c))
            if p is None:
                assert got == old, (r, c)
                continue
            want = _expected_cell(p.value)
            if isinstance(want, bool):
                assert got is want
            elif isinstance(want, dt.date):
                assert got in (want, dt.datetime(want.year, want.month, want.day))
            elif isinstance(want, (int, float)):
                assert isinstance(got, float) and got == pytest.approx(float(want), rel=1e-15, abs=0)
            else:
                assert got == want, (r, c)
    ws = openpyxl.load_workbook(dst)["S"]
    for p in patches:
        cell = ws.cell(p.row + 1, p.col + 1)
        if p.fill is MISSING:
            continue
        if p.fill is None:
            assert cell.fill.fill_type is None
        else:
            assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == "FF" + p.fill
    verify_patch(base_book, dst, patches, report=report)


def test_verify_on_big_sheets_streams_the_cells(tmp_path, monkeypatch):
    """Above a size, verify reads the patched cells' styles with expat + openpyxl's stylesheet
    parser instead of openpyxl's (slow) cell reader; it must catch the same mistakes."""
    from isms_xl.io.patch import verify as verify_mod

    monkeypatch.setattr(verify_mod, "_OPENPYXL_CELLS", 0)

    def fill(wb, ws):
        ws.write("A1", 1)
        ws.write_formula("B1", "=A1*2", None, 2)
    src = build(tmp_path / "b.xlsx", fill)
    patches = [CellPatch("S", 0, 0, 5, fill="FFC7CE", font_color="9C0006"), CellPatch("S", 0, 1, 10),
               CellPatch("S", 3, 2, dt.date(2026, 4, 1), fill=None)]
    dst, report = patch(src, patches)  # patch() verifies, with and through the streamed path
    verify_patch(src, dst, patches)
    for wrong in ([CellPatch("S", 0, 0, 5, fill="00FF00", font_color="9C0006")] + patches[1:],
                  [patches[0], CellPatch("S", 0, 1, 10, keep_formula=False), patches[2]],
                  [patches[0].__class__("S", 0, 0, 5, fill="FFC7CE", font_color="000000")] + patches[1:]):
        with pytest.raises(PatchVerifyError):
            verify_patch(src, dst, wrong, report=report)
