"""The Excel side of the migration: the new A-02 (built like a template, so it has the form's
drop-downs, widths and print setup), the report workbook, and the migrated copies of the risk
forms (patched losslessly: only the control-reference cells change).

Every file is written through ``io.atomic.safe_replace``: a temporary file in the same folder,
then a rename, so an interrupted run leaves no half-written workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import xlsxwriter

from isms_xl.content import FormContent
from isms_xl.forms import FORMS
from isms_xl.io.atomic import safe_replace
from isms_xl.method import DEFAULT_METHOD, Method
from isms_xl.migrate.report import CONTROL_COLUMNS, REF_COLUMNS, MigrationReport
from isms_xl.migrate.soa import SoaMigration
from isms_xl.schema import DocControl
from isms_xl.templates.build import build_workbook

REPORT_SHEETS = {"ja": ("移行結果", "参照の移行"), "en": ("Controls", "References")}
DECIDE_FILL = "#FFEB9C"  # the yellow of "decide case by case" in the method's bands
REVIEW_FILL = "#DDEBF7"


def write_new_file(target: Path, produce: Callable[[Path], None], verify: Callable[[Path], None] | None = None) -> None:
    """A brand-new file (or one --force lets us replace) written atomically, without a backup;
    ``verify(tmp)`` may refuse the new content before it takes the target's name."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    safe_replace(Path(target), produce, expected_sha256=None, backups=0, verify=verify)


def soa_content(migration: SoaMigration, old_doc: DocControl, lang: str, today: dt.date) -> FormContent:
    spec = FORMS["A-02"]
    # A new edition of the SoA: it needs the president's approval again, so approver and date
    # are left blank; when it was first established stays.
    doc = DocControl(doc_number=spec.doc_number, doc_title=spec.name(lang), version=_next_version(old_doc.version),
                     established_on=old_doc.established_on, revised_on=today, author=old_doc.author or spec.drafter)
    records = [dict(c.values) for c in migration.controls]
    return FormContent(spec, doc, records, lang=lang)


def _next_version(version: str) -> str:
    """"1.2" → "2.0": moving to the 2022 Annex is a major revision. Anything else → "2.0"."""
    try:
        major = int(float(str(version).strip() or "1"))
    except ValueError:
        return "2.0"
    return f"{major + 1}.0"


def write_soa(migration: SoaMigration, old_doc: DocControl, target: Path, *, lang: str = "ja",
              today: dt.date | None = None, method: Method = DEFAULT_METHOD) -> None:
    content = soa_content(migration, old_doc, lang, today or dt.date.today())
    wanted = [r["control_id"] for r in content.records]

    def verify(tmp: Path) -> None:
        # Read back as any SoA is read: the 93 controls, in catalog order, and nothing else.
        from isms_xl.reader import read_form

        got = [str(r.raw.get("control_id") or r.values.get("control_id") or "") for r in read_form(tmp, "A-02").records]
        if [g.removeprefix("A.") for g in got] != wanted:
            raise ValueError(f"read back {len(got)} controls, expected {len(wanted)}")

    write_new_file(target, lambda tmp: build_workbook([content], tmp, method), verify)


def write_report_xlsx(report: MigrationReport, target: Path, *, lang: str = "ja") -> None:
    write_new_file(target, lambda tmp: _report_workbook(report, tmp, lang))


def write_report_text(report: MigrationReport, target: Path, *, lang: str = "ja") -> None:
    data = report.text(lang).encode("utf-8")

    def produce(tmp: Path) -> None:
        tmp.write_bytes(data)

    write_new_file(target, produce)


def _report_workbook(report: MigrationReport, path: Path, lang: str) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "top"})
    cell = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    decide = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "bg_color": DECIDE_FILL})
    review = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "bg_color": REVIEW_FILL})
    title = wb.add_format({"bold": True, "font_size": 12})
    ja = lang == "ja"
    n = report.counts()
    ws = wb.add_worksheet(REPORT_SHEETS[lang][0])
    ws.write_string(0, 0, "適用宣言書の移行（ISO/IEC 27001:2013 → 2022）" if ja else "SoA migration (ISO/IEC 27001:2013 → 2022)", title)
    ws.write_string(1, 0, ("移行元: " if ja else "From: ") + report.source)
    ws.write_string(2, 0, ("移行先: " if ja else "To: ") + report.target)
    ws.write_string(3, 0, (f"適用 {n['applicable']} / 除外 {n['excluded']} / 要判断 {n['undecided']}；判断が必要 {n['decide']} 件、確認推奨 {n['review']} 件"
                           if ja else f"{n['applicable']} applicable / {n['excluded']} excluded / {n['undecided']} undecided; "
                           f"{n['decide']} need a decision, {n['review']} to review"))
    _table(ws, 5, CONTROL_COLUMNS, report.control_rows(lang), lang, head, cell,
           lambda row: decide if row["action"] in ("要判断", "decide") else review if row["action"] else cell)
    ws2 = wb.add_worksheet(REPORT_SHEETS[lang][1])
    refs = [{"workbook": r.workbook, "form": r.form, "cell": f"'{r.sheet}'!{r.cell}", "record": r.record,
             "old": r.old, "new": r.new, "note": r.note_ja if ja else r.note_en} for r in report.refs]
    _table(ws2, 0, REF_COLUMNS, refs, lang, head, cell, lambda row: review if row["note"] else cell)
    wb.close()


def _table(ws, top: int, columns: Sequence[tuple[str, str, str, int]], rows: list[dict[str, str]], lang: str,
           head, cell, fmt_of) -> None:
    for c, (_key, hja, hen, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(top, c, hja if lang == "ja" else hen, head)
    for r, row in enumerate(rows, start=top + 1):
        fmt = fmt_of(row)
        for c, (key, *_rest) in enumerate(columns):
            # write_string: a text from the user's workbook that starts with "=" stays text.
            ws.write_string(r, c, str(row.get(key) or ""), fmt)
    ws.autofilter(top, 0, top + max(len(rows), 1), len(columns) - 1)
    ws.freeze_panes(top + 1, 1)
    # Printed for the management review that approves the new SoA: A4 landscape, one page wide.
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)


__all__ = ["write_soa", "write_report_xlsx", "write_report_text", "soa_content", "write_new_file"]
