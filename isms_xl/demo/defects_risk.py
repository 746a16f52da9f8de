"""Defects of the risk core (RISK-001…010, XREF-001…006).

Most are new B-02 rows put after their asset's rows, each clean in every respect but its defect:
owner approval recorded, assessed within the year, impact equal to the asset's value for the
affected properties, and either retained at a value that needs nothing more or reduced with
controls, residual levels giving ≤ 6 and a plan of its own (approved by the risk owner, open and
due ahead). The plan defects change one field of an existing plan."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.asset_catalogue import THREATS, THREATS_BY_KIND, ThreatType
from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.names import SALES
from isms_xl.demo.risk_core import (DISPOSED, IN_PROGRESS, IN_USE, NOT_STARTED, REDUCE, RETAIN, impact_of, insert_risk,
                                    new_plan, new_row)
from isms_xl.demo.seeds import Seed, Targets


def _asset_threat(data: DemoData, targets: Targets, impact: int, *, status: str = IN_USE,
                  affected: str | None = None) -> tuple[Rec, ThreatType]:
    """A free asset and one of its threats whose impact is ``impact``."""
    options = []
    for asset in targets.free(data.records("B-01")):
        if asset["status"] != status:
            continue
        for key in _threat_keys(asset):
            threat = THREATS[key]
            if impact_of(asset, threat.affected) == impact and (affected is None or threat.affected == affected):
                options.append((asset, threat))
    asset, threat = data.rng.choice(options)
    targets.take(asset)
    return asset, threat


def _threat_keys(asset: Rec) -> tuple[str, ...]:
    return THREATS_BY_KIND[asset["_template"].kind]


def _add(data: DemoData, targets: Targets, row: Rec) -> Rec:
    insert_risk(data, row)
    return targets.take(row)


def seed_risk(data: DemoData, targets: Targets) -> list[Seed]:
    cal, rng = data.cal, data.rng
    seeds: list[Seed] = []

    # XREF-003 first: it removes rows, and must not remove a row another defect lives in.
    retained_only = []
    for asset in data.live("B-01"):
        rows = [r for r in data.live("B-02") if r["asset_id"] is asset]
        if asset["status"] == IN_USE and rows and all(r["treatment"] == RETAIN for r in rows):
            retained_only.append(asset)
    asset = targets.pick(retained_only)
    data.forms["B-02"].records = [r for r in data.records("B-02") if r is None or r["asset_id"] is not asset]
    seeds.append(Seed("XREF-003", "B-01", f"使用中の資産「{asset['name']}」にリスクアセスメント結果がない",
                      f"Asset in use {asset['asset_id']} has no row in B-02", asset, "asset_id"))

    asset, threat = _asset_threat(data, targets, 3)
    row = _add(data, targets, new_row(data, asset, threat, 2, 2, RETAIN,
                                      notes="取引先の要求で現行運用を当面継続するため受容"))
    seeds.append(Seed("RISK-001", "B-02", "リスク値12を受容としているが推進委員会承認がない",
                      "Risk value 12 retained without 推進委員会承認 (committee approval)", row, "committee_approval"))

    asset, threat = _asset_threat(data, targets, 2)
    row = _add(data, targets, new_row(data, asset, threat, 1, 2, REDUCE))
    new_plan(data, [row], threat, IN_PROGRESS)
    del row["residual_threat_level"], row["residual_vulnerability_level"]
    seeds.append(Seed("RISK-002", "B-02", "低減としているが対策後の脅威・ぜい弱性レベルがない",
                      "Treatment 低減 without residual threat and vulnerability levels", row, "residual_threat_level"))

    asset, threat = _asset_threat(data, targets, 2)
    row = _add(data, targets, new_row(data, asset, threat, 3, 2, REDUCE))
    new_plan(data, [row], threat, IN_PROGRESS)
    row.update(residual_threat_level=2, residual_vulnerability_level=2, owner_approved_on=None)
    seeds.append(Seed("RISK-003", "B-02", "残留リスク値8（>6）で、リスク所有者の承認も追加の対応もない",
                      "Residual risk 8 (> 6) with neither the risk owner's approval nor further treatment", row, "residual_risk"))

    asset, threat = _asset_threat(data, targets, 3)
    row = _add(data, targets, new_row(data, asset, threat, 1, 2, RETAIN))
    seeds.append(Seed("RISK-004", "B-02", "リスク値9を受容としているが判断の記録（備考）がない",
                      "Risk value 9 retained without a note of the decision", row, "notes"))

    asset, threat = _asset_threat(data, targets, 3, affected="C")
    row = _add(data, targets, new_row(data, asset, threat, 1, 1, RETAIN, impact=2))
    seeds.append(Seed("RISK-005", "B-02", "事業に与える損害2が資産の機密性3より低いが理由（備考）がない",
                      "Impact 2 entered below the asset's confidentiality 3 without a note", row, "impact"))

    asset, threat = _asset_threat(data, targets, 3)
    row = _add(data, targets, new_row(data, asset, threat, 2, 2, REDUCE))
    seeds.append(Seed("RISK-006", "B-02", "低減としているが対応計画IDがない", "Treatment 低減 without a treatment plan id",
                      row, "plan_ids"))

    asset, threat = _asset_threat(data, targets, 2)
    assessed = cal.ago(400 + rng.randint(0, 30))
    row = _add(data, targets, new_row(data, asset, threat, 1, 1, RETAIN, assessed_on=assessed,
                                      owner_approved_on=assessed + dt.timedelta(days=5)))
    seeds.append(Seed("RISK-007", "B-02", "評価日が12か月以上前", "Assessment date is more than 12 months old", row, "assessed_on"))

    plans = data.live("B-03")
    plan = targets.pick([p for p in plans if p["status"] == NOT_STARTED and p["start_on"] >= cal.ahead(15)])
    plan["due_on"] = plan["start_on"] - dt.timedelta(days=7)
    seeds.append(Seed("RISK-008", "B-03", "完了予定日が開始予定日より前", "Due date before the planned start", plan, "due_on"))

    plan = targets.pick([p for p in plans if p["status"] == IN_PROGRESS and p["start_on"] <= cal.ago(40)])
    plan["due_on"] = cal.ago(20)
    seeds.append(Seed("RISK-009", "B-03", "完了予定日を過ぎているが未完了", "Plan overdue: due date past and not 完了",
                      plan, "due_on"))

    plan = targets.pick([p for p in plans if p["responsible"] != p["approved_by"]])
    plan["approved_by"] = plan["responsible"]
    seeds.append(Seed("RISK-010", "B-03", "承認者がリスク所有者（部門長）ではなく実施責任者本人",
                      "Approved by the person responsible, not by the risk owner", plan, "approved_by"))

    seeds += _xref_rows(data, targets)
    return seeds


def _xref_rows(data: DemoData, targets: Targets) -> list[Seed]:
    seeds: list[Seed] = []
    ghost = {"asset_id": "A-901", "name": "旧顧客管理システム（移行前データ）", "department": SALES,
             "confidentiality": 2, "integrity": 2, "availability": 1}
    row = new_row(data, ghost, THREATS["unauthorized_access"], 1, 1, RETAIN)  # type: ignore[arg-type]
    row["asset_id"] = ghost["asset_id"]
    data.records("B-02").append(targets.take(row))
    seeds.append(Seed("XREF-001", "B-02", "資産ID A-901 が情報資産台帳にない", "Asset id A-901 is not in B-01", row, "asset_id"))

    named = [a for a in targets.free(data.records("B-01")) if a["status"] == IN_USE and "（" in a["name"]]
    asset = targets.pick(named)
    threat = THREATS[_threat_keys(asset)[0]]
    row = _add(data, targets, new_row(data, asset, threat, 1, 1, RETAIN, asset_name=asset["name"].split("（")[0]))
    seeds.append(Seed("XREF-002", "B-02", f"資産名「{row['asset_name']}」が台帳の「{asset['name']}」と異なる",
                      f"Asset name differs from B-01 ({asset['asset_id']})", row, "asset_name"))

    asset, threat = _asset_threat(data, targets, 3, status=DISPOSED)
    row = _add(data, targets, new_row(data, asset, threat, 2, 2, REDUCE))
    new_plan(data, [row], threat, IN_PROGRESS)
    seeds.append(Seed("XREF-004", "B-02", f"廃棄済の資産 {asset['asset_id']} のリスクが低減のまま計画も未完了",
                      f"Disposed asset {asset['asset_id']} still has a reduced risk with an open plan", row, "treatment"))

    asset, threat = _asset_threat(data, targets, 3)
    row = _add(data, targets, new_row(data, asset, threat, 2, 2, REDUCE, plan_ids=["P-999"]))
    seeds.append(Seed("XREF-005", "B-02", "対応計画ID P-999 がリスク対応計画書にない", "Plan id P-999 is not in B-03",
                      row, "plan_ids"))

    plans = [p for p in data.live("B-03") if p["status"] == IN_PROGRESS and len(p["risk_ids"]) < 3
             and all(not isinstance(r["asset_id"], str) and r["asset_id"]["status"] == IN_USE for r in p["risk_ids"])]
    plan = targets.pick(plans)

    def same_kind(plan: dict) -> list[dict]:
        """In-use assets of the plan's department that its first risk's threat applies to."""
        threat = THREATS[plan["risk_ids"][0]["_threat"]]
        return [a for a in targets.free(data.records("B-01")) if a["status"] == IN_USE
                and a["department"] == plan["_dept"] and threat.key in _threat_keys(a)
                and impact_of(a, threat.affected) >= 2]

    same = same_kind(plan)
    if not same:  # some seeds give the first plan picked no such asset: take the next that has one
        plan = targets.pick([p for p in plans if same_kind(p)])
        same = same_kind(plan)
    first = plan["risk_ids"][0]
    threat = THREATS[first["_threat"]]
    asset = targets.pick(same)
    extra = next(c for c in ("6.3", "5.10", "8.7") if c not in threat.controls)
    row = _add(data, targets, new_row(data, asset, threat, 2, 2, REDUCE))
    row.update(controls=list(threat.controls) + [extra], plan_ids=[plan], assessed_on=first["assessed_on"],
               owner_approved_on=plan["approved_on"])
    plan["risk_ids"].append(row)
    seeds.append(Seed("XREF-006", "B-02", f"管理策 {extra} が対応計画の管理策にない",
                      f"Control {extra} of this row is not among its plan's controls", row, "controls"))
    return seeds
