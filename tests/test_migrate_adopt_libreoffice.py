"""What migrate-soa and adopt write opens in LibreOffice; recalculated there, it reads back with
the project's reader exactly as before (no new READ errors, the same computed values)."""

from __future__ import annotations

import datetime as dt
import random
import zipfile

import openpyxl
import pytest

from isms_xl.adopt.run import adopt_file
from isms_xl.demo import generate_demo
from isms_xl.io.patch import CellPatch, patch_workbook
from isms_xl.migrate.run import migrate_soa_file
from isms_xl.office.libreoffice import find_soffice, recalculate_many
from isms_xl.reader import read_form
from tests.foreign import (GROUPED_ASSETS, GROUPED_ASSETS_HEADERS, GROUPED_MERGES, GROUPED_TOP, JP_RISK_HEADERS,
                           JP_RISKS, LEVELS_1_TO_5, write_sheet)
from tests.soa2013 import random_rows, write_soa_2013

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")]


def _errors(form):
    return sorted((f.rule, f.cell) for f in form.findings if f.severity.value == "error")


def test_outputs_open_and_recalculate_in_libreoffice(tmp_path):
    old = write_soa_2013(tmp_path / "old.xlsx", random_rows(random.Random(5)))
    migrated = migrate_soa_file(old, tmp_path / "out" / "soa2022.xlsx", today=dt.date(2026, 11, 26))
    grouped = write_sheet(tmp_path / "grouped.xlsx", "t", GROUPED_ASSETS_HEADERS, GROUPED_ASSETS,
                          merges=GROUPED_MERGES, top=GROUPED_TOP)
    adopt_file(grouped, tmp_path / "out" / "b01.xlsx", "B-01")
    risks = write_sheet(tmp_path / "risks.xlsx", "t", JP_RISK_HEADERS, JP_RISKS)
    mapping = tmp_path / "levels.toml"
    mapping.write_text("".join(f"[levels.{k}]\n" + "".join(f'"{a}" = {b}\n' for a, b in LEVELS_1_TO_5.items())
                               for k in ("threat_level", "vulnerability_level", "impact")), encoding="utf-8")
    adopt_file(risks, tmp_path / "out" / "b02.xlsx", "B-02", mapping=mapping)
    # A demo B-02 with its references taken back to 2013, migrated into a patched copy.
    demo = tmp_path / "demo"
    generate_demo(demo, as_of=dt.date(2026, 11, 26))
    forms = tmp_path / "forms2013"
    forms.mkdir()
    b02 = next(demo.glob("ISMS-B-02_*.xlsx"))
    record = read_form(b02).records[0]
    cell = record.cell("controls")
    patch_workbook(b02, forms / b02.name, [CellPatch(cell.sheet, cell.row, cell.col, "A.9.4.2, A.18.2.3")])
    with_refs = migrate_soa_file(old, tmp_path / "out2" / "soa.xlsx", forms_dir=forms, today=dt.date(2026, 11, 26))
    (copy,) = with_refs.copies
    assert read_form(copy).records[0].values["controls"] == ("A.8.5", "A.5.36", "A.8.8")
    ours = [migrated.soa, tmp_path / "out" / "b01.xlsx", tmp_path / "out" / "b02.xlsx", copy]
    outputs = recalculate_many([*ours[:3], migrated.report_xlsx, copy], tmp_path / "lo")
    outputs = [*outputs[:3], outputs[4], outputs[3]]  # our forms first, then the report
    for src, out in zip(ours, outputs[:4], strict=True):
        before, after = read_form(src), read_form(out)
        assert _errors(after) == _errors(before) or src == copy, src.name
        if src == copy:  # the demo seeds stale cached values that LibreOffice recalculates: compare the references
            assert [r.values["controls"] for r in after.records] == [r.values["controls"] for r in before.records]
        else:
            assert [r.values for r in after.records] == [r.values for r in before.records], src.name
    for out in [*outputs[:3], outputs[4]]:  # the copy holds what the demo seeded (error cells too)
        # Saved by LibreOffice itself, not a copy of ours.
        assert b"<Application>LibreOffice" in zipfile.ZipFile(out).read("docProps/app.xml"), out.name
        errors = [c.coordinate for ws in openpyxl.load_workbook(out, data_only=True).worksheets
                  for row in ws.iter_rows() for c in row if c.data_type == "e"]
        assert errors == [], out.name
    b02 = read_form(outputs[2])
    assert [r.values["risk_value"] for r in b02.records] == [18, 6, 6]
    report = openpyxl.load_workbook(outputs[4], read_only=True).worksheets[0]
    assert sum(1 for r in report.iter_rows(min_row=7, values_only=True) if r[0]) == 93
