"""A card form (帳票) sheet: one record per sheet, printable on A4, each field a labelled merged
cell with a sheet-scoped defined name, then the embedded tables."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from isms_xl.content import FormContent, overrides_of
from isms_xl.expr import evaluate_record
from isms_xl.layout import (CARD_COLUMN_WIDTHS, CARD_LABEL_COL, CARD_VALUE_FIRST, CARD_VALUE_LAST, TITLE_ROW, a1,
                            card_layout, defined_name, quote_sheet)
from isms_xl.method import Method
from isms_xl.templates.cells import num_format, validation_for, write_computed, write_input, write_value
from isms_xl.templates.formats import Formats
from isms_xl.templates.table_sheet import SheetResult


def card_env(record: dict[str, Any], content: FormContent) -> dict[str, Any]:
    env = dict(record)
    for tab in content.spec.tables:
        rows = record.get(tab.key) or []
        for col in tab.columns:
            env[f"{tab.key}.{col.key}"] = [r.get(col.key) for r in rows]
    return env


def write_card_sheet(wb: Workbook, fmts: Formats, content: FormContent, method: Method, record: dict[str, Any],
                     sheet: str, index: int) -> SheetResult:
    spec, lang = content.spec, content.lang
    ws = wb.add_worksheet(sheet)
    rows_needed = {t.key: len(record.get(t.key) or []) for t in spec.tables}
    layout = card_layout(spec, rows_needed)
    result = SheetResult(sheet)
    scope = quote_sheet(sheet)
    for c, width in enumerate(CARD_COLUMN_WIDTHS):
        ws.set_column(c, c, width)

    ws.merge_range(TITLE_ROW, CARD_LABEL_COL, TITLE_ROW, CARD_VALUE_LAST, spec.name(lang), fmts.title())
    ws.set_row(TITLE_ROW, 26)
    ws.merge_range(TITLE_ROW + 1, CARD_LABEL_COL, TITLE_ROW + 1, CARD_VALUE_LAST, spec.doc_number,
                   fmts.get(align="right", font_size=9))

    values = evaluate_record(spec.columns, card_env(record, content), method)
    overrides = overrides_of(record)
    refs = layout.refs()
    for col in spec.columns:
        row, vcol = layout.value_cell(col.key)
        ws.write_string(row, CARD_LABEL_COL, col.header(lang), fmts.label())
        fmt = fmts.cell(num_format(col), wrap=True, align="left")
        ws.merge_range(row, CARD_VALUE_FIRST, row, CARD_VALUE_LAST, "", fmt)
        ov = overrides.get(col.key)
        if col.computed is not None:
            write_computed(ws, row, vcol, col, refs, method, values[col.key], fmt, ov)
            result.computed[(index, col.key)] = values[col.key]
        else:
            write_input(ws, row, vcol, record.get(col.key), fmt, ov)
        result.cells[(index, col.key)] = a1(row, vcol)
        ws.set_row(row, 48 if col.long else 20)
        dv = validation_for(col, lang)
        if dv and col.computed is None:
            ws.data_validation(row, vcol, row, vcol, dv)
        wb.define_name(f"{scope}!{defined_name(col.key)}", f"={scope}!{a1(row, vcol, True)}")

    for place in layout.tables:
        tab = place.table
        ws.merge_range(place.title_row, CARD_LABEL_COL, place.title_row, CARD_VALUE_LAST,
                       tab.ja if lang == "ja" else tab.en, fmts.get(bold=True, valign="vcenter"))
        for j, tcol in enumerate(tab.columns):
            c = CARD_LABEL_COL + j
            fmt = fmts.header(False, tcol.required)
            if j == len(tab.columns) - 1 and c < CARD_VALUE_LAST:
                ws.merge_range(place.header_row, c, place.header_row, CARD_VALUE_LAST, "", fmt)
            ws.write_string(place.header_row, c, tcol.header(lang), fmt)
        ws.set_row(place.header_row, 30)
        data = list(record.get(tab.key) or [])
        for k in range(place.rows):
            row = place.first_data_row + k
            item = data[k] if k < len(data) else {}
            if not data and k < len(tab.default_rows):
                item = dict(zip((c.key for c in tab.columns), tab.default_rows[k]))
            for j, tcol in enumerate(tab.columns):
                c = CARD_LABEL_COL + j
                fmt = fmts.cell(num_format(tcol), wrap=True)
                if j == len(tab.columns) - 1 and c < CARD_VALUE_LAST:
                    # The last column (remarks, contents) takes the rest of the printed width.
                    ws.merge_range(row, c, row, CARD_VALUE_LAST, "", fmt)
                write_value(ws, row, c, item.get(tcol.key), fmt)
                if k < len(data):
                    result.cells[(index, f"{tab.key}[{k}].{tcol.key}")] = a1(row, CARD_LABEL_COL + j)
        for j, tcol in enumerate(tab.columns):
            dv = validation_for(tcol, lang)
            if dv:
                c = CARD_LABEL_COL + j
                ws.data_validation(place.first_data_row, c, place.last_data_row, c, dv)
        wb.define_name(f"{scope}!{defined_name(tab.key)}",
                       f"={scope}!{a1(place.header_row, CARD_LABEL_COL, True)}:"
                       f"{a1(place.last_data_row, CARD_LABEL_COL + len(tab.columns) - 1, True)}")

    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.6)
    ws.set_header(f"&L{spec.doc_number}&C{spec.name(lang).replace('&', '&&')}&R{sheet.replace('&', '&&')}")
    ws.set_footer("&C&P / &N")
    ws.print_area(0, 0, layout.last_row, CARD_VALUE_LAST)
    return result
