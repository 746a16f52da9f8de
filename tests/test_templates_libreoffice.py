"""Every committed template opens in LibreOffice; after recalculation its computed cells are blank
(no input yet), exactly as Python computes them for blank inputs, and nothing became an error."""

from pathlib import Path

import openpyxl
import pytest

from isms_xl.expr import evaluate_record
from isms_xl.forms import FORMS
from isms_xl.layout import TABLE_HEADER_ROW, a1
from isms_xl.method import DEFAULT_METHOD
from isms_xl.office.libreoffice import find_soffice, recalculate_many
from isms_xl.schema import Layout
from tests.sheets import Values

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")]

ROOT = Path(__file__).resolve().parent.parent / "workbook_templates"


def test_all_committed_templates_open_and_recalculate_blank(tmp_path):
    paths = sorted(ROOT.rglob("*.xlsx"))
    assert len(paths) == 57
    outputs = recalculate_many(paths, tmp_path)
    blank = evaluate_record(FORMS["B-02"].columns, {}, DEFAULT_METHOD)
    assert set(blank.values()) == {None}
    checked = 0
    for src, out in zip(paths, outputs):
        values = Values(out)
        # calamine shows error cells as "", so look for errors with openpyxl (data type "e").
        errors = [c.coordinate for ws in openpyxl.load_workbook(out, data_only=True).worksheets
                  for row in ws.iter_rows() for c in row if c.data_type == "e"]
        assert errors == [], f"{src.name}: error values at {errors[:5]}"
        spec = next(f for f in FORMS.values() if src.name.startswith(f.doc_number))
        sheet = next(iter(values.sheets))
        assert values.get(sheet, "B2") == spec.doc_number, src.name
        if spec.layout is not Layout.TABLE:
            continue
        for i, col in enumerate(spec.columns):
            if col.computed is None:
                continue
            for row in range(TABLE_HEADER_ROW + 1, TABLE_HEADER_ROW + 11):
                assert values.get(sheet, a1(row, i)) == "", f"{src.name} {a1(row, i)}"
                checked += 1
    assert checked > 100
