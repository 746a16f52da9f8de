"""The demo ISMS folder: every workbook opens in LibreOffice, and every computed cell's cached value
(read without recalculation) and LibreOffice's recalculated value equal Python's."""

import datetime as dt
import json

import pytest

from isms_xl.config import load_config
from isms_xl.expr import evaluate_record
from isms_xl.forms import FORMS
from isms_xl.office.libreoffice import find_soffice, recalculate_many
from tests.formread import read_records
from tests.sheets import Values, rc, same_value

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo")
    result = generate_demo(folder, as_of=AS_OF)
    return folder, result


def _seeded_places(folder):
    """Records that carry a deliberate defect: their computed cells may legitimately disagree."""
    data = json.loads((folder / "seeded_defects.json").read_text(encoding="utf-8"))
    places = set()
    for d in data["defects"]:
        if d.get("sheet") and d.get("cell"):
            places.add((d["workbook"], d["sheet"], rc(d["cell"])[0] + 1))
            places.add((d["workbook"], d["sheet"], 0))
    return places


def _check(folder, values_of, spec, places):
    method = load_config(folder).method
    path = folder / spec.file_name()
    values = values_of(path)
    checked = 0
    for rec in read_records(path, spec):
        if (path.name, rec.sheet, rec.row) in places:
            continue
        expected = evaluate_record(spec.columns, rec.env, method)
        for key, addr in rec.cells.items():
            got = values.get(rec.sheet, addr)
            assert same_value(got, expected[key]), f"{path.name} {rec.sheet}!{addr} {key}: workbook {got!r}, Python {expected[key]!r}"
            checked += 1
    return checked


@pytest.mark.parametrize("form_id", [f for f, s in FORMS.items() if s.computed_columns])
def test_cached_values_equal_python(demo, form_id):
    folder, _ = demo
    assert _check(folder, Values, FORMS[form_id], _seeded_places(folder)) > 0


@pytest.fixture(scope="module")
def recalculated(demo, tmp_path_factory):
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    folder, result = demo
    out = tmp_path_factory.mktemp("lo")
    paths = sorted(folder.glob("*.xlsx"))
    return dict(zip((p.name for p in paths), recalculate_many(paths, out)))


@pytest.mark.libreoffice
def test_every_demo_workbook_opens_in_libreoffice(demo, recalculated):
    folder, _ = demo
    assert len(recalculated) == 28
    for name, out in recalculated.items():
        assert Values(out).sheets, name


@pytest.mark.libreoffice
@pytest.mark.parametrize("form_id", [f for f, s in FORMS.items() if s.computed_columns])
def test_libreoffice_recalculation_equals_python(demo, recalculated, form_id):
    folder, _ = demo
    spec = FORMS[form_id]
    lo_values = {folder / n: Values(p) for n, p in recalculated.items()}
    assert _check(folder, lambda path: lo_values[path], spec, _seeded_places(folder)) > 0
