"""Demo round trip: recompute the demo folder; every seeded CALC defect is corrected, nothing else
changes, and LibreOffice's recalculated values equal the cached values written.

The demo (as of 2026-11-26) seeds three CALC defects and one cross-form defect that recompute owns:

- CALC-001, B-10 G11: a stale cached value (the formula gives 達成, the cell shows 未達);
- CALC-002, B-05 E12: a constant typed over the formula (its value is right);
- CALC-003, B-02 K32: a wrong band fill (red, the value is in the accept band);
- XREF-015, A-02 D38: 採用理由:リスク対応 ○ where no risk selects the control (a column derived
  from B-02/B-03, which recompute writes).

Recompute is run in-process (``apply.recompute_workbook``) on a copy; the command line is tested in
test_recompute_cli.py. Everything is compared against what the files held before: the canonical
dump, every cached value (python-calamine, no recalculation), every zip member byte for byte, and
the patched sheet's XML outside the owned cells' ``<c>`` elements.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from isms_xl.apply import plan_workbook, recompute_workbook
from isms_xl.check import check_folder, find_workbooks
from isms_xl.errors import ExitCode
from isms_xl.forms import FORMS
from isms_xl.io.dump import dump_workbook
from isms_xl.office.libreoffice import find_soffice, recalculate_many
from tests.formread import read_records
from tests.sheets import Values, same_value

AS_OF = dt.date(2026, 11, 26)
FIELDS = ("rule", "form", "workbook", "sheet", "cell")

B02 = "ISMS-B-02_リスクアセスメント結果表.xlsx"
B05 = "ISMS-B-05_事業継続リスクアセスメント.xlsx"
B10 = "ISMS-B-10_管理策測定評価表.xlsx"
A02 = "ISMS-A-02_適用宣言書.xlsx"

#: What recompute owns in the demo, by workbook: (sheet, cell, column key). Written out here rather
#: than taken from the recompute's own report, so that a change it should not make shows up.
OWNED = {
    A02: {("適用宣言書", "D38", "reason_risk")},
    B02: {("リスクアセスメント結果表", "K32", "evaluation")},
    B05: {("事業継続リスクアセスメント", "E12", "bc_risk")},
    B10: {("管理策測定評価表", "G11", "achieved")},
}
FIXED_RULES = {"CALC-001", "CALC-002", "CALC-003", "XREF-015"}


# --------------------------------------------------------------------------------------------
# Helpers


def _seeded(folder: Path) -> Counter:
    data = json.loads((folder / "seeded_defects.json").read_text(encoding="utf-8"))
    return Counter(tuple(d[k] for k in FIELDS) for d in data["defects"])


def _found(folder: Path) -> Counter:
    run = check_folder(folder, today=AS_OF)
    assert run.problems == []
    return Counter(tuple(f.flat()[k] for k in FIELDS) for f in run.findings)


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its zip member, from xl/workbook.xml and its relationships."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", ns)}
    out = {}
    for sheet in wb.find("m:sheets", ns):
        target = targets[sheet.get(f"{{{ns['r']}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def _raw_members(path: Path) -> list[tuple[str, tuple, bytes]]:
    """Each member in archive order: name, header fields, and its stored (compressed) bytes."""
    data = path.read_bytes()
    out = []
    with zipfile.ZipFile(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.header_offset):
            at = info.header_offset
            name_len = int.from_bytes(data[at + 26:at + 28], "little")
            extra_len = int.from_bytes(data[at + 28:at + 30], "little")
            start = at + 30 + name_len + extra_len
            header = (info.compress_type, info.date_time, info.CRC, info.file_size, info.flag_bits,
                      info.external_attr, info.create_system, info.extra)
            out.append((info.filename, header, data[start:start + info.compress_size]))
    return out


def _without_cells(xml: bytes, cells: set[str]) -> bytes:
    """The sheet XML with the named cells' <c> elements cut out (each must be there once)."""
    for cell in cells:
        pattern = re.compile(rb'<c r="' + cell.encode() + rb'"(?:[^>]*?/>|[^>]*?>.*?</c>)', re.S)
        assert len(pattern.findall(xml)) == 1, cell
        xml = pattern.sub(b"", xml)
    return xml


def _value_cells(values: Values) -> dict[tuple[str, str], object]:
    """Every non-blank cached value, keyed by (sheet, "A1")."""
    out = {}
    for sheet, grid in values.sheets.items():
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v != "":
                    out[(sheet, f"{openpyxl.utils.get_column_letter(c + 1)}{r + 1}")] = v
    return out


