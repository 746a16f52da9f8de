"""Which column of a foreign sheet is which column of the form, and which foreign value is which
form value — decided from the header synonyms, or from a mapping file the user edited.

``decide`` never guesses: a required column that no header names, two headers naming the same
column, or an enum value the form does not know (``Data`` for 分類) make the decision incomplete,
and ``draft_toml`` writes the mapping file the user completes. Level values off the form's 1–3
scale are not a question: they belong to another risk method and are kept in 備考 unless the
mapping file rates them (``[levels.<column>]``).

Pure module: works on the grid of cell values; no Excel library is imported here.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_xl.errors import ConfigError
from isms_xl.headers import HEADER_SEARCH_ROWS, HeaderMatcher, normalize_header, unmerged_spans
from isms_xl.layout import col_index
from isms_xl.schema import Column, FormSpec, Kind
from isms_xl.values import is_blank, parse_value

_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")
_TOTALS = re.compile(r"^\s*(合計|総計|小計|計|total|sum)\s*$", re.IGNORECASE)


@dataclass
class Mapping:
    """A mapping file (``--map``): every part optional."""

    form: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based, the (last) header row
    header_rows: int = 1
    columns: dict[str, str] = field(default_factory=dict)  # key -> header text or column letter; "" = absent
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> foreign value -> form value
    levels: dict[str, dict[str, int]] = field(default_factory=dict)  # key -> foreign value -> 1..3
    defaults: dict[str, Any] = field(default_factory=dict)  # key -> value for blank cells
    path: str = ""


@dataclass
class Header:
    sheet: str
    row: int  # 0-based first header row
    header_rows: int
    labels: dict[int, str]  # cell index -> header text as read ("採用理由:法令" for two rows)

    @property
    def data_start(self) -> int:
        return self.row + self.header_rows


@dataclass
class Decision:
    spec: FormSpec
    header: Header
    columns: dict[str, int]  # form key -> cell index
    absent: set[str] = field(default_factory=set)  # keys the mapping says the file does not have
    missing_required: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # key -> candidate cell indexes
    unknown_values: dict[str, list[str]] = field(default_factory=dict)  # enum key -> values not understood
    foreign_levels: dict[str, list[str]] = field(default_factory=dict)  # level key -> values off 1–3
    from_mapping: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return not (self.missing_required or self.duplicates or self.unknown_values)

    @property
    def extras(self) -> list[int]:
        """Cells with a header that no form column takes: kept as the user's own columns."""
        taken = set(self.columns.values())
        return [i for i in sorted(self.header.labels) if i not in taken]


# --- the mapping file -----------------------------------------------------------------------------

