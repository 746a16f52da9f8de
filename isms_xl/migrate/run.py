"""``migrate_soa_file``: read a 2013 SoA (refusing bad input as the reader does), map it to 2022,
migrate the control references of the risk forms in a folder into copies, and write the new A-02
and the report. Nothing is written until every input has been read, and nothing of the inputs is
ever changed: outputs that would land on an input are refused even with ``force``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from isms_xl.errors import OutputExistsError, UnknownFormError
from isms_xl.io.atomic import safe_replace
from isms_xl.migrate.refs import RefChange, control_columns, migrate_refs
from isms_xl.migrate.report import MigrationReport, RefRow
from isms_xl.migrate.soa import migrate_soa, version_of_ids
from isms_xl.migrate.write import write_report_text, write_report_xlsx, write_soa
from isms_xl.reader import read_form, read_workbook
from isms_xl.reader.grid import load_grids
from isms_xl.reader.model import Form

REPORT_SUFFIX = "_migration_report"


@dataclass
class PlannedCopy:
    source: Path
    target: Path
    info: object  # the preflight of ``source`` (reused by the patching writer)
    patches: list = field(default_factory=list)


@dataclass
class MigrateResult:
    report: MigrationReport
    soa: Path
    report_xlsx: Path
    report_text: Path
    copies: list[Path] = field(default_factory=list)


def report_paths(new: Path, base: Path | None = None) -> tuple[Path, Path]:
    base = base if base is not None else new.with_name(new.stem + REPORT_SUFFIX)
    base = base.with_suffix("") if base.suffix.lower() in (".xlsx", ".txt") else base
    return base.with_name(base.name + ".xlsx"), base.with_name(base.name + ".txt")


def read_2013_soa(path: Path) -> Form:
    form = read_form(path, "A-02")
    if any(f.rule == "READ-001" and f.cell == "A1" for f in form.findings) and not form.records:
        raise UnknownFormError(f"{path}: 適用宣言書の見出し行（管理策番号・適用）が見つかりません",
                               f"{path}: no Statement of Applicability header (Control, Applicable) found")
    if "applicable" not in form.columns:
        raise UnknownFormError(f"{path}: 適用宣言書に「適用」の列がありません（移行する判断がありません）",
                               f"{path}: the SoA has no Applicable (適用) column: there are no decisions to migrate")
    counts = version_of_ids(r.values for r in form.records)
    if counts["2013"] == 0:
        if counts["2022"]:
            raise UnknownFormError(f"{path}: 既に2022年版の適用宣言書です（2013年版の管理策番号がありません）",
                                   f"{path}: this SoA is already on 2022 (no 2013 control ids)")
        raise UnknownFormError(f"{path}: 管理策番号が読めません（2013年版の適用宣言書ではありません）",
                               f"{path}: no control ids could be read (not a 2013 SoA)")
    if counts["2022"]:
        raise UnknownFormError(
            f"{path}: 2013年版と2022年版の管理策番号が混在しています（2013年版 {counts['2013']} 行、2022年版 {counts['2022']} 行）",
            f"{path}: mixes 2013 and 2022 control ids ({counts['2013']} rows on 2013, {counts['2022']} on 2022)")
    return form


def _note(change: RefChange, formula: bool) -> tuple[str, str]:
    ja, en = [], []
    if formula:
        ja.append("数式のセルのため変更していません")
        en.append("a formula cell: left unchanged")
    for cid in change.split:
        ja.append(f"{cid} は 5.36 と 8.8 に分割されました: 該当する方を残してください")
        en.append(f"{cid} was split into 5.36 and 8.8: keep the one that fits")
    if change.unknown:
        ja.append("管理策番号ではない: " + ", ".join(change.unknown))
        en.append("not a control id: " + ", ".join(change.unknown))
    return "; ".join(ja), "; ".join(en)


def plan_copies(forms_dir: Path, out_dir: Path, skip: set[Path]) -> tuple[list[PlannedCopy], list[RefRow]]:
    from isms_xl.check import find_workbooks
    from isms_xl.io.patch import CellPatch

    copies: list[PlannedCopy] = []
    rows: list[RefRow] = []
    out_resolved = out_dir.resolve()
    for path in find_workbooks(forms_dir):
        if path.resolve() in skip or out_resolved in path.resolve().parents and out_resolved != forms_dir.resolve():
            continue  # our own outputs of an earlier run, when the copies go into a sub-folder
        try:
            forms = read_workbook(path, styles=False)
        except UnknownFormError:
            continue  # not a form: nothing to migrate in it
        wanted = [(f, control_columns(f.spec)) for f in forms]
        if not any(keys for _, keys in wanted):
            continue
        rel = path.relative_to(forms_dir)
        grids = load_grids(path)  # the cells as written, for the report ("9.4.1、12.6.1", not "A.9.4.1, …")
        planned = PlannedCopy(path, out_dir / rel, forms[0].info)
        for form, keys in wanted:
            id_key = form.spec.id_column.key
            for record in form.records:
                for key in keys:
                    cell = record.cell(key)
                    written = grids[cell.sheet].value(cell.row, cell.col)
                    change = migrate_refs(written if isinstance(written, str) else record.values.get(key))
                    if change is None or not change.changed:
                        continue
                    formula = form.has_formula(cell)
                    note_ja, note_en = _note(change, formula)
                    rows.append(RefRow(str(rel), form.form_id, cell.sheet, cell.a1, str(record.values.get(id_key) or ""),
                                       change.old_text, change.old_text if formula else change.new_text, note_ja, note_en))
                    if not formula:
                        planned.patches.append(CellPatch(cell.sheet, cell.row, cell.col, change.new_text))
        copies.append(planned)
    return copies, rows


def _refuse_existing(outputs: list[Path], inputs: set[Path], force: bool) -> None:
    clash = [p for p in outputs if p.resolve() in inputs]
    if clash:
        raise OutputExistsError(f"出力先が入力ファイルと同じです（元のファイルは変更しません）: {clash[0]}",
                                f"An output would overwrite an input (originals are never changed): {clash[0]}")
    seen: set[Path] = set()
    for p in outputs:
        if p.resolve() in seen:
            raise OutputExistsError(f"出力先が重複しています: {p}", f"Two outputs would be written to {p}")
        seen.add(p.resolve())
    existing = [p for p in outputs if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (" …" if len(existing) > 3 else "")
        raise OutputExistsError(f"出力先が既にあります（上書きするには --force）: {shown}",
                                f"Output already exists (use --force to overwrite): {shown}")


def migrate_soa_file(old: Path | str, new: Path | str, *, forms_dir: Path | str | None = None,
                     forms_out: Path | str | None = None, report: Path | str | None = None, force: bool = False,
                     lang: str = "ja", today: dt.date | None = None) -> MigrateResult:
    old, new = Path(old), Path(new)
    form = read_2013_soa(old)
    xlsx_path, text_path = report_paths(new, Path(report) if report else None)
    inputs = {old.resolve()}
    copies: list[PlannedCopy] = []
    ref_rows: list[RefRow] = []
    if forms_dir is not None:
        forms_dir = Path(forms_dir)
        out_dir = Path(forms_out) if forms_out is not None else new.parent
        skip = {old.resolve(), new.resolve(), xlsx_path.resolve()}
        copies, ref_rows = plan_copies(forms_dir, out_dir, skip)
        inputs |= {c.source.resolve() for c in copies}
    _refuse_existing([new, xlsx_path, text_path, *(c.target for c in copies)], inputs, force)

    migration = migrate_soa([r.values for r in form.records], rows=[(r.row or 0) + 1 for r in form.records], lang=lang)
    result = MigrationReport(str(old), str(new), migration, ref_rows)
    write_soa(migration, form.doc, new, lang=lang, today=today)
    for planned in copies:
        _write_copy(planned)
        result.copies.append(str(planned.target))
    write_report_xlsx(result, xlsx_path, lang=lang)
    write_report_text(result, text_path, lang=lang)
    return MigrateResult(result, new, xlsx_path, text_path, [c.target for c in copies])


def _write_copy(planned: PlannedCopy) -> None:
    from isms_xl.io.patch import patch_workbook, verify_patch

    planned.target.parent.mkdir(parents=True, exist_ok=True)
    holder = []

    def produce(tmp: Path) -> None:
        holder.append(patch_workbook(planned.source, tmp, planned.patches, info=planned.info))

    def check(tmp: Path) -> None:
        verify_patch(planned.source, tmp, planned.patches, report=holder[0])

    safe_replace(planned.target, produce, expected_sha256=None, backups=0, verify=check)
