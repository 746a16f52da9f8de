"""RISK-001 … RISK-010: the risk method within B-01/B-02/B-03 (method.md, manual §6.1.2 – §6.1.8)."""

from __future__ import annotations

from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.forms.b02_risk_assessment import REDUCE, RETAIN
from isms_xl.forms.b03_treatment_plan import CANCELLED, DONE
from isms_xl.method import Method
from isms_xl.rules.registry import CheckContext, rule

_CIA = {"C": "confidentiality", "I": "integrity", "A": "availability",
        "機": "confidentiality", "完": "integrity", "可": "availability"}


_LEVELS = ("impact", "threat_level", "vulnerability_level")
_RESIDUAL = ("residual_threat_level", "residual_vulnerability_level")
_BLANKS = (None, (), "")


def _risk_values(ctx: CheckContext) -> list[float | None]:
    """Each B-02 record's risk value, None unless its impact, threat and vulnerability are all
    there; once per run (RISK-001, 003 and 004 read it)."""
    if "risk.values" not in ctx.cache:
        method = ctx.config.method
        ctx.cache["risk.values"] = _values(method, *(ctx.column("B-02", k) for k in _LEVELS))
    return ctx.cache["risk.values"]


def _residual_values(ctx: CheckContext) -> list[float | None]:
    """Each B-02 record's residual risk value: the residual impact (else the impact) with the
    residual threat and vulnerability; None unless all three are there."""
    if "risk.residual" not in ctx.cache:
        impacts = [ri or i for ri, i in zip(ctx.column("B-02", "residual_impact"), ctx.column("B-02", "impact"))]
        ctx.cache["risk.residual"] = _values(ctx.config.method, impacts, *(ctx.column("B-02", k) for k in _RESIDUAL))
    return ctx.cache["risk.residual"]


def _values(method: Method, impacts: list, threats: list, vulnerabilities: list) -> list[float | None]:
    if set(map(type, impacts)) | set(map(type, threats)) | set(map(type, vulnerabilities)) <= {int, float}:
        return method.risk_values(impacts, threats, vulnerabilities)  # every level there: in C
    value = method.risk_value
    return [value(i, t, v) if i is not None and t is not None and v is not None else None
            for i, t, v in zip(impacts, threats, vulnerabilities)]


@rule("RISK-001", "error", ("B-02",), "リスク値10以上を推進委員会承認なしで受容",
      "risk ≥ 10 retained without 推進委員会承認")
def risk_001(ctx: CheckContext) -> Iterator[Finding]:
    top = ctx.config.method.acceptable_max
    for r, v, treatment, approval in zip(ctx.records("B-02"), _risk_values(ctx), ctx.column("B-02", "treatment"),
                                         ctx.column("B-02", "committee_approval")):
        if v is not None and v > top and treatment == RETAIN and approval in _BLANKS:
            yield ctx.at("B-02", r, "committee_approval", None,
                         f"リスク値 {v:g} を受容していますが、推進委員会の承認（§6.1.2 ④）がありません",
                         f"Risk value {v:g} is retained without the ISMS committee's approval (§6.1.2 ④)")


@rule("RISK-002", "error", ("B-02",), "低減なのに管理策または対策後レベルがない",
      "低減 without controls, or without residual levels")
def risk_002(ctx: CheckContext) -> Iterator[Finding]:
    for r, treatment, controls, threat, vulnerability in zip(
            ctx.records("B-02"), ctx.column("B-02", "treatment"), ctx.column("B-02", "controls"),
            *(ctx.column("B-02", k) for k in _RESIDUAL)):
        if treatment != REDUCE:
            continue
        if controls in _BLANKS:
            yield ctx.at("B-02", r, "controls", None, "リスク対応が低減ですが管理策がありません",
                         "Treatment 低減 (reduce) without any control")
        missing = [k for k, value in zip(_RESIDUAL, (threat, vulnerability)) if value in _BLANKS]
        if missing:
            yield ctx.at("B-02", r, missing[0], None, "リスク対応が低減ですが対策後の脅威・ぜい弱性レベルがありません",
                         "Treatment 低減 (reduce) without the residual threat and vulnerability levels")


@rule("RISK-003", "error", ("B-02",), "残留リスク6超で所有者承認も追加対応もない",
      "residual risk > 6 and neither owner approval nor further treatment")
