"""XREF-120, 121: corrective action reports (B-24) — manual §10.1 and its corrective-action flow
chart: the 社長 accepts actions on security incidents, the ISMS管理責任者 (as internal audit lead)
those from audits, management reviews and processes."""

from __future__ import annotations

from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.forms.b24_corrective_action import DONE, EFFECTIVE, INCIDENT, INEFFECTIVE
from isms_xl.rules._util import day_of as _day
from isms_xl.rules.registry import CheckContext, rule
from isms_xl.rules.xref_people import person_key
from isms_xl.schema import Approver

PRESIDENT, ISMS_MANAGER = Approver.PRESIDENT.value, Approver.ISMS_MANAGER.value


def acceptor_role(origin: str) -> str:
    """The role that accepts a corrective action of this origin (the flow chart)."""
    return PRESIDENT if origin == INCIDENT else ISMS_MANAGER


@rule("XREF-120", "error", ("B-24",), "完了なのに有効性確認がない、期限を過ぎて未完了",
      "B-24 完了 without 有効性確認; overdue and not 完了")
def xref_120(ctx: CheckContext) -> Iterator[Finding]:
    for a in ctx.records("B-24"):
        status, effectiveness = a.values.get("status"), a.values.get("effectiveness")
        if status == DONE and effectiveness is None:
            yield ctx.at("B-24", a, "effectiveness", None, "状況が完了ですが有効性確認がありません",
                         "Status 完了 (done) without an effectiveness check")
        elif status == DONE and effectiveness == INEFFECTIVE:
            yield ctx.at("B-24", a, "effectiveness", effectiveness,
                         f"有効性確認が{INEFFECTIVE}のまま完了としています（追加の是正処置が必要です）",
                         f"Closed as 完了 although the effectiveness check found it {INEFFECTIVE} (ineffective); "
                         "further action is needed")
        elif status == DONE and effectiveness == EFFECTIVE and a.values.get("effectiveness_checked_on") is None:
            yield ctx.at("B-24", a, "effectiveness_checked_on", None, "有効性確認の日付がありません",
                         "The effectiveness check has no date")
        due = _day(a.values.get("due_on"))
        if status != DONE and due is not None and due < ctx.today:
            yield ctx.at("B-24", a, "due_on", due, f"期限 {due} を過ぎていますが状況は{status or '空欄'}です",
                         f"Due {due} has passed and the action is {status or 'blank'}")


@rule("XREF-121", "warning", ("B-24",), "是正処置の受理者が発生源に応じた役割でない",
      "B-24 accepted by the wrong role for its origin", needs_people=True)
def xref_121(ctx: CheckContext) -> Iterator[Finding]:
    for a in ctx.records("B-24"):
        origin, accepted = a.values.get("origin"), a.values.get("accepted_by")
        if origin is None or accepted is None:
            continue
        role = acceptor_role(origin)
        holders = ctx.config.organisation.holders(role)
        if not holders:
            continue  # nobody holds the role in the configuration: cannot judge
        # The role itself (「社長」) is a right answer too: minutes often name the office, not the person.
        if person_key(accepted) in {person_key(n) for n in (*holders, role)}:
            continue
        names = "、".join(holders)
        yield ctx.at("B-24", a, "accepted_by", accepted,
                     f"発生源が{origin}の是正処置は{role}（{names}）が受理しますが、受理者は{accepted}です",
                     f"A corrective action from {origin} is accepted by the {role} ({', '.join(holders)}), "
                     f"not by {accepted}")
