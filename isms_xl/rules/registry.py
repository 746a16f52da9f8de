"""The rule registry: every check is a small function registered once with its id, severity, the
forms it needs and its title in Japanese and English (checks.md). Users add rules the same way
(the ``isms_xl.rules`` entry-point group, see ``load_plugins``).

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from isms_xl.catalog import Catalog, load_catalog
from isms_xl.config import Config
from isms_xl.findings import Finding, Severity
from isms_xl.reader.model import CellRef, Form, Record, shared_column

RuleFunc = Callable[["CheckContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: Severity
    forms: tuple[str, ...]  # every one of these must be present, else the rule is skipped
    title_ja: str
    title_en: str
    func: RuleFunc
    needs_people: bool = False  # skipped (info) when the organisation is not configured

    def title(self, lang: str = "ja") -> str:
        return self.title_ja if lang == "ja" else self.title_en


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity | str, forms: Iterable[str], title_ja: str, title_en: str, *,
         needs_people: bool = False) -> Callable[[RuleFunc], RuleFunc]:
    """Register a check. Ids are the contract (reports, suppressions, tests): never reuse one."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice ({RULES[rule_id].func.__module__}, {func.__module__})")
        RULES[rule_id] = Rule(rule_id, Severity(severity), tuple(forms), title_ja, title_en, func, needs_people)
        return func

    return register


@dataclass
class CheckContext:
    """What every rule sees: the forms read from the folder, the configuration, today's date."""

    forms: dict[str, Form]
    config: Config
    today: dt.date
    folder: Path | None = None
    current: Rule | None = field(default=None, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # work shared by rules in one run

    @property
    def catalog(self) -> Catalog:
        return load_catalog(self.config.annex_version)

    def form(self, form_id: str) -> Form:
        return self.forms[form_id]

    def by_id(self, form_id: str) -> dict[str, Record]:
        """``Form.by_id`` of a form, built once per run (rules look records up by id often)."""
        key = f"by_id.{form_id}"
        if key not in self.cache:
            self.cache[key] = self.forms[form_id].by_id()
        return self.cache[key]

    def records(self, form_id: str) -> list[Record]:
        form = self.forms.get(form_id)
        return form.records if form else []

    def column(self, form_id: str, key: str) -> list[Any]:
        """The records' values of ``key`` (None when blank), in record order, built once per run.
        Rules that walk a large register zip its columns instead of reading each record's dict:
        one pass in C serves every rule that reads the column (records do not change while the
        rules run)."""
        return shared_column(self.cache, form_id, self.records(form_id), key)

    def workbook(self, form: Form) -> str:
        if self.folder is not None:
            try:
                return str(form.path.relative_to(self.folder))
            except ValueError:
                pass
        return form.path.name

    def at(self, form_id: str, record: Record | None, key: str | None, value: Any, ja: str, en: str, *,
           cell: CellRef | None = None, rule_id: str | None = None) -> Finding:
        """A finding of the current rule at a record's cell (or the given cell)."""
        r = self.current if rule_id is None else RULES[rule_id]
        form = self.forms.get(form_id)
        spec_id_key = form.spec.id_column.key if form else None
        if cell is None and record is not None and key is not None:
            cell = record.cell(key)
        rid = record.values.get(spec_id_key) if record is not None and spec_id_key else None
        return Finding(r.rule_id, r.severity, form_id, self.workbook(form) if form else None,
                       cell.sheet if cell else None, cell.a1 if cell else None,
                       None if rid is None else str(rid), value, ja, en)

    def header_cell(self, form_id: str, key: str) -> CellRef | None:
        form = self.forms.get(form_id)
        if form is None or form.header_row is None or key not in form.columns:
            return None
        return CellRef(form.sheets[0], form.header_row, form.columns[key])

    def months_ago(self, months: int) -> dt.date:
        """The same day ``months`` months before today (clamped to the month's end)."""
        y, m = divmod(self.today.year * 12 + self.today.month - 1 - months, 12)
        m += 1
        for day in (self.today.day, 30, 29, 28):
            try:
                return dt.date(y, m, day)
            except ValueError:
                continue
        raise AssertionError("unreachable")


def run_rules(ctx: CheckContext, only: Iterable[str] | None = None) -> Iterator[Finding]:
    """Every registered rule (or those named), skipping with one info finding each rule whose
    forms are absent or whose people are not configured."""
    load_builtin_rules()
    wanted = set(only) if only is not None else None
    for rule_id in sorted(RULES, key=rule_order):
        r = RULES[rule_id]
        if wanted is not None and rule_id not in wanted:
            continue
        missing = [f for f in r.forms if f not in ctx.forms]
        if missing or (r.needs_people and not ctx.config.organisation.configured):
            why_ja = f"様式 {', '.join(missing)} がないため" if missing else "組織（担当者・職員）が設定されていないため"
            why_en = f"form {', '.join(missing)} is missing" if missing else "the organisation (people) is not configured"
            yield Finding(rule_id, Severity.INFO, missing[0] if missing else None, None, None, None, None, None,
                          f"{rule_id}（{r.title_ja}）は{why_ja}確認していません",
                          f"{rule_id} ({r.title_en}) was not checked: {why_en}")
            continue
        ctx.current = r
        yield from r.func(ctx)
    ctx.current = None


def rule_order(rule_id: str) -> tuple[str, int]:
    """READ, CALC, RISK, XREF, then anything users add, each by number."""
    prefix, _, number = rule_id.partition("-")
    return ({"READ": "0", "CALC": "1", "RISK": "2", "XREF": "3"}.get(prefix, "9" + prefix), int(number or 0))


_LOADED = False


def load_builtin_rules() -> None:
    """Import the rule modules (each registers its rules on import), then users' plugins."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from isms_xl.rules import builtin  # noqa: F401  (registers on import)

    load_plugins()


def load_plugins() -> list[str]:
    """Rules of other packages, declared as ``[project.entry-points."isms_xl.rules"]`` pointing at a
    module that registers its rules with ``@rule`` on import."""
    loaded = []
    for ep in entry_points(group="isms_xl.rules"):
        ep.load()
        loaded.append(ep.name)
    return loaded
