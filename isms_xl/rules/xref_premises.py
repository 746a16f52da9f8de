"""XREF-080, 081: the entry and exit log (B-14) — Annex A 7.2 (physical entry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.forms.b14_entry_log import EXTERNAL
from isms_xl.rules._util import day_of as _day
from isms_xl.rules.registry import CheckContext, rule


@rule("XREF-080", "error", ("B-14",), "外部の入室者に立会者がいない、退室時刻が入室時刻より前",
      "B-14 visitor without escort; exit before entry")
def xref_080(ctx: CheckContext) -> Iterator[Finding]:
    for e in ctx.records("B-14"):
        if e.values.get("kind") == EXTERNAL and e.values.get("escort") is None:
            yield ctx.at("B-14", e, "escort", None, "外部の入室者ですが立会者が記入されていません",
                         "Visitor (外部) without an escort")
        entered, left = e.values.get("entered_at"), e.values.get("left_at")
        if isinstance(entered, dt.time) and isinstance(left, dt.time) and left < entered:
            yield ctx.at("B-14", e, "left_at", left,
                         f"退室時刻 {left:%H:%M} が入室時刻 {entered:%H:%M} より前です",
                         f"Exit time {left:%H:%M} is before the entry time {entered:%H:%M}")


@rule("XREF-081", "warning", ("B-14",), "退室時刻の記入がない", "B-14 entry without exit time")
def xref_081(ctx: CheckContext) -> Iterator[Finding]:
    for e in ctx.records("B-14"):
        day = _day(e.values.get("entry_on"))
        # Without a date, or on today's log, the person may still be inside: nothing to judge yet.
        if day is None or day >= ctx.today or e.values.get("left_at") is not None:
            continue
        yield ctx.at("B-14", e, "left_at", None, f"{day} の入室に退室時刻が記入されていません",
                     f"The entry of {day} has no exit time")
