"""XREF-110 … 114: the internal audit (§9.2) — plans and their schedule (B-20), the auditor register
(B-21), checklists (B-22), reports (B-23) and their corrective actions (B-24)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from isms_xl.findings import Finding
from isms_xl.forms.b22_audit_checklist import NONCONFORMITIES
from isms_xl.forms.b23_audit_report import NONCONFORMITIES as REPORTED_NONCONFORMITIES
from isms_xl.reader.model import Record
from isms_xl.rules._util import day_of as _day, ids_of as _ids
from isms_xl.rules.registry import CheckContext, rule

# 年度 as people write it: 2026年度, FY2026, 令和8年度 (R8), 平成30年度 (H30).
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_ERA_YEAR = re.compile(r"(令和|平成|R|H)\s*(元|\d{1,2})(?!\d)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _schedule(plan: Record) -> list[Record]:
    return plan.tables.get("schedule", [])


def _auditor_checks(ctx: CheckContext) -> Iterator[tuple[Record, Record, str, Record | None]]:
    """(plan, schedule row, auditor id, B-21 auditor or None) for every auditor of every row."""
    auditors = ctx.by_id("B-21")
    for plan in ctx.records("B-20"):
        for row in _schedule(plan):
            for aid in _ids(row.values.get("auditor_ids")):
                yield plan, row, aid, auditors.get(aid)


def _registration_problem(auditor: Record | None, aid: str, day: dt.date | None) -> tuple[str, str] | None:
    """Why the auditor could not audit on ``day`` (ja, en), or None."""
    if auditor is None:
        return f"監査員ID {aid} が内部監査員登録台帳にありません", f"Auditor {aid} is not in B-21 (auditor register)"
    if day is None:
        return None
    start, end = _day(auditor.values.get("registered_on")), _day(auditor.values.get("valid_until"))
    if start is not None and day < start:
        return (f"監査員 {aid} の登録日 {start} より前の {day} に監査しています",
                f"Auditor {aid} audits on {day}, before their registration on {start}")
    if end is not None and day > end:
        return (f"監査員 {aid} の登録は {end} に有効期限が切れており、{day} の監査を行えません",
                f"Auditor {aid}'s registration expired on {end}, before the audit on {day}")
    return None


@rule("XREF-110", "error", ("B-20", "B-21"), "監査員が自部門を監査している（客観性・公平性）",
      "B-20 auditor audits their own department (objectivity and impartiality, §9.2)")
def xref_110(ctx: CheckContext) -> Iterator[Finding]:
    staff = {p.name: p.department for p in ctx.config.organisation.staff}
    for plan, row, aid, auditor in _auditor_checks(ctx):
        department = row.values.get("department")
        if department is None or _registration_problem(auditor, aid, _day(row.values.get("audit_on"))):
            continue  # an auditor who could not audit at all is XREF-111
        own = auditor.values.get("department") or staff.get(str(auditor.values.get("name")))
        if own == department:
            yield ctx.at("B-20", plan, "auditor_ids", row.values.get("auditor_ids"),
                         f"監査員 {aid}（{own}）が自部門の{department}を監査しています（他部門の監査員に替えてください）",
                         f"Auditor {aid} ({own}) audits their own department {department}; assign an auditor from "
                         "another department", cell=row.cell("auditor_ids"))


@rule("XREF-111", "error", ("B-20", "B-21"), "監査員が登録台帳にない、または監査日に登録が有効でない",
      "B-20 auditor not in B-21, or their registration expired at the audit date")
def xref_111(ctx: CheckContext) -> Iterator[Finding]:
    for plan, row, aid, auditor in _auditor_checks(ctx):
        problem = _registration_problem(auditor, aid, _day(row.values.get("audit_on")))
        if problem:
            yield ctx.at("B-20", plan, "auditor_ids", row.values.get("auditor_ids"), *problem,
                         cell=row.cell("auditor_ids"))


def fiscal_year_of(text: Any) -> int | None:
    """The fiscal year a B-20 年度 names (2026年度, FY2026, 令和8年度 → 2026), or None."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text))
    year = _YEAR.search(value)
    if year:
        return int(year.group(1))
    era = _ERA_YEAR.search(value)
    if era:
        return _ERAS[era.group(1).upper() if len(era.group(1)) == 1 else era.group(1)] + \
            (1 if era.group(2) == "元" else int(era.group(2)))
    return None


