"""The risk core: B-01 assets, B-02 risks, B-03 treatment plans and B-27 risks and opportunities.

How the clean rows satisfy the method (method.md) and the RISK rules:
- every row enters its impact as exactly the default, the max of the asset's ratings over the
  affected properties, so RISK-005 never applies;
- ≤ 6 is retained; 8–9 is retained with the decision in 備考 (RISK-004) or reduced; ≥ 10 is
  reduced, shared, avoided, or retained with 推進委員会承認 (RISK-001);
- every row that is not retained names controls, a plan and residual levels whose residual risk is
  ≤ 6 (RISK-002, RISK-003, RISK-006); every row carries the risk owner's approval date, so a
  retained 8–18 row is never "residual > 6 without owner approval" however a checker reads it;
- a plan treats rows of one department (one risk owner, its 部門長, who approves the plan:
  RISK-010) that share one threat and so exactly the same controls (XREF-006 holds both as
  "plan ⊇ row" and as "plan = row", and SoA related risks are the same whether read from B-02 or
  B-03); 完了 iff 完了日, due ≥ start (RISK-008); open plans are due in the future (RISK-009);
- every row is assessed within the last 330 days (RISK-007), every asset reviewed within 300 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from isms_xl.demo.asset_catalogue import CATEGORY_OF_KIND, THREATS, THREATS_BY_KIND, AssetTemplate, ThreatType, asset_templates
from isms_xl.demo.dataset import DemoData, Rec, number
from isms_xl.demo.issues import ISSUES
from isms_xl.demo.names import DEPARTMENTS

RETAIN, REDUCE, SHARE, AVOID = "受容", "低減", "共有", "回避"
DONE, IN_PROGRESS, NOT_STARTED = "完了", "実施中", "未着手"
IN_USE, DISPOSED = "使用中", "廃棄済"
PLAN_SIZE = 4  # rows per plan at most: a plan per group of assets keeps plans concrete and owned

_CIA = {"C": "confidentiality", "I": "integrity", "A": "availability"}
_RETAIN_NOTES = (
    "受容可能と判断：既存の対策（規程・教育）で発生可能性は低く、追加対策の費用対効果が小さい",
    "受容可能と判断：影響は社内に限られ、発生時は手順書に従い復旧できる",
    "受容可能と判断：委託先の管理策で十分に低減されていることを確認済み",
    "受容可能と判断：次回アセスメントで再評価する",
)


def impact_of(asset: dict, affected: str) -> int:
    """method.md "Impact": the max of the asset's ratings over the affected properties."""
    return max(asset[_CIA[p.strip()]] for p in affected.split(","))


