"""Values computed from other forms (no Excel formula can reach across workbooks): the SoA's
採用理由:リスク対応 and 関連リスクID from B-02/B-03, B-19's 最新継続評価日 from B-18.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from operator import is_not
from typing import Any

from isms_xl.forms.a02_soa import MARK
from isms_xl.reader.model import Form, Record, shared_column, values_column
from isms_xl.schema import FormSpec


def _as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def risks_by_control(b02: Form, b03: Form | None,
                     column: Callable[[str, list[Record], str], list[Any]] | None = None) -> dict[str, list[str]]:
    """Control id -> the B-02 risk ids that select it, directly or through a B-03 plan, in B-02
    order (the SoA's traceability column). ``column(form_id, records, key)``: the records'
    values of ``key`` (a check run's shared columns; by default read from the records)."""
    column = column or (lambda form_id, records, key: values_column(records, key))
    risk_ids = column("B-02", b02.records, "risk_id")
    order = {str(rid): i for i, rid in enumerate(filter(partial(is_not, None), risk_ids))}
    by_control: dict[str, dict[str, None]] = {}  # insertion-ordered sets: linear on large registers
    for rid, controls in zip(risk_ids, column("B-02", b02.records, "controls")):
        if rid is None or controls is None:
            continue
        for cid in controls if controls.__class__ is tuple else _as_tuple(controls):
            by_control.setdefault(cid, {})[rid] = None
    if b03 is not None:
        for risks, controls in zip(column("B-03", b03.records, "risk_ids"), column("B-03", b03.records, "controls")):
            if controls is None:
                continue
            risks = [r for r in _as_tuple(risks) if r in order]
            for cid in _as_tuple(controls):
                related = by_control.setdefault(cid, {})
                for r in risks:
                    related[r] = None
    return {cid: sorted(related, key=lambda r: order.get(r, len(order))) for cid, related in by_control.items()}


BY_CONTROL_KEY = "soa.by_risk"  # where a run's cache keeps risks_by_control (the rules share it)


def derive(spec: FormSpec, form: Form, others: Mapping[str, Form],
           cache: dict[str, Any] | None = None) -> dict[tuple[int, str], Any]:
    """(record index, column key) -> the value computed from the other forms; empty when the
    forms it needs are not given. ``cache``: a check run's, so the traceability of a large risk
    register is built once."""
    out: dict[tuple[int, str], Any] = {}
    if spec.form_id == "A-02" and "B-02" in others:
        if cache is not None and BY_CONTROL_KEY in cache:
            by_control = cache[BY_CONTROL_KEY]
        else:
            shared = None if cache is None else partial(shared_column, cache)  # a check run's columns
            by_control = risks_by_control(others["B-02"], others.get("B-03"), shared)
            if cache is not None:
                cache[BY_CONTROL_KEY] = by_control
        for i, record in enumerate(form.records):
            related = by_control.get(record.values.get("control_id") or "", [])
            out[(i, "reason_risk")] = MARK if related else None
            out[(i, "related_risks")] = tuple(related) or None
    if spec.form_id == "B-19" and "B-18" in others:
        latest: dict[str, Any] = {}
        for evaluation in others["B-18"].records:
            sid, day = evaluation.values.get("supplier_id"), evaluation.values.get("evaluated_on")
            if sid is not None and day is not None and (sid not in latest or day > latest[sid]):
                latest[sid] = day
        for i, record in enumerate(form.records):
            out[(i, "last_evaluated_on")] = latest.get(record.values.get("supplier_id"))
    return out
