""""What changed since the last audit": a pack of the folder as it was (edited here cell by cell
through the lossless writer) against a pack of the demo folder as it is now, with --since."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_xl.cli.main import cli
from isms_xl.errors import ExitCode
from isms_xl.forms.b01_asset_register import DISPOSED
from isms_xl.io.patch import CellPatch, patch_workbook
from isms_xl.pack import build_pack, verify_pack
from isms_xl.pack.changes import compare_forms
from tests.packfix import AS_OF, needs_renderers, read_forms

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, needs_renderers]


def _edit(path: Path, patches: list[CellPatch]) -> None:
    tmp = path.with_name("edited.xlsx")
    patch_workbook(path, tmp, patches)
    tmp.replace(path)


def _patch(record, key: str, value) -> CellPatch:
    cell = record.cell(key)
    return CellPatch(cell.sheet, cell.row, cell.col, value)


@pytest.fixture(scope="module")
def before_and_after(demo_folder, tmp_path_factory):
    """The demo as it was at the previous audit (a few cells different) and its pack; what
    the differences must show as."""
    root = tmp_path_factory.mktemp("changes")
    old = root / "previous"
    shutil.copytree(demo_folder, old)
    forms = read_forms(demo_folder)
    expected = set()

    assets = forms["B-01"].records
    added = next(r for r in reversed(assets) if r.values.get("status") != DISPOSED)
    disposed = next(r for r in assets if r.values.get("status") == DISPOSED)
    b01 = old / forms["B-01"].path.name
    _edit(b01, [_patch(added, "asset_id", "A-9999"), _patch(disposed, "status", "使用中")])
    expected |= {("asset_added", added.values["asset_id"], ""), ("asset_retired", "A-9999", "status"),
                 ("asset_retired", disposed.values["asset_id"], "status")}

    risk = next(r for r in forms["B-02"].records if r.values.get("treatment") == "低減"
                and r.values.get("threat_level") in (1, 2) and r.values.get("risk_value") is not None)
    _edit(old / forms["B-02"].path.name, [_patch(risk, "threat_level", 3)])
    expected.add(("risk_changed", risk.values["risk_id"], "risk_value"))

    plan = next(r for r in forms["B-03"].records if r.values.get("status") == "完了")
    _edit(old / forms["B-03"].path.name, [_patch(plan, "status", "実施中")])
    expected.add(("plan_closed", str(plan.values["plan_id"]), "status"))

    control = next(r for r in forms["A-02"].records if r.values.get("applicable") == "○")
    _edit(old / forms["A-02"].path.name, [_patch(control, "applicable", "×")])
    expected.add(("soa_decision", str(control.values["control_id"]), "applicable"))

    previous = root / "pack-2025"
    build_pack(old, previous, as_of=AS_OF)
    return previous, expected, risk


def test_changes_since_the_previous_pack_are_exactly_the_edits(demo_folder, before_and_after, tmp_path):
    previous, expected, risk = before_and_after
    out = tmp_path / "pack-2026"
    result = build_pack(demo_folder, out, as_of=AS_OF, since=previous)
    assert verify_pack(out).ok
    got = {(c.kind, c.id, c.field) for c in result.changes.items}
    assert got == expected
    changed = next(c for c in result.changes.items if c.kind == "risk_changed")
    v = risk.values
    assert changed.old == v["impact"] * (3 + v["vulnerability_level"]) and changed.new == v["risk_value"]
    data = json.loads((out / "changes" / "changes.json").read_text(encoding="utf-8"))
    assert data["previous_as_of"] == AS_OF.isoformat()
    assert {(c["kind"], c["id"]) for c in data["changes"]} == {(k, i) for k, i, _ in expected}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="changes"' in index and "前回の監査からの変更" in index
    for kind, rid, _field in expected:
        assert f'data-kind="{kind}" data-id="{rid}"' in index
    assert "Changes since the last audit" in (out / "index.en.html").read_text(encoding="utf-8")


def test_since_a_zip_pack_gives_the_same_changes(demo_folder, before_and_after, tmp_path):
    previous, expected, _risk = before_and_after
    zipped = tmp_path / "previous.zip"
    build_pack(previous.parent / "previous", zipped, as_of=AS_OF, zip=True)
    result = build_pack(demo_folder, tmp_path / "pack", as_of=AS_OF, since=zipped)
    assert {(c.kind, c.id, c.field) for c in result.changes.items} == expected


def test_a_tampered_previous_pack_is_refused(demo_folder, before_and_after, tmp_path):
    previous, _expected, _risk = before_and_after
    tampered = tmp_path / "tampered"
    shutil.copytree(previous, tampered)
    (tampered / "workbooks" / "isms_xl.toml").write_text("# edited\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(tmp_path / "out"),
                                   "--since", str(tampered)])
    assert res.exit_code == int(ExitCode.PACK_MODIFIED)
    assert "--since" in res.output and "workbooks/isms_xl.toml" in res.output
    assert not (tmp_path / "out").exists()


def test_a_folder_compared_with_itself_has_no_changes(demo_folder):
    forms = read_forms(demo_folder)
    assert compare_forms(forms, forms).items == []


def test_since_something_that_is_not_a_pack_is_refused(demo_folder, tmp_path):
    res = CliRunner().invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(tmp_path / "out"),
                                   "--since", str(demo_folder)])
    assert res.exit_code == int(ExitCode.PACK_MODIFIED)
    assert "--since" in res.output and "not an audit pack" in res.output
    assert not (tmp_path / "out").exists()
