"""Random but type-correct records for any form, from its declaration (no per-form code)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from isms_xl.schema import Column, FormSpec, Kind


def random_value(col: Column, rng: random.Random, blank_rate: float = 0.1) -> Any:
    if col.is_computed:
        return None
    if not col.required and rng.random() < blank_rate:
        return None
    k = col.kind
    if k is Kind.LEVEL:
        return rng.randint(1, 3)
    if k in (Kind.INT, Kind.MONEY):
        return rng.randint(0, 200)
    if k in (Kind.NUMBER, Kind.PERCENT):
        return rng.choice([rng.randint(0, 100), round(rng.uniform(0, 100), 2)])
    if k is Kind.ENUM:
        return rng.choice(col.enum)
    if k in (Kind.DATE, Kind.MONTH):
        return dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
    if k is Kind.DATETIME:
        return dt.datetime(2026, 1, 1, 9, 0) + dt.timedelta(minutes=rng.randint(0, 500_000))
    if k is Kind.TIME:
        return dt.time(rng.randint(8, 19), rng.choice([0, 15, 30, 45]))
    if k is Kind.CONTROLS:
        return [f"A.{rng.randint(5, 8)}.{rng.randint(1, 14)}"]
    if k is Kind.IDS:
        return [f"{col.ref}-{rng.randint(1, 99):03d}"]
    return f"{col.ja}{rng.randint(1, 999)}"


def random_record(spec: FormSpec, rng: random.Random, index: int) -> dict[str, Any]:
    record = {col.key: random_value(col, rng) for col in spec.columns}
    record[spec.id_column.key] = f"{spec.form_id}-{index + 1:03d}"
    for tab in spec.tables:
        record[tab.key] = [{c.key: random_value(c, rng, 0.2) for c in tab.columns} for _ in range(rng.randint(1, tab.rows))]
    return record
