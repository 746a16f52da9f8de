"""What preflight and its part scanners share: the limits, the grid size, and the errors.

Errors are ``isms_xl.errors.BadInputError`` subclasses with one-line ja/en messages naming the
file (and the sheet where it applies); ``Where`` builds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from isms_xl.errors import (
    BadInputError,
    EncryptedWorkbookError,
    InputPathError,
    NotAWorkbookError,
    UnsafeWorkbookError,
)

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384  # XFD


@dataclass(frozen=True)
class Limits:
    """What preflight accepts. Defaults are far above any ISMS register and far below what
    exhausts a desktop; change them with ``dataclasses.replace(DEFAULT_LIMITS, ...)``."""

    #: The file itself; it is read into memory once. Excel files with photos stay well below.
    max_file_bytes: int = 200 * MiB
    #: Zip members. Excel writes ~10-50; tens of thousands only come from crafted files, and
    #: ``zipfile`` holds one object per member in memory.
    max_members: int = 10_000
    #: Sum of the members' declared uncompressed sizes. Every member is decompressed once here
    #: (~1 s per GiB), and readers need several times that in memory.
    max_total_uncompressed: int = 1 * GiB
    #: Uncompressed:compressed ratio above which a large member is a bomb. Sheet XML written by
    #: Excel compresses 5-30:1 (at most ~65:1 in the 993 Excel-saved test files); deflate's
    #: ceiling is ~1030:1, which is what a bomb of zeros reaches.
    max_ratio: float = 200.0
    #: The ratio applies only to members whose declared size is above this (tiny members can
    #: reach high ratios harmlessly).
    ratio_min_bytes: int = 1 * MiB
    #: Rows x columns of a sheet's used range, counted from A1 (openpyxl's iter_rows creates
    #: every cell of it, calamine allocates it as one dense grid, ~32 bytes a cell). 10 million
    #: is 100,000 rows x 100 columns; A1:XFD1048576 is 17 billion. The range covers the
    #: dimension, every cell reference, merged and hyperlink ranges and comments (openpyxl
    #: creates cells for those). Also caps the cell elements in a part, and the total area of
    #: merged and hyperlink ranges.
    max_cells: int = 10_000_000
    #: The XML prolog (declaration, comments) must end within this many bytes of a part.
    max_prolog_bytes: int = 64 * KiB

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_members", "max_total_uncompressed",
                     "ratio_min_bytes", "max_cells", "max_prolog_bytes"):
            if int(getattr(self, name)) <= 0:
                raise ValueError(f"Limits.{name} must be positive")
        if self.max_ratio <= 1:
            raise ValueError("Limits.max_ratio must be above 1")


DEFAULT_LIMITS = Limits()


def mib(n: int) -> str:
    return f"{n / MiB:,.0f} MiB" if n >= MiB else f"{n:,} bytes"


_CONTROL = dict.fromkeys([*range(32), 127, 0x2028, 0x2029, 0x85])


def one_line(text: str) -> str:
    """Sheet names and paths come from the input; keep the message on one line."""
    if not any(ord(ch) in _CONTROL for ch in text):
        return text
    return "".join(repr(ch)[1:-1] if ord(ch) in _CONTROL else ch for ch in text)


class Where:
    """Builds the errors for one file (and optionally one sheet) so every message names it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _make(self, cls: type[BadInputError], reason: str, ja: str, en: str,
              sheet: str | None) -> BadInputError:
        path = one_line(self.path)
        if sheet is None:
            return cls(f"{path}: {ja}", f"{path}: {en}", reason=reason, path=self.path)
        shown = one_line(sheet)
        return cls(f"{path}: シート「{shown}」: {ja}", f"{path}: sheet '{shown}': {en}",
                   reason=reason, path=self.path, sheet=sheet)

    def path_error(self, reason: str, ja: str, en: str) -> BadInputError:
        return self._make(InputPathError, reason, ja, en, None)

    def not_workbook(self, reason: str, ja: str, en: str, sheet: str | None = None) -> BadInputError:
        return self._make(NotAWorkbookError, reason, f"Excel ブック（.xlsx）ではありません。{ja}",
                          f"not an Excel workbook (.xlsx): {en}", sheet)

    def corrupt(self, reason: str, ja: str, en: str, sheet: str | None = None) -> BadInputError:
        return self._make(NotAWorkbookError, reason,
                          f"ファイルが壊れているか途中で切れています（{ja}）。"
                          "元のファイルかバックアップから取り直してください",
                          f"the file is corrupt or truncated ({en}); "
                          "get it again from its source or a backup",
                          sheet)

    def unsafe(self, reason: str, ja: str, en: str, sheet: str | None = None) -> BadInputError:
        return self._make(UnsafeWorkbookError, reason, f"{ja}（安全のため読み込みを中止しました）",
                          f"{en} (refused as unsafe to read)", sheet)

    def encrypted(self, reason: str, ja: str, en: str) -> BadInputError:
        return self._make(EncryptedWorkbookError, reason, ja, en, None)


