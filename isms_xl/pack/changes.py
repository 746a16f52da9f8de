"""What changed since the last audit: the previous pack's workbooks against this one's.

- assets (B-01): added, and retired (状態 turned 廃棄済, or the asset left the register);
- risks (B-02): added, removed, and those whose risk value or residual risk changed;
- plans (B-03): closed (状況 turned 完了 or 中止; a new plan already closed counts too);
- SoA (A-02): controls whose decision (適用 ○/×) changed, that were added or removed, and whose
  implementation status changed.

Records are matched by their id column. Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from isms_xl.forms.b01_asset_register import DISPOSED
from isms_xl.reader.model import Form
from isms_xl.report.charts import CLOSED_STATUSES

__all__ = ["Change", "Changes", "compare_forms"]


@dataclass(frozen=True)
class Change:
    form: str
    kind: str  # asset_added / asset_retired / risk_added / risk_removed / risk_changed / plan_closed /
    #            soa_decision / soa_added / soa_removed / soa_status
    id: str
    name: str = ""
    old: Any = None
    new: Any = None
    field: str = ""


KIND_TEXT = {
    "asset_added": ("資産の追加", "Asset added"),
    "asset_retired": ("資産の廃棄・削除", "Asset retired"),
    "risk_added": ("リスクの追加", "Risk added"),
    "risk_removed": ("リスクの削除", "Risk removed"),
    "risk_changed": ("リスク値の変更", "Risk value changed"),
    "plan_closed": ("対応計画の完了・中止", "Plan closed"),
    "soa_decision": ("適用の判断の変更", "SoA decision changed"),
    "soa_added": ("SoA に追加された管理策", "Control added to the SoA"),
    "soa_removed": ("SoA から消えた管理策", "Control removed from the SoA"),
    "soa_status": ("実施状況の変更", "Implementation status changed"),
}
FIELD_TEXT = {"risk_value": ("リスク値", "risk value"), "residual_risk": ("残留リスク値", "residual risk"),
              "status": ("状況", "status"), "applicable": ("適用", "applicable")}


@dataclass
class Changes:
    previous_as_of: str | None
    items: list[Change] = field(default_factory=list)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.items if c.kind == kind]

    def counts(self) -> dict[str, int]:
        return {k: len(self.of(k)) for k in KIND_TEXT}

    def to_json(self) -> dict[str, Any]:
        return {"previous_as_of": self.previous_as_of, "counts": self.counts(),
                "changes": [{k: _plain(v) for k, v in asdict(c).items()} for c in self.items]}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _records(form: Form | None) -> dict[str, dict[str, Any]]:
    return {} if form is None else {rid: r.values for rid, r in form.by_id().items()}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return a == b


def compare_forms(old: Mapping[str, Form], new: Mapping[str, Form], previous_as_of: str | None = None) -> Changes:
    out = Changes(previous_as_of)
    add = out.items.append

    before, after = _records(old.get("B-01")), _records(new.get("B-01"))
    for aid, v in after.items():
        if aid not in before:
            add(Change("B-01", "asset_added", aid, str(v.get("name") or "")))
        elif v.get("status") == DISPOSED and before[aid].get("status") != DISPOSED:
            add(Change("B-01", "asset_retired", aid, str(v.get("name") or ""), before[aid].get("status"), DISPOSED, "status"))
    for aid, v in before.items():
        if aid not in after and v.get("status") != DISPOSED:
            add(Change("B-01", "asset_retired", aid, str(v.get("name") or ""), v.get("status"), None, "status"))

    before, after = _records(old.get("B-02")), _records(new.get("B-02"))
    for rid, v in after.items():
        name = str(v.get("asset_name") or v.get("asset_id") or "")
        if rid not in before:
            add(Change("B-02", "risk_added", rid, name, None, v.get("risk_value"), "risk_value"))
            continue
        for key in ("risk_value", "residual_risk"):
            if not _same(before[rid].get(key), v.get(key)):
                add(Change("B-02", "risk_changed", rid, name, before[rid].get(key), v.get(key), key))
    for rid, v in before.items():
        if rid not in after:
            add(Change("B-02", "risk_removed", rid, str(v.get("asset_name") or ""), v.get("risk_value"), None, "risk_value"))

    before, after = _records(old.get("B-03")), _records(new.get("B-03"))
    for pid, v in after.items():
        status = v.get("status")
        was = before.get(pid, {}).get("status")
        if status in CLOSED_STATUSES and was not in CLOSED_STATUSES:
            add(Change("B-03", "plan_closed", pid, str(v.get("measure") or ""), was, status, "status"))

    before, after = _records(old.get("A-02")), _records(new.get("A-02"))
    for cid, v in after.items():
        name = str(v.get("control_name") or "")
        if cid not in before:
            add(Change("A-02", "soa_added", cid, name, None, v.get("applicable"), "applicable"))
            continue
        if before[cid].get("applicable") != v.get("applicable"):
            add(Change("A-02", "soa_decision", cid, name, before[cid].get("applicable"), v.get("applicable"), "applicable"))
        if before[cid].get("status") != v.get("status"):
            add(Change("A-02", "soa_status", cid, name, before[cid].get("status"), v.get("status"), "status"))
    for cid, v in before.items():
        if cid not in after:
            add(Change("A-02", "soa_removed", cid, str(v.get("control_name") or ""), v.get("applicable"), None, "applicable"))
    return out
