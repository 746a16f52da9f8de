"""The deliberate defects of the demo folder and the rules they demonstrate.

Every rule id of spec/checks.md is either seeded (at least one defect, each giving exactly one
finding of its rule and none of any other) or listed in ``NOT_SEEDED`` with the reason; a rule that
cannot be shown at a particular as-of date is returned by ``seed_sources`` with its reason. No record
carries two defects (``seeds.Targets``). Places are given by the cell convention of the package
docstring. tests/test_demo_generator.py runs an independent reading of every rule over the records
and requires exactly these findings, for several seeds and as-of dates.

Rule by rule — how the clean data keeps it silent / the seeded defect:

READ-001  every required column present / B-04 written without 要求事項の概要 (no rule reads it; only
          READ-002 on that column cannot run).
READ-002  no required value blank / one B-03 plan's 具体的な対策.
READ-003  levels 1–3, real dates, enum values from the form / B-01 登録日 typed as "YYYY/02/30" (no
          rule reads 登録日).
READ-004  ids unique / a B-14 row repeating the previous row's 記録ID (same day; the later row).
READ-005  no blank rows, no spare formula rows / one blank row inside B-08.
READ-006  no error values / B-01 保管期限 as =NA() with cached #N/A.
READ-007  every block complete, right number / B-07 承認日 blank.
READ-008  approver = the §7.5.2 role / B-03 approved by ISMS管理責任者 instead of 社長.
READ-009  no columns of the user's own / B-01 旧管理番号 (info).
CALC-001  cached values are Python's / B-10 達成 formula kept, cached 未達 while it gives 達成.
CALC-002  formulas everywhere / B-05 BCリスク値 a constant equal to the right value (no CALC-001).
CALC-003  fills follow the band / B-02 評価 of a 原則受容 row filled red. CALC rules concern columns
          with a formula; derived cross-form columns (SoA 採用理由:リスク対応, 関連リスクID, B-19
          最新継続評価日) have none and are checked by their XREF rule.
RISK-001  ≥ 10 retained only with 推進委員会承認 / a 12 retained without it (owner approval and note
          present, so RISK-003 stays silent).
RISK-002  低減 always with controls and residual levels / a 低減 row (value 6) without residual levels.
RISK-003  residual ≤ 6; every row has the owner's approval date / residual 8, no owner approval.
RISK-004  8–9 retained with the decision in 備考 / a 9 retained without a note.
RISK-005  impact = max of the asset's ratings over the affected properties / impact 2 for an asset
          with C 3 on a C threat, no note (value 4 or 6 either way: retained stays right).
RISK-006  every non-retained row names a plan / a 低減 row without a plan id.
RISK-007  assessed within 330 days / a row assessed 400–430 days ago.
RISK-008  完了 iff 完了日, due ≥ start / an 未着手 plan due 7 days before its (future) start.
RISK-009  open plans due ahead / an 実施中 plan due 20 days ago.
RISK-010  approved by the rows' risk owner (their 部門長) / approved by the person responsible.
XREF-001  every asset id in B-01 / a row for A-901.
XREF-002  names as in B-01 / a row with the asset's name cut before its "（".
XREF-003  every in-use asset has rows / the rows of one retained-only asset removed.
XREF-004  disposed assets: retained rows, or a finished plan / a reduced row with an open plan.
XREF-005  plan ids resolve both ways / a row naming P-999.
XREF-006  a plan's controls equal its rows' / a row with one control its plan lacks.
XREF-007  catalog ids only / B-27 related controls with 5.38.
XREF-010  93 controls once / the SoA row of 5.36 deleted (5.36 is selected only by one B-10 row,
          which gives the one XREF-060 finding; XREF-011 stays silent: absent is not ×).
XREF-011  selected controls are ○ / 5.32, listed only by B-04 (著作権法), marked × with a reason.
XREF-012  reasons present / one excluded control without 除外理由.
XREF-013  ○ with 実施状況 / one unselected ○ control without it.
XREF-014  status follows the plans / 実施済 on a control whose plans are all open.
XREF-015  リスク対応 ○ exactly for B-02/B-03 selections / ○ on a law-only control.
XREF-016  every ○ control has a risk, a B-04-backed legal, a contract or an その他 reason / one
          unselected control whose only reason is 法令 ○ with no B-04 entry behind it.
XREF-020  related risks resolve / R-999 on one B-27 item.
XREF-021  evaluated within 300 days / one item last evaluated 420–460 days ago.
XREF-030  next checks ahead / one (電波法) 10–30 days past.
XREF-031  未対応/対応中 entries name controls / フリーランス法 set to 未対応 without controls.
XREF-040  RTO ≤ MTPD, plans where BC risk ≥ 6, ids resolve / one process with RTO = MTPD + 24.
XREF-041  every plan passed a test within 300 days; the failed test has a 是正ID / a failed BCP-02
          test (older than its passing retest) without one.
XREF-050  a report for every course of a month before the as-of month / one previous-year course's
          report removed.
XREF-051  below 100 % with follow-up and absentees / one report's follow-up blank.
XREF-060  B-10 controls ○ / see XREF-010.
XREF-061  each subject reviewed at each of the last two Februaries (dated the 10th, or the as-of day
          early in February) / the latest supplier-performance review removed. Read as: the review
          of the fiscal year of the latest February on or before the as-of date is missing.
XREF-062  actuals up to and including the as-of month / one objective's previous month blank
          (not shown in April: no month has elapsed).
XREF-070  該当 events and incidents linked both ways / a 該当 event without incident.
XREF-071  高 incidents with a 是正ID / one 高 incident without.
XREF-072  affected assets resolve / A-902 on a 低 incident.
XREF-080  visitors escorted, exit after entry / one visitor without escort.
XREF-081  every row has an exit time / one staff entry without.
XREF-090  every staff member has an 入社時 pledge / one member's pledge removed.
XREF-100  passing B-17 10–40 days before the contract / one evaluation dated 12 days after it.
XREF-101  latest B-18 within 300 days / one supplier's latest review removed (the one before it is
          more than a year old).
XREF-102  NDAs 締結済 / one active supplier 未締結.
XREF-103  assets resolve / A-903 on one supplier.
XREF-110  auditors from other departments / a 技術部門 auditor on a 技術部門 row (previous year).
XREF-111  auditors registered and valid on the day / AU-99 on a row (previous year).
XREF-112  all departments audited in both years / 営業部門 left out of the current year's audit
          (its schedule row and checklist items).
XREF-113  nonconforming items are report findings / a 軽微な不適合 item no finding names.
XREF-114  nonconformities have an existing 是正ID / a 軽微な不適合 finding without one.
XREF-120  完了 with 有効 and its date; open ones due ahead / a 完了 action without 有効性確認.
XREF-121  incident actions accepted by the 社長, others by the ISMS管理責任者 / an incident action
          accepted by the ISMS管理責任者.
XREF-130  a review every year / the latest (a month ago) removed: the last is 13 months old.
XREF-131  every input reported / the oldest review's g) 継続的改善の機会 left empty.
Also clean, though no rule id names it: people are on the staff list and departments configured;
every reference resolves; B-01 reviewed within 300 days; B-19 最新継続評価日 equals its B-18.
"""