def risk_003(ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.config.method.accept_max
    for r, treatment, value, residual_value, approved in zip(
            ctx.records("B-02"), ctx.column("B-02", "treatment"), _risk_values(ctx), _residual_values(ctx),
            ctx.column("B-02", "owner_approved_on")):
        residual = residual_value if treatment == REDUCE else (value if treatment == RETAIN else None)
        if residual is not None and residual > limit and approved in _BLANKS:
            key = "residual_risk" if treatment == REDUCE else "owner_approved_on"
            yield ctx.at("B-02", r, key, residual,
                         f"残留リスク {residual:g} が {limit:g} を超えていますが、リスク所有者の承認も追加の対応もありません",
                         f"Residual risk {residual:g} exceeds {limit:g} with neither the risk owner's approval nor further treatment")


@rule("RISK-004", "warning", ("B-02",), "リスク値8〜9の受容に判断の記録がない",
      "risk 8–9 retained without a note of the decision")
def risk_004(ctx: CheckContext) -> Iterator[Finding]:
    m = ctx.config.method
    for r, v, treatment, notes in zip(ctx.records("B-02"), _risk_values(ctx), ctx.column("B-02", "treatment"),
                                      ctx.column("B-02", "notes")):
        if v is not None and m.accept_max < v <= m.acceptable_max and treatment == RETAIN and notes in _BLANKS:
            yield ctx.at("B-02", r, "notes", None, f"リスク値 {v:g}（受容可能）を受容した判断が備考に記録されていません",
                         f"Risk value {v:g} (acceptable) retained without a note of the decision")


@rule("RISK-005", "warning", ("B-01", "B-02"), "損害が資産価値より低く、理由の記載がない",
      "impact entered lower than the asset value for the affected properties, without a note")
def risk_005(ctx: CheckContext) -> Iterator[Finding]:
    assets = ctx.by_id("B-01")
    props_of: dict[str, tuple[str, ...]] = {}  # a register spells 影響 (C/I/A) a few ways, many times
    for r, asset_id, impact, notes, affected in zip(
            ctx.records("B-02"), ctx.column("B-02", "asset_id"), ctx.column("B-02", "impact"),
            ctx.column("B-02", "notes"), ctx.column("B-02", "affected")):
        if impact is None or notes not in _BLANKS:
            continue
        asset = assets.get(str(asset_id))
        if asset is None:
            continue
        affected = str(affected or "")
        props = props_of.get(affected)
        if props is None:
            props = props_of[affected] = tuple(dict.fromkeys(
                [_CIA[ch] for ch in affected.upper() if ch in _CIA] or _CIA.values()))
        ratings = [asset.values.get(p) for p in props if asset.values.get(p) is not None]
        if ratings and impact < max(ratings):
            yield ctx.at("B-02", r, "impact", impact,
                         f"事業に与える損害 {impact} が資産の評価（最大 {max(ratings)}）より低く、備考に理由がありません",
                         f"Impact {impact} is below the asset's rating ({max(ratings)}) for the affected properties, without a note")


@rule("RISK-006", "error", ("B-02",), "受容以外で対応計画IDがない", "treatment ≠ 受容 with no treatment plan id")
def risk_006(ctx: CheckContext) -> Iterator[Finding]:
    for r, treatment, plans in zip(ctx.records("B-02"), ctx.column("B-02", "treatment"), ctx.column("B-02", "plan_ids")):
        if treatment not in (None, RETAIN) and plans in _BLANKS:
            yield ctx.at("B-02", r, "plan_ids", None, f"リスク対応が{treatment}ですが対応計画IDがありません",
                         f"Treatment {treatment} without a treatment plan id")


@rule("RISK-007", "warning", ("B-02",), "評価日が12か月より前", "assessment date older than 12 months")
def risk_007(ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.months_ago(12)
    for r, day in zip(ctx.records("B-02"), ctx.column("B-02", "assessed_on")):
        if day is not None and day < limit:
            yield ctx.at("B-02", r, "assessed_on", day, f"評価日 {day} から12か月以上経過しています（再評価が必要）",
                         f"Assessed on {day}, more than 12 months ago (reassess)")


@rule("RISK-008", "error", ("B-03",), "完了と完了日の不整合、完了予定日が開始予定日より前",
      "plan 完了 without 完了日, or 完了日 set while not 完了; 完了予定日 before 開始予定日")
def risk_008(ctx: CheckContext) -> Iterator[Finding]:
    for p in ctx.records("B-03"):
        status, done_on = p.values.get("status"), p.values.get("completed_on")
        if status == DONE and done_on is None:
            yield ctx.at("B-03", p, "completed_on", None, "状況が完了ですが完了日がありません", "Status 完了 (done) without a completion date")
        elif status is not None and status != DONE and done_on is not None:
            yield ctx.at("B-03", p, "completed_on", done_on, f"状況が{status}ですが完了日が入力されています",
                         f"Completion date set while the status is {status}")
        start, due = p.values.get("start_on"), p.values.get("due_on")
        if start is not None and due is not None and due < start:
            yield ctx.at("B-03", p, "due_on", due, f"完了予定日 {due} が開始予定日 {start} より前です",
                         f"Due date {due} is before the planned start {start}")


@rule("RISK-009", "warning", ("B-03",), "計画の期限超過", "plan overdue: 完了予定日 past and not 完了 / 中止")
def risk_009(ctx: CheckContext) -> Iterator[Finding]:
    for p in ctx.records("B-03"):
        due, status = p.values.get("due_on"), p.values.get("status")
        if due is not None and due < ctx.today and status not in (DONE, CANCELLED):
            yield ctx.at("B-03", p, "due_on", due, f"完了予定日 {due} を過ぎていますが状況は{status or '空欄'}です",
                         f"Due {due} has passed and the plan is {status or 'blank'}")


@rule("RISK-010", "error", ("B-02", "B-03"), "リスク所有者の承認がない計画", "plan without risk-owner approval")
def risk_010(ctx: CheckContext) -> Iterator[Finding]:
    risks = ctx.by_id("B-02")
    for p in ctx.records("B-03"):
        approver = p.values.get("approved_by")
        if approver is None or p.values.get("approved_on") is None:
            continue  # a blank approval is READ-002 (both are required columns)
        owners = {str(risks[r].values.get("risk_owner")) for r in p.values.get("risk_ids") or () if r in risks}
        owners.discard("None")
        if owners and str(approver) not in owners:
            yield ctx.at("B-03", p, "approved_by", approver,
                         f"承認者「{approver}」が対象リスクの所有者（{'、'.join(sorted(owners))}）ではありません",
                         f"Approved by {approver}, who is not the risk owner ({', '.join(sorted(owners))})")
