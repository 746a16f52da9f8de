"""Writing the demo folder: the 28 workbooks, isms_xl.toml and seeded_defects.json, and turning each
seeded defect's place into the workbook, sheet and cell the builder actually used."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_cell_to_rowcol

from isms_xl.config import CONFIG_NAME
from isms_xl.content import FormContent
from isms_xl.controls import parse_control_id
from isms_xl.demo.dataset import DemoData, index_of
from isms_xl.demo.names import COMPANY, DEPARTMENTS
from isms_xl.demo.org import DemoOrg
from isms_xl.demo.seeds import BLANK_ROW, CONFIG, DOC, EXTRA_HEADER, HEADER, Seed
from isms_xl.errors import OutputExistsError
from isms_xl.layout import a1, doc_cell, table_layout
from isms_xl.method import Method
from isms_xl.schema import DOC_FIELDS
from isms_xl.templates.build import BuildResult, build_workbook

DEFECTS_NAME = "seeded_defects.json"


def prepare_folder(folder: Path, force: bool) -> None:
    """Create the folder; refuse one that already holds something unless ``force``."""
    if folder.exists() and not folder.is_dir():
        raise OutputExistsError(f"出力先がフォルダではありません: {folder}", f"Not a folder: {folder}")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputExistsError(
            f"出力先フォルダが空ではありません（上書きするには --force を指定）: {folder}",
            f"Output folder is not empty (use --force to overwrite the demo's files): {folder}")
    folder.mkdir(parents=True, exist_ok=True)


def _toml_str(text: str) -> str:
    # A JSON string is a valid TOML basic string for everything the demo writes.
    return json.dumps(text, ensure_ascii=False)


def config_text(org: DemoOrg, as_of: dt.date) -> str:
    """isms_xl.toml by hand (no TOML writer dependency). Japanese keys are quoted: TOML bare keys
    are ASCII only."""
    lines = [
        f"# isms_xl の設定（デモ: {COMPANY}、基準日 {as_of:%Y-%m-%d}）",
        "[annex]", 'version = "2022"', "",
        "[fiscal_year]", "start_month = 4", "",
        "[method]", 'formula = "additive"', "accept_max = 6", "acceptable_max = 9", "",
        "[organisation]", f"name = {_toml_str(COMPANY)}",
        "departments = [" + ", ".join(_toml_str(d) for d in DEPARTMENTS) + "]", "",
        "[organisation.roles]",
    ]
    for role, names in org.roles.items():
        lines.append(f"{_toml_str(role)} = [" + ", ".join(_toml_str(n) for n in names) + "]")
    for person in org.staff:
        lines += ["", "[[organisation.staff]]", f"name = {_toml_str(person.name)}",
                  f"department = {_toml_str(person.department)}", f'joined_on = "{person.joined_on:%Y-%m-%d}"']
    return "\n".join(lines) + "\n"


def write_config(folder: Path, org: DemoOrg, as_of: dt.date) -> Path:
    path = folder / CONFIG_NAME
    path.write_text(config_text(org, as_of), encoding="utf-8")
    return path


def write_workbooks(folder: Path, data: DemoData, method: Method) -> dict[str, BuildResult]:
    results = {}
    for form_id, content in data.forms.items():
        results[form_id] = build_workbook([content], folder / content.spec.file_name(), method)
    return results


def _shift(address: str, rows: int = 0, cols: int = 0) -> str:
    row, col = xl_cell_to_rowcol(address)
    return a1(row + rows, col + cols)


def _first_record(content: FormContent) -> int:
    return next(i for i, r in enumerate(content.records) if r is not None)


def place(seed: Seed, content: FormContent, result: BuildResult) -> tuple[str | None, str | None]:
    """(sheet, cell) of a seeded defect, per the package's cell convention."""
    form = result.forms[content.spec.form_id]
    if seed.where == DOC:
        field = next(f for f in DOC_FIELDS if f.key == seed.key)
        return form.sheets[0].sheet, a1(*doc_cell(field))
    if seed.where == HEADER:
        sheet, cell = form.cell(_first_record(content), seed.key)
        return sheet, _shift(cell, rows=-1)
    if seed.where == EXTRA_HEADER:
        columns = table_layout(content.spec, content.omit, content.extra).columns
        sheet, cell = form.cell(_first_record(content), columns[-1].key)
        return sheet, _shift(cell, rows=-1, cols=1 + content.extra.index(seed.key))
    if seed.where == BLANK_ROW:
        first = table_layout(content.spec, content.omit, content.extra).columns[0].key
        sheet, cell = form.cell(index_of(content.records, seed.record), first)
        return sheet, _shift(cell, rows=1)
    return form.cell(index_of(content.records, seed.record), seed.key)


def describe(seed: Seed, data: DemoData, results: dict[str, BuildResult], severity: str) -> dict[str, Any]:
    if seed.where == CONFIG:
        workbook, sheet, cell = CONFIG_NAME, None, None
    else:
        content = data.forms[seed.form]
        workbook = content.spec.file_name()
        sheet, cell = place(seed, content, results[seed.form])
    record = seed.record_id
    if record is None and seed.record is not None and seed.where != BLANK_ROW:
        record = seed.record.get(data.forms[seed.form].spec.id_column.key)
    if record is not None and seed.form == "A-02":
        # The check names an SoA row by the canonical control id ("A.5.32"), whatever the cell
        # shows ("5.32", as the standard prints it); the answer key must use the same id.
        record = parse_control_id(str(record)) or record
    return {"rule": seed.rule, "severity": severity, "form": seed.form, "workbook": workbook, "sheet": sheet,
            "cell": cell, "record": record, "description_ja": seed.ja, "description_en": seed.en}


def sort_key(defect: dict[str, Any]) -> tuple:
    """Rule, form, then the cell in reading order (row, then column), not as text ("C9" < "C10")."""
    row = col = -1
    if defect["cell"]:
        row, col = xl_cell_to_rowcol(defect["cell"])
    return defect["rule"], defect["form"] or "", defect["workbook"], defect["sheet"] or "", row, col


def write_defects(folder: Path, as_of: dt.date, seed: int, defects: list[dict[str, Any]]) -> Path:
    path = folder / DEFECTS_NAME
    payload = {"as_of": as_of.isoformat(), "seed": seed, "defects": defects}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
