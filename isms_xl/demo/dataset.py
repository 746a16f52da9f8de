"""The demo's records before they become workbooks: one FormContent per form, records that refer to
each other by object until their ids are known, and the document-control blocks."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from isms_xl.content import FormContent
from isms_xl.demo.dates import Calendar
from isms_xl.demo.org import DemoOrg
from isms_xl.forms import FORMS
from isms_xl.schema import DocControl


class Rec(dict):
    """A record other records may point at before its id is assigned.

    Columns that reference another form hold the Rec itself (or a list of them); ``resolve_all``
    turns them into ids once every form has numbered its records. Seeding a defect can then insert
    a row anywhere without renumbering references by hand.
    """

    def __init__(self, id_key: str, **values: Any) -> None:
        super().__init__(values)
        self.id_key = id_key

    @property
    def rid(self) -> Any:
        return self.get(self.id_key)

    # Identity, not content: two records with equal values are still two records.
    __eq__ = object.__eq__
    __hash__ = object.__hash__


def resolve(value: Any) -> Any:
    if isinstance(value, Rec):
        return value.rid
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


def index_of(records: list, record: Any) -> int:
    for i, r in enumerate(records):
        if r is record:
            return i
    raise ValueError("record not in the form")


def number(records: Iterable[Rec], make_id: Callable[[int, Rec], str]) -> None:
    for i, rec in enumerate(records, start=1):
        rec[rec.id_key] = make_id(i, rec)


@dataclass
class DemoData:
    cal: Calendar
    org: DemoOrg
    rng: random.Random
    forms: dict[str, FormContent] = field(default_factory=dict)

    def records(self, form_id: str) -> list:
        return self.forms[form_id].records

    def live(self, form_id: str) -> list[dict]:
        """The records of a form without the blank rows a defect may have put between them."""
        return [r for r in self.forms[form_id].records if r is not None]

    def resolve_all(self) -> None:
        for form_id, content in self.forms.items():
            spec = FORMS[form_id]
            for rec in content.records:
                if rec is None:
                    continue
                for key, value in list(rec.items()):
                    rec[key] = resolve(value)
                for tab in spec.tables:
                    for row in rec.get(tab.key) or []:
                        for key, value in list(row.items()):
                            row[key] = resolve(value)


_VERSIONS = ("2.0", "2.1", "3.0", "3.1", "3.2", "4.0")


def new_data(cal: Calendar, org: DemoOrg, rng: random.Random) -> DemoData:
    """Empty contents for the 28 forms, each with a filled document-control block (§7.5.2)."""
    data = DemoData(cal, org, rng)
    for form_id, spec in FORMS.items():
        revised = cal.ago(rng.randint(20, 150))
        doc = DocControl(
            doc_number=spec.doc_number,
            doc_title=spec.ja,
            version=rng.choice(_VERSIONS),
            established_on=cal.fy_start(cal.fy - 5) + dt.timedelta(days=rng.randint(0, 20)),
            revised_on=revised,
            author=spec.drafter,
            approver=spec.approver.value,
            approved_on=min(revised + dt.timedelta(days=rng.randint(0, 6)), cal.as_of),
        )
        data.forms[form_id] = FormContent(spec, doc, [])
    return data