# --------------------------------------------------------------------------------------------
# The round trip, once per module


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    from isms_xl.demo import generate_demo

    base = tmp_path_factory.mktemp("roundtrip")
    original = base / "original"
    generate_demo(original, as_of=AS_OF)
    folder = base / "recomputed"
    shutil.copytree(original, folder)
    results = {p.name: recompute_workbook(p, backups=0) for p in find_workbooks(folder)}
    return original, folder, results


def test_recompute_reports_exactly_the_owned_cells(trip):
    original, folder, results = trip
    assert len(results) == 28
    reported = {name: {(c.cell.sheet, c.cell.a1, c.key) for c in r.changes} for name, r in results.items() if r.changes}
    assert reported == OWNED
    for name, r in results.items():
        assert r.written == bool(r.changes) and r.backup is None
    # the files without changes were not touched at all
    for name in results.keys() - OWNED.keys():
        assert (folder / name).read_bytes() == (original / name).read_bytes(), name


def test_seeded_calc_defects_are_gone_and_nothing_else_moved(trip):
    original, folder, _ = trip
    seeded = _seeded(original)
    before = _found(original)
    assert before == seeded  # the demo's own promise: the check finds exactly what was seeded
    fixed = Counter({k: n for k, n in seeded.items() if k[0] in FIXED_RULES})
    assert sorted(k[:5] for k in fixed) == [
        ("CALC-001", "B-10", B10, "管理策測定評価表", "G11"),
        ("CALC-002", "B-05", B05, "事業継続リスクアセスメント", "E12"),
        ("CALC-003", "B-02", B02, "リスクアセスメント結果表", "K32"),
        ("XREF-015", "A-02", A02, "適用宣言書", "D38"),
    ]
    after = _found(folder)
    assert not [k for k in after if k[0].startswith("CALC-")]
    assert after == seeded - fixed


def test_calc002_constant_is_replaced_by_the_forms_formula(trip):
    """Recompute restores the formula (not only the value): the cell gets the formula its
    neighbours have, at its own row, and keeps the right cached value."""
    original, folder, _ = trip
    before = openpyxl.load_workbook(original / B05).worksheets[0]
    after = openpyxl.load_workbook(folder / B05).worksheets[0]
    assert before["E12"].value == 2 and before["E12"].data_type == "n"  # the seeded constant
    neighbour = after["E11"].value
    assert isinstance(neighbour, str) and neighbour.startswith("=") and "C11" in neighbour
    assert after["E12"].value == neighbour.replace("11", "12")
    assert Values(folder / B05).get("事業継続リスクアセスメント", "E12") == 2
    # and a fresh plan has nothing left to say about it
    assert plan_workbook(folder / B05).findings == []


def test_canonical_dump_differs_only_at_the_owned_cells(trip):
    original, folder, results = trip
    for path in find_workbooks(folder):
        if path.name not in OWNED:  # not written at all: byte for byte the same
            assert path.read_bytes() == (original / path.name).read_bytes(), path.name
    for name in OWNED:
        path = folder / name
        owned = {(s, a1) for s, a1, _ in OWNED[name]}
        before, after = dump_workbook(original / name), dump_workbook(path)
        assert before.keys() == after.keys()
        for key in before:
            if key in ("sheets", "names"):
                assert before[key] == after[key], (name, key)
                continue
            b, a = before[key], after[key]
            # merges, validation, conditional formats, tables, names, panes, widths, print setup
            assert {k: v for k, v in b.items() if k != "cells"} == {k: v for k, v in a.items() if k != "cells"}, \
                (name, key)
            changed = {(key, cell) for cell in b["cells"].keys() | a["cells"].keys()
                       if b["cells"].get(cell) != a["cells"].get(cell)}
            assert changed <= owned, (name, changed - owned)
            for _, cell in changed:
                old, new = b["cells"].get(cell), a["cells"].get(cell)
                if old is not None and new is not None:
                    # value (a formula is shown as its text) and fill may change; format and bold not
                    assert (old[1], old[3]) == (new[1], new[3]), (name, cell)

        # the cached values, which the dump does not show for formula cells
        vb, va = _value_cells(Values(original / name)), _value_cells(Values(path))
        changed_values = {k for k in vb.keys() | va.keys() if vb.get(k) != va.get(k)}
        assert changed_values <= owned, (name, changed_values - owned)
        for c in results[name].changes:
            got = va.get((c.cell.sheet, c.cell.a1))
            assert same_value(got if got is not None else "", c.new), (name, c.cell.a1, got, c.new)

    # every owned cell did change in a way a reader sees (value, formula or fill)
    wb = openpyxl.load_workbook(folder / B02).worksheets[0]
    k32 = wb["K32"]
    assert k32.fill.fgColor.rgb == "FFC6EFCE" and k32.font.color.rgb == "FF006100"  # the accept band
    assert openpyxl.load_workbook(original / B02).worksheets[0]["K32"].fill.fgColor.rgb == "FFFFC7CE"
    assert Values(original / B10).get("管理策測定評価表", "G11") == "未達"
    assert Values(folder / B10).get("管理策測定評価表", "G11") == "達成"
    assert Values(original / A02).get("適用宣言書", "D38") == "○"
    assert Values(folder / A02).get("適用宣言書", "D38") == ""


