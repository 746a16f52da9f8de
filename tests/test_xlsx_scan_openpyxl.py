"""What preflight collects agrees with openpyxl's view of the same files: formula and error cells,
style ids, merged ranges, hidden rows and columns, defined names, tables, the date system and
the cell styles' fill and font colours. On the demo folder, the committed templates and a
sample of the Excel-saved corpus chosen for the features.

Where openpyxl's view differs by design it is said so below (``compare``), and those cells are
left out of the comparison:

* cells inside a merged range other than its top-left one: openpyxl replaces them with empty
  MergedCells (their formula, value and style are gone);
* shared formulas: openpyxl turns the children into ordinary formulas, so "shared" is checked
  against the XML instead;
* openpyxl reads a date cell whose serial number is outside the calendar as "#VALUE!" (with a
  warning); the file has a number there, not an error;
* defined names: openpyxl drops the reserved ``_xlnm.*`` names (it turns print areas and titles
  into worksheet settings) and keeps one name per scope when a file repeats one.
"""

from __future__ import annotations

import datetime
import re
import warnings
import zipfile
from pathlib import Path

import pytest

from isms_xl.io.preflight import COLLECT_ALL, preflight
from isms_xl.io.xlsx_parts import decode_xstring

openpyxl = pytest.importorskip("openpyxl")
from openpyxl.utils.datetime import CALENDAR_MAC_1904  # noqa: E402
from openpyxl.worksheet.cell_range import CellRange  # noqa: E402
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbook_templates").rglob("*.xlsx"))
CORPUS = Path("/work/shared/corpus/excel")

# Features the corpus sample must cover, and how a sheet part shows them.
FEATURES = {
    "shared": rb't="shared"',
    "array": rb't="array"',
    "dataTable": rb't="dataTable"',
    "error": rb't="e"',
    "merge": rb"<mergeCell ",
    "hidden_row": rb'<row [^>]*hidden="1"',
    "hidden_col": rb'<col [^>]*hidden="1"',
    "zero_height": rb'zeroHeight="1"',
    "table": rb"<tablePart ",
    "inline": rb't="inlineStr"',
    "rich": rb"<c [^>]*>\s*<is>\s*<r>",
}
WORKBOOK_FEATURES = {
    "defined_name": rb"<definedName ",
    "local_name": rb"localSheetId=",
    "hidden_name": rb'<definedName [^>]*hidden="1"',
    "date1904": rb'date1904="(?:1|true)"',
}
STYLE_FEATURES = {
    "theme_fill": rb'<fgColor theme=',
    "indexed_fill": rb'<fgColor indexed=',
    "gradient": rb"<gradientFill",
    "tint": rb"tint=",
    "custom_palette": rb"<indexedColors>",
}
PER_FEATURE = 8


def corpus_sample() -> tuple[list[Path], set[str], set[str]]:
    """~100 Excel-saved files: up to PER_FEATURE for each feature (in name order), then every
    15th file for the rest. Also the features found in the corpus, and in the sample."""
    if not CORPUS.is_dir():
        return [], set(), set()
    files = sorted(CORPUS.glob("*.xlsx")) + sorted(CORPUS.glob("*.xlsm"))
    chosen: dict[Path, None] = {}
    counts = dict.fromkeys([*FEATURES, *WORKBOOK_FEATURES, *STYLE_FEATURES], 0)
    for path in files:
        try:
            with zipfile.ZipFile(path) as z:
                sheets = b"".join(z.read(n) for n in z.namelist()
                                  if n.startswith("xl/worksheets/") and n.endswith(".xml"))
                book = z.read("xl/workbook.xml") if "xl/workbook.xml" in z.namelist() else b""
                styles = z.read("xl/styles.xml") if "xl/styles.xml" in z.namelist() else b""
        except (zipfile.BadZipFile, KeyError):
            continue
        for group, text in ((FEATURES, sheets), (WORKBOOK_FEATURES, book), (STYLE_FEATURES, styles)):
            for name, pattern in group.items():
                if counts[name] < PER_FEATURE and re.search(pattern, text):
                    counts[name] += 1
                    chosen[path] = None
    sample = sorted({**chosen, **dict.fromkeys(files[::15])})
    return sample, {name for name, n in counts.items() if n}, {name for name, n in counts.items() if n}


# --------------------------------------------------------------------------------------------
# The comparison

