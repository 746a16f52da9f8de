"""The terminal summary: counts by form and severity (a rich table), then the findings."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from isms_xl.check import CheckRun
from isms_xl.forms import FORMS
from isms_xl.history import RunDelta

_SEV_JA = {"error": "エラー", "warning": "警告", "info": "情報"}


def summary_table(run: CheckRun, lang: str = "ja") -> Table:
    counts = Counter((f.form or "-", f.severity.value) for f in run.findings)
    table = Table(title="検査結果の概要" if lang == "ja" else "Check summary")
    table.add_column("様式" if lang == "ja" else "Form")
    table.add_column("名称" if lang == "ja" else "Name")
    for sev in ("error", "warning", "info"):
        table.add_column(_SEV_JA[sev] if lang == "ja" else sev, justify="right")
    forms = sorted({f for f, _ in counts})
    for form in forms:
        spec = FORMS.get(form)
        table.add_row(form, spec.name(lang) if spec else "", *(str(counts[(form, s)] or "") for s in ("error", "warning", "info")))
    total = run.summary()
    table.add_row("計" if lang == "ja" else "Total", "", *(str(total[s]) for s in ("error", "warning", "info")), style="bold")
    return table


def print_report(run: CheckRun, delta: RunDelta | None, console: Console, lang: str = "ja", details: bool = True) -> None:
    console.print(summary_table(run, lang))
    if run.missing_forms:
        console.print(("フォルダにない様式: " if lang == "ja" else "Forms not in the folder: ") + ", ".join(run.missing_forms))
    for p in run.problems:
        console.print(f"[yellow]{escape(p.workbook)}[/]: {escape(p.message_ja if lang == 'ja' else p.message_en)}",
                      markup=True, highlight=False)
    if delta is not None and delta.previous_run is not None:
        console.print(("前回から: 新規 {} 件、解消 {} 件" if lang == "ja" else "Since the last run: {} new, {} resolved")
                      .format(len(delta.new), len(delta.resolved)))
    if details:
        for f in run.findings:
            where = f"{f.workbook or ''}" + (f" {f.sheet}!{f.cell}" if f.cell else "")
            console.print(f"{f.rule} {_SEV_JA[f.severity.value] if lang == 'ja' else f.severity.value:4} {where}: "
                          f"{f.message(lang)}", highlight=False, markup=False)
