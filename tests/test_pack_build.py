"""The audit pack on the demo folder: produced with every part, the originals untouched, the
manifest and SHA256SUMS over every file, and `pack verify` naming every file changed, added or
removed — in a folder and in a zip. Also the CLI's refusals and exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from isms_xl import __version__
from isms_xl.cli.main import cli
from isms_xl.errors import ExitCode
from isms_xl.pack import build_pack, verify_pack
from isms_xl.pack.manifest import MANIFEST, SUMS, parse_sums
from tests.packfix import AS_OF, needs_renderers, tree_hashes

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, needs_renderers]

EXPECTED_FILES = {
    "index.html", "index.en.html", MANIFEST, SUMS,
    "soa/soa_summary.xlsx", "soa/soa_summary.pdf",
    "risk/risk_summary.xlsx", "risk/risk_summary.pdf", "risk/heatmap_inherent.png", "risk/heatmap_residual.png",
    "check/check_report.html", "check/check_report.en.html", "check/check_report.pdf", "check/findings.json",
    "workbooks/isms_xl.toml",
}


def _verify(path: Path, lang: str = "ja"):
    return CliRunner().invoke(cli, ["--lang", lang, "pack", "verify", str(path)])


def test_the_pack_has_every_part_and_a_copy_of_every_form(built, demo_folder):
    _result, out = built
    files = set(tree_hashes(out))
    assert EXPECTED_FILES <= files
    books = {p.relative_to(demo_folder).as_posix() for p in demo_folder.glob("*.xlsx")}
    assert len(books) == 28
    assert {f"workbooks/{b}" for b in books} <= files
    assert files - EXPECTED_FILES - {f"workbooks/{b}" for b in books} == set(), "unexpected files in the pack"
    assert not (out / "workbooks" / "seeded_defects.json").exists()  # only forms and their configuration


def test_the_originals_are_untouched(built, demo_folder, source_hashes):
    assert tree_hashes(demo_folder) == source_hashes


def test_manifest_and_sums_cover_every_file(built):
    result, out = built
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "isms-xl-audit-pack"
    assert manifest["tool"] == {"name": "isms-xl", "version": __version__}
    assert manifest["as_of"] == AS_OF.isoformat()
    assert manifest["created_at"].endswith("Z")
    on_disk = tree_hashes(out)
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(on_disk) - {MANIFEST, SUMS}
    assert all(on_disk[p] == h for p, h in listed.items())
    assert all(f["size"] == (out / f["path"]).stat().st_size for f in manifest["files"])
    sums = parse_sums((out / SUMS).read_bytes())
    assert sums == {**listed, MANIFEST: on_disk[MANIFEST]}
    assert {f["form"] for f in manifest["forms"]} == {"A-02", *(f"B-{i:02d}" for i in range(1, 28))}
    assert manifest["findings"] == result.run.summary()


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU sha256sum")
def test_sha256sum_checks_the_pack_without_this_tool(built):
    _result, out = built
    res = subprocess.run(["sha256sum", "--quiet", "-c", SUMS], cwd=out, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_verify_passes_on_the_fresh_pack(built):
    _result, out = built
    assert verify_pack(out).ok
    res = _verify(out)
    assert res.exit_code == 0, res.output
    assert "OK" in res.output


def test_changing_one_byte_of_any_file_fails_naming_it(built, tmp_path):
    _result, out = built
    pack = tmp_path / "pack"
    shutil.copytree(out, pack)
    names = sorted(tree_hashes(pack))
    assert len(names) >= 40
    for name in names:
        path = pack / name
        data = path.read_bytes()
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
        try:
            check = verify_pack(pack)
            assert not check.ok, name
            assert name in check.changed, (name, check.changed)
            assert check.changed == [name] or set(check.changed) == {MANIFEST, SUMS}, (name, check.changed)
            assert not check.added and not check.removed, name
        finally:
            path.write_bytes(data)
    assert verify_pack(pack).ok


def test_cli_names_the_changed_file_with_its_own_exit_code(built, tmp_path):
    _result, out = built
    pack = tmp_path / "pack"
    shutil.copytree(out, pack)
    target = pack / "workbooks" / "ISMS-B-02_リスクアセスメント結果表.xlsx"
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    res = _verify(pack, "en")
    assert res.exit_code == int(ExitCode.PACK_MODIFIED) == 12
    assert "changed: workbooks/ISMS-B-02_リスクアセスメント結果表.xlsx" in res.output
    assert str(pack) in res.output  # the one-line error names the pack


@pytest.mark.parametrize("where", ["extra.txt", "workbooks/ISMS-B-99_私物.xlsx", "risk/.hidden", "new/dir/file.pdf"])
def test_an_added_file_fails_naming_it(built, tmp_path, where):
    _result, out = built
    pack = tmp_path / "pack"
    shutil.copytree(out, pack)
    (pack / where).parent.mkdir(parents=True, exist_ok=True)
    (pack / where).write_bytes(b"x")
    check = verify_pack(pack)
    assert (check.ok, check.added, check.changed, check.removed) == (False, [where], [], [])
    res = _verify(pack, "en")
    assert res.exit_code == 12 and f"added: {where}" in res.output


@pytest.mark.parametrize("name", ["soa/soa_summary.pdf", "workbooks/ISMS-A-02_適用宣言書.xlsx", MANIFEST, SUMS, "index.html"])
def test_a_removed_file_fails_naming_it(built, tmp_path, name):
    _result, out = built
    pack = tmp_path / "pack"
    shutil.copytree(out, pack)
    (pack / name).unlink()
    check = verify_pack(pack)
    assert not check.ok and name in check.removed
    if name not in (MANIFEST, SUMS):
        assert (check.added, check.changed, check.removed) == ([], [], [name])
    res = _verify(pack, "en")
    assert res.exit_code == 12 and f"removed: {name}" in res.output


def test_not_a_pack_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    res = _verify(tmp_path, "en")
    assert res.exit_code == 12 and "not an audit pack" in res.output


def test_zip_pack_verifies_and_names_a_changed_member(demo_folder, tmp_path):
    out = tmp_path / "pack.zip"
    build_pack(demo_folder, out, as_of=AS_OF, zip=True)
    assert zipfile.is_zipfile(out)
    assert verify_pack(out).ok
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names == sorted(names) and "manifest.json" in names and "index.html" in names
        members = {n: zf.read(n) for n in names}
    name = "soa/soa_summary.xlsx"
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data[:-1] + bytes([data[-1] ^ 1]) if n == name else data)
        zf.writestr("extra.txt", b"x")
    check = verify_pack(tampered)
    assert (check.changed, check.added, check.removed) == ([name], ["extra.txt"], [])


def test_same_input_gives_the_same_bytes_apart_from_timestamps(built, demo_folder, tmp_path):
    _result, out = built
    again = tmp_path / "again"
    build_pack(demo_folder, again, as_of=AS_OF)
    first, second = tree_hashes(out), tree_hashes(again)
    assert set(first) == set(second)
    # The check report, its JSON, the index pages and the manifest carry the time of the run;
    # the PDF renderers stamp their own creation time and document id.
    stamped = {MANIFEST, SUMS, "index.html", "index.en.html", "check/check_report.html",
               "check/check_report.en.html", "check/findings.json", "check/check_report.pdf", "soa/soa_summary.pdf",
               "risk/risk_summary.pdf"}
    differ = {n for n in first if first[n] != second[n]}
    assert differ <= stamped, differ - stamped
    for name in ("soa/soa_summary.xlsx", "risk/risk_summary.xlsx", "risk/heatmap_inherent.png"):
        assert first[name] == second[name]


def test_existing_out_is_refused_without_force_and_only_a_pack_is_replaced(built, demo_folder, tmp_path):
    _result, out = built
    runner = CliRunner()
    res = runner.invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(out), "--as-of", "2026-11-26"])
    assert res.exit_code == int(ExitCode.EXISTS) and "already exists" in res.output
    other = tmp_path / "my documents"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    res = runner.invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(other), "--force"])
    assert res.exit_code == int(ExitCode.EXISTS) and "not an audit pack" in res.output
    assert (other / "keep.txt").read_text() == "mine"
    inside = demo_folder / "pack"
    res = runner.invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(inside)])
    assert res.exit_code == int(ExitCode.USAGE) and "outside the folder" in res.output
    assert not inside.exists()
    res = runner.invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(demo_folder.parent), "--force"])
    assert res.exit_code == int(ExitCode.USAGE)


def test_force_replaces_an_earlier_pack_and_leaves_nothing_behind(built, demo_folder, tmp_path):
    _result, earlier = built
    out = tmp_path / "pack"
    shutil.copytree(earlier, out)
    (out / "stale.txt").write_text("from before")
    res = CliRunner().invoke(cli, ["pack", str(demo_folder), str(out), "--as-of", "2026-11-26", "--force"])
    assert res.exit_code == 0, res.output
    assert f"{out / 'index.html'}" in res.output  # says where the index page is
    assert not (out / "stale.txt").exists() and verify_pack(out).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]  # no staging or old folders left


def test_a_missing_cjk_font_fails_before_anything_is_written(demo_folder, tmp_path, monkeypatch):
    from isms_xl.pack import fonts

    latin = next((p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf") if Path(p).exists()), None)
    if latin is None:
        pytest.skip("no Latin-only font to stand in")
    monkeypatch.setenv(fonts.ENV_VAR, latin)
    fonts.find_cjk_font.cache_clear()
    try:
        res = CliRunner().invoke(cli, ["--lang", "en", "pack", str(demo_folder), str(tmp_path / "p")])
    finally:
        fonts.find_cjk_font.cache_clear()
    assert res.exit_code == int(ExitCode.RENDER_FAILED) == 13
    assert "no Japanese glyphs" in res.output and latin in res.output
    assert list(tmp_path.iterdir()) == []


def test_the_manifest_ties_every_copy_to_its_original(built, demo_folder):
    # The source hash lets the auditor tie a copy to the workbook it was made from.
    _result, out = built
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert len(manifest["workbooks"]) == 28
    for entry in manifest["workbooks"]:
        original = demo_folder / entry["path"].removeprefix("workbooks/")
        assert entry["source_sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()
        copy = (out / entry["path"]).read_bytes()
        assert (copy == original.read_bytes()) == (entry["cells_corrected"] == 0), entry["path"]


def test_a_partial_folder_gives_a_complete_verifiable_pack(demo_folder, tmp_path):
    # No SoA, no risk forms, and a file that is not a workbook: the pack says so and links only
    # to what it holds.
    folder = tmp_path / "partial"
    folder.mkdir()
    for name in ("ISMS-B-04_法的要求事項登録簿.xlsx", "ISMS-B-21_内部監査員登録台帳.xlsx"):
        shutil.copyfile(demo_folder / name, folder / name)
    (folder / "メモ.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "pack"
    result = build_pack(folder, out, as_of=AS_OF)
    assert verify_pack(out).ok
    assert [c.rel for c in result.copies] == ["ISMS-B-04_法的要求事項登録簿.xlsx", "ISMS-B-21_内部監査員登録台帳.xlsx"]
    assert [p for p, _ja, _en in result.left_out] == ["メモ.xlsx"]
    assert not (out / "risk" / "heatmap_inherent.png").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "メモ.xlsx" in index and "heatmap_inherent.png" not in index
    for href in re.findall(r'(?:href|src)="([^"#:]+)"', index):
        assert (out / unquote(href)).is_file(), href
    assert (out.stat().st_mode & 0o777) == (0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
