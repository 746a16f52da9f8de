"""The nightly run: check the folder, record the run, write every report into a dated folder,
e-mail the summary when SMTP is configured. ``scripts/nightly_check.py`` and cron / Windows Task
Scheduler call this (see the README)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from isms_xl.check import CheckRun, check_folder
from isms_xl.errors import ExitCode
from isms_xl.findings import Severity
from isms_xl.history import record_run, state_path, trend
from isms_xl.io.atomic import write_report
from isms_xl.notify import NotifyError, build_message, load_smtp, send


@dataclass
class NightlyResult:
    run: CheckRun
    reports: dict[str, Path]
    mailed: bool
    exit_code: int
    mail_error: str | None = None


def run_nightly(folder: Path | str, *, out_dir: Path | None = None, today: dt.date | None = None,
                lang: str = "ja", state: Path | None = None, fail_on: str = "error", mail: bool = True) -> NightlyResult:
    from isms_xl.report.html_report import render_html
    from isms_xl.report.json_report import render_json
    from isms_xl.report.text_report import print_report
    from isms_xl.report.xlsx_report import write_xlsx_report

    folder = Path(folder)
    run = check_folder(folder, today=today)
    db = state_path(folder, state)
    delta = record_run(db, run.findings, checked_at=run.checked_at.isoformat(), today=run.today.isoformat(),
                       version=run.version)
    out = Path(out_dir) if out_dir else db.parent / "reports" / run.today.isoformat()
    html_path = out / "isms_check.html"
    html = render_html(run, delta, trend(db), lang=lang, report_dir=out)
    json_text = render_json(run, delta)
    buf = io.StringIO()
    print_report(run, delta, Console(file=buf, width=120), lang, details=False)
    # Each report whole or not at all (a report left open in Excel is named, not overwritten).
    write_report(html_path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    write_report(out / "isms_check.json", lambda tmp: tmp.write_text(json_text, encoding="utf-8"))
    xlsx_path = write_report(out / "検査結果.xlsx", lambda tmp: write_xlsx_report(run, delta, tmp, lang=lang))
    write_report(out / "summary.txt", lambda tmp: tmp.write_text(buf.getvalue(), encoding="utf-8"))
    mailed = False
    mail_error: str | None = None
    settings = load_smtp(folder) if mail else None
    if settings and (run.findings or not settings.only_when_findings):
        try:
            send(build_message(run, settings, buf.getvalue(), html, lang), settings)
            mailed = True
        except NotifyError as err:  # the reports are written; say the mail failed, don't lose them
            mail_error = err.message(lang)
    code = ExitCode.OK
    if run.unreadable:
        code = run.unreadable[0].exit_code or ExitCode.NOT_A_WORKBOOK
    elif fail_on != "never" and run.at_or_above(Severity(fail_on)):
        code = ExitCode.FINDINGS
    elif mail_error:
        code = ExitCode.WRITE_FAILED
    return NightlyResult(run, {"html": html_path, "json": out / "isms_check.json", "xlsx": xlsx_path,
                               "text": out / "summary.txt"}, mailed, int(code), mail_error)
