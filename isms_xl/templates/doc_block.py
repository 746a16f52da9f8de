"""The document-control block (forms.md "Common to every form") and its defined names."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from isms_xl.content import FormContent
from isms_xl.layout import TITLE_ROW, a1, doc_cell, quote_sheet
from isms_xl.schema import DOC_FIELDS, Kind
from isms_xl.templates.cells import write_value
from isms_xl.templates.formats import Formats


def write_doc_block(wb: Workbook, ws: Worksheet, fmts: Formats, content: FormContent, last_col: int) -> None:
    spec, doc, lang = content.spec, content.doc, content.lang
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, min(last_col, 7), spec.name(lang), fmts.title())
    ws.set_row(TITLE_ROW, 24)
    for field in DOC_FIELDS:
        row, col = doc_cell(field)
        ws.write_string(row, col - 1, field.ja if lang == "ja" else field.en, fmts.label())
        num = "date" if field.kind is Kind.DATE else None
        write_value(ws, row, col, doc.get(field.key), fmts.cell(num, wrap=True))
        # Sheet-scoped, so several forms can share a workbook (one per sheet).
        wb.define_name(f"{quote_sheet(ws.name)}!{field.name}", f"={quote_sheet(ws.name)}!{a1(row, col, True)}")
    approver_row, approver_col = doc_cell(DOC_FIELDS[6])
    ws.data_validation(approver_row, approver_col, approver_row, approver_col, {
        "validate": "any",
        "input_title": "承認者" if lang == "ja" else "Approver",
        "input_message": (f"§7.5.2: {spec.approver.value} が承認" if lang == "ja"
                          else f"§7.5.2: approved by {spec.approver.value}"),
    })