def _merged_hidden(ws) -> set[tuple[int, int]]:
    """Cells openpyxl empties: inside a merged range but not its top-left cell."""
    out = set()
    for rng in ws.merged_cells.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                if (row, col) != (rng.min_row, rng.min_col):
                    out.add((row - 1, col - 1))
    return out


def _shared_cells(path: Path, part: str) -> set[tuple[int, int]]:
    from tests.test_xlsx_scan import reference

    with zipfile.ZipFile(path) as z:
        expected = reference(z.read(part))
    return {cell for cell, kind in expected.kinds.items() if kind == "shared"}


def _color(c, theme_ok: bool) -> object:
    """openpyxl's Color as preflight should give it, or a checker when only the form is known."""
    if c is None or c.type is None or (c.type == "auto"):
        return None
    if c.type == "rgb" and not c.tint:
        value = str(c.rgb)[-6:].upper()
        return value if re.fullmatch(r"[0-9A-F]{6}", value) else None
    if c.type == "theme":
        return re.compile(r"[0-9A-F]{6}" if theme_ok else r"theme:\d+")
    return re.compile(r"[0-9A-F]{6}|indexed:\d+")


def _check_color(ours, expected, what: str) -> None:
    if isinstance(expected, re.Pattern):
        assert ours is not None and expected.fullmatch(ours), (what, ours, expected.pattern)
    else:
        assert ours == expected, (what, ours, expected)


def compare(path: Path) -> None:
    info = preflight(path, collect=COLLECT_ALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
        values = openpyxl.load_workbook(path, data_only=True)
    assert info.date1904 == (wb.epoch == CALENDAR_MAC_1904)

    # Defined names, but the reserved ones openpyxl turns into settings or drops.
    ours = {(n.sheet, n.name): (n.ref, n.hidden) for n in info.defined_names if not n.name.startswith("_xlnm.")}
    theirs = {(None, name): (d.attr_text, bool(d.hidden)) for name, d in wb.defined_names.items()}
    for ws in wb.worksheets:
        theirs.update({(ws.title, name): (d.attr_text, bool(d.hidden)) for name, d in ws.defined_names.items()})
    assert ours == theirs, path.name
    with zipfile.ZipFile(path) as z:
        theme_ok = any(n.startswith("xl/theme/") for n in z.namelist())

    for ws in wb.worksheets:
        si = info.sheet(ws.title)
        emptied = _merged_hidden(ws)
        cells = {(r - 1, c - 1): cell for (r, c), cell in ws._cells.items()
                 if (r - 1, c - 1) not in emptied}

        formulas = {k for k, c in cells.items() if c.data_type == "f"}
        assert set(si.formula_cells) - emptied == formulas, (path.name, ws.title, "formulas")
        arrays = {k for k, c in cells.items() if isinstance(c.value, ArrayFormula)}
        tables = {k for k, c in cells.items() if isinstance(c.value, DataTableFormula)}
        kinds = {k: v for k, v in si.formula_kinds.items() if k not in emptied}
        assert {k for k, v in kinds.items() if v == "array"} == arrays, (path.name, ws.title)
        assert {k for k, v in kinds.items() if v == "dataTable"} == tables, (path.name, ws.title)
        assert {k for k, v in kinds.items() if v == "shared"} == _shared_cells(path, si.part) - emptied

        vws = values[ws.title]
        errors = {(r - 1, c - 1): cell.value for (r, c), cell in vws._cells.items()
                  if cell.data_type == "e" and (r - 1, c - 1) not in emptied}
        ours_errors = {k: v for k, v in si.error_cells.items() if k not in emptied}
        invented = {k for k, v in errors.items() if k not in ours_errors and v == "#VALUE!"}
        for k in invented:  # a date serial out of range, which openpyxl turns into #VALUE!
            assert k not in si.formula_cells and si.style_ids.get(k, 0)
        assert ours_errors == {k: v for k, v in errors.items() if k not in invented}, (path.name, ws.title)

        styles = wb._cell_styles
        for k, cell in cells.items():
            if cell._style is None:
                continue  # a cell openpyxl made for a comment: not in the file
            s = si.style_ids.get(k, 0)
            assert styles[s] == cell._style, (path.name, ws.title, k, s)
            if cell.has_style:
                fill = cell.fill
                if getattr(fill, "fill_type", None) in (None, "none") and fill.tagname == "patternFill":
                    expected_fill = None
                elif fill.tagname == "gradientFill":
                    expected_fill = _color(fill.stop[0].color, theme_ok) if fill.stop else None
                else:
                    expected_fill = _color(fill.fgColor, theme_ok)
                _check_color(info.fill(s), expected_fill, (path.name, ws.title, k, "fill"))
                _check_color(info.font_rgb(s), _color(cell.font.color, theme_ok), (path.name, ws.title, k, "font"))
        assert set(si.style_ids) - emptied <= set(cells), (path.name, ws.title, "styles")

        merged = {(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges}
        assert set(si.merged) == merged, (path.name, ws.title)
        hidden_cols = {i for d in ws.column_dimensions.values() if d.hidden
                       for i in range(d.min - 1, min(d.max, 16384))}
        assert si.hidden_cols == hidden_cols, (path.name, ws.title)
        hidden_rows = {int(r) - 1 for r, d in ws.row_dimensions.items() if d.hidden}
        assert si.hidden_rows == hidden_rows, (path.name, ws.title)
        assert si.rows_hidden_by_default == bool(ws.sheet_format.zeroHeight)

        theirs_tables = {t.displayName: (str(CellRange(t.ref)) if t.ref else "", t.headerRowCount,
                                         t.totalsRowCount or 0, tuple(decode_xstring(c.name) for c in t.tableColumns))
                         for t in ws.tables.values()}
        ours_tables = {t.name: (str(CellRange(t.ref)) if t.ref else "", t.header_row_count,
                                t.totals_row_count, t.columns) for t in si.tables}
        assert ours_tables == theirs_tables, (path.name, ws.title)


# --------------------------------------------------------------------------------------------
# The files

@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=datetime.date(2026, 11, 26))
    return folder


def test_demo_folder(demo_folder):
    files = sorted(demo_folder.glob("*.xlsx"))
    assert len(files) == 28
    for path in files:
        compare(path)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "workbook_templates")))
