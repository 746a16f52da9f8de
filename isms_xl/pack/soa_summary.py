"""The SoA summary of the audit pack: for every control of A-02 its decision, reasons and status,
and the B-02 risks and B-03 plans that select it (the traceability auditors ask for, §6.1.3 d).

Risks are those of ``derived.risks_by_control`` (a B-02 row listing the control, or a B-03 plan
listing it for that risk): the same rule that writes the SoA's 関連リスクID, so the summary and
the recomputed workbook cannot disagree. Plans are the B-03 plans whose 管理策 lists the control.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from isms_xl.derived import risks_by_control
from isms_xl.forms.a02_soa import APPLICABLE, EXCLUDED, MARK
from isms_xl.reader.model import Form

__all__ = ["REASONS", "SoaRow", "SoaSummary", "soa_summary"]

# (column key, Japanese, English): the reasons for selecting a control, in the SoA's order.
REASONS = (
    ("reason_risk", "リスク対応", "Risk treatment"),
    ("reason_legal", "法令", "Legal"),
    ("reason_contract", "契約", "Contract"),
)


def _as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


@dataclass(frozen=True)
class SoaRow:
    control_id: str
    control_name: str
    applicable: str | None  # "○", "×", or None when blank
    reasons: tuple[str, ...]  # REASONS keys marked ○, then "other" when 採用理由:その他 has text
    reason_other: str
    exclusion_reason: str
    status: str | None
    documents: str
    risks: tuple[str, ...]  # B-02 risk ids selecting the control, in B-02 order
    plans: tuple[str, ...]  # B-03 plan ids listing the control, in B-03 order
    row: int | None  # the A-02 row (1-based), for the auditor to find it

    def reason_labels(self, lang: str = "ja") -> list[str]:
        labels = {k: (ja if lang == "ja" else en) for k, ja, en in REASONS}
        out = [labels[k] for k in self.reasons if k in labels]
        if self.reason_other:
            out.append(("その他: " if lang == "ja" else "Other: ") + self.reason_other)
        return out


@dataclass
class SoaSummary:
    rows: list[SoaRow] = field(default_factory=list)
    plan_status: dict[str, str] = field(default_factory=dict)  # plan id -> B-03 状況
    # Controls that B-02/B-03 select but the SoA does not list (XREF-010's concern, shown here
    # so the auditor sees the gap in the traceability table itself).
    not_in_soa: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {"controls": len(self.rows), "applicable": 0, "excluded": 0, "undecided": 0, "with_risks": 0}
        for r in self.rows:
            key = {APPLICABLE: "applicable", EXCLUDED: "excluded"}.get(r.applicable or "", "undecided")
            out[key] += 1
            out["with_risks"] += bool(r.risks)
        return out

    def status_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            if r.applicable == APPLICABLE:
                out[r.status or ""] = out.get(r.status or "", 0) + 1
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def soa_summary(forms: Mapping[str, Form]) -> SoaSummary:
    """The summary of ``forms["A-02"]`` (empty without it); risks and plans need B-02 / B-03."""
    soa = forms.get("A-02")
    b02, b03 = forms.get("B-02"), forms.get("B-03")
    by_control = risks_by_control(b02, b03) if b02 is not None else {}
    plans_by_control: dict[str, dict[str, None]] = {}
    plan_status: dict[str, str] = {}
    if b03 is not None:
        for plan in b03.records:
            pid = plan.values.get("plan_id")
            if pid is None:
                continue
            plan_status.setdefault(str(pid), _text(plan.values.get("status")))
            for cid in _as_tuple(plan.values.get("controls")):
                plans_by_control.setdefault(cid, {})[str(pid)] = None
    out = SoaSummary(plan_status=plan_status)
    listed: set[str] = set()
    for record in soa.records if soa is not None else ():
        v = record.values
        cid = v.get("control_id")
        if cid is None:
            continue
        cid = str(cid)
        listed.add(cid)
        reasons = tuple(k for k, _ja, _en in REASONS if v.get(k) == MARK)
        out.rows.append(SoaRow(
            control_id=cid, control_name=_text(v.get("control_name")), applicable=v.get("applicable"),
            reasons=reasons, reason_other=_text(v.get("reason_other")),
            exclusion_reason=_text(v.get("exclusion_reason")), status=v.get("status"),
            documents=_text(v.get("documents")), risks=tuple(by_control.get(cid, ())),
            plans=tuple(plans_by_control.get(cid, ())), row=None if record.row is None else record.row + 1))
    if soa is not None:
        for cid in sorted(set(by_control) | set(plans_by_control)):
            if cid not in listed:
                out.not_in_soa[cid] = tuple(by_control.get(cid, ()))
    return out
