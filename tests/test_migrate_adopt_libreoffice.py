"""What migrate-soa and adopt write opens in LibreOffice; recalculated there, it reads back with
the project's reader exactly as before (no new READ errors, the same computed values)."""

from __future__ import annotations

import datetime as dt
import random
import zipfile

import openpyxl
import pytest

from isms_xl.adopt.run import adopt_file
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
    ours = [migrated.soa, tmp_path / "out" / "b01.xlsx", tmp_path / "out" / "b02.xlsx"]
    outputs = recalculate_many([*ours, migrated.report_xlsx], tmp_path / "lo")
    for src, out in zip(ours, outputs[:3], strict=True):
        before, after = read_form(src), read_form(out)
        assert _errors(after) == _errors(before), src.name
        assert [r.values for r in after.records] == [r.values for r in before.records], src.name
    for out in outputs:
        # Saved by LibreOffice itself, not a copy of ours.
        assert b"<Application>LibreOffice" in zipfile.ZipFile(out).read("docProps/app.xml"), out.name
        errors = [c.coordinate for ws in openpyxl.load_workbook(out, data_only=True).worksheets
                  for row in ws.iter_rows() for c in row if c.data_type == "e"]
        assert errors == [], out.name
    b02 = read_form(outputs[2])
    assert [r.values["risk_value"] for r in b02.records] == [18, 6, 6]
    report = openpyxl.load_workbook(outputs[3], read_only=True).worksheets[0]
    assert sum(1 for r in report.iter_rows(min_row=7, values_only=True) if r[0]) == 93
