"""Annex A control ids as users write them (method.md "Control ids as users write them").

``5.15``, ``A.5.15``, ``A5.15``, ``Ａ．５．１５``, ``5.15 アクセス制御``; for 2013 ``A.9.2.1``,
``9.2.1``. Several in one cell separated by ``,`` ``、`` ``，`` ``;`` ``／`` or line breaks.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# NFKC folds full-width forms first, so only half-width separators remain besides 、 and ・.
_SEPARATORS = re.compile(r"[,、;/\n\r]+")
_CONTROL = re.compile(r"^\s*(?:A\s*\.?\s*)?(\d{1,2})\s*\.\s*(\d{1,2})(?:\s*\.\s*(\d{1,2}))?(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedControls:
    ids: tuple[str, ...]  # canonical "A.5.15" / "A.9.2.1", in the order written, without repeats
    invalid: tuple[str, ...]  # pieces that are not a control id at all


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def parse_control_id(token: str) -> str | None:
    """One control id in canonical form ("A.5.15"), or None when the token is not one."""
    m = _CONTROL.match(normalize_text(token))
    if not m:
        return None
    parts = [str(int(p)) for p in m.groups() if p is not None]
    return "A." + ".".join(parts)


def parse_controls(value: object) -> ParsedControls:
    """Every control id in a cell. Numbers that Excel stored as floats (5.1 for "5.10") are
    ambiguous and are read as written by Excel, so users should keep the column as text."""
    if value is None:
        return ParsedControls((), ())
    if isinstance(value, float):
        value = repr(value)
    text = normalize_text(str(value)).strip()
    if not text:
        return ParsedControls((), ())
    ids: list[str] = []
    invalid: list[str] = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        cid = parse_control_id(piece)
        if cid is None:
            invalid.append(piece)
        elif cid not in ids:
            ids.append(cid)
    return ParsedControls(tuple(ids), tuple(invalid))


def control_version(control_id: str) -> str:
    """"2013" for three-part ids (A.9.2.1), "2022" for two-part ones (A.5.15)."""
    return "2013" if control_id.count(".") == 3 else "2022"


def short_id(control_id: str) -> str:
    """The id as the 2022 standard prints it in tables ("5.15"); 2013 ids keep their "A."."""
    return control_id[2:] if control_version(control_id) == "2022" else control_id