def test_templates(path):
    compare(path)


SAMPLE, IN_CORPUS, IN_SAMPLE = corpus_sample()


@pytest.mark.skipif(not SAMPLE, reason=f"no corpus at {CORPUS}")
def test_the_sample_covers_the_corpus_features():
    assert 90 <= len(SAMPLE) <= 130
    assert IN_SAMPLE == IN_CORPUS
    # The corpus (Excel-saved XlsxWriter test files) has no shared formulas, data tables,
    # gradient or indexed fills: those are covered by the handmade files below.
    assert IN_CORPUS >= {"array", "error", "merge", "hidden_row", "hidden_col", "zero_height", "table",
                         "inline", "rich", "defined_name", "local_name", "hidden_name", "date1904",
                         "theme_fill", "tint"}


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.name)
def test_corpus_sample(path):
    from isms_xl.errors import BadInputError

    try:
        preflight(path)
    except BadInputError as err:
        pytest.skip(f"refused by preflight: {err.reason}")
    compare(path)


# --------------------------------------------------------------------------------------------
# Handmade: what the corpus does not have

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

_THEME = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme"><a:themeElements>
<a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>
<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="44546A"/></a:dk2>
<a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472C4"/></a:accent1>
<a:accent2><a:srgbClr val="ED7D31"/></a:accent2><a:accent3><a:srgbClr val="A5A5A5"/></a:accent3>
<a:accent4><a:srgbClr val="FFC000"/></a:accent4><a:accent5><a:srgbClr val="5B9BD5"/></a:accent5>
<a:accent6><a:srgbClr val="70AD47"/></a:accent6><a:hlink><a:srgbClr val="0563C1"/></a:hlink>
<a:folHlink><a:srgbClr val="954F72"/></a:folHlink></a:clrScheme>
<a:fontScheme name="Office"><a:majorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>
<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont></a:fontScheme>
<a:fmtScheme name="Office"><a:fillStyleLst/><a:lnStyleLst/><a:effectStyleLst/><a:bgFillStyleLst/></a:fmtScheme>
</a:themeElements></a:theme>"""


def _styles(palette: bool) -> str:
    colors = ("<colors><indexedColors>" + "".join(
        f'<rgbColor rgb="FF{i:02X}{i:02X}{i:02X}"/>' for i in range(64)) + "</indexedColors></colors>"
              if palette else "")
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}">
<fonts count="4"><font><sz val="11"/><color theme="1"/><name val="Calibri"/></font>
<font><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/></font>
<font><sz val="11"/><color auto="1"/><name val="Calibri"/></font>
<font><sz val="11"/><color indexed="10"/><name val="Calibri"/></font></fonts>
<fills count="8"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor theme="4" tint="0.79998168889431442"/><bgColor indexed="64"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor indexed="13"/><bgColor indexed="64"/></patternFill></fill>
<fill><gradientFill degree="90"><stop position="0"><color theme="0"/></stop><stop position="1"><color rgb="FF4472C4"/></stop></gradientFill></fill>
<fill><patternFill><fgColor rgb="FF00FF00"/></patternFill></fill>
<fill><patternFill patternType="darkGrid"><fgColor theme="9" tint="-0.249977111117893"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="0" fontId="3" fillId="4" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="0" fontId="2" fillId="5" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="0" fontId="0" fillId="6" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="0" fontId="0" fillId="7" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>{colors}</styleSheet>"""


