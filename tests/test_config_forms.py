"""[forms] in isms_xl.toml: a workbook that does not say which form it holds is read as the form
the folder's configuration names, by ``read_form``, by the check and from Excel; a name that is
no form is a configuration error, and a workbook that holds another form says so."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import xlsxwriter

from isms_xl.check import check_folder
from isms_xl.config import config_from_dict, load_config
from isms_xl.errors import ConfigError, UnknownFormError
from isms_xl.reader import read_form

AS_OF = dt.date(2026, 11, 26)


def _register(path: Path) -> Path:
    """A risk register with no document number, no title and too few headers to tell its form."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Sheet1")
        ws.write_row(0, 0, ["リスクID", "資産ID", "脅威"])
        ws.write_row(1, 0, ["R-001", "A-001", "不正アクセス"])
    return path


def _config(folder: Path, text: str) -> None:
    (folder / "isms_xl.toml").write_text(text, encoding="utf-8")


def test_forms_are_parsed_and_a_name_of_no_form_is_refused():
    config = config_from_dict({"forms": {"台帳/リスク台帳.xlsx": "ISMS-B-02", "a.xlsx": "b03"}}, source=Path("x/isms_xl.toml"))
    assert config.forms == {"台帳/リスク台帳.xlsx": "B-02", "a.xlsx": "B-03"}
    assert config.form_of(Path("x/台帳/リスク台帳.xlsx")) == "B-02"
    assert config.form_of(Path("x/b.xlsx")) is None and config.form_of(Path("y/a.xlsx")) is None
    assert config.form_of(Path("x/A.XLSX")) == "B-03"  # file names as Windows and macOS compare them
    two = config_from_dict({"forms": {"a.xlsx": "B-02", "A.xlsx": "B-03"}}, source=Path("x/isms_xl.toml"))
    assert two.form_of(Path("x/A.xlsx")) == "B-03" and two.form_of(Path("x/a.XLSX")) is None
    with pytest.raises(ConfigError, match="B-99"):
        config_from_dict({"forms": {"a.xlsx": "B-99"}})
    with pytest.raises(ConfigError, match="a.xlsx"):
        config_from_dict({"forms": {"a.xlsx": 2}})


def test_read_form_and_the_check_take_the_form_from_the_folder(tmp_path):
    folder = tmp_path / "isms"
    path = _register(folder / "台帳" / "リスク台帳.xlsx")
    run = check_folder(folder, today=AS_OF)
    assert "B-02" not in run.forms and [p.kind for p in run.problems] == ["not_a_form"]
    with pytest.raises(UnknownFormError):
        read_form(path)

    _config(folder, '[forms]\n"台帳/リスク台帳.xlsx" = "B-02"\n')
    form = read_form(path)
    assert form.form_id == "B-02" and [r.values["risk_id"] for r in form.records] == ["R-001"]
    run = check_folder(folder, today=AS_OF)
    assert run.problems == [] and [r.values["risk_id"] for r in run.forms["B-02"].records] == ["R-001"]
    assert any(f.rule == "READ-001" and f.form == "B-02" for f in run.findings)


def test_a_workbook_that_holds_another_form_says_so(tmp_path):
    from isms_xl.demo import generate_demo

    demo = tmp_path / "demo"
    generate_demo(demo, as_of=AS_OF)
    folder = tmp_path / "isms"
    folder.mkdir()
    (source,) = demo.glob("ISMS-B-03_*.xlsx")
    shutil.copy(source, folder / "plans.xlsx")
    _config(folder, '[forms]\n"plans.xlsx" = "B-02"\n')
    with pytest.raises(UnknownFormError, match="B-02.*B-03"):
        read_form(folder / "plans.xlsx")
    run = check_folder(folder, today=AS_OF)
    (problem,) = run.problems
    assert problem.kind == "not_a_form" and "B-03" in problem.message_en
    assert load_config(folder).form_of(folder / "plans.xlsx") == "B-02"


def test_a_workbook_in_a_subfolder_has_the_nearest_configuration_above_it(tmp_path):
    from isms_xl.config import config_for

    top, sub = tmp_path / "isms", tmp_path / "isms" / "台帳" / "2026"
    sub.mkdir(parents=True)
    _config(top, "[method]\naccept_max = 4\nacceptable_max = 8\n")
    assert config_for(sub / "a.xlsx").method.accept_max == 4
    _config(tmp_path / "isms" / "台帳", "[method]\naccept_max = 5\nacceptable_max = 8\n")
    assert config_for(sub / "a.xlsx").method.accept_max == 5  # the nearest one
    assert config_for(tmp_path / "b.xlsx").method.accept_max == 6  # none above: the manual's
