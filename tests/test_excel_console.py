"""The desktop button console, checked statically (VBA cannot run here): it carries a VBA project,
every button runs a macro that exists in it, every RunPython command in it imports a module and
calls a function the package has, and its xlwings.conf sheet names the interpreter."""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("xlwings")
olevba = pytest.importorskip("oletools.olevba")

from isms_xl.excel.console import CONSOLE_FILE, Interpreter, build_console
from isms_xl.macros import JOB_NAME, JOBS, TARGET_NAME, job_by_label

SUB = re.compile(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", re.MULTILINE | re.IGNORECASE)


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("isms")
    return build_console(folder, interpreter=Interpreter(win=r"C:\isms\.venv\Scripts\pythonw.exe",
                                                         mac="/Users/isms/.venv/bin/python"),
                         targets=["ISMS-B-02_リスクアセスメント結果表.xlsx", "ISMS-B-01_情報資産台帳.xlsx"])


def vba_modules(path: Path) -> dict[str, str]:
    parser = olevba.VBA_Parser(str(path))
    try:
        return {name: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def button_macros(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
    return re.findall(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", vml)


def test_the_console_is_a_macro_workbook_named_for_its_module(console):
    assert console.name == CONSOLE_FILE
    with zipfile.ZipFile(console) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        types = z.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types


def test_every_button_runs_a_macro_that_exists_in_the_vba_project(console):
    macros = button_macros(console)
    assert len(macros) == len(JOBS)
    defined = {name for code in vba_modules(console).values() for name in SUB.findall(code)}
    assert set(macros) <= defined


def _commands(code: str, workbook: Path) -> list[str]:
    """The Python each RunPython call runs: string literals as written; xlwings' SampleCall builds
    its command from the workbook's name, resolved here the way its VBA does."""
    commands = re.findall(r'RunPython\s*\(?\s*"([^"]+)"\s*\)?\s*$', code, re.MULTILINE)
    stem = workbook.name[:workbook.name.rfind(".")]  # Left(Name, InStrRev(Name, ".") - 1)
    for line in code.splitlines():
        if "RunPython" in line and "mymodule" in line:
            assert re.search(r'RunPython "import " & mymodule & ";" & mymodule & "\.main\(\)"', line), line
            commands.append(f"import {stem};{stem}.main()")
    return commands


def test_every_runpython_command_imports_a_function_of_the_package(console):
    modules = vba_modules(console)
    calls = [(name, cmd) for name, code in modules.items() if not name.startswith("xlwings")
             for cmd in _commands(code, console)]
    assert calls, "no RunPython call found outside xlwings' own module"
    for _module, command in calls:
        m = re.fullmatch(r"import ([\w.]+)(?: as (\w+))?\s*;\s*([\w.]+)\.(\w+)\(\)", command)
        assert m, command
        imported, alias, prefix, func = m.groups()
        assert prefix == (alias or imported)
        assert imported.startswith("isms_xl")
        assert callable(getattr(importlib.import_module(imported), func))


def test_the_vba_is_the_xlwings_version_of_the_python_side(console):
    import xlwings

    code = vba_modules(console)["xlwings.bas"]
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in code
    from isms_xl.excel.doctor import console_xlwings_version

    assert console_xlwings_version(console) == xlwings.__version__


def test_the_conf_sheet_and_the_console_cells(console):
    from openpyxl import load_workbook

    from isms_xl.excel.doctor import read_conf

    conf = read_conf(console)
    assert conf["INTERPRETER_WIN"] == r"C:\isms\.venv\Scripts\pythonw.exe"
    assert conf["INTERPRETER_MAC"] == "/Users/isms/.venv/bin/python"
    wb = load_workbook(console)
    names = {n: wb.defined_names[n].attr_text for n in (TARGET_NAME, JOB_NAME)}
    assert names == {TARGET_NAME: "'ボタン'!$B$3", JOB_NAME: "'ボタン'!$B$4"}
    sheet = wb["ボタン"]
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    jobs = lists["B4"].strip('"').split(",")
    assert {job_by_label(label) for label in jobs} == set(JOBS)
    assert job_by_label(sheet["B4"].value) == "recompute"
    assert "ISMS-B-02_リスクアセスメント結果表.xlsx" in lists["B3"]


def test_the_macro_entry_points_dispatch_on_the_console_cells(monkeypatch):
    from isms_xl import macros

    class Named:
        def __init__(self, value):
            self.refers_to_range = type("R", (), {"value": value})()

    class App:
        api = property(lambda self: (_ for _ in ()).throw(AttributeError("no COM here")))

    class Book:
        name = CONSOLE_FILE
        fullname = f"/isms/{CONSOLE_FILE}"
        app = App()
        names = {JOB_NAME: Named("整合性チェック")}

    assert macros.job_of(Book()) == "check"
    done = []
    monkeypatch.setattr(macros, "_caller", Book)
    monkeypatch.setattr(macros.layer, "check", lambda book: done.append(("check", book.name)))
    macros.main()
    assert done == [("check", CONSOLE_FILE)]
