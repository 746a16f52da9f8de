"""Awareness and training (§7.2, §7.3): the B-08 plans of the previous and the current fiscal year
and a B-09 report for every course whose month is over.

Clean records: no course is planned in the as-of month, so "past" never depends on whether a
checker counts the running month (XREF-050); every report below 100 % lists its absentees with a
follow-up date and says how they are followed up (XREF-051)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.dates import add_months
from isms_xl.demo.names import ADMIN, SALES, TECH

EXTERNAL_TRAINER = "株式会社セキュアラーニング 講師"

# month, course, audience, method, instructor (office / manager / external), hours, who attends
COURSES = (
    (4, "新入社員ISMS導入教育", "新入社員", "集合研修", "office", 2, "new"),
    (5, "全社員情報セキュリティ教育（基本方針・規程の理解）", "全従業員", "eラーニング", "office", 1, "all"),
    (6, "個人情報保護・マイナンバー取扱研修", "管理部門・営業部門", "集合研修", "external", 1.5, "sales_admin"),
    (7, "内部監査員養成研修", "内部監査員候補者", "外部研修", "external", 14, "auditors"),
    (8, "セキュアコーディング研修", "技術部門", "集合研修", "tech_lead", 3, "tech"),
    (9, "標的型メール訓練と振り返り", "全従業員", "eラーニング", "office", 0.5, "all"),
    (10, "委託先管理・契約実務研修", "部門長・ISMS推進委員", "集合研修", "office", 1, "leaders"),
    (11, "事業継続計画（BCP）説明会", "全従業員", "集合研修", "manager", 1, "all"),
    (1, "情報セキュリティ事例研修（インシデントの振り返り）", "全従業員", "eラーニング", "office", 1, "all"),
    (2, "ISMS推進委員向け研修（事象の記録と報告）", "ISMS推進委員", "OJT", "manager", 2, "promoters"),
)


def _attendees(data: DemoData, group: str) -> list[str]:
    org = data.org
    if group == "all":
        return [s.name for s in org.staff]
    if group == "tech":
        return org.members(TECH)
    if group == "sales_admin":
        return org.members(SALES) + org.members(ADMIN)
    if group == "leaders":
        return list(org.heads.values()) + list(org.promoters.values())
    if group == "promoters":
        return list(org.promoters.values())
    if group == "auditors":
        return org.workers(TECH)[3:5] + org.workers(ADMIN)[4:5] + org.workers(SALES)[3:4]
    return [s.name for s in sorted(org.staff, key=lambda s: s.joined_on)[-3:]]  # the newest joiners


def _instructor(data: DemoData, kind: str) -> str:
    org = data.org
    return {"office": f"ISMS事務局 {org.office[0]}", "manager": f"ISMS管理責任者 {org.manager}",
            "external": EXTERNAL_TRAINER, "tech_lead": f"技術部門 {org.heads[TECH]}"}[kind]


def _month_of(data: DemoData, fy: int, month: int) -> dt.date:
    """The course's month in fiscal year ``fy``; in the current year a course never sits in the
    as-of month (moved one month back, or forward in April when there is no month back)."""
    cal = data.cal
    day = cal.fy_months(fy)[(month - cal.fy_start_month) % 12]
    if day == cal.month_start:
        day = add_months(day, 1 if day == cal.fy_start(fy) else -1)
    return day


def build_training(data: DemoData) -> None:
    cal = data.cal
    plans, reports = data.records("B-08"), data.records("B-09")
    for fy in (cal.fy - 1, cal.fy):
        for n, (month, course, audience, method, instructor, hours, group) in enumerate(COURSES, start=1):
            planned = _month_of(data, fy, month)
            rec = Rec("course_id", course_id=f"E{fy}-{n:02d}", course=course, audience=audience, planned_month=planned,
                      method=method, instructor=_instructor(data, instructor), hours=hours)
            plans.append(rec)
            if planned < cal.month_start:
                reports.append(_report(data, rec, planned, _attendees(data, group)))
    plans.sort(key=lambda r: (r["planned_month"], r["course_id"]))
    reports.sort(key=lambda r: r["held_on"])
    for i, rep in enumerate(reports, start=1):
        rep["report_id"] = f"TR-{i:03d}"


def _report(data: DemoData, course: Rec, month: dt.date, people: list[str]) -> Rec:
    rng, org = data.rng, data.org
    held = month + dt.timedelta(days=rng.randint(7, 24))
    absent = sorted(rng.sample(people, rng.randint(1, 3)), key=people.index) if len(people) > 8 and rng.random() < 0.4 else []
    rec = Rec("report_id", report_id=None, course_id=course, held_on=held, instructor=course["instructor"],
              target_count=len(people), attended_count=len(people) - len(absent),
              understanding=f"理解度テスト平均{rng.randint(78, 94)}点（合格基準70点、受講者全員合格）",
              reporter=org.office[rng.randint(0, 1)])
    if absent:
        follow = held + dt.timedelta(days=rng.randint(14, 30))
        rec["absentees"] = [{"name": n, "department": org.department_of(n), "follow_up_on": follow} for n in absent]
        rec["follow_up"] = "未受講者には録画視聴による補講を指示し、理解度テストの合格をもって受講完了とした"
    return rec
