"""Headers as people write them, matched to a form's declared columns (inputs.md "What people do
to workbooks").

A header matches a column when, normalised (``normalize_header``), it equals the column's
Japanese or English header or one of its synonyms. Users' line breaks, full-/half-width forms,
spaces, bracket styles, a trailing ※ or a "(必須)" marker do not matter. The header row is found
anywhere in the first 30 rows, and a two-row header made of merged cells (採用理由 spanning
リスク対応 / 法令 / 契約) is read as "採用理由:リスク対応" and so on.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from isms_xl.schema import Column

__all__ = ["HEADER_SEARCH_ROWS", "HeaderMatch", "HeaderMatcher", "normalize_header"]

HEADER_SEARCH_ROWS = 30  # inputs.md: the header row may be anywhere in the first 30 rows

# After NFKC (which already folds （）［］｛｝：･ and full-width letters) only these differ.
_TRANSLATE = str.maketrans({
    **dict.fromkeys("【〔〈《〖〘[{", "("),
    **dict.fromkeys("】〕〉》〗〙]}", ")"),
    **dict.fromkeys("「」『』\"'“”‘’", None),
    **dict.fromkeys("·•‧∙", "・"),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    **dict.fromkeys("∶︰", ":"),
})
_SPACE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
# Marks of a required or noted column, at either end: ※, *, ★, "(必須)", "必須", ※1 (a footnote).
_LEADING = re.compile(r"^(?:[※*★☆◎]+|\((?:必須|任意)(?:項目)?\)|必須)")
_TRAILING = re.compile(r"(?:[※*★☆◎]+\d*|\((?:必須|任意)(?:項目)?\)|必須|[:.。])$")
_NOTE = re.compile(r"^(.+?)\(([^()]*)\)$")


def normalize_header(text: object) -> str:
    """The comparable form of a header: NFKC, no whitespace or line breaks, one bracket style
    "()", quotes 「」『』 dropped, one middle dot "・", one colon ":", lower-case ASCII, and
    without required/footnote markers (※, *, ★, (必須), 必須) or a trailing colon or full stop."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return _normalized(str(text))


# The same few hundred header and label texts come back for every sheet of every workbook a
# check reads (the header search and the document-control labels look at the first rows' cells).
@lru_cache(maxsize=8192)
def _normalized(text: str) -> str:
    s = unicodedata.normalize("NFKC", text.translate(_TRANSLATE)).translate(_TRANSLATE)
    s = _SPACE.sub("", s).lower()
    while True:
        stripped = _TRAILING.sub("", _LEADING.sub("", s))
        if stripped == s or not stripped:  # a header that is only a marker keeps it
            return s
        s = stripped


@dataclass(frozen=True)
class HeaderMatch:
    """Which cell of a header row holds which column.

    ``columns`` maps column keys to 0-based cell indexes; ``labels`` gives, per matched key, the
    header text as it was read (two-row headers joined with ":"). ``unmatched`` lists the
    non-blank headers that name no column (the user's own columns, kept untouched);
    ``duplicates`` the cells naming a column that an earlier or closer-matching cell already
    claimed. ``score`` is the number of columns matched: the reader takes the row with the best.
    """

    columns: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)
    unmatched: tuple[tuple[int, str], ...] = ()
    duplicates: tuple[tuple[int, str, str], ...] = ()  # (index, header text, key already matched)
    missing_required: tuple[str, ...] = ()
    row: int | None = None  # 0-based row of the (upper) header row, when found by find_header
    header_rows: int = 1

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def data_start(self) -> int | None:
        """0-based row of the first record."""
        return None if self.row is None else self.row + self.header_rows