def load_mapping(path: Path | str, spec: FormSpec) -> Mapping:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: 対応表ファイルを読めません（{err}）", f"{path}: cannot read the mapping file ({err})") from None
    keys = {c.key for c in spec.columns}

    def bad(ja: str, en: str) -> ConfigError:
        return ConfigError(f"{path}: {ja}", f"{path}: {en}")

    def table(name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise bad(f"[{name}] は表でなければなりません", f"[{name}] must be a table")
        for key in value:
            if key not in keys:
                raise bad(f"[{name}] の「{key}」は {spec.form_id} の列ではありません（列: {', '.join(sorted(keys))}）",
                          f"[{name}] {key!r} is not a column of {spec.form_id} (columns: {', '.join(sorted(keys))})")
        return value

    form = data.get("form")
    if form is not None and str(form).upper().replace("ISMS-", "") != spec.form_id:
        raise bad(f"対応表は {form} 用です（指定: {spec.form_id}）", f"the mapping is for {form}, not {spec.form_id}")
    columns = table("columns")
    for key, value in columns.items():
        if not isinstance(value, str):
            raise bad(f"[columns] {key} は文字列（見出しか列記号、なければ \"\"）にしてください",
                      f"[columns] {key} must be a string (a header or a column letter, \"\" when absent)")
    values = {k: {str(a): str(b) for a, b in v.items()} for k, v in table("values").items() if isinstance(v, dict)}
    levels: dict[str, dict[str, int]] = {}
    for key, table_ in table("levels").items():
        if not isinstance(table_, dict):
            raise bad(f"[levels.{key}] は表でなければなりません", f"[levels.{key}] must be a table")
        levels[key] = {}
        for foreign, level in table_.items():
            if level == "":
                continue  # left blank in the draft: not rated
            if not isinstance(level, int) or isinstance(level, bool) or level not in (1, 2, 3):
                raise bad(f"[levels.{key}] の「{foreign}」は 1・2・3 のいずれかにしてください",
                          f"[levels.{key}] {foreign!r} must be 1, 2 or 3")
            levels[key][str(foreign)] = level
    header_row = data.get("header_row")
    header_rows = data.get("header_rows", 1)
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise bad("header_row は 1 以上の行番号にしてください", "header_row must be a row number ≥ 1")
    if header_rows not in (1, 2):
        raise bad("header_rows は 1 か 2 にしてください", "header_rows must be 1 or 2")
    if header_row is not None and header_row < header_rows:
        raise bad("2行の見出しの header_row は 2 以上にしてください", "header_row must be ≥ 2 for a two-row header")
    sheet = data.get("sheet")
    return Mapping(form=spec.form_id, sheet=str(sheet) if sheet else None, header_row=header_row,
                   header_rows=header_rows, columns=dict(columns), values={k: {a: b for a, b in v.items() if b}
                                                                          for k, v in values.items()},
                   levels=levels, defaults=table("defaults"), path=str(path))


# --- deciding --------------------------------------------------------------------------------------

def _labels(rows: Sequence[Sequence[Any]], first: int, count: int, merged: Sequence[tuple[int, int, int, int]]) -> dict[int, str]:
    upper = list(rows[first]) if first < len(rows) else []
    if count == 1:
        return {i: _text(v) for i, v in enumerate(upper) if not is_blank(v)}
    lower = list(rows[first + 1]) if first + 1 < len(rows) else []
    width = max(len(upper), len(lower))
    upper += [None] * (width - len(upper))
    lower += [None] * (width - len(lower))
    spans = _spans(rows, first, merged)
    for c1, c2 in spans:
        for i in range(c1 + 1, min(c2, width - 1) + 1):
            if is_blank(upper[i]):
                upper[i] = upper[c1]
    labels = {}
    for i in range(width):
        u, lo = upper[i], lower[i]
        if not is_blank(u) and not is_blank(lo):
            labels[i] = f"{_text(u)}:{_text(lo)}"
        elif not is_blank(u) or not is_blank(lo):
            labels[i] = _text(lo if is_blank(u) else u)
    return labels


def _spans(rows: Sequence[Sequence[Any]], first: int, merged: Sequence[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """Group titles over several columns in header row ``first``: merged, or typed in the first
    cell with the ones to its right left blank (as the reader infers them)."""
    spans = [(c1, c2) for r1, c1, _r2, c2 in merged if r1 == first and c2 > c1]
    if spans or first + 1 >= len(rows):
        return spans
    return unmerged_spans(list(rows[first]), list(rows[first + 1]))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _fallback_header(rows: Sequence[Sequence[Any]]) -> int:
    """The first row with the most text cells, when no header names a column of the form."""
    best, best_n = 0, 0
    for r in range(min(HEADER_SEARCH_ROWS, len(rows))):
        n = sum(isinstance(v, str) and not is_blank(v) for v in rows[r])
        if n > best_n:
            best, best_n = r, n
    return best


def column_index(text: str, labels: dict[int, str]) -> int | None:
    """The cell a mapping names: by its header (normalised, or the lower part of a two-row one),
    else by its column letter."""
    want = normalize_header(text)
    for i, label in labels.items():
        if normalize_header(label) == want:
            return i
    for i, label in labels.items():
        if ":" in label and normalize_header(label.split(":", 1)[1]) == want:
            return i
    if _LETTERS.match(text.strip()):
        return col_index(text.strip())
    return None


def decide(spec: FormSpec, sheet: str, rows: Sequence[Sequence[Any]], merged: Sequence[tuple[int, int, int, int]] = (),
           mapping: Mapping | None = None) -> Decision:
    mapping = mapping or Mapping()
    matcher = HeaderMatcher(spec.columns, spec.form_id)
    found = None
    if mapping.header_row is not None:
        first = mapping.header_row - mapping.header_rows
        header = Header(sheet, first, mapping.header_rows, _labels(rows, first, mapping.header_rows, merged))
        if mapping.header_rows == 1:
            found = matcher.match_row(rows[first] if 0 <= first < len(rows) else [])
        else:
            found = matcher.match_two_rows(rows[first], rows[first + 1] if first + 1 < len(rows) else [],
                                           _spans(rows, first, merged))
    else:
        found = matcher.find_header(rows, merged)
        if found is not None:
            header = Header(sheet, found.row, found.header_rows, _labels(rows, found.row, found.header_rows, merged))
        else:
            header = Header(sheet, _fallback_header(rows), 1, {})
            header.labels = _labels(rows, header.row, 1, merged)
    columns = dict(found.columns) if found is not None else {}
    duplicates: dict[str, list[int]] = {}
    if found is not None:
        for index, _header, key in found.duplicates:
            duplicates.setdefault(key, [columns[key]]).append(index)
    decision = Decision(spec, header, columns, duplicates=duplicates)
    keys = {c.key for c in spec.columns}
    for key, text in mapping.columns.items():
        decision.from_mapping.add(key)
        duplicates.pop(key, None)
        if text.strip() == "":
            columns.pop(key, None)
            decision.absent.add(key)
            continue
        index = column_index(text, header.labels)
        if index is None:
            shown = ", ".join(f'"{v}"' for v in header.labels.values())
            raise ConfigError(
                f"{mapping.path}: [columns] {key} = \"{text}\" という見出しが {header.row + header.header_rows}行目にありません（見出し: {shown}）",
                f"{mapping.path}: [columns] {key} = \"{text}\": no such header on row {header.row + header.header_rows} (headers: {shown})")
        for other in [k for k, i in columns.items() if i == index and k != key and k not in mapping.columns]:
            del columns[other]  # the user gave this cell to another column
        columns[key] = index
    for key in list(duplicates):
        if key not in columns:
            del duplicates[key]
    order = {c.key: n for n, c in enumerate(spec.columns)}
    decision.columns = dict(sorted(columns.items(), key=lambda kv: order[kv[0]]))
    decision.missing_required = [c.key for c in spec.columns if c.required and not c.is_computed
                                 and c.key not in columns and c.key not in decision.absent
                                 and c.key not in mapping.defaults and c.key in keys]
    _look_at_values(decision, rows, mapping)
    return decision


def data_rows(decision: Decision, rows: Sequence[Sequence[Any]]) -> list[tuple[int, Sequence[Any]]]:
    """(0-based row, cells) of every row under the header with something in a mapped cell."""
    cells = list(decision.columns.values()) + decision.extras
    id_index = decision.columns.get(decision.spec.id_column.key)
    out = []
    for r in range(decision.header.data_start, len(rows)):
        line = rows[r]
        if not any(i < len(line) and not is_blank(line[i]) for i in cells):
            continue
        if (id_index is None or id_index >= len(line) or is_blank(line[id_index])
                or _TOTALS.match(str(line[id_index]))) and any(isinstance(v, str) and _TOTALS.match(v) for v in line):
            continue  # a totals row under the records (the reader skips it too)
        out.append((r, line))
    return out


def _look_at_values(decision: Decision, rows: Sequence[Sequence[Any]], mapping: Mapping) -> None:
    body = data_rows(decision, rows)
    for key, index in decision.columns.items():
        col = decision.spec.column(key)
        if col.kind not in (Kind.ENUM, Kind.LEVEL) or col.is_computed and not col.derived_from:
            continue
        distinct = list(dict.fromkeys(line[index] for _, line in body if index < len(line) and not is_blank(line[index])))
        bad = [_text(v) for v in distinct if not parse_value(col, v).ok]
        if col.kind is Kind.ENUM:
            known = mapping.values.get(key, {})
            unknown = [v for v in bad if v not in known]
            if unknown:
                decision.unknown_values[key] = unknown
        elif bad:
            # Another scale (1–5, "Very high" …): the whole column belongs to another method.
            decision.foreign_levels[key] = sorted({_text(v) for v in distinct}, key=_scale_order)


def _scale_order(text: str) -> tuple[int, float, str]:
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


# --- the draft -------------------------------------------------------------------------------------

def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def draft_toml(decision: Decision, source: str, out: str, draft: str, mapping: Mapping | None = None) -> str:
    spec, header = decision.spec, decision.header
    mapping = mapping or Mapping()
    labels = header.labels
    taken = set(decision.columns.values()) | {i for cells in decision.duplicates.values() for i in cells}
    free = [labels[i] for i in sorted(labels) if i not in taken]
    lines = [
        f"# isms-xl adopt: 対応表の下書き / draft mapping — {spec.form_id} {spec.ja} ({spec.en})",
        f"# 元ファイル / source: {source}",
        "# 「要確認」の行を直してから、次のように実行してください / edit the lines marked CHECK, then run:",
        f"#   isms-xl adopt {_shell(source)} --form {spec.form_id} --map {_shell(draft)} {_shell(out)}",
        f"form = {_q(spec.form_id)}",
        f"sheet = {_q(header.sheet)}",
        f"header_row = {header.row + header.header_rows}   # 見出しの最終行（1始まり） / last header row (1-based)",
        f"header_rows = {header.header_rows}",
        "",
        "[columns]",
        "# 様式の列 = \"ファイルの見出し\"（または列記号 \"C\"）。ファイルにない列は \"\"",
        "# form column = \"header in the file\" (or a column letter); \"\" when the file has none",
    ]
    for col in spec.columns:
        what = f"{col.ja} / {col.en}" + ("、必須 required" if col.required and not col.is_computed else "")
        if col.key in decision.duplicates:
            options = ", ".join(_q(labels[i]) for i in decision.duplicates[col.key])
            lines.append(f"{col.key} = \"\"   # 要確認/CHECK {what}: 複数の列が該当 / several columns match: {options}")
        elif col.key in decision.columns:
            lines.append(f"{col.key} = {_q(labels.get(decision.columns[col.key], ''))}   # {what}")
        elif col.key in decision.missing_required:
            options = ", ".join(_q(t) for t in free) or ", ".join(_q(t) for t in labels.values()) or "-"
            lines.append(f"{col.key} = \"\"   # 要確認/CHECK {what}: 見出しが見つかりません / no header found; 候補 candidates: {options}")
        elif col.key in decision.absent:
            lines.append(f"{col.key} = \"\"   # {what}")
        elif not col.is_computed:
            lines.append(f"# {col.key} = \"\"   # {what}")
    if free:
        lines.append("# 様式にない列（追加の列として残します） / not in the form (kept as extra columns): "
                     + ", ".join(_q(t) for t in free))
    lines += ["", "[defaults]", "# 空欄に入れる値 / a value for blank cells, e.g.:"]
    example = next((c for c in spec.columns if c.key in decision.missing_required), None)
    lines.append(f"# {example.key if example else 'notes'} = \"\"")
    for key, values in decision.unknown_values.items():
        col = spec.column(key)
        lines += ["", f"[values.{key}]",
                  f"# {col.ja}: 様式の値 / form values: {' / '.join(col.enum)}"]
        for v in values:
            lines.append(f"{_q(v)} = \"\"   # 要確認/CHECK")
    for key, values in decision.foreign_levels.items():
        col = spec.column(key)
        lines += ["", f"[levels.{key}]",
                  f"# {col.ja}: 1〜3 ではない値（別の評価方法）。1・2・3 を入れると評価し直します。空のままなら値は備考に残します",
                  f"# {col.en}: values off the 1–3 scale (another method). Give 1, 2 or 3 to re-rate; "
                  "left blank, the values are kept in the notes"]
        for v in values:
            rated = mapping.levels.get(key, {}).get(v)
            lines.append(f"{_q(v)} = {rated if rated is not None else _q('')}")
    return "\n".join(lines) + "\n"


def _shell(text: str) -> str:
    return text if re.fullmatch(r"[\w./\-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def level_column(col: Column) -> bool:
    return col.kind is Kind.LEVEL and not col.is_computed
