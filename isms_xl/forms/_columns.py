"""Short constructors for column declarations, so each form module reads like the spec's table."""

from __future__ import annotations

from typing import Any

from isms_xl.schema import Column, Kind

LEVEL_SYNONYMS_NOTE = "1–3"


def col(key: str, ja: str, en: str, kind: Kind = Kind.TEXT, **kw: Any) -> Column:
    return Column(key=key, ja=ja, en=en, kind=kind, **kw)


def text(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.TEXT, **kw)


def long_text(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.TEXT, long=True, **kw)


def ident(key: str, ja: str, en: str, **kw: Any) -> Column:
    """The record id: required and unique within the form."""
    return col(key, ja, en, Kind.ID, required=True, **kw)


def level(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.LEVEL, **kw)


def integer(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.INT, **kw)


def number(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.NUMBER, **kw)


def money(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.MONEY, minimum=0, **kw)


def date(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.DATE, **kw)


def datetime_(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.DATETIME, **kw)


def time_(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.TIME, **kw)


def month(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.MONTH, **kw)


def enum(key: str, ja: str, en: str, values: tuple[str, ...], **kw: Any) -> Column:
    return col(key, ja, en, Kind.ENUM, enum=values, **kw)


def ids(key: str, ja: str, en: str, ref: str, **kw: Any) -> Column:
    """References to records of another form (one or more, unless ``single``)."""
    return col(key, ja, en, Kind.IDS, ref=ref, **kw)


def controls(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.CONTROLS, **kw)


def person(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.PERSON, **kw)


def dept(key: str, ja: str, en: str, **kw: Any) -> Column:
    return col(key, ja, en, Kind.DEPT, **kw)


def notes(**kw: Any) -> Column:
    return col("notes", "備考", "Notes", Kind.TEXT, long=True, synonyms=("メモ", "コメント", "Remarks", "Comment"), **kw)
