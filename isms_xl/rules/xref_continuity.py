"""XREF-040, 041: business continuity — B-05 assessment, B-06 plans, B-07 tests (Annex A 5.29, 5.30)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from isms_xl.findings import Finding
from isms_xl.forms.b05_bc_risk_assessment import PLAN_REQUIRED_FROM
from isms_xl.forms.b07_bcp_test_records import FAIL
from isms_xl.reader.model import Record
from isms_xl.rules._util import ids_of as _refs, is_number as _number, written as _written
from isms_xl.rules.registry import CheckContext, rule


def _bc_risk(p: Record) -> Any:
    impact, likelihood = p.values.get("impact"), p.values.get("likelihood")
    return impact * likelihood if _number(impact) and _number(likelihood) else p.values.get("bc_risk")


def _failed(t: Record) -> bool:
    """不合格, from the hours when both are there (the 結果 cell may be stale: CALC-001)."""
    target, actual = t.values.get("target_rto_hours"), t.values.get("actual_hours")
    return actual > target if _number(target) and _number(actual) else t.values.get("result") == FAIL


@rule("XREF-040", "error", ("B-05", "B-06"), "RTOがMTPDを超える、BCリスク6以上で計画がない、IDが解決しない",
      "B-05 RTO > MTPD; BC risk ≥ 6 without a B-06 plan; B-06/B-07 ids that don't resolve")
def xref_040(ctx: CheckContext) -> Iterator[Finding]:
    yield from _rto_over_mtpd(ctx)
    yield from _plan_required(ctx)
    yield from _unresolved(ctx, "B-05", "plan_id", "B-06", "事業継続計画ID", "BC plan id")
    yield from _unresolved(ctx, "B-06", "process_ids", "B-05", "対象業務", "Process id")
    yield from _unresolved(ctx, "B-07", "plan_id", "B-06", "計画ID", "BC plan id")


def _rto_over_mtpd(ctx: CheckContext) -> Iterator[Finding]:
    for p in ctx.records("B-05"):
        rto, mtpd = p.values.get("rto_hours"), p.values.get("mtpd_hours")
        if _number(rto) and _number(mtpd) and rto > mtpd:
            yield ctx.at("B-05", p, "rto_hours", rto,
                         f"目標復旧時間 {rto} 時間が最大許容停止時間 {mtpd} 時間を超えています（RTO は MTPD 以下にしてください）",
                         f"RTO {rto} h exceeds the MTPD {mtpd} h (the RTO must be at most the MTPD)")


def _plan_required(ctx: CheckContext) -> Iterator[Finding]:
    for p in ctx.records("B-05"):
        risk = _bc_risk(p)
        if _number(risk) and risk >= PLAN_REQUIRED_FROM and not _written(p, "plan_id"):
            yield ctx.at("B-05", p, "plan_id", None,
                         f"BCリスク値 {risk} が {PLAN_REQUIRED_FROM} 以上ですが、事業継続計画ID（B-06）がありません",
                         f"BC risk {risk} is {PLAN_REQUIRED_FROM} or more without a business continuity plan id (B-06)")


def _unresolved(ctx: CheckContext, form_id: str, key: str, target: str, ja: str, en: str) -> Iterator[Finding]:
    known = set(ctx.form(target).ids())
    for r in ctx.records(form_id):
        missing = [i for i in _refs(r.values.get(key)) if i not in known]
        if missing:
            shown = ", ".join(missing)
            yield ctx.at(form_id, r, key, r.values.get(key), f"{ja} {shown} が {target} にありません",
                         f"{en}(s) {shown} not in {target}")


@rule("XREF-041", "error", ("B-06", "B-07"), "12か月以内にテストしていない計画、是正IDのない不合格のテスト",
      "a B-06 plan not tested (B-07) in the last 12 months; a failed test without 是正ID")
def xref_041(ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.months_ago(12)
    tested = {pid for t in ctx.records("B-07") if t.values.get("tested_on") is not None and t.values["tested_on"] >= limit
              for pid in _refs(t.values.get("plan_id"))}
    for plan in ctx.records("B-06"):
        pid = plan.values.get("plan_id")
        if pid is not None and str(pid) not in tested:
            yield ctx.at("B-06", plan, "plan_id", pid,
                         f"事業継続計画 {pid} のテスト（B-07）が直近12か月（{limit} 以降）にありません",
                         f"BC plan {pid} has no test (B-07) in the last 12 months (since {limit})")
    for t in ctx.records("B-07"):
        if _failed(t) and not _written(t, "corrective_id"):
            yield ctx.at("B-07", t, "corrective_id", None,
                         "テスト結果が不合格（実績復旧時間が目標を超過）ですが、是正ID（B-24）がありません",
                         "Failed test (actual recovery time over the target) without a corrective action id (B-24)")
