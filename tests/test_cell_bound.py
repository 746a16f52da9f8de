"""io/cell_bound: the quick check that lets python-calamine parse a sheet before the full scan.

It must be sound: whenever it gives a box, calamine places every cell inside it (else calamine
could be handed a sheet that exhausts memory). It may say "don't know" as often as it likes,
which only costs speed, but it must say yes to what Excel, openpyxl and XlsxWriter write.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from isms_xl.io.cell_bound import CellBound, cells_within_dimension, greater_digits, greater_letters
from isms_xl.io.preflight import preflight, preflight_staged
from isms_xl.io.xlsx_common import col_letters
from tests.test_preflight import damaged
from tests.test_xlsx_scan import reference, sheet_documents

HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet(cells: str, dimension: str = "A1:C3", head: bytes = HEAD) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return head + f"{dim}<sheetData>{cells}</sheetData></worksheet>".encode()


def in_pieces(xml: bytes, cuts: list[float]) -> tuple[int, int] | None:
    bound = CellBound(10_000_000)
    at = 0
    for cut in sorted(int(c * len(xml)) for c in cuts):
        bound.feed(xml[at:cut])
        at = cut
    bound.feed(xml[at:])
    return bound.result()


def test_what_writers_write_is_bounded():
    xml = sheet('<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c><c r="C1"><f>A1*2</f><v>2</v></c></row>'
                '<row r="3"><c r="B3" t="inlineStr"><is><t>x</t></is></c><c r="C3" s="2"/></row>')
    assert cells_within_dimension(xml, 100) == (3, 3)
    assert cells_within_dimension(sheet('<row r="1"><c r="A1"><v>1</v></c></row>', "A1"), 100) == (1, 1)
    assert cells_within_dimension(sheet("", "A1"), 100) == (1, 1)


@pytest.mark.parametrize("cells, dimension, why", [
    ('<row r="1"><c r="D1"><v>1</v></c></row>', "A1:C3", "a column past the dimension"),
    ('<row r="4"><c r="A4"><v>1</v></c></row>', "A1:C3", "a row past the dimension"),
    ('<row r="1"><c r="XFD1048576"><v>1</v></c></row>', "A1:C3", "the last cell of the grid"),
    ('<row r="1"><c r="A1"><v>1</v></c></row>', "", "no dimension"),
    ('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:XFD1048576", "a dimension over the limit"),
    ('<row r="1"><c><v>1</v></c></row>', "A1:C3", "a cell without r (placed by counters)"),
    ('<row r="1"><c s="1" r="A1"><v>1</v></c></row>', "A1:C3", "r not the first attribute"),
    ("<row r=\"1\"><c r='A1'><v>1</v></c></row>", "A1:C3", "single quotes"),
    ('<row r="1"><c r="A1" r="XFD1"><v>1</v></c></row>', "A1:C3", "a second r (calamine takes it)"),
    ('<row r="1"><c r="A1"\nr="XFD1"><v>1</v></c></row>', "A1:C3", "a second r after a line break"),
    ('<row r="1"><c r="A1" t="&gt;" r="XFD1"><v>1</v></c></row>', "A1:C3", "a second r after an escaped value"),
    ('<row r="1"><c r="A1" t=">" r="XFD1"><v>1</v></c></row>', "A1:C3", "a second r after a raw >"),
    ('<row r="1"><c r="A1" t="<" r="XFD1"><v>1</v></c></row>', "A1:C3", "a < inside a value"),
    ('<row r="1"><x:c r="XFD1"><v>1</v></x:c></row>', "A1:C3", "a namespace prefix"),
    ('<row r="1"><c r="&#65;1"><v>1</v></c></row>', "A1:C3", "a character reference in r"),
    ('<row r="1"><c r="a1"><v>1</v></c></row>', "A1:C3", "lower case"),
    ('<row r="1"><c r="$A$1"><v>1</v></c></row>', "A1:C3", "absolute reference"),
    ('<row r="1"><c r="A01"><v>1</v></c></row>', "A1:C3", "a leading zero"),
    ('<row r="1"><c  r="A1"><v>1</v></c></row>', "A1:C3", "two spaces"),
    ('<row r="1"><c\tr="A1"><v>1</v></c></row>', "A1:C3", "a tab"),
    ('<row r="1"><c r = "A1"><v>1</v></c></row>', "A1:C3", "spaces around ="),
    ('<row r="1"><c/></row>', "A1:C3", "an empty cell without r"),
])
def test_anything_odd_is_not_bounded(cells, dimension, why):
    xml = sheet(cells, dimension)
    assert cells_within_dimension(xml, 10_000_000) is None, why
    assert in_pieces(xml, [i / 7 for i in range(1, 7)]) is None, why


def test_a_second_dimension_after_the_cells_is_not_bounded():
    xml = sheet('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b"</sheetData>", b'</sheetData><dimension ref="A1:XFD1048576"/>')
    assert cells_within_dimension(xml, 10_000_000) is None
    assert in_pieces(xml, [0.3, 0.6, 0.9]) is None


def test_other_encodings_and_heads_are_not_bounded():
    cells = '<row r="1"><c r="A1"><v>1</v></c></row>'
    sjis = HEAD.replace(b"UTF-8", b"Shift_JIS")
    assert cells_within_dimension(sheet(cells, head=sjis), 100) is None
    assert cells_within_dimension(sheet(cells).replace(b"<dimension", b"<dimension ref=\"A1\"/><dimension"), 100) is None
    assert cells_within_dimension(sheet(cells).decode().encode("utf-16"), 100) is None
    assert cells_within_dimension(sheet(cells, "A1:C3"), 8) is None  # 9 cells > 8


def test_a_tag_cut_at_a_less_than_sign_is_caught():
    """Pieces end just before a "<"; a cell tag holding one spans two pieces."""
    xml = sheet('<row r="1"><c r="A1" t="<" r="XFD1"><v>1</v></c></row>')
    at = xml.index(b'<" r="XFD1')
    bound = CellBound(10_000_000)
    bound.feed(xml[:at])
    bound.feed(xml[at:])
    assert bound.result() is None


@pytest.mark.parametrize("n", [1, 9, 10, 11, 99, 100, 101, 1000, 1234, 50001, 90909, 1048576])
def test_greater_digits(n):
    pattern = re.compile(b"(?:" + greater_digits(str(n)) + b")")
    for k in [*range(1, min(2 * n, 3000)), n - 1, n, n + 1, 10 * n, 10 * n + 5]:
        if k >= 1:
            assert bool(pattern.match(str(k).encode())) == (k > n), k


@pytest.mark.parametrize("n", [1, 2, 25, 26, 27, 52, 53, 700, 702, 703, 704, 1000, 16384])
def test_greater_letters(n):
    pattern = re.compile(b"(?:" + greater_letters(col_letters(n)) + b")")
    for k in range(1, 2 * n + 800):
        # As in a reference: the letters are followed by the row's digits.
        assert bool(pattern.match(col_letters(k).encode() + b"7")) == (k > n), k


def _workbook(xml: bytes) -> bytes:
    """A minimal xlsx around one sheet part, for calamine."""
    out = io.BytesIO()
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                   f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return out.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_box_given_holds_every_cell_calamine_reads(data):
    """Soundness, against calamine itself: generated sheets (mostly Excel's spelling, with odd
    cells), their dimension set to the cells' true extent, a little less or more, searched
    whole and in pieces. (The sheets are small, so calamine is safe to run on any of them.)"""
    xml = data.draw(sheet_documents(canonical=data.draw(st.booleans())))
    truth = reference(xml)
    rows = max(truth.max_row + data.draw(st.integers(-1, 2)), 1)
    cols = max(truth.max_col + data.draw(st.integers(-1, 2)), 1)
    xml = re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)
    xml = xml.replace(b"<sheetData>", f'<dimension ref="A1:{col_letters(cols)}{rows}"/><sheetData>'.encode(), 1)
    cuts = data.draw(st.lists(st.floats(0, 1), max_size=8))
    box = cells_within_dimension(xml, 10_000_000)
    assert in_pieces(xml, cuts) == box
    if box is None:
        return
    try:
        grid = CalamineWorkbook.from_filelike(io.BytesIO(_workbook(xml))).get_sheet_by_index(0)
    except Exception:  # noqa: BLE001 - calamine refusing the sheet is safe too
        return
    if grid.end is not None:
        assert grid.end[0] < box[0] and grid.end[1] < box[1], (grid.end, box)


def test_preflight_stages(tmp_path):
    """A register is parse-safe after stage one, and finishing gives what preflight gives; a
    huge-dimension file is not parse-safe (and still refused by finish)."""
    from isms_xl.content import FormContent
    from isms_xl.errors import UnsafeWorkbookError
    from isms_xl.forms import FORMS
    from isms_xl.method import DEFAULT_METHOD
    from isms_xl.schema import DocControl
    from isms_xl.templates.build import build_workbook

    path = tmp_path / "ISMS-B-02.xlsx"
    spec = FORMS["B-02"]
    record = {"risk_id": "R-001", "asset_id": "A-001", "threat": "不正アクセス", "threat_level": 2,
              "vulnerability": "パッチ未適用", "vulnerability_level": 2, "impact": 3, "treatment": "低減"}
    build_workbook([FormContent(spec, DocControl(doc_number=spec.doc_number), [record])], path, DEFAULT_METHOD)
    staged = preflight_staged(path)
    assert staged.parse_safe
    assert staged.data == path.read_bytes()
    assert staged.finish() == preflight(path)
    with pytest.raises(RuntimeError):
        staged.finish()

    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(_workbook(sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576">'
                                     '<v>2</v></c></row>', "A1")))
    staged = preflight_staged(huge)
    assert not staged.parse_safe
    with pytest.raises(UnsafeWorkbookError):
        staged.finish()


def test_reading_beside_the_scan_reads_what_reading_after_it_reads(tmp_path, monkeypatch):
    """Every demo form read with calamine parsing beside the scan (what the reader does when the
    cells are bounded) equals the same form read with calamine waiting for the scan."""
    import isms_xl.reader as reader
    from isms_xl.demo import generate_demo

    generate_demo(tmp_path, as_of=dt.date(2026, 11, 26))
    paths = sorted(tmp_path.glob("*.xlsx"))
    safe = []
    real = reader.preflight_staged

    def spy(*args, **kwargs):
        staged = real(*args, **kwargs)
        safe.append(staged.parse_safe)
        return staged

    monkeypatch.setattr(reader, "preflight_staged", spy)
    monkeypatch.setattr(reader, "_BESIDE_FROM", 0)  # the demo's workbooks are small
    beside = {p.name: reader.read_workbook(p) for p in paths}
    assert len(safe) >= len(paths) and all(safe), "the demo workbooks are all bounded"

    # The banded columns are read ahead where the template has them; a user may have moved them.
    init = reader._BandedStyles.__init__

    def wrong_guess(self, named):
        init(self, named)
        if self.guess:
            self.guess = frozenset({0, 1})

    with monkeypatch.context() as m:
        m.setattr(reader._BandedStyles, "__init__", wrong_guess)
        moved = {p.name: reader.read_workbook(p) for p in paths}

    def waiting(*args, **kwargs):
        staged = real(*args, **kwargs)
        staged.parse_safe = False
        return staged

    monkeypatch.setattr(reader, "preflight_staged", waiting)
    after = {p.name: reader.read_workbook(p) for p in paths}
    fills = 0
    for name, forms in beside.items():
        for a, b, c in zip(forms, after[name], moved[name], strict=True):
            for x in (a, c):
                assert [r.values for r in x.records] == [r.values for r in b.records], name
                assert [(f.rule, f.cell, f.message_en) for f in x.findings] == \
                       [(f.rule, f.cell, f.message_en) for f in b.findings], name
                assert x.formula_cells == b.formula_cells and x.fills == b.fills and x.doc == b.doc, name
                assert x.cell_info == b.cell_info, name
            fills += len(b.fills)
    assert fills > 100  # B-02's banded cells were compared


def test_a_refused_file_is_refused_even_when_calamine_parses_beside_the_scan(tmp_path):
    """A sheet that is bounded but has a DOCTYPE elsewhere, or a cell the full scan refuses,
    is refused: calamine's grids are dropped."""
    from isms_xl.errors import UnsafeWorkbookError
    from isms_xl.reader import read_form

    xml = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>ISMS-B-02</t></is></c></row>', "A1:C3").replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
    path = tmp_path / "ISMS-B-02.xlsx"
    path.write_bytes(_workbook(xml))
    assert cells_within_dimension(xml, 10_000_000) == (3, 3)
    with pytest.raises(UnsafeWorkbookError):
        read_form(path)