_SHEET1 = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:H40"/>
<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/>
<cols><col min="2" max="2" width="0" hidden="1" customWidth="1"/><col min="9" max="16384" width="9" hidden="1"/></cols>
<sheetData>
<row r="1" spans="1:8"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" s="2" t="s"><v>2</v></c></row>
""" + "".join(
    f'<row r="{r}" spans="1:8"' + (' hidden="1"' if r % 9 == 0 else "") + ">"
    f'<c r="A{r}" s="3"><v>{r}</v></c>'
    + (f'<c r="B{r}"><f t="shared" ref="B2:B30" si="0">A2*2</f><v>{2 * r}</v></c>' if r == 2
       else f'<c r="B{r}"><f t="shared" si="0"/><v>{2 * r}</v></c>' if r <= 30 else "")
    + (f'<c r="C{r}" s="4" t="e"><f>1/(A{r}-5)</f><v>#DIV/0!</v></c>' if r == 5
       else f'<c r="C{r}" s="4"><f>1/(A{r}-5)</f><v>0.5</v></c>')
    + (f'<c r="D{r}" t="e" vm="1"><v>#VALUE!</v></c>' if r == 7 else "")
    + (f'<c r="E{r}" t="e"><v>#N/A</v></c>' if r % 10 == 0 else f'<c r="E{r}" s="5"><v>1</v></c>')
    + (f'<c r="F{r}" s="6"><f t="array" ref="F{r}:F{r + 1}">A{r}:A{r + 1}*2</f><v>{2 * r}</v></c>' if r == 3 else "")
    + (f'<c r="G{r}"><f t="dataTable" ref="G{r}:G{r + 1}" dt2D="0" dtr="0" r1="A1"/><v>1</v></c>' if r == 4 else "")
    + (f'<c r="H{r}" s="7"><v>45000</v></c>' if r == 6 else "")
    + "</row>"
    for r in range(2, 41)) + """
</sheetData>
<mergeCells count="2"><mergeCell ref="F20:G21"/><mergeCell ref="A38:B39"/></mergeCells>
<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>"""

_TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<table xmlns="{_MAIN}" id="1" name="T_list" displayName="T_list" ref="A1:C40" totalsRowShown="0">
<autoFilter ref="A1:C40"/><tableColumns count="3"><tableColumn id="1" name="番号"/>
<tableColumn id="2" name="二倍_x000a_(計算)"/><tableColumn id="3" name="逆数"/></tableColumns>
<tableStyleInfo name="TableStyleLight1" showRowStripes="1"/></table>"""