# --------------------------------------------------------------------------------------------
# Cell references

def col_number(letters: bytes) -> int:
    """1 for b"A", 27 for b"AA" (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


_RANGE_END = re.compile(rb"^\$?([A-Za-z]{0,10})\$?([0-9]{0,15})$")


def _le(s: str, first: str, lowest: str, highest: str, possessive: bool) -> str:
    """Regex for the strings over the alphabet lowest..highest that compare <= s, shorter
    ones included (columns A..ZZZ, or rows without leading zeros: ``first`` is the smallest
    first character). Same-length strings first (they are the usual ones in a piece);
    possessive where it cannot change the outcome (a run of letters or digits is always
    followed by something else), unless the engine takes no possessive quantifier (RE2)."""
    any_char = f"[{lowest}-{highest}]"
    n = len(s)
    alts = []
    for i, ch in enumerate(s):
        low = first if i == 0 else lowest
        if i == n - 1:
            alts.append(s[:i] + (f"[{low}-{ch}]" if ch != low else low))
        elif ch > low:
            top = chr(ord(ch) - 1)
            alts.append(s[:i] + (f"[{low}-{top}]" if top != low else low) + f"{any_char}{{{n - i - 1}}}")
    if n > 1:
        alts.append(f"[{first}-{highest}]" + (f"{any_char}{{0,{n - 2}}}" + ("+" if possessive else "") if n > 2 else ""))
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def box_pattern(max_col: int, max_row: int, *, possessive: bool = True) -> str:
    """Regex for the cell references ("J12") inside A1:(max_col, max_row)."""
    return (_le(col_letters(max_col), "A", "A", "Z", possessive)
            + _le(str(max_row), "1", "0", "9", possessive))


def range_bounds(value: bytes) -> tuple[int, int, int, int] | None:
    """(first row, first col, last row, last col), 1-based, of "B2", "A1:C3", "A:C" or "2:5"."""
    ends = []
    for part in value.strip().split(b":"):
        m = _RANGE_END.match(part.strip())
        if m is None or not (m.group(1) or m.group(2)):
            return None
        ends.append((int(m.group(2)) if m.group(2) else None,
                     col_number(m.group(1)) if m.group(1) else None))
    if not 1 <= len(ends) <= 2:
        return None
    rows = [r for r, _ in ends if r is not None]
    cols = [c for _, c in ends if c is not None]
    # A missing part means whole columns ("A:C") or whole rows ("2:5").
    r1, r2 = (min(rows), max(rows)) if len(rows) == len(ends) else (1, EXCEL_MAX_ROWS)
    c1, c2 = (min(cols), max(cols)) if len(cols) == len(ends) else (1, EXCEL_MAX_COLS)
    return r1, c1, r2, c2


_ENTITY = re.compile(rb"&(#[0-9]{1,8}|#x[0-9A-Fa-f]{1,8}|lt|gt|amp|quot|apos);")
_NAMED = {b"lt": b"<", b"gt": b">", b"amp": b"&", b"quot": b'"', b"apos": b"'"}


def _entity(m: re.Match[bytes]) -> bytes:
    name = m.group(1)
    if name in _NAMED:
        return _NAMED[name]
    try:
        code = int(name[2:], 16) if name[:2] == b"#x" else int(name[1:])
        return chr(code).encode("utf-8")
    except (ValueError, OverflowError):
        return m.group(0)


def xml_unescape(value: bytes) -> bytes:
    """The five XML entities and character references (what an XML parser would give)."""
    return _ENTITY.sub(_entity, value) if b"&" in value else value


# What a refusal of another format tells the user to do.
SAVE_AS_JA = "Excel で開いて .xlsx で保存してください"
SAVE_AS_EN = "open it in Excel and save as .xlsx"
