"""XREF-060 … 062: monitoring and measurement (§9.1) — B-10 against the SoA, B-11's annual
February reviews, B-26's monthly actuals (method.md "Fiscal year")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from isms_xl.controls import short_id
from isms_xl.findings import Finding
from isms_xl.forms.a02_soa import APPLICABLE, EXCLUDED
from isms_xl.forms.b11_effectiveness_review import SUBJECTS
from isms_xl.forms.b26_security_objectives import MONTH_COLUMNS
from isms_xl.rules.registry import CheckContext, rule

EVALUATION_MONTH = 2  # the annual §9.1 evaluations happen every February (method.md)
MONTH_KEYS = {int(c.key[1:]): c.key for c in MONTH_COLUMNS}  # 4 -> "m04"


@rule("XREF-060", "error", ("B-10", "A-02"), "B-10の管理策が適用宣言書で適用になっていない",
      "B-10 control id not applicable in the SoA")
def xref_060(ctx: CheckContext) -> Iterator[Finding]:
    soa = {str(r.values["control_id"]): r.values.get("applicable") for r in ctx.records("A-02")
           if r.values.get("control_id") is not None}
    for m in ctx.records("B-10"):
        cid = m.values.get("control_id")
        if cid is None or str(cid) not in ctx.catalog:
            continue  # an id outside the catalog is XREF-007
        state = soa.get(str(cid))
        if str(cid) not in soa or state == EXCLUDED:
            why_ja, why_en = ("除外（×）", "excluded (×)") if state == EXCLUDED else ("記載なし", "not listed")
            yield ctx.at("B-10", m, "control_id", cid,
                         f"測定している管理策 {short_id(str(cid))} が適用宣言書で適用（{APPLICABLE}）になっていません（{why_ja}）",
                         f"Measured control {short_id(str(cid))} is not applicable in the SoA ({why_en})")


def latest_february(ctx: CheckContext) -> dt.date:
    """The first day of the latest February that has begun by today: the annual evaluation
    whose reviews must be on record (the evaluation of that February's fiscal year)."""
    year = ctx.today.year if ctx.today.month >= EVALUATION_MONTH else ctx.today.year - 1
    return dt.date(year, EVALUATION_MONTH, 1)


@rule("XREF-061", "warning", ("B-11",), "§9.1の各対象について今年度2月以降のレビューがない",
      "no B-11 review of each §9.1 subject in the current fiscal year after its February")
def xref_061(ctx: CheckContext) -> Iterator[Finding]:
    since = latest_february(ctx)
    fy = ctx.config.fiscal_year(since)
    reviewed = {r.values.get("subject") for r in ctx.records("B-11")
                if r.values.get("evaluated_on") is not None and r.values["evaluated_on"] >= since}
    header = ctx.header_cell("B-11", "review_id")
    for subject in SUBJECTS:
        if subject not in reviewed:
            yield ctx.at("B-11", None, None, subject,
                         f"「{subject}」の{fy}年度の評価（{since:%Y年%m月}以降のレビュー）がありません（§9.1：毎年2月に分析・評価）",
                         f"No review of '{subject}' for fiscal year {fy} (none dated {since:%Y-%m} or later; "
                         f"§9.1 evaluates every February)",
                         cell=header)


def elapsed_months(ctx: CheckContext) -> list[int]:
    """The months of the current fiscal year that have ended by today, first month first."""
    start = dt.date(ctx.config.fiscal_year(ctx.today), ctx.config.fiscal_year_start, 1)
    months, index = [], start.year * 12 + start.month - 1
    while index < ctx.today.year * 12 + ctx.today.month - 1:
        months.append(index % 12 + 1)
        index += 1
    return months


@rule("XREF-062", "warning", ("B-26",), "経過した月の実績が空欄の目標",
      "B-26 objective with a missing monthly actual for an elapsed month")
def xref_062(ctx: CheckContext) -> Iterator[Finding]:
    keys = [MONTH_KEYS[m] for m in elapsed_months(ctx) if MONTH_KEYS[m] in ctx.form("B-26").columns]
    for o in ctx.records("B-26"):
        missing = [k for k in keys if o.values.get(k) is None and k not in o.raw]
        if missing:
            months = "、".join(f"{int(k[1:])}月" for k in missing)
            yield ctx.at("B-26", o, missing[0], None,
                         f"目標 {o.values.get('objective_id') or ''} の経過した月（{months}）の実績が空欄です",
                         f"Objective {o.values.get('objective_id') or ''}: no actual for the elapsed month(s) "
                         f"{', '.join(k[1:] for k in missing)}")
