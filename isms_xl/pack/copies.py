"""Clean copies of the form workbooks: every computed cell recomputed (values and band colours)
and written through the lossless patch writer into the pack — never into the original.

Each workbook of the folder is read once; forms computed from other forms (A-02 from B-02/B-03,
B-19 from B-18) are recomputed against the folder's forms. The patch goes from the original to a
new file in the pack and is verified there (io/patch/verify: values read back with calamine, every
zip member that was not meant to change byte for byte the original's). A workbook with nothing to
correct is copied byte for byte. A workbook the writer refuses to patch (an array formula where a
value belongs, …) is copied unchanged and says why: the auditor gets the record as it is, and the
index shows it was not recomputed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from isms_xl.apply import to_patches
from isms_xl.check import find_workbooks
from isms_xl.config import Config
from isms_xl.errors import IsmsXlError, PatchRefusedError
from isms_xl.reader import read_workbook
from isms_xl.reader.model import Form
from isms_xl.recompute import CellChange, recompute_form

__all__ = ["CopiedWorkbook", "copy_workbooks"]


@dataclass
class CopiedWorkbook:
    rel: str  # path relative to the folder (and to the pack's workbooks/), forward slashes
    form_ids: tuple[str, ...]
    source_sha256: str | None
    changes: list[CellChange] = field(default_factory=list)
    recomputed: bool = True  # False: copied as it is (see ``note``)
    note_ja: str = ""
    note_en: str = ""


def copy_workbooks(folder: Path, dest: Path, config: Config) -> tuple[list[CopiedWorkbook], list[tuple[str, str, str]]]:
    """Copy every form workbook of ``folder`` into ``dest`` (same relative paths), recomputed.
    Returns the copies and the workbooks left out as (relative path, reason ja, reason en):
    files that are not ISMS forms or cannot be read (the check report lists them too)."""
    from isms_xl.io.patch import patch_workbook, verify_patch

    read: list[tuple[Path, list[Form]]] = []
    left_out: list[tuple[str, str, str]] = []
    for path in find_workbooks(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            read.append((path, read_workbook(path, config)))
        except IsmsXlError as err:  # not a form (UnknownFormError), or unreadable: listed, not copied
            left_out.append((rel, err.message_ja, err.message_en))
    others: dict[str, Form] = {}
    for _path, forms in read:
        for form in forms:
            others.setdefault(form.form_id, form)
    copies = []
    for path, forms in read:
        rel = path.relative_to(folder).as_posix()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        changes: list[CellChange] = []
        for form in forms:
            # The form itself first: a workbook holding two copies of a form is recomputed
            # against its own, as ``apply.plan_workbook`` does.
            changes += recompute_form(form, config, {**others, form.form_id: form}).changes
        copy = CopiedWorkbook(rel, tuple(f.form_id for f in forms), forms[0].sha256 if forms else None, changes)
        if not changes:
            shutil.copyfile(path, target)
        else:
            patches = to_patches(changes)
            try:
                report = patch_workbook(path, target, patches, info=forms[0].info)
                verify_patch(path, target, patches, report=report)
            except PatchRefusedError as err:
                target.unlink(missing_ok=True)
                shutil.copyfile(path, target)
                copy.recomputed, copy.changes = False, []
                copy.note_ja = f"再計算せずにそのまま収録: {err.message_ja}"
                copy.note_en = f"included as it is, not recomputed: {err.message_en}"
        copies.append(copy)
    return copies, left_out
