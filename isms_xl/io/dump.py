"""A canonical dump of a workbook: what a person would call its content (values, formulas, number
formats, fills, merges, validation, conditional formats, tables, defined names, print setup),
without what changes on every save (timestamps, zip order, style ids). Golden tests and
round-trip checks compare dumps, not bytes (as XlsxWriter's own comparison tests do)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def _fill(cell) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type is None:
        return None
    return str(fill.fgColor.rgb) if fill.fgColor is not None else None


def dump_workbook(path: Path | str) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path, rich_text=False)
    out: dict[str, Any] = {
        "sheets": [ws.title for ws in wb.worksheets],
        "names": sorted((n, str(d.attr_text)) for n, d in wb.defined_names.items()),
    }
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and _fill(c) is None:
                    continue
                cells[c.coordinate] = (c.value if not hasattr(c.value, "isoformat") else c.value.isoformat(),
                                       c.number_format, _fill(c), bool(c.font and c.font.b))
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validation": sorted((str(dv.sqref), dv.type, dv.formula1, dv.errorStyle) for dv in ws.data_validations.dataValidation),
            "conditional": sorted(
                (str(rng.sqref), rule.type, tuple(rule.formula or ()),
                 str(rule.dxf.fill.bgColor.rgb) if rule.dxf and rule.dxf.fill else None)
                for rng in ws.conditional_formatting for rule in rng.rules),
            "tables": sorted((t.name, t.ref, tuple(c.name for c in t.tableColumns)) for t in ws.tables.values()),
            "names": sorted((n, str(d.attr_text)) for n, d in ws.defined_names.items()),
            "freeze": ws.freeze_panes,
            "widths": sorted((k, round(v.width, 2)) for k, v in ws.column_dimensions.items() if v.width),
            "print": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.oddHeader.center.text,
                      str(ws.print_area) if ws.print_area else None),
        }
    return out
