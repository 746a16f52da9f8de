"""Findings: problems in the data, as data (checks.md). Never exceptions.

Every finding carries its rule id, severity, where it is (form, workbook, sheet, cell), the record
id, the offending value and a message in Japanese and English, so that a person can click straight
to the cell and a test can compare flattened rows.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Finding:
    rule: str  # "READ-003"; ids never change and are never reused
    severity: Severity
    form: str | None  # "B-02"
    workbook: str | None  # path relative to the checked folder
    sheet: str | None
    cell: str | None  # "C12", or a row "12:12", or None for whole-form findings
    record: str | None
    value: Any
    message_ja: str
    message_en: str
    fix_ja: str = ""
    fix_en: str = ""

    def message(self, lang: str = "ja") -> str:
        return self.message_ja if lang == "ja" else self.message_en

    def location(self) -> str:
        parts = [p for p in (self.workbook, self.sheet and f"'{self.sheet}'", self.cell) if p]
        return "!".join(parts[-2:]) if self.sheet and self.cell else " ".join(parts)

    def key(self) -> tuple[str, str, str, str, str]:
        """Identity across runs (new / resolved): the rule and where, not the message text."""
        return (self.rule, self.form or "", self.workbook or "", self.record or "", self.cell or "")

    def flat(self) -> dict[str, Any]:
        row = asdict(self)
        row["severity"] = self.severity.value
        value = row["value"]
        if isinstance(value, (dt.date, dt.datetime, dt.time)):
            row["value"] = value.isoformat()
        return row


def flatten(findings: list[Finding], *fields: str) -> list[tuple]:
    """Findings as sorted tuples of the named fields: what tests compare."""
    fields = fields or ("rule", "form", "sheet", "cell")
    return sorted(tuple(f.flat()[name] for name in fields) for f in findings)
