"""``isms-xl read`` as a user runs it (a subprocess of the installed command): a demo workbook gives
JSON or CSV with the cell of every value; every kind of bad input (spec/inputs.md "Bad input")
gets its documented exit code, exactly one line on stderr naming the file, no traceback unless
``--debug``, and leaves the file and its folder exactly as they were. CSV output is protected
against formula injection.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from isms_xl.errors import ExitCode
from isms_xl.forms import FORMS
from tests.messy import SheetEdit, cached_values, load_workbook
from tests.test_preflight import BILLION_LAUGHS, huge_dimension, rewrite_zip

AS_OF = dt.date(2026, 11, 26)
_SCRIPT = Path(sys.executable).with_name("isms-xl")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "isms_xl"]
A1 = re.compile(r"^[A-Z]{1,3}[1-9]\d*$")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, cwd=cwd)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry of a folder (hidden ones too) with the SHA-256 of each file."""
    return {p.name: (sha256(p) if p.is_file() else "<dir>") for p in folder.iterdir()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo") / "isms"
    generate_demo(folder, as_of=AS_OF)
    return folder


# --------------------------------------------------------------------------------------------
# A good workbook

@pytest.mark.parametrize("form_id", ["B-01", "B-12"])
def test_read_demo_workbook_as_json(demo, form_id):
    spec = FORMS[form_id]
    path = demo / spec.file_name()
    before = snapshot(demo)
    result = run("read", path)
    assert result.returncode == ExitCode.OK, result.stderr
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert out["form"] == form_id and out["doc"]["doc_number"] == spec.doc_number
    assert len(out["records"]) > 5
    keys = {c.key for c in spec.columns}
    for record in out["records"]:
        assert set(record["values"]) == keys
        assert record["cells"] and set(record["cells"]) <= keys
        assert all(A1.match(cell) for cell in record["cells"].values()), record["cells"]
        assert record["cells"][spec.id_column.key]
    if spec.layout.value == "table":
        first = out["records"][0]
        assert first["cells"][spec.id_column.key] == f"A{first['row']}"
    else:
        assert {r["sheet"] for r in out["records"]} == {r["values"][spec.id_column.key] for r in out["records"]}
    for finding in out["findings"]:
        assert finding["rule"].startswith("READ-") and finding["sheet"] and finding["cell"]
    assert snapshot(demo) == before


def test_read_demo_findings_in_json(demo):
    out = json.loads(run("read", demo / FORMS["B-01"].file_name()).stdout)
    found = {(f["rule"], f["cell"]) for f in out["findings"]}
    assert {("READ-003", "O99"), ("READ-009", "S5")} <= found


def test_read_demo_workbook_as_csv(demo):
    spec = FORMS["B-02"]
    path = demo / spec.file_name()
    result = run("read", path, "--format", "csv")
    assert result.returncode == ExitCode.OK, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["_sheet", "_row", *(c.key for c in spec.columns)]
    assert len(rows) == 1 + len(json.loads(run("read", path).stdout)["records"])
    assert rows[1][2] == "R-001" and rows[1][1] == "6"


def test_read_with_form_option_and_a_wrong_form(demo):
    path = demo / FORMS["B-08"].file_name()
    assert run("read", path, "--form", "B-08").returncode == ExitCode.OK
    wrong = run("read", path, "--form", "B-09")
    assert wrong.returncode == ExitCode.UNKNOWN_FORM
    assert wrong.stderr.count("\n") == 1 and str(path) in wrong.stderr
    assert run("read", path, "--form", "isms-b-08").returncode == ExitCode.OK  # spelled as people do
    no_form = run("read", path, "--form", "B-99")  # a usage error, not an internal one
    assert no_form.returncode == ExitCode.USAGE and "B-99" in no_form.stderr and "Traceback" not in no_form.stderr


def test_form_option_reads_a_workbook_that_says_nothing_of_what_it_holds(tmp_path):
    """No document number, no title, a file name of no form, too few headers to tell: --form says
    what it is (and the missing columns are READ-001)."""
    path = tmp_path / "台帳.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Sheet1")
        ws.write_row(0, 0, ["リスクID", "資産ID", "脅威"])
        ws.write_row(1, 0, ["R-001", "A-001", "不正アクセス"])
    unknown = run("read", path)
    assert unknown.returncode == ExitCode.UNKNOWN_FORM and "ISMS の様式ではありません" in unknown.stderr
    told = run("read", path, "--form", "B-02")
    assert told.returncode == ExitCode.OK, told.stderr
    out = json.loads(told.stdout)
    assert out["form"] == "B-02" and [r["values"]["risk_id"] for r in out["records"]] == ["R-001"]
    assert "READ-001" in {f["rule"] for f in out["findings"]}


# --------------------------------------------------------------------------------------------
# Formula injection in CSV

INJECTIONS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://example.invalid\",\"x\")"]


def _with_text_values(src: Path, dst: Path, values: list[str]) -> Path:
    """B-08 with ``values`` typed (as text) in 教育名 of its first records."""
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    edit = SheetEdit(ws, cached_values(src)[ws.title])
    for i, value in enumerate(values):
        edit.set(5 + i, 1, value)  # B6…: 教育名
    edit.flush()
    wb.save(dst)
    return dst


