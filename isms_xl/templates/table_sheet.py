"""A table form (台帳) sheet: document-control block, an Excel table of records with live formulas,
drop-downs and band colours, frozen header, A4 print setup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from isms_xl.content import FormContent, overrides_of
from isms_xl.expr import evaluate_record
from isms_xl.layout import TABLE_HEADER_ROW, a1, col_letter, table_layout
from isms_xl.method import Method
from isms_xl.schema import Column
from isms_xl.templates.cells import band_colours, num_format, validation_for, write_computed, write_input, write_value
from isms_xl.templates.doc_block import write_doc_block
from isms_xl.templates.formats import Formats

FORMATTED_ROWS = 1000  # drop-downs and colour rules reach this far below the header


@dataclass
class SheetResult:
    sheet: str
    cells: dict[tuple[int, str], str] = field(default_factory=dict)  # (record index, key) -> "C12"
    computed: dict[tuple[int, str], Any] = field(default_factory=dict)  # Python's value per computed cell


def _env(record: dict[str, Any], layout_columns: tuple[Column, ...]) -> dict[str, Any]:
    env = dict(record)
    groups: dict[str, list[Any]] = {}
    for col in layout_columns:
        if col.group:
            groups.setdefault(col.group, []).append(record.get(col.key))
    env.update(groups)
    return env


def write_table_sheet(wb: Workbook, fmts: Formats, content: FormContent, method: Method,
                      table_name: str) -> SheetResult:
    spec, lang = content.spec, content.lang
    sheet = content.sheet_name or spec.name(lang)[:31]
    ws: Worksheet = wb.add_worksheet(sheet)
    layout = table_layout(spec, content.omit, content.extra)
    header_row, first = TABLE_HEADER_ROW, TABLE_HEADER_ROW + 1
    result = SheetResult(sheet)

    write_doc_block(wb, ws, fmts, content, last_col=max(layout.width - 1, 7))
    legend = ("見出し: 赤字=必須、灰色=自動計算（数式）。行を追加するときは表の最終行の下に入力してください。"
              if lang == "ja" else "Headers: red = required, grey = computed (formula). Add rows directly below the table.")
    ws.write_string(header_row - 1, 0, legend, fmts.note())

    n_rows = max(len(content.records) + content.spare_rows, 1)
    last = first + n_rows - 1
    headers = [c.header(lang) for c in layout.columns] + list(content.extra)
    ws.add_table(header_row, 0, last, layout.width - 1, {
        "name": table_name,
        "style": "Table Style Light 1",
        "columns": [{"header": h, "header_format": fmts.header(i < len(layout.columns) and layout.columns[i].is_computed,
                                                               i < len(layout.columns) and layout.columns[i].required)}
                    for i, h in enumerate(headers)],
    })
    ws.set_row(header_row, 36)

    rows: list[dict[str, Any] | None] = list(content.records) + [{}] * content.spare_rows
    for i, record in enumerate(rows):
        row = first + i
        if record is None:  # a blank row the user left inside the data
            continue
        refs = layout.refs(row)
        values = evaluate_record(layout.columns, _env(record, layout.columns), method)
        overrides = overrides_of(record)
        for c, col in enumerate(layout.columns):
            ov = overrides.get(col.key)
            value = values[col.key] if col.computed is not None else record.get(col.key)
            fill = font = None
            if col.band_of:
                fill, font = band_colours(method, values.get(col.band_of, record.get(col.band_of)), ov)
            fmt = fmts.cell(num_format(col), fill=fill, font=font, wrap=col.long)
            if col.computed is not None:
                write_computed(ws, row, c, col, refs, method, value, fmt, ov)
                if i < len(content.records):
                    result.computed[(i, col.key)] = value
            else:
                write_input(ws, row, c, value, fmt, ov)
            if i < len(content.records):
                result.cells[(i, col.key)] = a1(row, c)
        for j, header in enumerate(content.extra):
            write_value(ws, row, len(layout.columns) + j, record.get(header), fmts.cell())

    # Rows under the table's end: people keep typing there when they miss the table.
    for k, record in enumerate(content.below):
        row = last + 1 + k
        for c, col in enumerate(layout.columns):
            if col.computed is None:
                write_value(ws, row, c, record.get(col.key), fmts.cell(num_format(col)))
            result.cells[(len(rows) + k, col.key)] = a1(row, c)

    _decorate(ws, fmts, content, layout.columns, method, header_row, first, lang)
    return result


def _decorate(ws: Worksheet, fmts: Formats, content: FormContent, columns: tuple[Column, ...], method: Method,
              header_row: int, first: int, lang: str) -> None:
    spec = content.spec
    end = first + max(FORMATTED_ROWS, len(content.records) + content.spare_rows) - 1
    for c, col in enumerate(columns):
        ws.set_column(c, c, col.width or 12)
        dv = validation_for(col, lang)
        if dv and col.computed is None:
            ws.data_validation(first, c, end, c, dv)
        if col.band_of:
            value_col = col_letter(next(i for i, x in enumerate(columns) if x.key == col.band_of))
            for band, formula in method.band_conditions(f"${value_col}{first + 1}"):
                ws.conditional_format(first, c, end, c, {
                    "type": "formula", "criteria": "=" + formula,
                    "format": fmts.get(bg_color="#" + band.fill, pattern=1, font_color="#" + band.font),
                })
    for j, _ in enumerate(content.extra):
        ws.set_column(len(columns) + j, len(columns) + j, 14)
    ws.freeze_panes(first, 1)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    name = spec.name(lang).replace("&", "&&")
    ws.set_header(f"&L{spec.doc_number}&C{name}&R&D")
    ws.set_footer("&C&P / &N")
    ws.print_area(0, 0, max(first + len(content.records), first + 1), len(columns) + len(content.extra) - 1)
