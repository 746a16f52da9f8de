"""``isms-xl recompute PATH...``: recompute computed columns and band colours, write them back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors
from isms_xl.errors import ExitCode, IsmsXlError


def _show(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing (exit 1 when something would).")
@click.option("--no-backup", is_flag=True, help="Do not keep a backup of the previous version.")
@click.pass_obj
@handle_errors
def recompute(obj: Ctx, paths: tuple[Path, ...], dry_run: bool, no_backup: bool) -> None:
    """Recompute every computed cell (risk values, bands, totals, verdicts…) of the workbooks in
    PATHS (files or folders) and write the corrected values and colours back."""
    from isms_xl.apply import recompute_workbook
    from isms_xl.check import find_workbooks

    files: list[Path] = []
    for p in paths:
        files += find_workbooks(p) if p.is_dir() else [p]
    pending = 0
    failed: list[int] = []
    for path in files:
        try:
            result = recompute_workbook(path, dry_run=dry_run, backups=0 if no_backup else 3)
        except IsmsXlError as err:
            # One workbook held open in Excel must not stop the others: report it, go on, and
            # exit with its code at the end.
            click.echo(f"isms-xl: {err.message(obj.lang)}", err=True)
            failed.append(int(err.exit_code))
            continue
        for c in result.changes:
            what = []
            if c.value_changed:
                what.append(f"{_show(c.old)} → {_show(c.new)}")
            if c.formula:
                what.append("数式を復元" if obj.lang == "ja" else "formula restored")
            if c.fill_changed:
                what.append(("塗り " if obj.lang == "ja" else "fill ") + (c.fill or ("なし" if obj.lang == "ja" else "none")))
            click.echo(f"{path.name} '{c.cell.sheet}'!{c.cell.a1} {c.key}: {'; '.join(what)}")
        n = len(result.changes)
        pending += n
        if dry_run:
            obj.say(f"{path.name}: 変更予定 {n} セル（書き込みはしていません）", f"{path.name}: {n} cells would change (nothing written)")
        elif result.written:
            backup = f"（バックアップ: {result.backup}）" if result.backup else ""
            obj.say(f"{path.name}: {n} セルを更新しました{backup}",
                    f"{path.name}: {n} cells updated" + (f" (backup: {result.backup})" if result.backup else ""))
        else:
            obj.say(f"{path.name}: 変更はありません", f"{path.name}: nothing to change")
    if failed:
        sys.exit(failed[0])
    if dry_run and pending:
        sys.exit(int(ExitCode.FINDINGS))
