"""Collects the READ findings of one form, each with its place and a message in both languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from isms_xl.findings import Finding, Severity
from isms_xl.reader.model import CellRef

SEVERITY = {
    "READ-001": Severity.ERROR,
    "READ-002": Severity.ERROR,
    "READ-003": Severity.ERROR,
    "READ-004": Severity.ERROR,
    "READ-005": Severity.WARNING,
    "READ-006": Severity.ERROR,
    "READ-007": Severity.WARNING,
    "READ-008": Severity.WARNING,
    "READ-009": Severity.INFO,
}


@dataclass
class Sink:
    form: str
    workbook: str
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, where: CellRef | tuple[str, int, int] | None, record: Any, value: Any,
            ja: str, en: str) -> None:
        if isinstance(where, tuple):
            where = CellRef(*where)
        self.findings.append(Finding(
            rule=rule, severity=SEVERITY[rule], form=self.form, workbook=self.workbook,
            sheet=where.sheet if where else None, cell=where.a1 if where else None,
            record=None if record is None else str(record), value=value, message_ja=ja, message_en=en,
        ))
