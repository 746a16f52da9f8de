"""The patching writer: write computed values (and their fills) back into a user's workbook
without losing anything else in it.

``patch_workbook(src, dst, patches)`` rewrites only the XML of the sheets it writes into and
appends cell formats to xl/styles.xml; every other zip member is copied byte for byte (raw
compressed bytes, same header fields, same order). ``verify_patch`` reads the result back with
other readers and proves it. ``patch_in_place`` does both through ``isms_xl.io.atomic``
(lock files, changed-since-read, temp file, backup, atomic rename).

What it refuses, and why, is listed in docs of ``PatchRefusedError.reason``:
``array_formula``, ``shared_formula``, ``table_header``, ``rich_value``, ``cell_without_ref``,
``row_order``, ``cell_order``, ``namespace``, ``unexpected_xml``, ``zip_layout``,
``too_many_styles``, ``styles``, ``style_index``, ``bad_value``, ``bad_cell``,
``duplicate_patch``, ``no_sheet``, ``not_worksheet``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from isms_xl.io.patch.model import MISSING, CellChange, CellPatch, ChangeLog, Missing, PatchOptions, PatchReport
from isms_xl.io.patch.verify import verify_patch
from isms_xl.io.patch.writer import patch_workbook

__all__ = [
    "MISSING",
    "CellChange",
    "CellPatch",
    "ChangeLog",
    "Missing",
    "PatchOptions",
    "PatchReport",
    "patch_in_place",
    "patch_workbook",
    "verify_patch",
]


def patch_in_place(path: Path | str, patches: Sequence[CellPatch], *, expected_sha256: str | None = None,
                   backups: int = 3, options: PatchOptions | None = None,
                   verify: bool = True, info=None) -> tuple[PatchReport, Path | None]:
    """Patch ``path`` itself, atomically, keeping a backup; returns (report, backup path).

    ``info``: the WorkbookInfo of the read (skips a second preflight of the same bytes).
    ``expected_sha256``: the hash of the file as it was read (WorkbookInfo.sha256); when None,
    the hash at the start of this call is used (which still catches a change made while
    patching). Raises FileLockedError / ChangedSinceReadError (exit LOCKED), PatchRefusedError,
    ReadOnlyError / DiskFullError / VerifyFailedError (exit WRITE_FAILED); the file is then
    untouched.
    """
    from isms_xl.io.atomic import safe_replace
    from isms_xl.io.preflight import preflight

    path = Path(path)
    # The reader's preflight can be reused: safe_replace refuses if the file changed since
    # (its hash), so the scan still describes the bytes being patched.
    if info is None or (expected_sha256 is not None and info.sha256 != expected_sha256):
        info = preflight(path)
    if expected_sha256 is None:
        expected_sha256 = info.sha256
    holder: list[PatchReport] = []

    def produce(tmp: Path) -> None:
        holder.append(patch_workbook(path, tmp, patches, options=options, info=info))

    def check(tmp: Path) -> None:
        if verify:
            verify_patch(path, tmp, patches, report=holder[0])

    backup = safe_replace(path, produce, expected_sha256=expected_sha256, backups=backups, verify=check)
    return holder[0], backup
