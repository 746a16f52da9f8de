"""The risk register summary of the audit pack: inherent and residual heat maps, the risks that
need treatment (risk value above the 受容可能 band: ≥ 10 with the manual's method) with their
treatment and residual risk, the treatment plans by status, and the overdue plans.

Heat maps and plan counts are ``report.charts``' (the same numbers the check's HTML report
draws); overdue means what RISK-009 means: 完了予定日 before the as-of date, neither 完了 nor 中止.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from isms_xl.method import Method
from isms_xl.reader.model import Form
from isms_xl.report.charts import (
    CLOSED_STATUSES,
    HeatMap,
    PlanProgress,
    plan_progress,
    risk_heatmap,
)

__all__ = ["HighRisk", "PlanRow", "RiskSummary", "risk_summary"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


@dataclass(frozen=True)
class HighRisk:
    risk_id: str
    asset: str
    threat: str
    vulnerability: str
    risk_value: float
    evaluation: str
    treatment: str
    controls: str
    plans: tuple[str, ...]
    plan_status: tuple[str, ...]  # the status of each plan ("" when the plan is not in B-03)
    residual_risk: float | None
    residual_evaluation: str
    owner: str


@dataclass(frozen=True)
class PlanRow:
    plan_id: str
    risk_ids: str
    measure: str
    responsible: str
    due_on: dt.date | None
    status: str
    completed_on: dt.date | None
    overdue: bool
    days_overdue: int


@dataclass
class RiskSummary:
    as_of: dt.date
    threshold: float  # risks with a value above this need treatment (method.acceptable_max)
    treat_from: float  # the lowest value the method can give above it: 10 with the manual's
    inherent: HeatMap | None = None
    residual: HeatMap | None = None
    high: list[HighRisk] = field(default_factory=list)
    plans: list[PlanRow] = field(default_factory=list)
    progress: PlanProgress | None = None
    risks: int = 0

    @property
    def overdue(self) -> list[PlanRow]:
        return [p for p in self.plans if p.overdue]

    def by_value(self, method: Method, residual: bool) -> dict[float, int]:
        """Risk value -> number of risks at it (every possible value of the method, zeros too)."""
        heat = self.residual if residual else self.inherent
        out = dict.fromkeys(method.possible_values(), 0)
        if heat is None:
            return out
        for i in (1, 2, 3):
            for t in (1, 2, 3):
                for v in (1, 2, 3):
                    out[method.risk_value(i, t, v)] += heat.cell(i, t, v)
        return out


def risk_summary(forms: Mapping[str, Form], method: Method, as_of: dt.date) -> RiskSummary:
    b02, b03 = forms.get("B-02"), forms.get("B-03")
    above = [v for v in method.possible_values() if v > method.acceptable_max]
    out = RiskSummary(as_of, method.acceptable_max, min(above) if above else method.acceptable_max)
    status_of: dict[str, str] = {}
    if b03 is not None:
        for plan in b03.records:
            v = plan.values
            pid = v.get("plan_id")
            due, status = _date(v.get("due_on")), _text(v.get("status"))
            overdue = due is not None and due < as_of and status not in CLOSED_STATUSES
            if pid is not None:
                status_of.setdefault(str(pid), status)
            out.plans.append(PlanRow(_text(pid), _text(v.get("risk_ids")), _text(v.get("measure")),
                                     _text(v.get("responsible")), due, status, _date(v.get("completed_on")),
                                     overdue, (as_of - due).days if overdue and due else 0))
        out.progress = plan_progress(b03.records, as_of)
    if b02 is not None:
        out.risks = len(b02.records)
        out.inherent = risk_heatmap(b02.records)
        out.residual = risk_heatmap(b02.records, residual=True)
        for record in b02.records:
            v = record.values
            value = _number(v.get("risk_value"))
            if value is None or value <= method.acceptable_max:
                continue
            plans = tuple(str(p) for p in _as_tuple(v.get("plan_ids")))
            out.high.append(HighRisk(
                _text(v.get("risk_id")), _text(v.get("asset_name")) or _text(v.get("asset_id")), _text(v.get("threat")),
                _text(v.get("vulnerability")), value, _text(v.get("evaluation")), _text(v.get("treatment")),
                _text(v.get("controls")), plans, tuple(status_of.get(p, "") for p in plans),
                _number(v.get("residual_risk")), _text(v.get("residual_evaluation")), _text(v.get("risk_owner"))))
        out.high.sort(key=lambda h: (-h.risk_value, h.risk_id))
    return out
