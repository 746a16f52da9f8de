"""``isms-xl excel setup DIR`` and ``isms-xl excel doctor [DIR]``: the desktop Excel buttons."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors
from isms_xl.errors import ExitCode

MARKS = {"ok": "OK", "warning": "注意", "problem": "要対応", "not applicable": "－"}
MARKS_EN = {"ok": "OK", "warning": "WARN", "problem": "FIX", "not applicable": "-"}


@click.group()
def excel() -> None:
    """Excel buttons (xlwings): set up the button workbook, diagnose problems."""


def _print(obj: Ctx, diagnoses) -> int:
    marks = MARKS if obj.lang == "ja" else MARKS_EN
    problems = 0
    for d in diagnoses:
        click.echo(f"[{marks[d.status]}] {d.title(obj.lang)}" + (f": {d.detail}" if d.detail else ""))
        if d.status in ("problem", "warning") and d.fix(obj.lang):
            click.echo(f"    → {d.fix(obj.lang)}")
        problems += d.status == "problem"
    return problems


@excel.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Rebuild the button workbook if it exists.")
@click.pass_obj
@handle_errors
def setup(obj: Ctx, folder: Path, force: bool) -> None:
    """Put the button workbook (isms_xl.macros.xlsm, set up for this Python) into FOLDER."""
    from isms_xl.excel.setup import setup as run_setup

    result = run_setup(folder, force=force, lang=obj.lang)
    obj.say(f"作成しました: {result.console}（対象ブック候補 {len(result.targets)} 件）",
            f"Written: {result.console} ({len(result.targets)} target workbooks)")
    _print(obj, result.diagnoses)
    obj.say("Excel で開き、［コンテンツの有効化］を押してからボタンを使ってください。",
            "Open it in Excel, click Enable Content, then use the buttons.")


@excel.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.pass_obj
@handle_errors
def doctor(obj: Ctx, folder: Path | None) -> None:
    """Diagnose what stops the Excel buttons (interpreter, environment, versions, VBA reference,
    macOS RunPython, OneDrive). Exit 1 when something must be fixed."""
    from isms_xl.excel.doctor import diagnose, gather

    if _print(obj, diagnose(gather(folder))):
        sys.exit(int(ExitCode.FINDINGS))
