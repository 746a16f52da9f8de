"""Every computed column of every form: LibreOffice's recalculated value equals Python's.

The formulas in the workbooks and the Python computation come from one declaration; this proves
they agree, for random inputs, in a real spreadsheet application.
"""

import random

import pytest

from isms_xl.content import FormContent
from isms_xl.forms import FORMS
from isms_xl.method import Method
from isms_xl.office.libreoffice import find_soffice, recalculate_many
from isms_xl.schema import DocControl, Layout
from isms_xl.templates.build import build_workbook
from tests.records import random_record
from tests.sheets import Values, same_value

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")]

COMPUTED_FORMS = [f for f in FORMS.values() if f.computed_columns]


def _build(tmp_path, specs, method, rng, tag):
    built = []
    for spec in specs:
        n = 40 if spec.layout is Layout.TABLE else 5
        records = [random_record(spec, rng, i) for i in range(n)]
        content = FormContent(spec, DocControl(doc_number=spec.doc_number), records)
        built.append(build_workbook([content], tmp_path / f"{tag}_{spec.form_id}.xlsx", method))
    return built


def _compare(built, outputs):
    compared: dict[tuple[str, str], int] = {}
    for res, out in zip(built, outputs):
        values = Values(out)
        for form_id, form in res.forms.items():
            for sheet in form.sheets:
                for (i, key), expected in sheet.computed.items():
                    got = values.get(sheet.sheet, sheet.cells[(i, key)])
                    assert same_value(got, expected), f"{form_id} {sheet.sheet}!{sheet.cells[(i, key)]} {key}: LibreOffice {got!r}, Python {expected!r}"
                    if expected is not None:
                        compared[(form_id, key)] = compared.get((form_id, key), 0) + 1
    return compared


def test_computed_columns_agree_with_libreoffice(tmp_path):
    assert {f.form_id for f in COMPUTED_FORMS} >= {"B-01", "B-02", "B-05", "B-07", "B-09", "B-10", "B-17", "B-18", "B-26"}
    built = _build(tmp_path, COMPUTED_FORMS, Method(), random.Random(20261126), "default")
    compared = _compare(built, recalculate_many([b.path for b in built], tmp_path / "lo"))
    # Every computed column was exercised with real (non-blank) values, not only blanks.
    for spec in COMPUTED_FORMS:
        for col in spec.computed_columns:
            assert compared.get((spec.form_id, col.key), 0) > 0, f"{spec.form_id}.{col.key} never computed"


@pytest.mark.parametrize("formula", ["multiplicative", "matrix"])
def test_replaceable_risk_formula_agrees_with_libreoffice(tmp_path, formula):
    method = Method(formula=formula, accept_max=6 if formula == "matrix" else 8, acceptable_max=9 if formula == "matrix" else 12)
    built = _build(tmp_path, [FORMS["B-02"]], method, random.Random(3), formula)
    compared = _compare(built, recalculate_many([b.path for b in built], tmp_path / "lo"))
    assert compared[("B-02", "risk_value")] > 20
