"""``isms-xl check DIR`` as a user runs it (a subprocess): exit codes, the JSON contract, the
report files, the language, and one-line messages instead of tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from isms_xl import __version__
from isms_xl.demo import generate_demo
from isms_xl.errors import ExitCode
from isms_xl.forms import FORMS
from isms_xl.suppress import SUPPRESSIONS_NAME

TODAY = "2026-11-26"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# The README's JSON contract: the keys, plus what the README documents beyond them.
TOP_KEYS = {"tool", "version", "checked_at", "today", "folder", "summary", "findings", "new", "resolved",
            "suppressed", "problems", "missing_forms"}
FINDING_KEYS = {"rule", "severity", "form", "workbook", "sheet", "cell", "record", "value", "message_ja",
                "message_en", "first_seen"}
RESOLVED_KEYS = FINDING_KEYS - {"value", "first_seen"}


def isms(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="400", PYTHONIOENCODING="utf-8")  # rich would wrap long lines at 80
    return subprocess.run([sys.executable, "-m", "isms_xl", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env=env, cwd=cwd)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def one_line_error(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("isms-xl: ")
    return lines[0]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "isms"
    generate_demo(folder, as_of=dt.date.fromisoformat(TODAY))
    return folder


@pytest.fixture()
def demo(demo_dir, tmp_path) -> Path:
    folder = tmp_path / "isms"
    shutil.copytree(demo_dir, folder)
    return folder


@pytest.fixture(scope="module")
def warnings_only(tmp_path_factory) -> Path:
    """Blank B-01…B-03 templates: their document-control blocks are blank (warnings), the rules
    needing other forms are skipped (info), and nothing is an error."""
    folder = tmp_path_factory.mktemp("tpl")
    result = isms("templates", str(folder / "all"))
    assert result.returncode == 0, result.stderr
    clean = folder / "three"
    clean.mkdir()
    for form_id in ("B-01", "B-02", "B-03"):
        shutil.copy2(folder / "all" / FORMS[form_id].file_name(), clean)
    return clean


def _json(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    result = isms("check", str(folder), "--today", TODAY, "--format", "json", *args)
    no_traceback(result)
    return result, json.loads(result.stdout)


# ------------------------------------------------------------------------------------------------
# Exit codes


def test_demo_has_errors_exit_1(demo):
    result = isms("check", str(demo), "--today", TODAY)
    no_traceback(result)
    assert result.returncode == ExitCode.FINDINGS == 1
    assert "検査結果の概要" in result.stdout


def test_fail_on_never_exits_0(demo):
    result = isms("check", str(demo), "--today", TODAY, "--fail-on", "never")
    assert result.returncode == 0, result.stderr


def test_fail_on_threshold(warnings_only):
    assert isms("check", str(warnings_only), "--today", TODAY).returncode == 0  # default: error
    assert isms("check", str(warnings_only), "--today", TODAY, "--fail-on", "warning").returncode == 1
    assert isms("check", str(warnings_only), "--today", TODAY, "--fail-on", "info").returncode == 1
    _, report = _json(warnings_only, "--no-history")
    assert report["summary"]["error"] == 0 and report["summary"]["warning"] > 0


def test_clean_folder_exits_0_even_on_info(demo):
    """The demo with every finding it has suppressed: nothing left, exit 0 at any --fail-on."""
    rules = sorted({d["rule"] for d in json.loads((demo / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]})
    (demo / SUPPRESSIONS_NAME).write_text("".join(
        f'[[suppress]]\nrule = "{r}"\nreason = "テスト"\nexpires = 2099-12-31\n\n' for r in rules), encoding="utf-8")
    result, report = _json(demo, "--fail-on", "info")
    assert result.returncode == 0, report["summary"]
    assert report["findings"] == [] and report["summary"] == {"error": 0, "warning": 0, "info": 0}
    assert len(report["suppressed"]) == len(json.loads((demo / "seeded_defects.json").read_text(encoding="utf-8"))["defects"])


@pytest.mark.parametrize("args", [
    ["check"],
    ["check", "{dir}", "--fail-on", "sometimes"],
    ["check", "{dir}", "--today", "2026-13-45"],
    ["check", "{dir}", "--format", "pdf"],
    ["check", "{dir}", "--no-such-option"],
    ["check", "{dir}/no-such-folder"],
], ids=["no-dir", "fail-on", "today", "format", "option", "missing-dir"])
def test_usage_errors_exit_2(demo_dir, args):
    result = isms(*[a.format(dir=demo_dir) for a in args])
    no_traceback(result)
    assert result.returncode == ExitCode.USAGE == 2
    assert "Usage:" in result.stderr


def test_a_state_folder_that_cannot_be_written_exits_9_in_one_line(demo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = isms("check", str(demo), "--today", TODAY, "--state", str(blocker / "state"))
    no_traceback(result)
    assert result.returncode == ExitCode.WRITE_FAILED == 9
    assert result.stderr.count("\n") == 1 and "history.sqlite" in result.stderr and "--state" in result.stderr


def test_a_report_that_cannot_be_written_exits_9_and_one_open_in_excel_exits_8(demo, tmp_path):
    from tests.test_atomic import excel_owner_file

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = isms("check", str(demo), "--today", TODAY, "--no-history", "--format", "json", "--out", str(blocker / "r.json"))
    no_traceback(result)
    assert result.returncode == ExitCode.WRITE_FAILED and result.stderr.count("\n") == 1 and "r.json" in result.stderr

    report = tmp_path / "検査結果.xlsx"
    assert isms("check", str(demo), "--today", TODAY, "--no-history", "--format", "xlsx",
                "--out", str(report)).returncode == ExitCode.FINDINGS
    before = report.read_bytes()
    (tmp_path / ("~$" + report.name)).write_bytes(excel_owner_file("山田 太郎"))  # open in Excel
    result = isms("check", str(demo), "--today", TODAY, "--no-history", "--format", "xlsx", "--out", str(report))
    no_traceback(result)
    assert result.returncode == ExitCode.LOCKED and "山田 太郎" in result.stderr
    assert report.read_bytes() == before  # yesterday's report is left whole
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("fail_on", ["error", "never"])
def test_truncated_workbook_exits_4(demo, fail_on):
    path = demo / FORMS["B-08"].file_name()
    path.write_bytes(path.read_bytes()[:3000])
    result = isms("check", str(demo), "--today", TODAY, "--fail-on", fail_on)
    no_traceback(result)
    assert result.returncode == ExitCode.NOT_A_WORKBOOK == 4
    assert path.name in result.stdout  # the problem is listed with the file's name
    result, report = _json(demo, "--no-history")
    assert result.returncode == 4
    assert [(p["workbook"], p["kind"]) for p in report["problems"]] == [(path.name, "unreadable")]
    assert report["missing_forms"] == ["B-08"]
    assert report["summary"]["error"] > 0  # the other forms were still checked


def test_personal_workbook_does_not_change_the_exit_code(demo):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "メモ"
    wb.save(demo / "メモ.xlsx")
    result, report = _json(demo, "--fail-on", "never", "--no-history")
    assert result.returncode == 0
    assert [(p["workbook"], p["kind"]) for p in report["problems"]] == [("メモ.xlsx", "not_a_form")]


def test_a_folder_named_like_a_workbook_is_not_input(demo):
    (demo / "アーカイブ.xlsx").mkdir()
    result, report = _json(demo, "--no-history")
    assert result.returncode == 1
    assert report["problems"] == []


# ------------------------------------------------------------------------------------------------
# The JSON contract


def test_json_contract(demo):
    result, report = _json(demo)
    assert result.returncode == 1
    assert set(report) == TOP_KEYS
    assert report["tool"] == "isms-xl" and report["version"] == __version__
    assert report["today"] == TODAY and report["folder"] == str(demo)
    assert dt.datetime.fromisoformat(report["checked_at"]).tzinfo is not None
    assert set(report["summary"]) == {"error", "warning", "info"}
    counted = Counter(f["severity"] for f in report["findings"])
    assert report["summary"] == {s: counted[s] for s in ("error", "warning", "info")}
    seeded = json.loads((demo / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]
    assert len(report["findings"]) == len(seeded)
    for f in report["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in ("error", "warning", "info")
        assert f["message_ja"] and f["message_en"]
        if f["sheet"] is not None:
            assert not Path(f["workbook"]).is_absolute() and (demo / f["workbook"]).is_file()
        assert f["first_seen"] == TODAY  # recorded by this run
    assert report["new"] == [] and report["resolved"] == []  # the first run has nothing to compare
    assert report["problems"] == [] and report["missing_forms"] == [] and report["suppressed"] == []


def test_json_new_and_resolved_on_the_second_run(demo):
    _json(demo)
    (demo / FORMS["B-08"].file_name()).unlink()
    result, report = _json(demo)
    assert report["new"] and report["resolved"]
    for f in report["new"]:
        assert set(f) == FINDING_KEYS
    for f in report["resolved"]:
        assert set(f) == RESOLVED_KEYS
    assert {f["rule"] for f in report["new"]} == {"XREF-050"}  # skipped: B-08 is missing
    assert {f["form"] for f in report["resolved"]} == {"B-08"}


def test_json_to_a_file(demo, tmp_path):
    out = tmp_path / "report.json"
    result = isms("check", str(demo), "--today", TODAY, "--format", "json", "--out", str(out), "--no-history")
    assert result.returncode == 1 and result.stdout == ""
    assert set(json.loads(out.read_text(encoding="utf-8"))) == TOP_KEYS


# ------------------------------------------------------------------------------------------------
# Report files and language


def test_html_and_xlsx_reports_are_written(demo, tmp_path):
    import openpyxl

    html = tmp_path / "out" / "report.html"
    result = isms("check", str(demo), "--today", TODAY, "--format", "html", "--out", str(html))
    no_traceback(result)
    assert result.returncode == 1
    text = html.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html") and "XREF-001" in text
    assert str(html) in result.stdout

    xlsx = tmp_path / "out" / "report.xlsx"
    result = isms("check", str(demo), "--today", TODAY, "--format", "xlsx", "--out", str(xlsx))
    no_traceback(result)
    assert result.returncode == 1
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    values = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    wb.close()
    assert {"XREF-001", "RISK-001", "CALC-001"} <= values


def test_english_messages(demo_dir):
    _, report = _json(demo_dir, "--no-history")
    result = isms("--lang", "en", "check", str(demo_dir), "--today", TODAY, "--no-history")
    no_traceback(result)
    assert result.returncode == 1
    assert "Check summary" in result.stdout
    for f in report["findings"]:
        assert f["message_en"] in result.stdout
        assert f["message_ja"] not in result.stdout
    ja = isms("check", str(demo_dir), "--today", TODAY, "--no-history")
    assert report["findings"][0]["message_ja"] in ja.stdout


# ------------------------------------------------------------------------------------------------
# Bad input: one line, its own exit code, no traceback


def test_malformed_suppression_file(demo):
    (demo / SUPPRESSIONS_NAME).write_text('[[suppress]\nrule = "X"\n', encoding="utf-8")
    result = isms("check", str(demo), "--today", TODAY)
    no_traceback(result)
    assert result.returncode == ExitCode.CONFIG
    assert SUPPRESSIONS_NAME in one_line_error(result)


def test_malformed_config_exits_3(demo):
    with (demo / "isms_xl.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[annex\n")
    result = isms("--lang", "en", "check", str(demo), "--today", TODAY)
    no_traceback(result)
    assert result.returncode == ExitCode.CONFIG
    assert "isms_xl.toml" in one_line_error(result)


def test_malformed_config_message_in_japanese(demo):
    with (demo / "isms_xl.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[annex\n")
    result = isms("check", str(demo), "--today", TODAY)
    assert result.returncode == ExitCode.CONFIG
    line = one_line_error(result).replace(str(demo), "")
    assert JAPANESE.search(line), line


def test_problem_file_name_with_brackets_is_printed_intact(demo):
    (demo / "[draft] 台帳.xlsx").write_text("not a workbook", encoding="utf-8")
    result = isms("check", str(demo), "--today", TODAY)
    no_traceback(result)
    assert result.returncode == ExitCode.NOT_A_WORKBOOK
    assert "[draft] 台帳.xlsx" in result.stdout


def test_out_into_a_new_folder(demo, tmp_path):
    out = tmp_path / "new" / "report.json"
    result = isms("check", str(demo), "--today", TODAY, "--format", "json", "--out", str(out), "--no-history")
    no_traceback(result)
    assert result.returncode in (ExitCode.FINDINGS, ExitCode.WRITE_FAILED), result.stderr


def test_debug_shows_the_traceback_users_do_not_see(demo):
    (demo / SUPPRESSIONS_NAME).write_text("[[suppress]]\nrule = 1\n", encoding="utf-8")
    quiet = isms("check", str(demo), "--today", TODAY)
    loud = isms("--debug", "check", str(demo), "--today", TODAY)
    assert quiet.returncode == loud.returncode == ExitCode.CONFIG
    assert "Traceback" not in quiet.stderr and "Traceback" in loud.stderr
