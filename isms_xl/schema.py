"""Form schemas as data: every form is declared once and drives templates, reader, checks and docs.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isms_xl.expr import Expr


class Kind(str, Enum):
    """Value types of forms.md ("Types")."""

    ID = "id"
    TEXT = "text"
    LEVEL = "level"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    MONTH = "month"
    ENUM = "enum"
    IDS = "ids"
    CONTROLS = "controls"
    PERSON = "person"
    DEPT = "dept"


class Layout(str, Enum):
    TABLE = "table"
    CARD = "card"


class Approver(str, Enum):
    """Approver roles fixed by §7.5.2 of the manual."""

    PRESIDENT = "社長"
    ISMS_MANAGER = "ISMS管理責任者"


@dataclass(frozen=True)
class Column:
    """One column of a table form, one field of a card form, or one column of an embedded table.

    ``computed`` holds an expression evaluated within the record (row or card); it produces both
    the Python value and the Excel formula. ``derived_from`` marks values computed from other
    forms (no Excel formula is possible across workbooks): Python writes them.
    """

    key: str
    ja: str
    en: str
    kind: Kind = Kind.TEXT
    required: bool = False
    enum: tuple[str, ...] = ()
    ref: str | None = None  # form id for Kind.IDS, e.g. "B-01"
    single: bool = False  # ids / controls: exactly one value
    synonyms: tuple[str, ...] = ()
    computed: Expr | None = None
    derived_from: tuple[str, ...] = ()
    band_of: str = ""  # key of the risk value whose band colours this cell (fill and font)
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # enum value -> other spellings users write
    rule: str = ""  # the spec's rule in words (docs, template comments)
    width: float | None = None
    long: bool = False  # free text that wraps (taller rows in cards)
    minimum: float | None = None
    group: str = ""  # a run of columns read together, e.g. the twelve monthly actuals of B-26

    @property
    def is_computed(self) -> bool:
        return self.computed is not None or bool(self.derived_from)

    def header(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class EmbeddedTable:
    """A small table inside a card (e.g. findings, recovery steps)."""

    key: str
    ja: str
    en: str
    columns: tuple[Column, ...]
    rows: int = 8  # printed blank rows in the template
    default_rows: tuple[tuple[str | int | float, ...], ...] = ()  # pre-filled first-column values (criteria, inputs)
    required: bool = False

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.key}.{key}")


@dataclass(frozen=True)
class FormSpec:
    """A form of the ISMS: document number, names, approver, layout and its columns."""

    form_id: str  # "B-02"
    ja: str
    en: str
    layout: Layout
    approver: Approver
    columns: tuple[Column, ...]
    tables: tuple[EmbeddedTable, ...] = ()
    clause: str = ""  # manual clause, e.g. "§6.1.2"
    drafter: str = "ISMS事務局"
    short_ja: str = ""  # for file names when the name is long
    sample_sheet: str = "様式"  # card forms: the blank card's sheet name in the template
    body_text: str = ""  # card forms: fixed text printed on the card (pledge text)

    @property
    def doc_number(self) -> str:
        return f"ISMS-{self.form_id}"

    @property
    def const_name(self) -> str:
        return self.form_id.replace("-", "")

    @property
    def id_column(self) -> Column:
        return self.columns[0]

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.form_id} has no column {key!r}")

    def table(self, key: str) -> EmbeddedTable:
        for tab in self.tables:
            if tab.key == key:
                return tab
        raise KeyError(f"{self.form_id} has no embedded table {key!r}")

    def name(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en

    def file_name(self, lang: str = "ja") -> str:
        name = (self.short_ja or self.ja) if lang == "ja" else self.en.replace(" ", "_")
        for ch in '\\/:*?"<>|':  # characters Windows forbids in file names
            name = name.replace(ch, "_")
        return f"{self.doc_number}_{name}.xlsx"

    # Cached: the checks ask for these once per record (a frozen spec never changes).
    @cached_property
    def computed_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.computed is not None)

    def group(self, name: str) -> tuple[Column, ...]:
        return self._groups.get(name, ())

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self._groups)

    @cached_property
    def _groups(self) -> dict[str, tuple[Column, ...]]:
        out: dict[str, list[Column]] = {}
        for c in self.columns:
            if c.group:
                out.setdefault(c.group, []).append(c)
        return {name: tuple(cols) for name, cols in out.items()}


# The document-control block every form carries (forms.md "Common to every form").
@dataclass(frozen=True)
class DocField:
    key: str
    ja: str
    en: str
    name: str  # sheet-scoped defined name of the value cell
    kind: Kind = Kind.TEXT


DOC_FIELDS: tuple[DocField, ...] = (
    DocField("doc_number", "文書番号", "Document No.", "ISMS_DocNo"),
    DocField("doc_title", "文書名", "Title", "ISMS_DocTitle"),
    DocField("version", "版数", "Version", "ISMS_Version"),
    DocField("established_on", "制定日", "Established", "ISMS_Established", Kind.DATE),
    DocField("revised_on", "改訂日", "Revised", "ISMS_Revised", Kind.DATE),
    DocField("author", "作成者", "Author", "ISMS_Author"),
    DocField("approver", "承認者", "Approver", "ISMS_Approver"),
    DocField("approved_on", "承認日", "Approved on", "ISMS_ApprovedOn", Kind.DATE),
)


@dataclass
class DocControl:
    """Values of a document-control block."""

    doc_number: str = ""
    doc_title: str = ""
    version: str = ""
    established_on: object = None
    revised_on: object = None
    author: str = ""
    approver: str = ""
    approved_on: object = None
    extra: dict[str, object] = field(default_factory=dict)

    def get(self, key: str) -> object:
        return getattr(self, key)