def _plans_by_year(ctx: CheckContext) -> dict[int | tuple[str, int], list[Record]]:
    """B-20 plans grouped by fiscal year: the 年度 they state, else that of their first audit day,
    else each plan on its own."""
    years: dict[int | tuple[str, int], list[Record]] = {}
    for n, plan in enumerate(ctx.records("B-20")):
        year: int | tuple[str, int] | None = fiscal_year_of(plan.values.get("fiscal_year"))
        if year is None:
            days = [d for d in (_day(r.values.get("audit_on")) for r in _schedule(plan)) if d is not None]
            year = ctx.config.fiscal_year(min(days)) if days else ("plan", n)
        years.setdefault(year, []).append(plan)
    return years


@rule("XREF-112", "warning", ("B-20",), "適用範囲の部門が年度の内部監査で監査されていない",
      "a department in scope not audited in the fiscal year")
def xref_112(ctx: CheckContext) -> Iterator[Finding]:
    departments = ctx.config.organisation.departments
    for year, plans in _plans_by_year(ctx).items():
        audited = {r.values.get("department") for plan in plans for r in _schedule(plan)}
        missing = [d for d in departments if d not in audited]
        if not missing:
            continue
        ja, en = (f"{year}年度", f"fiscal year {year}") if isinstance(year, int) else ("この計画", "this plan")
        yield ctx.at("B-20", plans[0], "fiscal_year", plans[0].values.get("fiscal_year"),
                     f"{ja}の内部監査で{'、'.join(missing)}が監査されていません（監査日程に加えてください）",
                     f"{', '.join(missing)} not audited in {en}; add it to the audit schedule")


@rule("XREF-113", "error", ("B-22", "B-23"), "不適合と判定したチェックリスト項目が内部監査報告書の指摘にない",
      "B-22 item judged non-conforming that appears in no B-23 finding")
def xref_113(ctx: CheckContext) -> Iterator[Finding]:
    reported = {i for report in ctx.records("B-23") for row in report.tables.get("findings", [])
                for i in _ids(row.values.get("checklist_item_ids"))}
    for item in ctx.records("B-22"):
        verdict = item.values.get("verdict")
        if verdict in NONCONFORMITIES and str(item.values.get("item_id")) not in reported:
            yield ctx.at("B-22", item, "verdict", verdict,
                         f"判定が{verdict}ですが、内部監査報告書のどの指摘にもこの項目IDがありません",
                         f"Judged {verdict} but no B-23 finding names this checklist item")


@rule("XREF-114", "error", ("B-23", "B-24"), "不適合の指摘に是正IDがない、是正IDが是正処置報告書にない",
      "B-23 non-conformity (重大 / 軽微) without a 是正ID, or an id not in B-24")
def xref_114(ctx: CheckContext) -> Iterator[Finding]:
    actions = ctx.by_id("B-24")
    for report in ctx.records("B-23"):
        for row in report.tables.get("findings", []):
            category, value = row.values.get("category"), row.values.get("corrective_id")
            if category not in REPORTED_NONCONFORMITIES:
                continue
            missing = [c for c in _ids(value) if c not in actions]
            name = row.values.get("finding_id") or category
            if not _ids(value):
                yield ctx.at("B-23", report, "corrective_id", None,
                             f"指摘 {name}（{category}）に是正IDがありません（是正処置に関する報告書を起こしてください）",
                             f"Finding {name} ({category}) has no corrective action id; raise a B-24 report",
                             cell=row.cell("corrective_id"))
            elif missing:
                yield ctx.at("B-23", report, "corrective_id", value,
                             f"指摘 {name} の是正ID {'、'.join(missing)} が是正処置に関する報告書にありません",
                             f"Corrective action id {', '.join(missing)} of finding {name} is not in B-24",
                             cell=row.cell("corrective_id"))