@pytest.mark.parametrize("ahead", [True, False])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_staged_preflight_decides_as_the_streamed_one(tmp_path, monkeypatch, ahead, data):
    """Damaged copies of a register: the reader's staged preflight (parts inflated inline, or by
    a thread running ahead, forced here for a small file) accepts and refuses exactly as
    ``preflight`` does, with the same reason (a refusal of an earlier part's cells before a later
    part's damage), and gives the same WorkbookInfo when it accepts."""
    import isms_xl.io.zip_check as zip_check
    from isms_xl.errors import BadInputError

    if ahead:
        monkeypatch.setattr(zip_check, "AHEAD_BYTES", 0)
    path = damaged(data, _register_bytes(tmp_path), tmp_path / "fuzz.xlsx", (0, 6))

    def outcome(run):
        try:
            return run()
        except BadInputError as err:
            return (type(err), err.reason, str(err))

    streamed = outcome(lambda: preflight(path))
    staged = outcome(lambda: preflight_staged(path).finish())
    assert staged == streamed


_REGISTER: dict[str, bytes] = {}


def _register_bytes(tmp_path) -> bytes:
    if "b02" not in _REGISTER:
        from isms_xl.content import FormContent
        from isms_xl.forms import FORMS
        from isms_xl.method import DEFAULT_METHOD
        from isms_xl.schema import DocControl
        from isms_xl.templates.build import build_workbook

        spec = FORMS["B-02"]
        records = [{"risk_id": f"R-{i:03d}", "asset_id": "A-001", "threat": "不正アクセス", "threat_level": 2,
                    "vulnerability": "パッチ未適用", "vulnerability_level": 1 + i % 3, "impact": 3, "treatment": "受容"}
                   for i in range(40)]
        path = tmp_path / "register.xlsx"
        build_workbook([FormContent(spec, DocControl(doc_number=spec.doc_number), records)], path, DEFAULT_METHOD)
        _REGISTER["b02"] = path.read_bytes()
    return _REGISTER["b02"]