def excel_like_workbook(path: Path, *, date1904: bool = False, palette: bool = False, theme: bool = True) -> Path:
    """What Excel itself writes and the corpus lacks: shared formulas (a master and its
    <f t="shared" si/> children), array and data-table formulas, error cells with and without
    formulas (one with vm), hidden rows and columns up to XFD, zeroHeight, merged ranges, a
    table with an escaped column name, defined names of every scope, and theme, indexed,
    gradient and tinted colours."""
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr'
                + (' date1904="1"' if date1904 else "") + '/><sheets>'
                '<sheet name="リスク" sheetId="1" r:id="rId1"/><sheet name="隠し" sheetId="2" state="hidden" r:id="rId2"/>'
                "</sheets><definedNames>"
                "<definedName name=\"ISMS_DocNo\" localSheetId=\"0\">'リスク'!$A$1</definedName>"
                "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">'リスク'!$A$1:$H$40</definedName>"
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">'リスク'!$A$1:$C$40</definedName>"
                "<definedName name=\"全体\">'リスク'!$A$2:$A$40</definedName>"
                "<definedName name=\"secret\" hidden=\"1\">隠し!$A$1</definedName>"
                "<definedName name=\"Rate\">0.1</definedName>"
                "<definedName name=\"local2\" localSheetId=\"1\">隠し!$B$2</definedName>"
                "</definedNames></workbook>")
    rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId4" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            + (f'<Relationship Id="rId5" Type="{_REL}/theme" Target="theme/theme1.xml"/>' if theme else "")
            + "</Relationships>")
    types = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             f'<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
             f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
             f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
             f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
             f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
             f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_CT}.theme+xml"/>'
             f'<Override PartName="/xl/tables/table1.xml" ContentType="{_CT}.spreadsheetml.table+xml"/>'
             "</Types>")
    members = {
        "[Content_Types].xml": types,
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
                        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>"),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/worksheets/sheet1.xml": _SHEET1,
        "xl/worksheets/_rels/sheet1.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table1.xml"/></Relationships>'),
        "xl/worksheets/sheet2.xml": (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                     f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c>'
                                     '</row></sheetData></worksheet>'),
        "xl/tables/table1.xml": _TABLE,
        "xl/styles.xml": _styles(palette),
        "xl/sharedStrings.xml": (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                 f'<sst xmlns="{_MAIN}" count="3" uniqueCount="3"><si><t>番号</t></si>'
                                 "<si><t>二倍\n(計算)</t></si><si><t>逆数</t></si></sst>"),
    }
    if theme:
        members["xl/theme/theme1.xml"] = _THEME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text.encode("utf-8"))
    return path


def test_excel_like_workbook(tmp_path):
    path = excel_like_workbook(tmp_path / "excel.xlsx")
    compare(path)
    info = preflight(path, collect=COLLECT_ALL)
    s = info.sheet("リスク")
    assert {c for c, k in s.formula_kinds.items() if k == "shared"} == {(r, 1) for r in range(1, 30)}
    assert dict(s.formula_kinds.items()) == {**{(r, 1): "shared" for r in range(1, 30)},
                                             (2, 5): "array", (3, 6): "dataTable"}
    assert s.error_cells[(4, 2)] == "#DIV/0!" and s.error_cells[(6, 3)] == "#VALUE!"
    assert {k for k, v in s.error_cells.items() if v == "#N/A"} == {(r - 1, 4) for r in range(10, 41, 10)}
    assert s.hidden_cols == {1, *range(8, 16384)} and s.rows_hidden_by_default
    assert s.hidden_rows == {r - 1 for r in range(9, 41, 9)}
    assert s.merged == ((19, 5, 20, 6), (37, 0, 38, 1))
    assert s.tables[0].columns == ("番号", "二倍\n(計算)", "逆数") and s.tables[0].ref == "A1:C40"
    assert info.fills == (None, "FFC7CE", "DAE3F3", "FFFF00", "FFFFFF", None, "548235", None)
    assert info.fonts_rgb == ("000000", "9C0006", "000000", "FF0000", None, "000000", "000000", "000000")
    names = {(n.name, n.sheet): (n.ref, n.hidden) for n in info.defined_names}
    assert names[("_xlnm._FilterDatabase", "リスク")] == ("'リスク'!$A$1:$C$40", True)
    assert names[("secret", None)] == ("隠し!$A$1", True) and names[("local2", "隠し")] == ("隠し!$B$2", False)
    assert names[("Rate", None)] == ("0.1", False) and len(info.defined_names) == 7
    assert not info.date1904


def test_palette_theme_and_1904(tmp_path):
    path = excel_like_workbook(tmp_path / "palette.xlsx", date1904=True, palette=True, theme=False)
    compare(path)
    info = preflight(path)
    assert info.date1904
    # No theme part: theme colours stay "theme:N"; the workbook's own palette replaces the legacy one.
    assert info.fills == (None, "FFC7CE", "theme:4", "0D0D0D", "theme:0", None, "theme:9", None)
    assert info.fonts_rgb[3] == "0A0A0A" and info.fonts_rgb[0] == "theme:1"


@pytest.mark.libreoffice
def test_saved_by_libreoffice(tmp_path):
    """LibreOffice spells things its own way (t="n", s="0", hidden="false", <f aca="false">)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    src = excel_like_workbook(tmp_path / "src.xlsx")
    out = tmp_path / "out"
    subprocess.run([soffice, "--headless", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180,
                   env={**__import__("os").environ, "HOME": str(tmp_path)})
    path = out / "src.xlsx"
    compare(path)
    s = preflight(path).sheet("リスク")
    assert len(s.formula_cells) >= 60 and s.error_cells
