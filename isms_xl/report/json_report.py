"""The JSON report: a stable contract for other tools (documented in the README).

    {"tool": "isms-xl", "version": …, "checked_at": …, "today": …, "folder": …,
     "summary": {"error": n, "warning": n, "info": n},
     "findings": [{"rule", "severity", "form", "workbook", "sheet", "cell", "record", "value",
                   "message_ja", "message_en", "first_seen"}],
     "new": [...same shape...], "resolved": [{"rule", "severity", "form", "workbook", "sheet",
     "cell", "record", "message_ja", "message_en"}],
     "suppressed": [...], "problems": [{"workbook", "kind", "message_ja", "message_en"}],
     "missing_forms": ["B-05", …]}
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from isms_xl.check import CheckRun
from isms_xl.findings import Finding
from isms_xl.history import RunDelta, finding_key

FIELDS = ("rule", "severity", "form", "workbook", "sheet", "cell", "record", "value", "message_ja", "message_en")


def _value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, (str, int, float, bool, list)):
        return value
    return str(value)


def finding_json(f: Finding, first_seen: dict[str, str] | None = None) -> dict[str, Any]:
    row = {k: _value(v) for k, v in f.flat().items() if k in FIELDS}
    row["first_seen"] = (first_seen or {}).get(finding_key(f))
    return row


def report_dict(run: CheckRun, delta: RunDelta | None = None) -> dict[str, Any]:
    first = delta.first_seen if delta else {}
    return {
        "tool": "isms-xl",
        "version": run.version,
        "checked_at": run.checked_at.isoformat(),
        "today": run.today.isoformat(),
        "folder": str(run.folder),
        "summary": run.summary(),
        "findings": [finding_json(f, first) for f in run.findings],
        "new": [finding_json(f, first) for f in (delta.new if delta else [])],
        "resolved": [{k: v for k, v in r.items() if k != "key"} for r in (delta.resolved if delta else [])],
        "suppressed": [dict(finding_json(f), reason=s.reason, expires=s.expires.isoformat()) for f, s in run.suppressed],
        "problems": [{"workbook": p.workbook, "kind": p.kind, "message_ja": p.message_ja, "message_en": p.message_en}
                     for p in run.problems],
        "missing_forms": run.missing_forms,
    }


def render_json(run: CheckRun, delta: RunDelta | None = None) -> str:
    return json.dumps(report_dict(run, delta), ensure_ascii=False, indent=1)
