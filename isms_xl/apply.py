"""Recompute a workbook and write the corrections back into it, losslessly.

Reads the file (keeping its hash), recomputes every form in it (cross-form columns from the other
forms of its folder), turns the changes into cell patches, and writes them through the patching
writer and the safe replacement (lock files, changed-since-read, temp file, verify, backup,
atomic rename). The file is never half-written: it is either the old one or the new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from isms_xl.config import Config, config_for
from isms_xl.errors import UnknownFormError
from isms_xl.findings import Finding
from isms_xl.reader import read_workbook
from isms_xl.reader.model import Form
from isms_xl.recompute import CellChange, recompute_form

# Forms whose computed columns come from other forms of the folder (derived.py).
NEEDS = {"A-02": ("B-02", "B-03"), "B-19": ("B-18",)}


@dataclass
class WorkbookResult:
    path: Path
    forms: list[Form]
    changes: list[CellChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: bool = False
    backup: Path | None = None


def _others(folder: Path, wanted: set[str], config: Config, skip: Path) -> dict[str, Form]:
    from isms_xl.check import find_workbooks

    found: dict[str, Form] = {}
    for path in find_workbooks(folder):
        if path == skip or not wanted - set(found):
            continue
        try:
            for form in read_workbook(path, config):
                if form.form_id in wanted and form.form_id not in found:
                    found[form.form_id] = form
        except UnknownFormError:
            continue
    return found


def plan_workbook(path: Path | str, config: Config | None = None) -> WorkbookResult:
    """What recomputing would change in ``path`` (nothing is written)."""
    path = Path(path)
    config = config if config is not None else config_for(path)
    forms = read_workbook(path, config)
    wanted = {need for form in forms for need in NEEDS.get(form.form_id, ())} - {f.form_id for f in forms}
    others = {f.form_id: f for f in forms}
    if wanted:
        others.update(_others(path.parent, wanted, config, path))
    result = WorkbookResult(path, forms)
    for form in forms:
        recomputed = recompute_form(form, config, others)
        result.changes += recomputed.changes
        result.findings += recomputed.findings
    return result


def to_patches(changes: list[CellChange]):
    from isms_xl.io.patch import MISSING, CellPatch

    patches = []
    for c in changes:
        value = ", ".join(map(str, c.new)) if isinstance(c.new, tuple) else c.new
        patches.append(CellPatch(
            c.cell.sheet, c.cell.row, c.cell.col, value, formula=c.formula, keep_formula=True,
            fill=c.fill if c.banded else MISSING, font_color=c.font if c.banded else MISSING,
        ))
    return patches


def recompute_workbook(path: Path | str, *, config: Config | None = None, dry_run: bool = False,
                       backups: int = 3) -> WorkbookResult:
    from isms_xl.io.patch import patch_in_place

    result = plan_workbook(path, config)
    if dry_run or not result.changes:
        return result
    first = result.forms[0] if result.forms else None
    _, result.backup = patch_in_place(result.path, to_patches(result.changes), backups=backups,
                                      expected_sha256=first.sha256 if first else None,
                                      info=first.info if first else None)
    result.written = True
    return result
