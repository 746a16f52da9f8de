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


def test_an_output_folder_that_cannot_be_made_is_one_line_not_an_internal_error(tmp_path):
    """A file where the output folder would go: templates and demo say where, in one line, with
    the exit code of a failed write, in the user's language."""
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me", encoding="utf-8")
    for args in (["templates", str(blocker / "t")], ["demo", str(blocker / "d")],
                 ["--lang", "en", "templates", str(blocker / "t")]):
        result = CliRunner().invoke(cli, args)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == ExitCode.WRITE_FAILED, (args, result.output)
        assert len(lines) == 1 and str(blocker) in lines[0] and "Traceback" not in result.output
        assert "internal" not in lines[0] and "内部エラー" not in lines[0]
    assert blocker.read_text(encoding="utf-8") == "keep me"
    assert "フォルダーではなくファイル" in CliRunner().invoke(cli, ["templates", str(blocker / "t")]).output
    assert "Not a directory" in CliRunner().invoke(cli, ["--lang", "en", "templates", str(blocker / "t")]).output
