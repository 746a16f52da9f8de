"""The migrate-soa and adopt commands: one-line messages and their exit codes."""

from __future__ import annotations

import random
from pathlib import Path

from click.testing import CliRunner

from isms_xl.cli.main import cli
from isms_xl.errors import ExitCode
from isms_xl.reader import read_form
from tests.foreign import ISO27K_ASSETS, ISO27K_ASSETS_HEADERS, ISO27K_CATEGORIES, write_sheet
from tests.soa2013 import random_rows, write_soa_2013


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_migrate_soa_command(tmp_path):
    old = write_soa_2013(tmp_path / "old.xlsx", random_rows(random.Random(3)))
    new = tmp_path / "new.xlsx"
    result = run("--lang", "en", "migrate-soa", str(old), str(new), "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{new}: 2022 SoA written (")
    assert "5.7 Threat intelligence: New in 2022" in result.output
    assert (tmp_path / "new_migration_report.xlsx").exists() and (tmp_path / "new_migration_report.txt").exists()
    again = run("migrate-soa", str(old), str(new))
    assert again.exit_code == ExitCode.EXISTS and "--force" in again.output
    assert run("migrate-soa", str(old), str(new), "--force").exit_code == 0


def test_migrate_soa_refuses_bad_input_with_one_line(tmp_path):
    bad = tmp_path / "old.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = run("migrate-soa", str(bad), str(tmp_path / "new.xlsx"))
    assert result.exit_code == ExitCode.NOT_A_WORKBOOK
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "new.xlsx").exists()
    other = write_sheet(tmp_path / "assets.xlsx", "x", ISO27K_ASSETS_HEADERS, ISO27K_ASSETS)
    result = run("migrate-soa", str(other), str(tmp_path / "new.xlsx"))
    assert result.exit_code == ExitCode.UNKNOWN_FORM


def test_adopt_command_asks_for_a_mapping_then_adopts(tmp_path):
    src = write_sheet(tmp_path / "assets.xlsx", "x", ISO27K_ASSETS_HEADERS, ISO27K_ASSETS)
    out = tmp_path / "B-01.xlsx"
    first = run("--lang", "en", "adopt", str(src), "--form", "B-01", str(out))
    assert first.exit_code == ExitCode.MAPPING_NEEDED == 11
    draft = tmp_path / "B-01_mapping.toml"
    assert str(draft) in first.output and draft.exists() and not out.exists()
    text = draft.read_text(encoding="utf-8").replace('department = ""', 'department = "Business unit"')
    for k, v in ISO27K_CATEGORIES.items():
        text = text.replace(f'"{k}" = ""', f'"{k}" = "{v}"')
    draft.write_text(text, encoding="utf-8")
    second = run("adopt", str(src), "--form", "B-01", "--map", str(draft), str(out))
    assert second.exit_code == 0, second.output
    assert len(read_form(out).records) == len(ISO27K_ASSETS)
    assert run("adopt", str(src), "--form", "B-01", "--map", str(draft), str(out)).exit_code == ExitCode.EXISTS


def test_adopt_bad_mapping_is_a_config_error(tmp_path):
    src = write_sheet(tmp_path / "assets.xlsx", "x", ISO27K_ASSETS_HEADERS, ISO27K_ASSETS)
    bad = tmp_path / "map.toml"
    bad.write_text("[columns\n", encoding="utf-8")
    result = run("adopt", str(src), "--form", "B-01", "--map", str(bad), str(tmp_path / "o.xlsx"))
    assert result.exit_code == ExitCode.CONFIG and "Traceback" not in result.output
    assert not Path(tmp_path / "o.xlsx").exists()


def test_outputs_must_be_xlsx(tmp_path):
    old = write_soa_2013(tmp_path / "old.xlsx", random_rows(random.Random(4)))
    assert run("migrate-soa", str(old), str(tmp_path / "new.xlsm")).exit_code == ExitCode.USAGE
    assert run("adopt", str(old), "--form", "A-02", str(tmp_path / "new.xls")).exit_code == ExitCode.USAGE
    assert list(tmp_path.iterdir()) == [old]
