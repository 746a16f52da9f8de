"""The blank templates: one per form, read back by openpyxl and calamine, drop-downs exactly the
spec's enums, the SoA listing every control once, committed copies equal to fresh ones."""

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from isms_xl.catalog import load_catalog
from isms_xl.forms import FORMS
from isms_xl.io.dump import dump_workbook
from isms_xl.layout import TABLE_HEADER_ROW, doc_cell
from isms_xl.schema import DOC_FIELDS, Kind, Layout
from isms_xl.templates import COMMITTED_SETS, write_committed_templates, write_templates

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    paths = write_templates(out)
    return {p.name: p for p in paths}


def test_one_template_per_form_named_by_document_number(templates):
    assert len(templates) == 28
    assert "ISMS-A-02_適用宣言書.xlsx" in templates
    assert "ISMS-B-01_情報資産台帳.xlsx" in templates
    assert sorted(n[:9] for n in templates) == sorted(f.doc_number for f in FORMS.values())


@pytest.mark.parametrize("form_id", list(FORMS))
def test_template_reads_back_in_openpyxl_and_calamine(templates, form_id):
    spec = FORMS[form_id]
    path = templates[spec.file_name()]
    wb = openpyxl.load_workbook(path)
    cal = CalamineWorkbook.from_path(str(path))
    assert cal.sheet_names == wb.sheetnames
    first = wb.worksheets[0]
    # The document-control block, found by its sheet-scoped defined names.
    for field in DOC_FIELDS:
        name = first.defined_names[field.name]
        row, col = doc_cell(field)
        assert name.attr_text.endswith(f"!${chr(65 + col)}${row + 1}")
    assert first.cell(doc_cell(DOC_FIELDS[0])[0] + 1, doc_cell(DOC_FIELDS[0])[1] + 1).value == spec.doc_number
    if spec.layout is Layout.TABLE:
        ws = wb.worksheets[0]
        (table,) = ws.tables.values()
        assert [c.name for c in table.tableColumns] == [c.ja for c in spec.columns]
        assert ws.freeze_panes == f"B{TABLE_HEADER_ROW + 2}"
        assert ws.page_setup.paperSize == 9
    else:
        ws = wb[spec.sample_sheet]
        for col in spec.columns:
            assert f"isms_{col.key}" in ws.defined_names
        for tab in spec.tables:
            assert f"isms_{tab.key}" in ws.defined_names


def _list_validations(ws):
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            items = tuple(v for v in dv.formula1.strip('"').split(","))
            for rng in str(dv.sqref).split():
                out[rng.split(":")[0]] = items
    return out


@pytest.mark.parametrize("form_id", list(FORMS))
def test_dropdowns_list_exactly_the_spec_values(templates, form_id):
    spec = FORMS[form_id]
    wb = openpyxl.load_workbook(templates[spec.file_name()])
    if spec.layout is Layout.TABLE:
        ws = wb.worksheets[0]
        found = _list_validations(ws)
        for i, col in enumerate(spec.columns):
            anchor = f"{openpyxl.utils.get_column_letter(i + 1)}{TABLE_HEADER_ROW + 2}"
            if col.is_computed:
                assert anchor not in found, col.key
            elif col.kind is Kind.LEVEL:
                assert found[anchor] == ("1", "2", "3"), col.key
            elif col.kind is Kind.ENUM:
                assert found[anchor] == col.enum, col.key
            else:
                assert anchor not in found, col.key
    else:
        ws = wb[spec.sample_sheet]
        found = set(_list_validations(ws).values())
        expected = {col.enum for col in spec.columns if col.kind is Kind.ENUM and not col.is_computed}
        expected |= {col.enum for t in spec.tables for col in t.columns if col.kind is Kind.ENUM}
        assert expected <= found


@pytest.mark.parametrize(("annex", "count"), [("2022", 93), ("2013", 114)])
def test_soa_lists_every_control_exactly_once(tmp_path, annex, count):
    (path,) = [p for p in write_templates(tmp_path, annex=annex) if p.name.startswith("ISMS-A-02")]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    ids = [r[0] for r in rows[TABLE_HEADER_ROW + 1:] if r and r[0]]
    assert len(ids) == count
    assert sorted(ids) == sorted(load_catalog(annex).by_id)


def test_english_templates_have_english_headers(tmp_path):
    paths = write_templates(tmp_path, lang="en")
    wb = openpyxl.load_workbook(next(p for p in paths if p.name.startswith("ISMS-B-02")))
    (table,) = wb.worksheets[0].tables.values()
    assert [c.name for c in table.tableColumns] == [c.en for c in FORMS["B-02"].columns]


def test_committed_templates_equal_fresh_ones(tmp_path):
    fresh = write_committed_templates(tmp_path)
    committed_root = ROOT / "workbook_templates"
    committed = sorted(p.relative_to(committed_root) for p in committed_root.rglob("*.xlsx"))
    assert committed == sorted(p.relative_to(tmp_path) for p in fresh), "run `make templates` and commit"
    for rel in committed:
        assert dump_workbook(committed_root / rel) == dump_workbook(tmp_path / rel), f"{rel}: run `make templates`"
    assert len(COMMITTED_SETS) == 3


def test_band_colour_rules_on_every_banded_column(templates):
    from isms_xl.method import DEFAULT_METHOD

    spec = FORMS["B-02"]
    ws = openpyxl.load_workbook(templates[spec.file_name()]).worksheets[0]
    rules: dict[str, set[str]] = {}
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            rules.setdefault(str(rng.sqref).split(":")[0], set()).add(str(rule.dxf.fill.bgColor.rgb)[-6:])
    fills = {b.fill for b in DEFAULT_METHOD.bands}
    banded = [i for i, c in enumerate(spec.columns) if c.band_of]
    assert [spec.columns[i].key for i in banded] == ["risk_value", "evaluation", "residual_risk", "residual_evaluation"]
    for i in banded:
        assert rules[f"{openpyxl.utils.get_column_letter(i + 1)}{TABLE_HEADER_ROW + 2}"] == fills


def test_computed_cells_hold_formulas_with_cached_blank(templates):
    spec = FORMS["B-02"]
    path = templates[spec.file_name()]
    ws = openpyxl.load_workbook(path).worksheets[0]
    row = TABLE_HEADER_ROW + 2
    for i, col in enumerate(spec.columns):
        value = ws.cell(row, i + 1).value
        assert (isinstance(value, str) and value.startswith("=")) == (col.computed is not None), col.key
    from tests.sheets import Values

    letter = openpyxl.utils.get_column_letter(spec.columns.index(spec.column("risk_value")) + 1)
    assert Values(path).get(ws.title, f"{letter}{row}") == ""
