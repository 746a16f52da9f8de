"""The command line: thin commands, one-line errors, documented exit codes."""

from click.testing import CliRunner

from isms_xl.cli.main import cli
from isms_xl.errors import ExitCode


def test_templates_command_writes_28_workbooks(tmp_path):
    result = CliRunner().invoke(cli, ["templates", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "t").glob("ISMS-*.xlsx"))) == 28
    assert "28" in result.output


def test_templates_command_in_english_with_2013_annex(tmp_path):
    result = CliRunner().invoke(cli, ["--lang", "en", "templates", str(tmp_path), "--annex", "2013"])
    assert result.exit_code == 0
    assert result.output.startswith("Wrote 28 form workbooks")
    assert (tmp_path / "ISMS-A-02_Statement_of_Applicability.xlsx").exists()


def test_demo_refuses_a_non_empty_folder_with_one_line(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == ExitCode.EXISTS
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(tmp_path) in lines[0]
    assert "Traceback" not in result.output
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_usage_error_exit_code():
    result = CliRunner().invoke(cli, ["templates"])
    assert result.exit_code == ExitCode.USAGE