def test_csv_quotes_text_that_starts_like_a_formula(demo, tmp_path):
    path = _with_text_values(demo / FORMS["B-08"].file_name(), tmp_path / "ISMS-B-08_inj.xlsx", INJECTIONS)
    as_json = json.loads(run("read", path).stdout)
    assert [r["values"]["course"] for r in as_json["records"][:5]] == INJECTIONS  # read as text, unchanged
    result = run("read", path, "--format", "csv")
    assert result.returncode == ExitCode.OK, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    course = rows[0].index("course")
    for row, value in zip(rows[1:], INJECTIONS):
        assert row[course] == "'" + value
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", row


def test_csv_quotes_a_sheet_name_that_starts_like_a_formula(demo, tmp_path):
    src = demo / FORMS["B-12"].file_name()
    wb = load_workbook(src)
    ws = wb.worksheets[1]
    for name in list(ws.defined_names):
        del ws.defined_names[name]
    ws.title = "=1+2"
    path = tmp_path / src.name
    wb.save(path)
    result = run("read", path, "--format", "csv")
    assert result.returncode == ExitCode.OK, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert "'=1+2" in [row[0] for row in rows[1:]]
    for row in rows[1:]:
        assert not row[0] or row[0][0] not in "=+-@\t\r", row


# --------------------------------------------------------------------------------------------
# Bad input: one line naming the file, the documented exit code, nothing touched

def _plain_xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["品名", "数量", "単価"])
    ws.write_row(1, 0, ["りんご", 3, 120])
    wb.close()
    return path


def make_bad(kind: str, folder: Path, demo: Path) -> Path:
    good = demo / FORMS["B-08"].file_name()
    if kind == "empty":
        (path := folder / "empty.xlsx").write_bytes(b"")
    elif kind == "random_bytes":
        (path := folder / "random.xlsx").write_bytes(random.Random(1).randbytes(5000))
    elif kind == "truncated":
        data = good.read_bytes()
        (path := folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    elif kind == "csv":
        (path := folder / "export.csv").write_text("資産ID,資産名,機密性\nA-001,顧客DB,3\n", encoding="utf-8")
    elif kind == "csv_named_xlsx":
        (path := folder / "export.xlsx").write_text("資産ID,資産名,機密性\nA-001,顧客DB,3\n", encoding="cp932")
    elif kind == "encrypted":
        from msoffcrypto.format.ooxml import OOXMLFile

        path = folder / "secret.xlsx"
        with good.open("rb") as src, path.open("wb") as out:
            OOXMLFile(src).encrypt("secret", out)
    elif kind == "huge_dimension":
        path = huge_dimension(folder / "huge.xlsx")
    elif kind == "entity_bomb":
        path = rewrite_zip(good, folder / "laughs.xlsx", {"xl/sharedStrings.xml": BILLION_LAUGHS})
    elif kind == "not_a_form":
        path = _plain_xlsx(folder / "shopping.xlsx")
    elif kind == "missing":
        path = folder / "missing.xlsx"
    elif kind == "folder":
        (path := folder / "a_folder.xlsx").mkdir()
    else:
        raise KeyError(kind)
    return path


BAD = {
    "empty": ExitCode.NOT_A_WORKBOOK,
    "random_bytes": ExitCode.NOT_A_WORKBOOK,
    "truncated": ExitCode.NOT_A_WORKBOOK,
    "csv": ExitCode.NOT_A_WORKBOOK,
    "csv_named_xlsx": ExitCode.NOT_A_WORKBOOK,
    "encrypted": ExitCode.ENCRYPTED,
    "huge_dimension": ExitCode.UNSAFE,
    "entity_bomb": ExitCode.UNSAFE,
    "not_a_form": ExitCode.UNKNOWN_FORM,
    "missing": ExitCode.USAGE,
    "folder": ExitCode.USAGE,
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input(demo, tmp_path, kind, lang):
    folder = tmp_path / "in"
    folder.mkdir()
    path = make_bad(kind, folder, demo)
    before = snapshot(folder)
    result = run("--lang", lang, "read", path, cwd=tmp_path)
    assert result.returncode == BAD[kind], (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and result.stderr.endswith("\n"), result.stderr
    assert str(path) in lines[0]
    assert lines[0].startswith("isms-xl: ")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert snapshot(folder) == before  # bytes unchanged, nothing added (no lock, temp or backup file)
    assert sorted(os.listdir(tmp_path)) == ["in"]


@pytest.mark.parametrize("kind", ["empty", "encrypted", "entity_bomb", "not_a_form"])
def test_bad_input_with_debug_shows_the_traceback(demo, tmp_path, kind):
    path = make_bad(kind, tmp_path, demo)
    before = snapshot(tmp_path)
    result = run("--debug", "read", path)
    assert result.returncode == BAD[kind]
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("isms-xl: ")
    assert str(path) in result.stderr.rstrip().splitlines()[-1]
    assert snapshot(tmp_path) == before


def test_bad_input_exit_codes_are_distinct_per_kind():
    """The documented codes: not a workbook, encrypted, unsafe, unknown form and usage differ."""
    codes = {BAD["empty"], BAD["encrypted"], BAD["entity_bomb"], BAD["not_a_form"], BAD["missing"]}
    assert len(codes) == 5 and ExitCode.OK not in codes and ExitCode.INTERNAL not in codes
