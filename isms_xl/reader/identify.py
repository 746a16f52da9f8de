"""Which form a workbook or sheet holds, by its document number wherever it is: the sheet-scoped
defined name, the document-control block, the sheet name, the file name — and, for a register
whose block was deleted, by which form's headers it has."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from isms_xl.forms import FORMS, parse_form_id
from isms_xl.headers import HeaderMatcher, normalize_header
from isms_xl.reader.grid import SheetGrid
from isms_xl.schema import DOC_FIELDS, DocField, FormSpec, Layout

_DOC_NUMBER = re.compile(r"^ISMS\s*-\s*[AB]\s*-\s*\d{1,2}$", re.IGNORECASE)
DOC_SEARCH_ROWS = 12  # the block is at the top; a title, a logo row and notes may come first
_DOC_LABELS = {normalize_header(f.ja): f for f in DOC_FIELDS} | {normalize_header(f.en): f for f in DOC_FIELDS}
_DOC_LABELS |= {normalize_header(s): DOC_FIELDS[0] for s in ("文書No", "文書No.", "様式番号", "Document number", "Doc No")}


@cache
def matcher(spec: FormSpec) -> HeaderMatcher:
    return HeaderMatcher(spec.columns, spec.form_id)


def find_labelled(grid: SheetGrid, rows: int = DOC_SEARCH_ROWS) -> dict[str, tuple[int, int, object]]:
    """Document-control fields found by their labels: key -> (row, col, value). The value is the
    first non-blank cell to the right of the label and before the next label of the row (merged
    areas are blank but for their first cell; columns a user inserted through the block are
    blank); after a row's last label, within ``_VALUE_REACH`` cells. A blank field's cell is as
    far right of its label as the values of the labels above or below it are (a column inserted
    through the block moves every value alike), else beside it."""
    found: dict[str, tuple[int, int, object]] = {}
    blank: list[tuple[str, int, int]] = []  # fields without a value: (key, row, label column)
    offset: dict[int, int] = {}  # label column -> how far right of it its values are
    for r in range(min(rows, grid.height)):
        line = grid.rows[r]
        labels = {c: field for c, text in enumerate(line) if (field := _label_of(text)) is not None}
        for c, field in labels.items():
            text = line[c]
            if field.key in found:
                continue
            inline = text.replace("：", ":").split(":", 1)
            if len(inline) == 2 and inline[1].strip():  # "文書番号: ISMS-B-02" in one cell
                found[field.key] = (r, c, inline[1].strip())
                continue
            stop = next((k for k in labels if k > c), min(c + 1 + _VALUE_REACH, len(line)))
            value_at = next((k for k in range(c + 1, stop) if _present(line[k])), None)
            if value_at is not None and normalize_header(line[value_at]) not in _DOC_LABELS:
                found[field.key] = (r, value_at, line[value_at])
                offset.setdefault(c, value_at - c)
            else:
                found[field.key] = (r, c + 1, grid.value(r, c + 1))
                blank.append((field.key, r, c))
    for key, r, c in blank:
        k = c + offset.get(c, 1)
        found[key] = (r, k, grid.value(r, k))
    return found


#: How far right of a row's last label its value may be: beside it, past a merged area, or past
#: a few columns a user inserted through the block.
_VALUE_REACH = 8


def _label_of(text: object) -> DocField | None:
    """The document-control field a cell labels ("文書番号", "文書番号：ISMS-B-02"), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _DOC_LABELS.get(normalize_header(text.split("：")[0].split(":")[0]))


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def form_of_sheet(grid: SheetGrid, named_doc_number: object = None) -> str | None:
    """The form a sheet says it is: defined name, document-control block, title, sheet name."""
    for candidate in (named_doc_number, find_labelled(grid).get("doc_number", (0, 0, None))[2]):
        if isinstance(candidate, str) and (form_id := parse_form_id(candidate)):
            return form_id
    for line in grid.rows[:3]:  # a card sheet prints its document number near the top
        for v in line:
            if isinstance(v, str) and _DOC_NUMBER.match(v.strip()) and (form_id := parse_form_id(v)):
                return form_id
    form_id = parse_form_id(grid.name)
    if form_id:
        return form_id
    norm_name = normalize_header(grid.name)
    for spec in FORMS.values():
        if norm_name in (normalize_header(spec.ja), normalize_header(spec.en)):
            return spec.form_id
    return None


def form_of_file(path: Path) -> str | None:
    return parse_form_id(path.stem)


def form_by_headers(grid: SheetGrid) -> str | None:
    """The table form whose headers a sheet has, when it names at least 60 % of that form's
    columns and clearly more than any other form (a register whose block was deleted)."""
    scores = []
    for spec in FORMS.values():
        if spec.layout is not Layout.TABLE:
            continue
        found = matcher(spec).find_header(grid.rows, grid.merged)
        if found is not None and found.score >= max(3, 0.6 * len(spec.columns)):
            scores.append((found.score / len(spec.columns), spec.form_id))
    scores.sort(reverse=True)
    if scores and (len(scores) == 1 or scores[0][0] - scores[1][0] >= 0.2):
        return scores[0][1]
    return None
