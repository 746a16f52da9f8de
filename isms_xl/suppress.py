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

from isms_xl.controls import parse_control_id
from isms_xl.errors import ConfigError
from isms_xl.findings import Finding, Severity

SUPPRESSIONS_NAME = "isms_xl_suppressions.toml"
_KEYS = {"rule", "record", "form", "reason", "expires"}
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
        return (f.rule == self.rule and (self.record is None or _same_record(f.record, self.record))
                and (self.form is None or f.form == self.form))


def _same_record(found: str | None, written: str) -> bool:
    """Record ids as the user writes them: SoA control ids in any spelling ("5.32" = "A.5.32")."""
    if found == written:
        return True
    if found is None:
        return False
    a, b = parse_control_id(found), parse_control_id(written)
    return a is not None and a == b


def load_suppressions(folder: Path | str) -> list[Suppression]:
    path = Path(folder) / SUPPRESSIONS_NAME
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: TOML として読めません: {exc}", f"{path}: not valid TOML: {exc}") from None
    entries = data.get("suppress", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 抑止設定は [[suppress]]（角かっこ2つ）で書いてください",
                          f"{path}: write suppressions as [[suppress]] (double brackets)")
    out = []
    for i, entry in enumerate(entries, start=1):
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            # A misspelt "record" would otherwise silence the rule for every record.
            raise ConfigError(f"{path}: {i} 件目の [[suppress]] に不明な項目 {', '.join(unknown)} があります"
                              f"（使える項目: {', '.join(sorted(_KEYS))}）",
                              f"{path}: [[suppress]] entry {i} has unknown keys {', '.join(unknown)} "
                              f"(valid: {', '.join(sorted(_KEYS))})")
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
        if not isinstance(expires, dt.date):
            raise ConfigError(f"{path}: {i} 件目の expires「{expires}」は日付ではありません（例: 2027-03-31）",
                              f"{path}: entry {i}: expires {expires!r} is not a date (e.g. 2027-03-31)")
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
