"""XREF-050, 051: awareness and training — B-08 annual plan, B-09 reports (manual §7.2, §7.3)."""

from __future__ import annotations

from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.reader.model import Record
from isms_xl.rules._util import is_number as _number, written as _written
from isms_xl.rules.registry import CheckContext, rule


def _below_full(r: Record) -> bool:
    """Attendance below 100 %, from the counts when both are there (受講率 may be stale: CALC-001)."""
    target, attended = r.values.get("target_count"), r.values.get("attended_count")
    if _number(target) and _number(attended):
        return attended < target
    rate = r.values.get("attendance_rate")
    return _number(rate) and rate < 1


@rule("XREF-050", "error", ("B-08", "B-09"), "実施予定月を過ぎた教育に実施報告書がない",
      "a B-08 course whose planned month is past has no B-09 report")
def xref_050(ctx: CheckContext) -> Iterator[Finding]:
    this_month = ctx.today.replace(day=1)
    reported = {str(r.values.get("course_id")) for r in ctx.records("B-09")}
    for course in ctx.records("B-08"):
        cid, month = course.values.get("course_id"), course.values.get("planned_month")
        if cid is not None and month is not None and month < this_month and str(cid) not in reported:
            yield ctx.at("B-08", course, "course_id", cid,
                         f"教育 {cid}（{course.values.get('course') or '教育名なし'}）は実施予定月 {month:%Y-%m} を過ぎていますが、"
                         f"教育訓練実施報告書（B-09）がありません",
                         f"Course {cid} was planned for {month:%Y-%m}, which has passed, but has no training report (B-09)")


@rule("XREF-051", "warning", ("B-09",), "受講率100%未満で未受講者へのフォローがない",
      "B-09 attendance below 100 % without follow-up")
def xref_051(ctx: CheckContext) -> Iterator[Finding]:
    for r in ctx.records("B-09"):
        if _below_full(r) and not _written(r, "follow_up"):
            attended, target = r.values.get("attended_count"), r.values.get("target_count")
            counts = f"（{attended}/{target}名）" if _number(attended) and _number(target) else ""
            yield ctx.at("B-09", r, "follow_up", None,
                         f"受講率が100%未満{counts}ですが、未受講者へのフォローが記入されていません",
                         f"Attendance below 100 %{counts and f' ({attended}/{target})'} without a follow-up for the absentees")