def build_assets(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    templates = sorted(asset_templates(), key=lambda t: DEPARTMENTS.index(t.department))
    for i, tpl in enumerate(templates, start=1):
        c, i_, a = tpl.cia
        owner = org.heads[tpl.department] if rng.random() < 0.4 else rng.choice(org.workers(tpl.department))
        registered = cal.ago(rng.randint(400, 2600))
        asset = Rec(
            "asset_id", asset_id=f"A-{i:03d}", name=tpl.name, category=CATEGORY_OF_KIND[tpl.kind],
            department=tpl.department, owner=owner, location=tpl.location, users=tpl.users,
            confidentiality=c, integrity=i_, availability=a, personal_data="有" if tpl.personal_data else "無",
            retention=tpl.retention, disposal=tpl.disposal, registered_on=registered,
            reviewed_on=cal.ago(rng.randint(20, 300)), status=DISPOSED if tpl.disposed else IN_USE,
        )
        if tpl.disposed:
            asset["notes"] = f"{cal.ago(rng.randint(60, 250)):%Y/%m/%d} 廃棄（廃棄証明書受領）"
        asset["_template"] = tpl
        data.records("B-01").append(asset)


def _level(rng) -> int:
    return rng.choices((1, 2, 3), weights=(45, 40, 15))[0]


def residual_levels(rng, impact: int, threat: int, vuln: int) -> tuple[int, int]:
    """The highest residual (threat, vulnerability) not above the inherent ones with residual ≤ 6."""
    options = [(t, v) for t in (1, 2, 3) for v in (1, 2, 3)
               if t <= threat and v <= vuln and impact * (t + v) <= 6]
    best = max(t + v for t, v in options)
    return rng.choice([o for o in options if o[0] + o[1] == best])


def new_row(data: DemoData, asset: Rec, threat: ThreatType, t: int, v: int, treatment: str, **values: Any) -> Rec:
    """A B-02 row with the defaults every clean row has; ``values`` override them."""
    impact = impact_of(asset, threat.affected)
    row = Rec(
        "risk_id", risk_id=None, asset_id=asset, asset_name=asset["name"], affected=threat.affected,
        threat=threat.threat, threat_level=t, vulnerability=threat.vulnerability, vulnerability_level=v,
        impact=impact, treatment=treatment, controls=[], plan_ids=[], risk_owner=data.org.heads[asset["department"]],
    )
    if treatment != RETAIN:
        treat(data, row, threat, treatment)
    assessed = data.cal.ago(data.rng.randint(25, 320))
    row["assessed_on"] = assessed
    row["owner_approved_on"] = min(assessed + dt.timedelta(days=data.rng.randint(1, 10)), data.cal.as_of)
    row["_threat"] = threat.key
    row.update(values)
    return row


def treat(data: DemoData, row: Rec, threat: ThreatType, treatment: str) -> None:
    """Controls and residual levels of a row that is not retained (RISK-002, RISK-003)."""
    row["treatment"] = treatment
    row["controls"] = list(threat.controls)
    row["residual_threat_level"], row["residual_vulnerability_level"] = residual_levels(
        data.rng, row["impact"], row["threat_level"], row["vulnerability_level"])


def plan_dates(data: DemoData, status: str) -> dict[str, dt.date | None]:
    """Dates of a plan by status: finished ones started last year, open ones are due ahead."""
    cal, rng = data.cal, data.rng
    if status == DONE:
        approved = cal.ago(rng.randint(240, 330))
        start = approved + dt.timedelta(days=rng.randint(3, 14))
        due = start + dt.timedelta(days=rng.randint(60, 150))
        done = start + dt.timedelta(days=rng.randint(30, (due - start).days))
        return {"approved_on": approved, "start_on": start, "due_on": due, "completed_on": done}
    if status == IN_PROGRESS:
        approved = cal.ago(rng.randint(60, 230))
        start = approved + dt.timedelta(days=rng.randint(3, 20))
        return {"approved_on": approved, "start_on": start, "due_on": cal.ahead(rng.randint(30, 200)), "completed_on": None}
    approved = cal.ago(rng.randint(10, 50))
    start = cal.ahead(rng.randint(15, 60))
    return {"approved_on": approved, "start_on": start, "due_on": start + dt.timedelta(days=rng.randint(60, 150)),
            "completed_on": None}


def new_plan(data: DemoData, rows: list[Rec], threat: ThreatType, status: str) -> Rec:
    """A B-03 plan treating ``rows`` (one department, one threat, one treatment) and linking them."""
    rng, org = data.rng, data.org
    dept = rows[0]["asset_id"]["department"]
    treatment = rows[0]["treatment"]
    measure = {SHARE: threat.share, AVOID: threat.avoid}.get(treatment) or threat.measure
    names = [r["asset_name"] for r in rows]
    scope = names[0] if len(names) == 1 else f"{names[0]} 他{len(names) - 1}件"
    top = max(r["impact"] * (r["threat_level"] + r["vulnerability_level"]) for r in rows)
    lo, hi = threat.cost
    plan = Rec(
        "plan_id", plan_id=None, risk_ids=list(rows), measure=f"{measure}（対象: {scope}）", controls=list(threat.controls),
        responsible=rng.choice(org.workers(dept)), staffing=threat.staffing,
        cost=rng.randrange(lo, hi + 1, 10_000) if hi else 0, priority=1 if top >= 15 else 2 if top >= 10 else 3,
        status=status, approved_by=org.heads[dept],
    )
    plan.update(plan_dates(data, status))
    if status == DONE:
        plan["notes"] = "完了後の有効性を部門長が確認済み"
    for row in rows:
        row["plan_ids"] = [plan]
        row["assessed_on"] = plan["approved_on"] - dt.timedelta(days=rng.randint(3, 20))
        row["owner_approved_on"] = plan["approved_on"]
    plan["_dept"] = dept
    data.records("B-03").append(plan)
    return plan


def _treatment(rng, value: int, threat: ThreatType) -> str:
    if value <= 6:
        return RETAIN
    if value <= 9:
        return RETAIN if rng.random() < 0.55 else REDUCE
    r = rng.random()
    if r < 0.06:
        return RETAIN
    if r < 0.35 and threat.share:
        return SHARE
    if r < 0.2 and threat.avoid:
        return AVOID
    return REDUCE


def _status(rng, threat: ThreatType) -> str:
    if threat.still_open:
        return IN_PROGRESS if rng.random() < 0.7 else NOT_STARTED
    return rng.choices((DONE, IN_PROGRESS, NOT_STARTED), weights=(45, 35, 20))[0]


def build_risks(data: DemoData) -> None:
    """B-02 rows for every asset (2–4 threats each; disposed assets keep a retained history) and
    the B-03 plans that treat them."""
    rng, cal = data.rng, data.cal
    rows = data.records("B-02")
    groups: dict[tuple[str, str, str], list[Rec]] = {}
    for asset in data.records("B-01"):
        tpl: AssetTemplate = asset["_template"]
        keys = THREATS_BY_KIND[tpl.kind]
        sample = rng.sample(keys, rng.randint(min(2, len(keys)), len(keys)))
        chosen = [k for k in keys if k in sample]
        if tpl.disposed:
            for key in chosen[:2]:
                rows.append(new_row(data, asset, THREATS[key], 1, 1, RETAIN, notes="資産は廃棄済み。記録として保持"))
            continue
        for key in chosen:
            threat = THREATS[key]
            t, v = _level(rng), _level(rng)
            row = new_row(data, asset, threat, t, v, RETAIN)
            value = row["impact"] * (t + v)
            treatment = _treatment(rng, value, threat)
            if treatment == RETAIN and value >= 10:
                day = min(row["assessed_on"] + dt.timedelta(days=rng.randint(7, 30)), cal.as_of)
                row.update(committee_approval=f"{day:%Y/%m/%d} ISMS推進委員会承認",
                           notes="対策費用が効果に見合わないため受容。リスク所有者・推進委員会で承認")
            elif treatment == RETAIN and value >= 8:
                row["notes"] = rng.choice(_RETAIN_NOTES)
            elif treatment != RETAIN:
                treat(data, row, threat, treatment)
                groups.setdefault((asset["department"], key, treatment), []).append(row)
            rows.append(row)
    for (_, key, _), members in groups.items():
        threat = THREATS[key]
        for i in range(0, len(members), PLAN_SIZE):
            new_plan(data, members[i:i + PLAN_SIZE], threat, _status(rng, threat))
    _closed_plan_for_disposed_asset(data)


def _closed_plan_for_disposed_asset(data: DemoData) -> None:
    """A disposed asset whose reduced risk has a finished plan: XREF-004 must stay silent on it."""
    asset = next(a for a in data.records("B-01") if a["status"] == DISPOSED and a["_template"].kind == "server")
    threat = THREATS["hw_failure"]
    row = new_row(data, asset, threat, 2, 2, REDUCE)
    insert_risk(data, row)
    new_plan(data, [row], threat, DONE)


def insert_risk(data: DemoData, row: Rec) -> None:
    """After the asset's last row (an unknown asset's row goes last), as people add rows."""
    rows = data.records("B-02")
    at = len(rows)
    for i, r in enumerate(rows):
        if r is not None and r["asset_id"] is row["asset_id"]:
            at = i + 1
    rows.insert(at, row)


def build_context(data: DemoData) -> None:
    """B-27: the §4.1/§4.2 issues with related risks from B-02 (rows that have a plan)."""
    rng, cal = data.rng, data.cal
    treated = [r for r in data.records("B-02") if r["plan_ids"]]
    office = data.org.office
    for issue in ISSUES:
        related = [r for r in treated if r["_threat"] in issue.threats]
        picked = sorted(rng.sample(related, min(2, len(related))), key=treated.index) if related else []
        data.records("B-27").append(Rec(
            "item_id", item_id=None, source=issue.source, issue=issue.issue, kind=issue.kind,
            description=issue.description, action=issue.action, related_risks=picked,
            related_controls=list(issue.controls), responsible=rng.choice([data.org.manager, *office]),
            effectiveness=issue.effectiveness, evaluated_on=cal.ago(rng.randint(20, 300)),
        ))
    number(data.records("B-27"), lambda i, _: f"C-{i:02d}")


def number_risks(data: DemoData) -> None:
    """Risk and plan ids in register order, once seeding has inserted its rows."""
    number([r for r in data.records("B-02") if r is not None], lambda i, _: f"R-{i:03d}")
    number([p for p in data.records("B-03") if p is not None], lambda i, _: f"P-{i:03d}")


def build_risk_core(data: DemoData) -> None:
    build_assets(data)
    build_risks(data)
    build_context(data)
