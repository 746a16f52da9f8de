"""The pack's workbooks: every one reads back with calamine, its cached values and band colours
are right (recomputing the copy changes nothing, and the check of the pack has no CALC finding
where the folder had them), and everything outside the corrected cells is the original's
(canonical dump and zip members)."""

from __future__ import annotations

import zipfile

import pytest
from python_calamine import CalamineWorkbook

from isms_xl.check import check_folder
from isms_xl.config import load_config
from isms_xl.io.dump import dump_workbook
from isms_xl.io.patch.verify import check_members
from isms_xl.recompute import recompute_form
from tests.packfix import AS_OF, needs_renderers, read_forms

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, needs_renderers]

OWNED_PARTS = {"xl/styles.xml", "xl/workbook.xml", "xl/calcChain.xml"}


def test_every_copy_reads_back_with_calamine(built):
    _result, out = built
    books = sorted((out / "workbooks").glob("*.xlsx"))
    assert len(books) == 28
    for path in books:
        wb = CalamineWorkbook.from_path(str(path))
        assert wb.sheet_names
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()


def test_cached_risk_values_are_the_methods(built):
    _result, out = built
    forms = read_forms(out / "workbooks")
    method = load_config(out / "workbooks").method
    b02 = forms["B-02"]
    grid = CalamineWorkbook.from_path(str(b02.path)).get_sheet_by_name(b02.sheets[0]).to_python(skip_empty_area=False)
    checked = 0
    for record in b02.records:
        v = record.values
        levels = (v.get("impact"), v.get("threat_level"), v.get("vulnerability_level"))
        if not all(isinstance(x, (int, float)) and x in (1, 2, 3) for x in levels):
            continue
        cell = record.cell("risk_value")
        assert grid[cell.row][cell.col] == method.risk_value(*levels), (record.values.get("risk_id"), cell)
        checked += 1
    assert checked > 400


def test_recomputing_a_copy_changes_nothing(built):
    _result, out = built
    forms = read_forms(out / "workbooks")
    config = load_config(out / "workbooks")
    for form in forms.values():
        changes = recompute_form(form, config, forms).changes
        assert changes == [], (form.form_id, changes[:3])


def test_the_pack_check_has_no_calc_findings_where_the_folder_had_them(built, demo_folder):
    result, _out = built
    before = check_folder(demo_folder, today=AS_OF)
    calc_before = [f for f in before.findings if f.rule.startswith("CALC-")]
    assert {f.rule for f in calc_before} == {"CALC-001", "CALC-002", "CALC-003"}
    assert [f for f in result.run.findings if f.rule.startswith("CALC-")] == []
    # Everything else the check found is still there, and nothing new: the pack hides no open
    # finding. The one exception is what recomputing fixes besides CALC: the SoA's
    # 採用理由:リスク対応 is computed from B-02/B-03, so its seeded disagreement (XREF-015) is gone.
    others = lambda run: {(f.rule, f.workbook, f.cell) for f in run.findings if not f.rule.startswith("CALC-")}
    after, was = others(result.run), others(before)
    assert after <= was
    assert {rule for rule, _, _ in was - after} == {"XREF-015"}


def test_outside_the_corrected_cells_the_copy_is_the_original(built, demo_folder):
    result, out = built
    patched = [c for c in result.copies if c.changes]
    assert patched, "the demo seeds CALC defects: some copies must have been corrected"
    for copy in result.copies:
        original, made = demo_folder / copy.rel, out / "workbooks" / copy.rel
        if not copy.changes:
            assert made.read_bytes() == original.read_bytes(), copy.rel
            continue
        owned = {(c.cell.sheet, c.cell.a1) for c in copy.changes}
        a, b = dump_workbook(original), dump_workbook(made)
        assert set(a) == set(b)
        for key in a:
            if key in ("sheets", "names"):
                assert a[key] == b[key], (copy.rel, key)
                continue
            for part in a[key]:
                if part != "cells":
                    assert a[key][part] == b[key][part], (copy.rel, key, part)
            cells_a, cells_b = a[key]["cells"], b[key]["cells"]
            outside = set(cells_a) | set(cells_b)
            for ref in outside:
                if (key, ref) not in owned:
                    assert cells_a.get(ref) == cells_b.get(ref), (copy.rel, key, ref)
        # Zip members: only sheet XML, styles, the workbook part and the calc chain may differ.
        with zipfile.ZipFile(original) as za, zipfile.ZipFile(made) as zb:
            differ = {n for n in za.namelist() if n not in zb.namelist() or za.read(n) != zb.read(n)}
        assert differ <= OWNED_PARTS | {n for n in differ if n.startswith("xl/worksheets/sheet")}, differ
        assert len([n for n in differ if n.startswith("xl/worksheets/")]) <= len({s for s, _ in owned})
        assert check_members(original, made, allowed_changed=differ, allowed_removed={"xl/calcChain.xml"}) == []


def test_the_copies_keep_the_originals_file_names(built, demo_folder):
    _result, out = built
    assert sorted(p.name for p in demo_folder.glob("*.xlsx")) == sorted(p.name for p in (out / "workbooks").glob("*.xlsx"))
