"""A-02 Statement of Applicability, derived from the other forms once their rows are final (so it
stays consistent with every row a defect inserted or changed).

Clean rows (before the SoA defects): all 93 controls of the 2022 catalog once (XREF-010); every
control selected in B-02, B-03, B-27, B-04 or B-10 is ○ (XREF-011, XREF-060); ○ always has a
reason and × an exclusion reason (XREF-012); ○ always has 実施状況 (XREF-013), which follows the
plans: all 完了 → 実施済, all 未着手 → 未実施, otherwise 実施中, no plan → 実施済 (XREF-014);
採用理由:リスク対応 is ○ exactly for the controls a B-02 row or a B-03 plan selects, and 関連リスクID
lists the rows that select them, directly or through their plan (XREF-015; the two readings agree
because a plan's controls equal its rows'); 採用理由:法令 is ○ exactly for controls a B-04 entry
lists, and a control with no risk, law or contract reason states one under その他 (XREF-016)."""

from __future__ import annotations

from dataclasses import dataclass, field

from isms_xl.catalog import load_catalog
from isms_xl.controls import parse_controls, short_id
from isms_xl.demo.dataset import DemoData, Rec

APPLICABLE, EXCLUDED, MARK = "○", "×", "○"
DONE, IN_PROGRESS, NOT_STARTED = "実施済", "実施中", "未実施"

EXCLUSIONS = {
    "A.7.6": "セキュリティを保つべき領域での作業は発生しない（サーバルームへの入室は保守作業に限り7.2で管理）",
    "A.7.11": "入居ビルの管理会社が電源・空調等の支援ユーティリティを一括管理しており、当社の管理範囲外",
    "A.7.12": "ケーブル配線は入居ビルの管理会社の管理範囲であり、当社の管理対象となる配線はない",
}
# Controls customers' contracts require (NDAs and data-handling clauses).
CONTRACT = ("A.5.14", "A.5.20", "A.5.31", "A.5.34", "A.8.24", "A.8.33")
OTHER_REASON = "情報セキュリティ基本方針及び情報セキュリティ対策基準（ISMS-A-04）に基づき実施"
CONTEXT_REASON = "リスク及び機会への対応（ISMS-B-27）"


@dataclass
class SoaFacts:
    """What the SoA was derived from; the SoA defects pick their controls from here."""

    by_risk: dict[str, list[Rec]] = field(default_factory=dict)  # control -> B-02 rows, register order
    plans: dict[str, list[Rec]] = field(default_factory=dict)  # control -> B-03 plans
    legal: set[str] = field(default_factory=set)
    context: set[str] = field(default_factory=set)  # B-27
    measured: set[str] = field(default_factory=set)  # B-10

    def selected(self, control: str) -> bool:
        return control in self.by_risk or control in self.legal or control in self.context or control in self.measured


def _ids(value) -> tuple[str, ...]:
    return parse_controls(", ".join(value) if isinstance(value, list) else value).ids


def collect(data: DemoData) -> SoaFacts:
    facts = SoaFacts()
    rows = data.live("B-02")
    order = {id(r): i for i, r in enumerate(rows)}
    for row in rows:
        for cid in _ids(row.get("controls") or []):
            facts.by_risk.setdefault(cid, []).append(row)
    for plan in data.live("B-03"):
        for cid in _ids(plan.get("controls") or []):
            facts.plans.setdefault(cid, []).append(plan)
            related = facts.by_risk.setdefault(cid, [])
            related += [r for r in plan["risk_ids"] if id(r) in order and r not in related]
    for related in facts.by_risk.values():
        related.sort(key=lambda r: order[id(r)])
    for req in data.live("B-04"):
        facts.legal.update(_ids(req.get("controls") or []))
    for item in data.live("B-27"):
        facts.context.update(_ids(item.get("related_controls") or []))
    for m in data.live("B-10"):
        facts.measured.update(_ids(m.get("control_id") or ""))
    return facts


def status_of(plans: list[Rec]) -> str:
    statuses = {p["status"] for p in plans}
    if not plans or statuses == {"完了"}:
        return DONE
    if statuses == {"未着手"}:
        return NOT_STARTED
    return IN_PROGRESS


def build_soa(data: DemoData, version: str = "2022") -> SoaFacts:
    facts = collect(data)
    for control in load_catalog(version).controls:
        cid = control.control_id
        row = {"control_id": short_id(cid), "control_name": control.title_ja}
        if cid in EXCLUSIONS:
            row.update(applicable=EXCLUDED, exclusion_reason=EXCLUSIONS[cid])
        else:
            row.update(applicable=APPLICABLE, status=status_of(facts.plans.get(cid, [])),
                       documents=f"ISMS-A-04 {short_id(cid)}")
            if cid in facts.by_risk:
                row["reason_risk"] = MARK
                row["related_risks"] = list(facts.by_risk[cid])
            if cid in facts.legal:
                row["reason_legal"] = MARK
            if cid in CONTRACT:
                row["reason_contract"] = MARK
            if cid in facts.context:
                row["reason_other"] = CONTEXT_REASON
            elif not (cid in facts.by_risk or cid in facts.legal or cid in CONTRACT):
                row["reason_other"] = OTHER_REASON
        data.records("A-02").append(row)
    return facts
