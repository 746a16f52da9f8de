"""B-24 corrective actions, raised by the forms that find nonconformities (B-07 failed tests,
B-12 incidents, B-23 audit findings, B-25 reviews, external audits) and numbered by date at the end.

Clean records: 完了 ones carry 実施日, 部門長確認日, 有効性確認 有効 and its date (XREF-120); open
ones are due at least ten days ahead (XREF-120); the 受理者 is the 社長 for incident-origin actions
and the ISMS管理責任者 otherwise, as the manual's flow chart says (XREF-121)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec, number

INTERNAL_AUDIT, EXTERNAL_AUDIT, MANAGEMENT_REVIEW, INCIDENT, PROCESS = (
    "内部監査", "外部審査", "マネジメントレビュー", "セキュリティインシデント", "プロセス内")
DONE, IN_PROGRESS = "完了", "実施中"


def new_corrective(data: DemoData, origin: str, source_ids: str, raised_on: dt.date, responsible: str, *,
                   nonconformity: str, cause: str, correction: str, action: str) -> Rec:
    """A corrective action raised on ``raised_on``; finished when there has been time to finish it
    and check its effectiveness (about 100 days), open and due ahead otherwise."""
    cal, rng, org = data.cal, data.rng, data.org
    rec = Rec("corrective_id", corrective_id=None, origin=origin, source_ids=source_ids, nonconformity=nonconformity,
              cause=cause, correction=correction, action=action, responsible=responsible,
              accepted_by=org.president if origin == INCIDENT else org.manager)
    age = (cal.as_of - raised_on).days
    if age >= 100:
        done = raised_on + dt.timedelta(days=rng.randint(20, 45))
        reviewed = done + dt.timedelta(days=rng.randint(1, 5))
        checked = reviewed + dt.timedelta(days=rng.randint(20, min(45, age - 55)))
        rec.update(due_on=raised_on + dt.timedelta(days=60), done_on=done, dept_head_reviewed_on=reviewed,
                   effectiveness="有効", effectiveness_checked_on=checked, status=DONE)
    else:
        rec.update(due_on=max(raised_on + dt.timedelta(days=60), cal.ahead(rng.randint(20, 45))), status=IN_PROGRESS)
    rec["_raised"] = raised_on
    data.records("B-24").append(rec)
    return rec


def number_correctives(data: DemoData) -> None:
    records = data.records("B-24")
    records.sort(key=lambda r: r["_raised"])
    number(records, lambda i, r: f"CA-{i:03d}")
