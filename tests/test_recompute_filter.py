"""recompute_form looks closely only at the cells a column-wise pass flags (_needs_look). That
pass is an optimisation: with it or without it (every cell looked at), the findings and the
changes must be the same, on the demo's forms and on records changed at random."""

from __future__ import annotations

import copy
import datetime as dt
import random

import pytest

from isms_xl import recompute
from isms_xl.config import load_config
from isms_xl.demo import generate_demo
from isms_xl.forms import FORMS
from isms_xl.reader import read_form
from isms_xl.recompute import recompute_form


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "isms"
    generate_demo(folder, as_of=dt.date(2026, 11, 26))
    config = load_config(folder)
    forms = {fid: read_form(folder / spec.file_name(), config=config) for fid, spec in FORMS.items()}
    return config, forms


def _everything(form, method, col, *rest):
    return [True] * len(form.records)


def _both(monkeypatch, form, config, forms):
    fast = recompute_form(form, config, forms)
    with monkeypatch.context() as m:
        m.setattr(recompute, "_needs_look", _everything)
        slow = recompute_form(form, config, forms)
    return fast, slow


def test_demo_forms_give_the_same_with_and_without_the_filter(demo, monkeypatch):
    config, forms = demo
    calc = 0
    for form in forms.values():
        fast, slow = _both(monkeypatch, form, config, forms)
        assert fast.findings == slow.findings, form.form_id
        assert fast.changes == slow.changes, form.form_id
        calc += len(fast.findings)
    assert calc >= 3  # the demo seeds CALC-001, CALC-002 and CALC-003


@pytest.mark.parametrize("seed", range(6))
def test_random_damage_gives_the_same_with_and_without_the_filter(demo, monkeypatch, seed):
    """Values typed over computed cells, fills changed, formulas dropped, in B-02 (banded)."""
    config, forms = demo
    rng = random.Random(seed)
    form = copy.deepcopy(forms["B-02"])
    computed = [c.key for c in form.spec.columns if c.computed is not None]
    sheet = form.sheets[0]
    cells = set(form.formula_cells.get(sheet, ()))
    for record in rng.sample(form.records, 25):
        key = rng.choice(computed)
        cell = record.cell(key)
        what = rng.choice(["value", "blank", "fill", "formula"])
        if what == "value":
            record.values[key] = rng.choice([1, 7, 12.5, "高", None])
        elif what == "blank":
            record.values[key] = None
        elif what == "fill":
            form.fills[(cell.sheet, cell.row, cell.col)] = rng.choice([None, "FF0000", "FFC7CE"])
        else:
            cells.discard((cell.row, cell.col))
    form.formula_cells = {**form.formula_cells, sheet: cells}  # a plain set: the other lookup path
    fast, slow = _both(monkeypatch, form, config, forms)
    assert fast.findings == slow.findings
    assert fast.changes == slow.changes
    assert fast.findings


def test_columns_evaluated_at_once_equal_row_by_row(demo, monkeypatch):
    """Computed columns are evaluated a column at a time (Expr.evaluate_column) where they can
    be; row by row (Expr.evaluate) gives the same values, findings and changes."""
    config, forms = demo
    columnwise = 0
    for form in forms.values():
        fast = recompute_form(form, config, forms)
        columnwise += recompute._computed_columns(form.spec, form.records, config.method) not in (None, {})
        with monkeypatch.context() as m:
            m.setattr(recompute, "_computed_columns", lambda *args: None)
            slow = recompute_form(form, config, forms)
        assert fast.expected == slow.expected, form.form_id
        assert [type(v) for e in fast.expected for v in e.values()] == \
               [type(v) for e in slow.expected for v in e.values()], form.form_id
        assert fast.findings == slow.findings and fast.changes == slow.changes, form.form_id
    assert columnwise >= 5  # B-01, B-02, B-09, B-17, B-18 ... have computed columns


@pytest.mark.parametrize("seed", range(4))
def test_columns_at_once_equal_row_by_row_on_odd_values(demo, monkeypatch, seed):
    """Blanks, text, booleans, floats and out-of-range levels in the inputs of B-02's and
    B-01's computed columns."""
    config, forms = demo
    rng = random.Random(seed)
    odd = [None, "", " ", "高", True, False, 0, 1, 2.0, 3, 4, 2.5, -1, "2"]
    for fid in ("B-01", "B-02"):
        form = copy.deepcopy(forms[fid])
        inputs = sorted({k for c in form.spec.columns if c.computed is not None for k in c.computed.inputs()})
        for record in form.records:
            for key in inputs:
                if rng.random() < 0.3:
                    record.values[key] = rng.choice(odd)
        fast = recompute_form(form, config, forms)
        with monkeypatch.context() as m:
            m.setattr(recompute, "_computed_columns", lambda *args: None)
            slow = recompute_form(form, config, forms)
        assert fast.expected == slow.expected, fid
        assert [type(v) for e in fast.expected for v in e.values()] == \
               [type(v) for e in slow.expected for v in e.values()], fid
        assert fast.findings == slow.findings and fast.changes == slow.changes, fid


def test_a_check_runs_cache_shares_the_input_columns_only(demo):
    """With a check run's cache the recompute takes the records' columns from it (the RISK rules
    read the same levels): the findings are the same, the shared columns are the records' values
    as read (never the recomputed ones), and a column changed in the cache is what it reads."""
    from isms_xl.reader.model import shared_column, values_column

    config, forms = demo
    form = copy.deepcopy(forms["B-02"])
    for record in form.records[::3]:
        record.values["risk_value"] = 99  # stored values the recompute disagrees with
    others = {**forms, "B-02": form}
    cache: dict = {}
    with_cache = recompute_form(form, config, others, cache)
    assert with_cache.findings == recompute_form(form, config, others).findings
    assert shared_column(cache, "B-02", form.records, "risk_value") == values_column(form.records, "risk_value")
    assert "column.B-02.impact" in cache  # an input column was shared
    cache["column.B-02.impact"] = [None] * len(form.records)  # what the cache holds is what is read
    assert all(e["risk_value"] is None for e in recompute_form(form, config, others, cache).expected)
