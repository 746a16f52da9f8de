"""Suppressions: findings the ISMS office has decided to accept for a while, with a reason and an
expiry date, kept in ``isms_xl_suppressions.toml`` beside the workbooks::

    [[suppress]]
    rule = "XREF-003"          # required
    record = "A-018"           # the record id; omit only to silence the rule for a whole form
    form = "B-01"              # optional
    reason = "2027年3月の棚卸しで廃棄予定"   # required: auditors will ask
    expires = 2027-03-31       # required: a suppression is never forever

An expired suppression no longer hides its finding and is itself a warning (SUPP-001).

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from isms_xl.errors import ConfigError
from isms_xl.findings import Finding, Severity

SUPPRESSIONS_NAME = "isms_xl_suppressions.toml"
EXPIRED_RULE = "SUPP-001"


@dataclass(frozen=True)
class Suppression:
    rule: str
    record: str | None
    form: str | None
    reason: str
    expires: dt.date
    index: int  # position in the file, for messages

    def matches(self, f: Finding) -> bool:
        return (f.rule == self.rule and (self.record is None or f.record == self.record)
                and (self.form is None or f.form == self.form))


def load_suppressions(folder: Path | str) -> list[Suppression]:
    path = Path(folder) / SUPPRESSIONS_NAME
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: TOML として読めません: {exc}", f"{path}: not valid TOML: {exc}") from None
    out = []
    for i, entry in enumerate(data.get("suppress", []), start=1):
        missing = [k for k in ("rule", "reason", "expires") if not entry.get(k)]
        if missing:
            raise ConfigError(f"{path}: {i} 件目の [[suppress]] に {', '.join(missing)} がありません",
                              f"{path}: [[suppress]] entry {i} lacks {', '.join(missing)}")
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(f"{path}: {i} 件目の expires「{expires}」は日付ではありません（例: 2027-03-31）",
                                  f"{path}: entry {i}: expires {expires!r} is not a date (e.g. 2027-03-31)") from None
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        out.append(Suppression(str(entry["rule"]), _opt(entry.get("record")), _opt(entry.get("form")),
                               str(entry["reason"]), expires, i))
    return out


def _opt(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression], today: dt.date
                       ) -> tuple[list[Finding], list[tuple[Finding, Suppression]], list[Finding]]:
    """(kept findings, suppressed (finding, suppression) pairs, SUPP-001 warnings for expired ones)."""
    active = [s for s in suppressions if s.expires >= today]
    expired = [s for s in suppressions if s.expires < today]
    kept, suppressed = [], []
    for f in findings:
        hit = next((s for s in active if s.matches(f)), None)
        if hit is None:
            kept.append(f)
        else:
            suppressed.append((f, hit))
    warnings = [Finding(EXPIRED_RULE, Severity.WARNING, s.form, SUPPRESSIONS_NAME, None, None, s.record, s.rule,
                        f"抑止設定（{s.index} 件目: {s.rule} {s.record or ''}）の期限 {s.expires} が切れています。"
                        f"指摘は再び表示されます（理由: {s.reason}）",
                        f"Suppression {s.index} ({s.rule} {s.record or ''}) expired on {s.expires}; "
                        f"its finding shows again (reason: {s.reason})")
                for s in expired]
    return kept, suppressed, warnings
