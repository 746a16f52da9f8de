"""Rows of a foreign sheet turned into records of the form, once ``mapping.decide`` has said which
column is which.

Values are typed the way the reader types them. A level off the form's 1–3 scale belongs to
another risk method: it is re-rated only through the mapping's ``[levels.<column>]``, and its
original value is always kept in 備考 (so is a foreign computed value, such as a risk score, that
our method computes differently). Any other value that does not parse is written as it was, for
the reader to report exactly as it would in the user's own file: nothing is dropped.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from isms_xl.adopt.mapping import Decision, Mapping, data_rows
from isms_xl.catalog import load_catalog
from isms_xl.controls import control_version, parse_control_id, short_id
from isms_xl.expr import evaluate_record
from isms_xl.method import DEFAULT_METHOD, Method
from isms_xl.schema import Kind
from isms_xl.values import is_blank, parse_value


@dataclass
class Converted:
    records: list[dict[str, Any]]
    extra: tuple[str, ...]  # headers of the user's own columns, kept after the form's
    source_rows: list[int] = field(default_factory=list)  # 1-based row of each record in the source
    rerated: int = 0  # level cells re-rated through the mapping
    kept_in_notes: int = 0  # records whose notes keep values of another method


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _extra_headers(decision: Decision) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    used = {decision.spec.column(k).header("ja") for k in decision.columns} | {c.en for c in decision.spec.columns}
    for i in decision.extras:
        text = decision.header.labels[i]
        name, n = text, 2
        while name in used:  # two columns headed alike: both kept, told apart
            name, n = f"{text} ({n})", n + 1
        used.add(name)
        out.append((i, name))
    return out


def convert(decision: Decision, rows: Sequence[Sequence[Any]], mapping: Mapping | None = None, *,
            lang: str = "ja", method: Method = DEFAULT_METHOD) -> Converted:
    mapping = mapping or Mapping()
    spec = decision.spec
    extras = _extra_headers(decision)
    result = Converted([], tuple(name for _, name in extras))
    label = "移行前の値" if lang == "ja" else "Values before adoption"
    parsed_of: dict[tuple[str, Any], Any] = {}
    for r, line in data_rows(decision, rows):
        record: dict[str, Any] = {}
        kept: list[str] = []
        foreign_computed: dict[str, Any] = {}
        for key, index in decision.columns.items():
            col = spec.column(key)
            raw = line[index] if index < len(line) else None
            if is_blank(raw):
                continue
            if col.computed is not None:
                foreign_computed[key] = raw
                continue
            if col.kind is Kind.LEVEL and key in decision.foreign_levels:
                kept.append(f"{col.header(lang)}={_shown(raw)}")
                rated = mapping.levels.get(key, {}).get(_shown(raw))
                if rated is not None:
                    record[key] = rated
                    result.rerated += 1
                continue
            parsed = parsed_of.get((key, raw))
            if parsed is None:  # a register repeats a few spellings thousands of times: parse each once
                parsed = parsed_of[(key, raw)] = parse_value(col, raw)
            if col.kind is Kind.ENUM and not parsed.ok and _shown(raw) in mapping.values.get(key, {}):
                parsed = parse_value(col, mapping.values[key][_shown(raw)])
            if not parsed.ok:
                record[key] = raw  # as written: the reader will say what is wrong with it
            elif col.kind is Kind.CONTROLS and parsed.value is not None:
                ids = parsed.value if isinstance(parsed.value, tuple) else (parsed.value,)
                shown = ", ".join(short_id(i) for i in ids)
                record[key] = shown
            else:
                record[key] = parsed.value
        for key, value in mapping.defaults.items():
            if record.get(key) in (None, ""):
                record[key] = value
        if spec.form_id == "A-02":
            _fill_control_name(record, lang)
        ours = evaluate_record(spec.columns, record, method)
        for key, raw in foreign_computed.items():
            if _shown(raw) != _shown(ours.get(key) if ours.get(key) is not None else ""):
                kept.append(f"{spec.column(key).header(lang)}={_shown(raw)}")
        if kept:
            note = f"[{label}] " + ", ".join(kept)
            record["notes"] = f"{record['notes']}\n{note}" if record.get("notes") else note
            result.kept_in_notes += 1
        for index, name in extras:
            value = line[index] if index < len(line) else None
            if not is_blank(value):
                record[name] = value
        result.records.append(record)
        result.source_rows.append(r + 1)
    return result


def _fill_control_name(record: dict[str, Any], lang: str) -> None:
    raw = record.get("control_id")
    cid = parse_control_id(str(raw)) if raw else None
    if cid is None:
        return
    catalog = load_catalog(control_version(cid))
    control = catalog.get(cid)
    if control is not None and not record.get("control_name"):
        record["control_name"] = control.title(lang)
