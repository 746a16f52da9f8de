"""``isms-xl excel doctor`` and ``setup``: each diagnosis from made-up facts of a Windows or macOS
machine (the problems xlwings users report most), and the commands on this one."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_xl.excel import doctor
from isms_xl.excel.doctor import FAIL, OK, SKIP, WARN, Facts, Probe

WIN_PY = r"C:\isms\.venv\Scripts\pythonw.exe"


def windows(**changes) -> Facts:
    facts = Facts("win32", Path("C:/Users/sato"), {"APPDATA": r"C:\Users\sato\AppData\Roaming"},
                  Path("D:/ISMS"), "0.37.8", Path("D:/ISMS/isms_xl.macros.xlsm"),
                  {"INTERPRETER_WIN": WIN_PY}, "0.37.8", WIN_PY, True, Probe(True, "0.37.8", "0.1.0"))
    return replace(facts, **changes)


def by_id(facts: Facts) -> dict[str, doctor.Diagnosis]:
    return {d.id: d for d in doctor.diagnose(facts)}


def test_a_working_windows_setup_has_nothing_to_fix():
    found = by_id(windows())
    assert {k: d.status for k, d in found.items()} == {
        "interpreter": OK, "environment": OK, "conda": SKIP, "versions": OK, "vba_reference": SKIP,
        "mac_runpython": SKIP, "onedrive": SKIP, "console_name": OK}


@pytest.mark.parametrize("facts, status, fix", [
    (windows(interpreter="", interpreter_exists=False, probe=Probe(False)), FAIL, "setup"),
    (windows(interpreter="python", interpreter_exists=False, probe=Probe(False)), WARN, "setup"),
    (windows(interpreter=r"C:\old\python.exe", interpreter_exists=False, probe=Probe(False)), FAIL, "setup"),
])
def test_interpreter_not_found(facts, status, fix):
    d = by_id(facts)["interpreter"]
    assert d.status == status and fix in d.fix_ja and fix in d.fix_en


def test_the_wrong_environment_is_told_what_to_install():
    d = by_id(windows(probe=Probe(True, "0.37.8", None)))["environment"]
    assert d.status == FAIL and d.fix_en == f'"{WIN_PY}" -m pip install isms-xl[excel]'


def test_a_conda_python_needs_conda_path_and_env():
    assert by_id(windows(conda_env_of_interpreter=True))["conda"].status == FAIL
    ok = windows(conda_env_of_interpreter=True, conf={"INTERPRETER_WIN": WIN_PY, "CONDA PATH": "C:/mc",
                                                      "CONDA ENV": "isms"})
    assert by_id(ok)["conda"].status == OK


def test_vba_and_python_of_different_xlwings_versions():
    d = by_id(windows(console_xlwings="0.33.1"))["versions"]
    assert d.status == FAIL and "0.33.1" in d.detail and "--force" in d.fix_en
    addin = by_id(windows(addin=Path("C:/XLSTART/xlwings.xlam"), addin_matches=False))["versions"]
    assert addin.status == WARN and "xlwings addin install" in addin.fix_en


def test_a_workbook_calling_the_addin_without_it():
    d = by_id(windows(workbooks_needing_reference=("own_macros.xlsm",)))["vba_reference"]
    assert d.status == FAIL and "Tools > References" in d.fix_en
    installed = by_id(windows(workbooks_needing_reference=("own_macros.xlsm",), addin=Path("x.xlam")))
    assert installed["vba_reference"].status == WARN


def test_a_renamed_console_is_told_to_get_its_name_back():
    d = by_id(windows(renamed_consoles=("isms_xl.macros (1).xlsm",)))["console_name"]
    assert d.status == FAIL and "isms_xl.macros.xlsm" in d.fix_en


def test_macos_needs_runpython_install(tmp_path):
    mac = windows(platform="darwin", home=tmp_path, runpython_script=tmp_path / "xlwings-0.37.8.applescript")
    assert by_id(mac)["mac_runpython"].status == FAIL
    assert "xlwings runpython install" in by_id(mac)["mac_runpython"].fix_en
    (tmp_path / "xlwings-0.37.8.applescript").write_text("-")
    assert by_id(mac)["mac_runpython"].status == OK


def test_a_folder_on_onedrive_needs_its_local_root_in_the_conf_sheet():
    env = {"OneDriveCommercial": r"C:\Users\sato\OneDrive - Sample"}
    facts = windows(environ=env, folder=Path(r"C:\Users\sato\OneDrive - Sample\ISMS"))
    d = by_id(facts)["onedrive"]
    assert d.status == FAIL and "ONEDRIVE_COMMERCIAL_WIN" in d.fix_en
    fixed = replace(facts, conf={**facts.conf, "ONEDRIVE_COMMERCIAL_WIN": env["OneDriveCommercial"]})
    assert by_id(fixed)["onedrive"].status == OK
    assert doctor.onedrive_settings(env, "win32", Path("C:/Users/sato")) == {
        "ONEDRIVE_COMMERCIAL_WIN": str(Path(env["OneDriveCommercial"]))}


def test_needs_reference_tells_addin_workbooks_from_standalone_ones():
    xlwings = pytest.importorskip("xlwings")
    here = Path(xlwings.__file__).parent
    assert doctor.needs_reference(here / "quickstart.xlsm")  # calls RunPython through the add-in
    assert not doctor.needs_reference(here / "quickstart_standalone.xlsm")  # carries xlwings' module


def test_probe_reports_what_the_interpreter_has():
    probe = doctor.probe_interpreter(sys.executable)
    assert probe.ran and probe.isms_xl is not None
    failing = doctor.probe_interpreter("/no/such/python")
    assert not failing.ran and failing.error

    def broken(*_a, **_k):
        return subprocess.CompletedProcess([], 1, "", "Traceback\nImportError: DLL load failed")

    assert doctor.probe_interpreter("x", broken).error == "ImportError: DLL load failed"


def test_setup_and_doctor_commands(tmp_path):
    pytest.importorskip("xlwings")
    from isms_xl.cli.main import cli

    folder = tmp_path / "ISMS"
    folder.mkdir()
    (folder / "ISMS-B-02_リスクアセスメント結果表.xlsx").write_bytes(b"")
    runner = CliRunner()
    first = runner.invoke(cli, ["excel", "setup", str(folder)])
    assert first.exit_code == 0, first.output
    assert (folder / "isms_xl.macros.xlsm").is_file() and "対象ブック候補 1 件" in first.output
    again = runner.invoke(cli, ["--lang", "en", "excel", "setup", str(folder)])
    assert again.exit_code == 10 and "--force" in again.output
    assert runner.invoke(cli, ["excel", "setup", str(folder), "--force"]).exit_code == 0
    # The console is a tool, not a form: the folder's check and recompute leave it alone.
    from isms_xl.check import find_workbooks

    assert [p.name for p in find_workbooks(folder)] == ["ISMS-B-02_リスクアセスメント結果表.xlsx"]
    checked = runner.invoke(cli, ["--lang", "en", "excel", "doctor", str(folder)])
    assert "xlwings versions (VBA and Python)" in checked.output
    assert checked.exit_code == (1 if "[FIX]" in checked.output else 0)
    # A copy saved under another name cannot run (its macro imports the module of its name).
    (folder / "isms_xl.macros.xlsm").rename(folder / "isms_xl.macros (1).xlsm")
    renamed = runner.invoke(cli, ["--lang", "en", "excel", "doctor", str(folder)])
    assert renamed.exit_code == 1 and "[FIX] The button workbook's name: isms_xl.macros (1).xlsm" in renamed.output