class HeaderMatcher:
    """Matches headers to one set of columns (a form's, or an embedded table's).

    Built once per form. A normalised spelling claimed by two different columns makes the
    headers ambiguous, so construction raises ``ValueError`` naming both: that is a broken
    declaration, not bad data.
    """

    def __init__(self, columns: Iterable[Column], name: str = "") -> None:
        self.columns: tuple[Column, ...] = tuple(columns)
        self.name = name
        self._index: dict[str, Column] = {}
        self._spelling: dict[str, str] = {}
        where = f"{name}: " if name else ""
        seen_keys: set[str] = set()
        for column in self.columns:
            if column.key in seen_keys:
                raise ValueError(f"{where}column key {column.key!r} declared twice")
            seen_keys.add(column.key)
            for spelling in (column.ja, column.en, *column.synonyms):
                norm = normalize_header(spelling)
                if not norm:
                    raise ValueError(f"{where}header {spelling!r} of column {column.key!r} is empty once normalised")
                other = self._index.get(norm)
                if other is not None and other.key != column.key:
                    raise ValueError(
                        f"{where}header {spelling!r} (normalised {norm!r}) names both column {other.key!r} "
                        f"({other.ja}, as {self._spelling[norm]!r}) and column {column.key!r} ({column.ja})")
                self._index.setdefault(norm, column)
                self._spelling.setdefault(norm, spelling)

    # --- one header -----------------------------------------------------------------------------
    def match(self, header_text: object) -> Column | None:
        """The column a header names, or None."""
        found = self._lookup(normalize_header(header_text))
        return found[0] if found else None

    def _lookup(self, norm: str) -> tuple[Column, bool] | None:
        """(column, exact). Not exact: a trailing note in brackets was read as a sub-header
        ("採用理由(法令)" → "採用理由:法令") or dropped ("脅威レベル(1〜3)", "リスク値(自動計算)")."""
        if not norm:
            return None
        column = self._index.get(norm)
        if column is not None:
            return column, True
        m = _NOTE.match(norm)
        if m:
            for candidate in (f"{m.group(1)}:{m.group(2)}", m.group(1)):
                column = self._index.get(candidate)
                if column is not None:
                    return column, False
        return None

    # --- a header row ---------------------------------------------------------------------------
    def match_row(self, cells: Sequence[object]) -> HeaderMatch:
        """Match every cell of one header row."""
        return self._assign([(i, [cell]) for i, cell in enumerate(cells)], header_rows=1)

    def match_two_rows(self, upper: Sequence[object], lower: Sequence[object],
                       spans: Iterable[tuple[int, int]] = ()) -> HeaderMatch:
        """Match a two-row header. ``spans`` are the upper row's merged ranges as
        (first_col, last_col), 0-based and inclusive: within one, the upper text (written in its
        first cell, the others blank) heads every lower cell. A lower cell under a span is tried
        as "upper:lower" then alone; outside spans (a column merged vertically, lower cell blank)
        the upper text is tried too."""
        width = max(len(upper), len(lower))
        up = [upper[i] if i < len(upper) else None for i in range(width)]
        low = [lower[i] if i < len(lower) else None for i in range(width)]
        in_span = [False] * width
        for first, last in spans:
            if last <= first:
                continue
            for i in range(max(first, 0), min(last, width - 1) + 1):
                in_span[i] = True
                if i > first and _blank(up[i]):
                    up[i] = up[first] if first < width else None
        candidates: list[tuple[int, list[object]]] = []
        for i in range(width):
            u, lo = up[i], low[i]
            if _blank(u):
                tries = [lo]
            elif _blank(lo):
                tries = [] if in_span[i] else [u]
            else:
                tries = [f"{_text(u)}:{_text(lo)}", lo] + ([] if in_span[i] else [u])
            candidates.append((i, tries))
        return self._assign(candidates, header_rows=2)

    def find_header(self, rows: Sequence[Sequence[object]],
                    merged: Iterable[tuple[int, int, int, int]] = (),
                    limit: int = HEADER_SEARCH_ROWS, min_score: int = 2) -> HeaderMatch | None:
        """The best header in the first ``limit`` rows (0-based lists of cell values), or None when
        no row names ``min_score`` columns (fewer when the form has fewer). ``merged`` are the
        sheet's merged ranges as (first_row, first_col, last_row, last_col), 0-based inclusive; a
        row with a horizontally merged cell is also tried as the upper row of a two-row header,
        which wins only when it matches more columns than the single row."""
        spans_by_row: dict[int, list[tuple[int, int]]] = {}
        for r1, c1, _r2, c2 in merged:
            if c2 > c1:
                spans_by_row.setdefault(r1, []).append((c1, c2))
        needed = min(min_score, len(self.columns))
        best: HeaderMatch | None = None
        for r in range(min(limit, len(rows))):
            found = self.match_row(rows[r])
            if r + 1 < len(rows):
                # A group title over several columns is often merged, but just as often typed in
                # the first of them with the cells to its right left blank ("centre across
                # selection"): infer those spans too.
                merged_spans = spans_by_row.get(r)
                spans = merged_spans or unmerged_spans(rows[r], rows[r + 1])
                if spans:
                    two = self.match_two_rows(rows[r], rows[r + 1], spans)
                    # Merged group titles make a two-row header whenever it names more columns
                    # than the upper row alone. Inferred ones must also beat the lower row alone,
                    # so that a note typed above a plain header does not join it.
                    beat = found.score if merged_spans else max(found.score, self.match_row(rows[r + 1]).score)
                    if two.score > beat:
                        found = two
            if found.score >= needed and (best is None or found.score > best.score):
                best = replace(found, row=r)
        return best

    def _assign(self, candidates: list[tuple[int, list[object]]], header_rows: int) -> HeaderMatch:
        # Per cell, its first try that names a column; then per column, the cell with an exact
        # match wins over a bracket-note match, and the leftmost among equals.
        hits: list[tuple[int, str, Column, bool]] = []
        unmatched: list[tuple[int, str]] = []
        for index, tries in candidates:
            shown = ""
            for attempt in tries:
                if _blank(attempt):
                    continue
                shown = shown or _text(attempt)
                found = self._lookup(normalize_header(attempt))
                if found:
                    hits.append((index, _text(attempt), found[0], found[1]))
                    break
            else:
                if shown:
                    unmatched.append((index, shown))
        winners: dict[str, tuple[int, str, bool]] = {}
        for index, text, column, exact in sorted(hits, key=lambda h: (not h[3], h[0])):
            winners.setdefault(column.key, (index, text, exact))
        duplicates = tuple(sorted((index, text, column.key) for index, text, column, _ in hits
                                  if winners[column.key][0] != index))
        order = {c.key: n for n, c in enumerate(self.columns)}
        keys = sorted(winners, key=order.__getitem__)
        return HeaderMatch(
            columns={k: winners[k][0] for k in keys},
            labels={k: winners[k][1] for k in keys},
            unmatched=tuple(unmatched),
            duplicates=duplicates,
            missing_required=tuple(c.key for c in self.columns if c.required and c.key not in winners),
            header_rows=header_rows,
        )


def unmerged_spans(upper: Sequence[object], lower: Sequence[object]) -> list[tuple[int, int]]:
    """(first, last) runs where an upper cell has text and the upper cells to its right are blank
    while the lower row has text under them: a group title typed over its columns."""
    spans = []
    i = 0
    while i < len(upper):
        if not _blank(upper[i]):
            j = i
            while j + 1 < len(upper) and _blank(upper[j + 1]) and j + 1 < len(lower) and not _blank(lower[j + 1]):
                j += 1
            if j > i and i < len(lower) and not _blank(lower[i]):
                spans.append((i, j))
            i = j + 1
        else:
            i += 1
    return spans


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000"))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
