"""Small helpers the rule modules share: how a rule reads a value that may be blank, a date, one
reference or several."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isms_xl.reader.model import Record


def ids_of(value: Any) -> tuple[str, ...]:
    """A reference cell's ids: single references are read as plain str, several as a tuple."""
    if value.__class__ is str:  # the common case first: one plain reference
        return (value,) if value else ()
    if value is None:
        return ()
    return tuple(map(str, value)) if isinstance(value, (tuple, list)) else (str(value),)


def day_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def written(r: Record, key: str) -> bool:
    """Something is in the cell, even a value that could not be read (READ-003/006 report that)."""
    return r.values.get(key) not in (None, (), "") or key in r.raw