def test_zip_members_other_than_the_patched_sheet_and_styles_are_byte_identical(trip):
    original, folder, results = trip
    for name, owned in OWNED.items():
        parts = _sheet_parts(original / name)
        patched = {parts[c.cell.sheet] for c in results[name].changes}
        assert patched == {parts[s] for s, _, _ in owned}
        before, after = _raw_members(original / name), _raw_members(folder / name)
        assert [m[0] for m in before] == [m[0] for m in after], name  # same members, same order
        for (member, head_b, raw_b), (_, head_a, raw_a) in zip(before, after):
            if member in patched or member == "xl/styles.xml":
                continue
            assert (head_b, raw_b) == (head_a, raw_a), (name, member)
        # inside the patched sheet, nothing but the owned cells' <c> elements changed
        with zipfile.ZipFile(original / name) as zb, zipfile.ZipFile(folder / name) as za:
            for part in patched:
                cells = {a1 for s, a1, _ in owned if parts[s] == part}
                assert _without_cells(zb.read(part), cells) == _without_cells(za.read(part), cells), (name, part)
                assert zb.read(part) != za.read(part)


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_values_equal_the_cached_values_written(trip, tmp_path):
    original, folder, _ = trip
    specs = [s for s in FORMS.values() if s.computed_columns]
    recomputed = [folder / s.file_name() for s in specs]
    # the originals of the written workbooks (the others are byte for byte the recomputed ones)
    changed = [s for s in specs if s.file_name() in OWNED]
    before = [original / s.file_name() for s in changed]
    outputs = recalculate_many(recomputed + before, tmp_path / "lo")

    def disagreements(specs, paths, lo_paths):
        out, compared = [], 0
        for spec, path, lo in zip(specs, paths, lo_paths):
            cached, calculated = Values(path), Values(lo)
            for rec in read_records(path, spec):
                for key, addr in rec.cells.items():
                    got, want = calculated.get(rec.sheet, addr), cached.get(rec.sheet, addr)
                    compared += 1
                    if not (same_value(got, want) or (want == "" and got in ("", None))):
                        out.append((spec.form_id, rec.sheet, addr, key, want, got))
        return out, compared

    bad, compared = disagreements(specs, recomputed, outputs[:len(specs)])
    assert bad == []
    assert compared > 2000  # every computed cell of the nine forms, not a handful
    # The comparison does see a stale value: before recompute, exactly the seeded CALC-001 differs.
    assert [s.form_id for s in changed] == ["B-02", "B-05", "B-10"]
    bad_before, _ = disagreements(changed, before, outputs[len(specs):])
    assert [b[:4] for b in bad_before] == [("B-10", "管理策測定評価表", "G11", "achieved")]


def test_second_recompute_changes_nothing(trip, tmp_path):
    _, folder, _ = trip
    again = tmp_path / "again"
    shutil.copytree(folder, again)
    before = {p.name: p.read_bytes() for p in again.iterdir() if p.is_file()}
    for path in find_workbooks(again):
        result = recompute_workbook(path, backups=0)
        assert result.changes == [] and result.findings == [] and not result.written, path.name
    assert {p.name: p.read_bytes() for p in again.iterdir() if p.is_file()} == before
    done = subprocess.run([sys.executable, "-m", "isms_xl", "--lang", "en", "recompute", "--dry-run", str(again)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == int(ExitCode.OK), done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 28 and all(line.endswith(": 0 cells would change (nothing written)") for line in lines)
    assert {p.name: p.read_bytes() for p in again.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in again.iterdir()) == sorted(before)  # no backup folder, no temp files
