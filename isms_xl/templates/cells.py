"""Writing one value, one computed cell, one drop-down: shared by table and card sheets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xlsxwriter.worksheet import Worksheet

from isms_xl.content import MISSING, CellOverride
from isms_xl.expr import Refs, _blank
from isms_xl.method import Method
from isms_xl.schema import Column, Kind

_NUM_OF_KIND = {
    Kind.DATE: "date",
    Kind.DATETIME: "datetime",
    Kind.TIME: "time",
    Kind.MONTH: "month",
    Kind.MONEY: "money",
    Kind.PERCENT: "percent",
}


def num_format(col: Column) -> str | None:
    return _NUM_OF_KIND.get(col.kind)


def display(value: Any) -> Any:
    """Lists (ids, controls) as one comma-separated cell, the way people type them."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt) -> None:
    value = display(value)
    if value is None or value is MISSING:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime, dt.time)):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        # write_string, not write(): a user's "=..." or "1/2" text must stay text.
        ws.write_string(row, col, str(value), fmt)


def band_colours(method: Method, value: Any, override: CellOverride | None) -> tuple[str | None, str | None]:
    """Static fill and font for a banded cell: its band's, or the override's (seeded defects)."""
    if override is not None and override.fill_band:
        if override.fill_band == "none":
            return None, None
        band = next(b for b in method.bands if b.key == override.fill_band)
        return band.fill, band.font
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        band = method.band(value)
        return band.fill, band.font
    return None, None


def write_computed(ws: Worksheet, row: int, col: int, column: Column, refs: Refs, method: Method,
                   value: Any, fmt, override: CellOverride | None) -> None:
    """A live formula with its correct cached value, or a seeded deviation from that."""
    if override is not None and override.constant is not MISSING:
        write_value(ws, row, col, override.constant, fmt)
        return
    cached = value
    if override is not None and override.cached is not MISSING:
        cached = override.cached
    formula = column.computed.formula(refs, method)
    ws.write_formula(row, col, formula, fmt, "" if _blank(cached) else cached)


def write_input(ws: Worksheet, row: int, col: int, value: Any, fmt, override: CellOverride | None) -> None:
    if override is not None and override.formula:
        ws.write_formula(row, col, override.formula, fmt, override.formula_value)
    elif override is not None and override.raw is not MISSING:
        write_value(ws, row, col, override.raw, fmt)
    else:
        write_value(ws, row, col, value, fmt)


def validation_for(column: Column, lang: str) -> dict[str, Any] | None:
    """Drop-downs for levels and enums (stop), soft checks for numbers and dates (warning, since
    people legitimately type era dates and the reader accepts them)."""
    title = column.header(lang)[:32]
    rule = column.rule or ""
    if column.kind is Kind.LEVEL:
        msg = "1（低）・2（中）・3（高）から選択" if lang == "ja" else "Choose 1 (low), 2 (medium) or 3 (high)"
        return {"validate": "list", "source": ["1", "2", "3"], "input_title": title, "input_message": msg,
                "error_title": title, "error_message": msg}
    if column.kind is Kind.ENUM and column.enum and not column.derived_from:
        msg = ("選択: " if lang == "ja" else "Choose: ") + " / ".join(column.enum)
        return {"validate": "list", "source": list(column.enum), "input_title": title,
                "input_message": (msg + ("\n" + rule if rule else ""))[:255], "error_title": title,
                "error_message": msg[:255]}
    if column.kind in (Kind.INT, Kind.MONEY):
        minimum = int(column.minimum or 0)
        msg = (f"{minimum}以上の整数" if lang == "ja" else f"A whole number ≥ {minimum}")
        return {"validate": "integer", "criteria": ">=", "value": minimum, "error_type": "warning",
                "input_title": title, "input_message": msg, "error_message": msg}
    if column.kind in (Kind.DATE, Kind.MONTH):
        msg = "日付（例: 2026/4/1）" if lang == "ja" else "A date, e.g. 2026-04-01"
        return {"validate": "date", "criteria": ">=", "value": dt.date(1990, 1, 1), "error_type": "warning",
                "input_title": title, "input_message": msg + ("\n" + rule if rule else ""), "error_message": msg}
    if rule:
        return {"validate": "any", "input_title": title, "input_message": rule[:255]}
    return None
