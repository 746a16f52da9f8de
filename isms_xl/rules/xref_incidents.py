"""XREF-070 … 072: security events (B-13), incident reports (B-12), their corrective actions (B-24)
and affected assets (B-01) — manual §9.1.1, Annex A 5.24 – 5.28."""

from __future__ import annotations

from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.forms.b12_incident_report import HIGH
from isms_xl.forms.b13_event_log import INCIDENT
from isms_xl.rules._util import ids_of as _ids
from isms_xl.rules.registry import CheckContext, rule


def _listed(ids: list[str]) -> str:
    return "、".join(ids)


@rule("XREF-070", "error", ("B-12", "B-13"), "インシデント該当の事象にインシデントIDがない、事象IDが事象記録簿にない",
      "B-13 event marked 該当 without an incident id; B-12 event id not in B-13")
def xref_070(ctx: CheckContext) -> Iterator[Finding]:
    incidents, events = ctx.by_id("B-12"), ctx.by_id("B-13")
    for e in ctx.records("B-13"):
        linked = _ids(e.values.get("incident_id"))
        if e.values.get("is_incident") == INCIDENT and not linked:
            yield ctx.at("B-13", e, "incident_id", None,
                         "インシデント該当とされていますが、インシデントID（セキュリティインシデント報告書）がありません",
                         "Event marked 該当 (an incident) without the id of its B-12 incident report")
        missing = [i for i in linked if i not in incidents]
        if missing:
            yield ctx.at("B-13", e, "incident_id", e.values.get("incident_id"),
                         f"インシデントID {_listed(missing)} がセキュリティインシデント報告書にありません",
                         f"Incident id {', '.join(missing)} is not in B-12 (incident reports)")
    for i in ctx.records("B-12"):
        missing = [e for e in _ids(i.values.get("event_id")) if e not in events]
        if missing:
            yield ctx.at("B-12", i, "event_id", i.values.get("event_id"),
                         f"事象ID {_listed(missing)} が情報セキュリティ事象記録簿にありません（事象として記録してください）",
                         f"Event id {', '.join(missing)} is not in B-13 (record the event in the event log)")


@rule("XREF-071", "error", ("B-12", "B-24"), "重大度「高」に是正IDがない、是正IDが是正処置報告書にない",
      "B-12 severity 高 without a corrective action id; id not in B-24")
def xref_071(ctx: CheckContext) -> Iterator[Finding]:
    actions = ctx.by_id("B-24")
    for i in ctx.records("B-12"):
        value = i.values.get("corrective_id")
        linked = _ids(value)
        missing = [c for c in linked if c not in actions]
        if i.values.get("severity") == HIGH and not linked:
            yield ctx.at("B-12", i, "corrective_id", None,
                         "重大度「高」のインシデントですが是正ID（是正処置に関する報告書）がありません",
                         "Severity 高 (high) incident without a corrective action id (B-24)")
        elif missing:
            yield ctx.at("B-12", i, "corrective_id", value,
                         f"是正ID {_listed(missing)} が是正処置に関する報告書にありません",
                         f"Corrective action id {', '.join(missing)} is not in B-24")


@rule("XREF-072", "error", ("B-12", "B-01"), "影響を受けた資産が情報資産台帳にない", "B-12 affected asset not in B-01")
def xref_072(ctx: CheckContext) -> Iterator[Finding]:
    assets = ctx.by_id("B-01")
    for i in ctx.records("B-12"):
        value = i.values.get("assets")
        missing = [a for a in _ids(value) if a not in assets]
        if missing:
            yield ctx.at("B-12", i, "assets", value,
                         f"影響を受けた資産 {_listed(missing)} が情報資産台帳にありません",
                         f"Affected asset {', '.join(missing)} is not in B-01 (asset register)")
