"""XREF-090: every person on the configured staff list has signed a confidentiality pledge (B-15)
on joining — Annex A 6.1, 6.6. The person lives in isms_xl.toml, not in a workbook, so the finding
points at the configuration file with the person's name as its record."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from isms_xl.config import CONFIG_NAME, Person
from isms_xl.findings import Finding
from isms_xl.forms.b15_confidentiality_pledge import JOINING
from isms_xl.rules.registry import RULES, CheckContext, rule


def person_key(name: object) -> str:
    """A name as compared across forms and the configuration: 「山田 太郎」, 「山田　太郎」 and
    「山田太郎」 are the same person."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split())


def _joined(person: Person) -> dt.date | None:
    try:
        return dt.date.fromisoformat(person.joined_on.strip())
    except ValueError:
        return None


def _config_file(ctx: CheckContext) -> str:
    source = ctx.config.source
    if source is None:
        return CONFIG_NAME
    if ctx.folder is not None:
        try:
            return str(Path(source).relative_to(ctx.folder))
        except ValueError:
            pass
    return Path(source).name


@rule("XREF-090", "warning", ("B-15",), "職員名簿の者に入社時の機密保持誓約書がない",
      "a person on the staff list without an 入社時 B-15 pledge", needs_people=True)
def xref_090(ctx: CheckContext) -> Iterator[Finding]:
    pledged = {person_key(p.values["name"]) for p in ctx.records("B-15")
               if p.values.get("kind") == JOINING and p.values.get("name") is not None}
    severity, workbook = RULES["XREF-090"].severity, _config_file(ctx)
    for person in ctx.config.organisation.staff:
        joined = _joined(person)
        if person_key(person.name) in pledged or (joined is not None and joined > ctx.today):
            continue  # pledged, or not yet joined
        where = f"（{person.department}）" if person.department else ""
        yield Finding("XREF-090", severity, "B-15", workbook, None, None, person.name, person.name,
                      f"職員名簿の {person.name}{where} に入社時の機密保持誓約書（区分「{JOINING}」）がありません",
                      f"Staff member {person.name} has no confidentiality pledge of kind {JOINING} (on joining)")
