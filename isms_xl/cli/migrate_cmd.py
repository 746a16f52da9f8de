"""``isms-xl migrate-soa OLD NEW``: a 2013 Statement of Applicability to 2022, with a report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors


def xlsx_only(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """The new workbook is written by XlsxWriter: an .xlsm or .xls name would lie about its content."""
    if value.suffix.lower() != ".xlsx":
        raise click.BadParameter("出力は .xlsx のみです / the output must be an .xlsx file", ctx, param)
    return value


@click.command("migrate-soa")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path), callback=xlsx_only)
@click.option("--forms", "forms_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of forms (B-02, B-03 …) whose control references are migrated into copies.")
@click.option("--forms-out", type=click.Path(file_okay=False, path_type=Path),
              help="Where the migrated copies go (default: NEW's folder). The originals never change.")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path),
              help="Report file name without extension (default: NEW_migration_report); .xlsx and .txt are written.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Revision date of the new SoA (default: today).")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.pass_obj
@handle_errors
def migrate_soa(obj: Ctx, old: Path, new: Path, forms_dir: Path | None, forms_out: Path | None, report: Path | None,
                as_of: dt.datetime | None, force: bool) -> None:
    """Migrate the 2013 Statement of Applicability OLD (114 controls) to a 2022 A-02 written to NEW
    (93 controls), following the ISO/IEC 27002:2022 Annex B correspondence. OLD is never changed."""
    from isms_xl.migrate.run import migrate_soa_file

    result = migrate_soa_file(old, new, forms_dir=forms_dir, forms_out=forms_out, report=report, force=force,
                              lang=obj.lang, today=as_of.date() if as_of else None)
    n = result.report.counts()
    obj.say(f"{new}: 2022年版の適用宣言書を作成しました（適用 {n['applicable']}、除外 {n['excluded']}、要判断 {n['undecided']}）",
            f"{new}: 2022 SoA written ({n['applicable']} applicable, {n['excluded']} excluded, {n['undecided']} undecided)")
    for control in result.report.migration.needing_decision:
        reasons = " / ".join(f.message(obj.lang) for f in control.flags if f.level == "decide")
        click.echo(f"  {control.control_id[2:]} {control.title_ja if obj.lang == 'ja' else control.title_en}: {reasons}")
    if result.copies:
        obj.say(f"管理策参照を移行したコピー {len(result.copies)} 件（{n['refs']} セル）",
                f"{len(result.copies)} migrated copies ({n['refs']} cells of control references)")
    obj.say(f"移行レポート: {result.report_xlsx} / {result.report_text}",
            f"Migration report: {result.report_xlsx} / {result.report_text}")
