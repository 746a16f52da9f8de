"""What a seeded defect is before the workbooks exist: the rule, the form, the record and the
column (or the kind of place) it will be found at. folder.py turns the place into a sheet and a
cell from the builder's own bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from isms_xl.demo.dataset import DemoData

# Kinds of place a defect is found at (see the package docstring, "Cell convention").
CELL = "cell"  # record + column key (or "table[k].col" in a card)
DOC = "doc"  # the document-control value cell of DocField ``key``
HEADER = "header"  # the header cell of column ``key`` (a missing column, a whole-form rule)
EXTRA_HEADER = "extra_header"  # the header cell of the user's own column ``key``
BLANK_ROW = "blank_row"  # the first cell of the blank row right after ``record``
CONFIG = "config"  # no workbook cell: the person or item lives in isms_xl.toml


@dataclass
class Seed:
    rule: str
    form: str | None
    ja: str
    en: str
    record: Any = None
    key: str | None = None
    where: str = CELL
    record_id: str | None = None  # for places that are not a record (CONFIG, HEADER)


class Targets:
    """Picks the records defects go into, never the same record twice, so that each record
    carries at most one defect and every finding is attributable to exactly one seed."""

    def __init__(self, data: DemoData) -> None:
        self.data = data
        self._taken: set[int] = set()

    def take(self, record: Any) -> Any:
        self._taken.add(id(record))
        return record

    def is_free(self, record: Any) -> bool:
        return record is not None and id(record) not in self._taken

    def free(self, records: Sequence[Any]) -> list[Any]:
        return [r for r in records if self.is_free(r)]

    def pick(self, records: Sequence[Any]) -> Any:
        candidates = self.free(records)
        if not candidates:
            raise LookupError("no record left to seed a defect into")
        return self.take(self.data.rng.choice(candidates))
