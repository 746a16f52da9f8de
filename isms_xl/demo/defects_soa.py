"""Defects of the Statement of Applicability (XREF-010 … XREF-016, and XREF-060 which the missing
row brings with it), applied to the SoA derived from the final forms. Each picks its control from
what the SoA was derived from, so the defect is the only thing wrong with that row."""

from __future__ import annotations

from isms_xl.controls import parse_control_id
from isms_xl.demo.dataset import DemoData
from isms_xl.demo.seeds import HEADER, Seed, Targets
from isms_xl.demo.soa import APPLICABLE, CONTRACT, DONE, EXCLUDED, EXCLUSIONS, MARK, SoaFacts

MEASURED_ONLY = "A.5.36"  # the control only B-10 selects (monitoring.SELF_CHECK)
LAW_ONLY = "A.5.32"  # the control only B-04 selects (著作権法)


def _cid(row: dict) -> str:
    return parse_control_id(row["control_id"]) or ""


def seed_soa(data: DemoData, facts: SoaFacts, targets: Targets) -> list[Seed]:
    rows = data.records("A-02")
    by_id = {_cid(r): r for r in rows}
    seeds: list[Seed] = []

    # XREF-010 and XREF-060 share a cause: the SoA lost the row of a control that B-10 measures
    # and nothing else selects. The SoA lacks a catalog control (XREF-010), and the one B-10 row
    # measuring it measures a control the SoA does not apply (XREF-060); XREF-011 stays silent
    # because the control is absent, not excluded.
    assert MEASURED_ONLY in facts.measured and MEASURED_ONLY not in facts.by_risk
    assert MEASURED_ONLY not in facts.legal and MEASURED_ONLY not in facts.context
    rows.remove(by_id[MEASURED_ONLY])
    short = MEASURED_ONLY[2:]
    seeds.append(Seed("XREF-010", "A-02", f"管理策 {short} が適用宣言書にない", f"The SoA lacks control {short}",
                      key="control_id", where=HEADER))
    measure = targets.take(next(m for m in data.live("B-10") if m["control_id"] == short))
    seeds.append(Seed("XREF-060", "B-10", f"管理策 {short} が適用宣言書で適用になっていない（行がない）",
                      f"Control {short} is not applicable in the SoA (its row is missing)", measure, "control_id"))

    assert LAW_ONLY in facts.legal and not (LAW_ONLY in facts.by_risk or LAW_ONLY in facts.context
                                            or LAW_ONLY in facts.measured)
    row = targets.take(by_id[LAW_ONLY])
    for key in ("reason_legal", "reason_contract", "reason_other", "status", "documents"):
        row.pop(key, None)
    row.update(applicable=EXCLUDED, exclusion_reason="自社開発が中心であり、知的財産権の侵害が生じる可能性は低いため")
    seeds.append(Seed("XREF-011", "A-02", "法的要求事項登録簿（著作権法）で選択した管理策 5.32 が除外（×）",
                      "Control 5.32, selected in B-04 (著作権法), is excluded in the SoA", row, "applicable"))

    row = targets.pick([by_id[c] for c in EXCLUSIONS])
    row["exclusion_reason"] = None
    seeds.append(Seed("XREF-012", "A-02", "除外（×）だが除外理由がない", "Excluded without an exclusion reason", row,
                      "exclusion_reason"))

    unselected = [r for r in targets.free(rows) if r["applicable"] == APPLICABLE and not facts.selected(_cid(r))
                  and _cid(r) not in CONTRACT and _cid(r) not in facts.plans]
    row = targets.pick(unselected)
    row["status"] = None
    seeds.append(Seed("XREF-013", "A-02", "適用（○）だが実施状況がない", "Applicable without 実施状況 (status)", row, "status"))

    row = targets.pick([r for r in rows if facts.plans.get(_cid(r))
                        and all(p["status"] != "完了" for p in facts.plans[_cid(r)])])
    row["status"] = DONE
    seeds.append(Seed("XREF-014", "A-02", "対応計画がすべて未完了なのに実施済", "実施済 while every plan for the control is open",
                      row, "status"))

    row = targets.pick([r for r in rows if _cid(r) in facts.legal and _cid(r) not in facts.by_risk
                        and r["applicable"] == APPLICABLE])
    row["reason_risk"] = MARK
    seeds.append(Seed("XREF-015", "A-02", "どのリスク対応も選択していない管理策に 採用理由:リスク対応 ○",
                      "採用理由:リスク対応 is ○ but no B-02/B-03 row selects the control", row, "reason_risk"))

    row = targets.pick(unselected)
    row.pop("reason_other", None)
    row["reason_legal"] = MARK
    seeds.append(Seed("XREF-016", "A-02", "法令 ○ だが法的要求事項登録簿に該当する要求事項がなく、他の理由もない",
                      "Applicable on a legal reason that no B-04 entry backs, and no other reason", row, "reason_legal"))
    return seeds
