"""``isms-xl check DIR``: the nightly consistency check of a whole ISMS folder."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from isms_xl.cli.common import Ctx, handle_errors
from isms_xl.errors import ExitCode
from isms_xl.findings import Severity

FORMATS = ("text", "json", "html", "xlsx")


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The date rules judge by (default: today).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the report here.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error", show_default=True)
@click.option("--state", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the run history (default: DIR/.isms_xl).")
@click.option("--no-history", is_flag=True, help="Do not record this run.")
@click.pass_obj
@handle_errors
def check(obj: Ctx, folder: Path, today: dt.datetime | None, fmt: str, out: Path | None, fail_on: str,
          state: Path | None, no_history: bool) -> None:
    """Read every form workbook in FOLDER, run every rule and report the findings."""
    from isms_xl.check import check_folder, find_workbooks
    from isms_xl.history import record_run, state_path
    from isms_xl.io.atomic import write_report
    from isms_xl.report.json_report import render_json
    from isms_xl.report.text_report import print_report

    console = Console(stderr=out is None and fmt != "text")
    total = len(find_workbooks(folder))
    with Progress(console=console, transient=True, disable=total < 5 or not console.is_terminal) as bar:
        task = bar.add_task("読み込み中" if obj.lang == "ja" else "Reading", total=total)
        run = check_folder(folder, today=today.date() if today else None, progress=lambda p: bar.advance(task))
    delta = None if no_history else record_run(state_path(folder, state), run.findings,
                                               checked_at=run.checked_at.isoformat(), today=run.today.isoformat(),
                                               version=run.version)
    if fmt in ("html", "xlsx"):
        from isms_xl.history import trend
        from isms_xl.report.html_report import render_html
        from isms_xl.report.xlsx_report import write_xlsx_report

        target = out or folder / f"isms_check.{fmt}"
        if fmt == "html":
            html = render_html(run, delta, None if no_history else trend(state_path(folder, state)), lang=obj.lang,
                               report_dir=target.parent)
            write_report(target, lambda tmp: tmp.write_text(html, encoding="utf-8"))
        else:
            write_report(target, lambda tmp: write_xlsx_report(run, delta, tmp, lang=obj.lang))
        print_report(run, delta, console, obj.lang, details=False)
        obj.say(f"レポート: {target}", f"Report: {target}")
    elif fmt == "json":
        text = render_json(run, delta)
        if out:
            write_report(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            click.echo(text)
    else:
        if out:
            def text_report(tmp: Path) -> None:
                with tmp.open("w", encoding="utf-8") as fh:
                    print_report(run, delta, Console(file=fh, width=160), obj.lang)

            write_report(out, text_report)
        else:
            print_report(run, delta, console, obj.lang)
    if run.unreadable:
        sys.exit(run.unreadable[0].exit_code or int(ExitCode.NOT_A_WORKBOOK))
    if fail_on != "never" and run.at_or_above(Severity(fail_on)):
        sys.exit(int(ExitCode.FINDINGS))