from __future__ import annotations

from isms_xl.demo.dataset import DemoData
from isms_xl.demo.defects_forms import seed_audit, seed_context_and_compliance, seed_monitoring, seed_people_forms, seed_suppliers
from isms_xl.demo.defects_reading import seed_calc, seed_reading
from isms_xl.demo.defects_risk import seed_risk
from isms_xl.demo.seeds import Seed, Targets

# Severity of every rule of spec/checks.md (the test compares this table with the spec).
RULES: dict[str, str] = {
    "READ-001": "error", "READ-002": "error", "READ-003": "error", "READ-004": "error", "READ-005": "warning",
    "READ-006": "error", "READ-007": "warning", "READ-008": "warning", "READ-009": "info",
    "CALC-001": "error", "CALC-002": "warning", "CALC-003": "warning",
    "RISK-001": "error", "RISK-002": "error", "RISK-003": "error", "RISK-004": "warning", "RISK-005": "warning",
    "RISK-006": "error", "RISK-007": "warning", "RISK-008": "error", "RISK-009": "warning", "RISK-010": "error",
    "XREF-001": "error", "XREF-002": "warning", "XREF-003": "error", "XREF-004": "warning", "XREF-005": "error",
    "XREF-006": "warning", "XREF-007": "error",
    "XREF-010": "error", "XREF-011": "error", "XREF-012": "error", "XREF-013": "error", "XREF-014": "warning",
    "XREF-015": "warning", "XREF-016": "info",
    "XREF-020": "error", "XREF-021": "warning", "XREF-030": "error", "XREF-031": "warning",
    "XREF-040": "error", "XREF-041": "error", "XREF-050": "error", "XREF-051": "warning",
    "XREF-060": "error", "XREF-061": "warning", "XREF-062": "warning",
    "XREF-070": "error", "XREF-071": "error", "XREF-072": "error", "XREF-080": "error", "XREF-081": "warning",
    "XREF-090": "warning", "XREF-100": "error", "XREF-101": "error", "XREF-102": "error", "XREF-103": "error",
    "XREF-110": "error", "XREF-111": "error", "XREF-112": "warning", "XREF-113": "error", "XREF-114": "error",
    "XREF-120": "error", "XREF-121": "warning", "XREF-130": "error", "XREF-131": "warning",
}

# Rules the demo does not seed, with the reason. Empty: every rule of checks.md can be shown by
# the data of one folder. (A rule that only a particular as-of date cannot show, such as XREF-062
# in April, is reported per run by seed_all instead.)
NOT_SEEDED: dict[str, str] = {}


def seed_sources(data: DemoData) -> tuple[list[Seed], list[tuple[str, str, str]], Targets]:
    """Defects in every form but the SoA, applied before ids are numbered and the SoA derived."""
    targets = Targets(data)
    seeds = seed_risk(data, targets)  # first: XREF-003 removes rows
    seeds += seed_reading(data, targets)
    seeds += seed_calc(data, targets)
    seeds += seed_context_and_compliance(data, targets)
    seeds += seed_people_forms(data, targets)
    monitoring, skipped = seed_monitoring(data, targets)
    seeds += monitoring
    seeds += seed_suppliers(data, targets)
    seeds += seed_audit(data, targets)
    return seeds, skipped, targets
