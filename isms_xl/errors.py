"""Errors for runs that cannot continue, each with its own CLI exit code.

Problems in the data are findings (findings.py), never exceptions. Messages are one line and name
the file (and sheet and cell where they apply), in Japanese and English.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2  # click's own code for bad arguments
    CONFIG = 3
    NOT_A_WORKBOOK = 4  # not a workbook, corrupted, truncated, empty, legacy format
    ENCRYPTED = 5
    UNSAFE = 6  # zip bomb, entity bomb, absurd dimensions
    UNKNOWN_FORM = 7
    LOCKED = 8  # open in Excel/LibreOffice, or changed since read
    WRITE_FAILED = 9  # read-only, disk full
    EXISTS = 10  # refusing to overwrite without --force
    MAPPING_NEEDED = 11  # adopt: headers or values need a mapping file; a draft was written
    PACK_MODIFIED = 12  # an audit pack does not match its manifest (files changed, added, removed)
    RENDER_FAILED = 13  # no PDF/PNG renderer or CJK font, or the renderer failed
    INTERNAL = 70


class IsmsXlError(Exception):
    """Base class. ``str(err)`` is the one-line message shown to the user."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, message_en: str | None = None) -> None:
        super().__init__(message)
        self.message_ja = message
        self.message_en = message_en or message

    def message(self, lang: str = "ja") -> str:
        return self.message_ja if lang == "ja" else self.message_en


class ConfigError(IsmsXlError):
    exit_code = ExitCode.CONFIG


class OutputExistsError(IsmsXlError):
    exit_code = ExitCode.EXISTS


class MappingNeededError(IsmsXlError):
    """``adopt`` cannot decide which column or value is which: ``draft`` is the mapping file
    written for the user to edit (or the one already there, left as it was)."""

    exit_code = ExitCode.MAPPING_NEEDED

    def __init__(self, message: str, message_en: str | None = None, *, draft: str | None = None) -> None:
        super().__init__(message, message_en)
        self.draft = draft


class WriteFailedError(IsmsXlError):
    exit_code = ExitCode.WRITE_FAILED


class BadInputError(IsmsXlError):
    """A file given to read cannot be read safely (io/preflight.py raises the subclasses).

    ``reason`` is a stable machine-readable id (e.g. ``"empty"``, ``"csv"``, ``"zip_bomb"``);
    ``path`` and ``sheet`` say where, when known.
    """

    reason: str = "bad_input"

    def __init__(
        self,
        message: str,
        message_en: str | None = None,
        *,
        reason: str | None = None,
        path: str | None = None,
        sheet: str | None = None,
    ) -> None:
        super().__init__(message, message_en)
        if reason is not None:
            self.reason = reason
        self.path = path
        self.sheet = sheet


class InputPathError(BadInputError):
    """The path is missing, a folder, or cannot be opened (click exits 2 for the same)."""

    exit_code = ExitCode.USAGE


class NotAWorkbookError(BadInputError):
    """Empty, truncated, corrupt, CSV, PDF, legacy .xls, or anything else that is not xlsx/xlsm."""

    exit_code = ExitCode.NOT_A_WORKBOOK


class EncryptedWorkbookError(BadInputError):
    """Password-protected (encrypted) workbook."""

    exit_code = ExitCode.ENCRYPTED


class UnsafeWorkbookError(BadInputError):
    """Zip bomb, XML entity bomb or DOCTYPE, absurd used range, lying sizes."""

    exit_code = ExitCode.UNSAFE


class UnknownFormError(IsmsXlError):
    """The workbook is not an ISMS form this tool knows (or the requested form is not in it)."""

    exit_code = ExitCode.UNKNOWN_FORM


# --------------------------------------------------------------------------------------------
# Writing back (io/patch, io/atomic). Nothing has been changed when any of these is raised.


class PatchRefusedError(IsmsXlError):
    """The patching writer will not make this change, because it would break or lose something
    in the workbook (an array formula, a shared-formula master, a table header, ...) or because
    the workbook is written in a way it does not edit (cells without references, ...).

    Exit code WRITE_FAILED: the write was not done, and retrying will not help; the message says
    what to change. ``reason`` is a stable id (e.g. ``"array_formula"``); ``cell`` is "D5" style.
    """

    exit_code = ExitCode.WRITE_FAILED
    reason: str = "refused"

    def __init__(self, message: str, message_en: str | None = None, *, reason: str | None = None,
                 path: str | None = None, sheet: str | None = None, cell: str | None = None) -> None:
        super().__init__(message, message_en)
        if reason is not None:
            self.reason = reason
        self.path = path
        self.sheet = sheet
        self.cell = cell


class PatchVerifyError(WriteFailedError):
    """Reading the written workbook back did not show what was meant (or showed other changes)."""

    reason = "verify"


class FileLockedError(IsmsXlError):
    """Someone has the workbook open (Excel's ``~$`` owner file, LibreOffice's ``.~lock`` file).

    ``holder`` is the user name found in the lock file ("" when it could not be read);
    ``application`` is "Excel" or "LibreOffice"; ``lock_path`` the lock file.
    """

    exit_code = ExitCode.LOCKED

    def __init__(self, message: str, message_en: str | None = None, *, holder: str = "",
                 application: str = "", lock_path: str | None = None) -> None:
        super().__init__(message, message_en)
        self.holder = holder
        self.application = application
        self.lock_path = lock_path


class ChangedSinceReadError(IsmsXlError):
    """The workbook on disk is not the one that was read (its SHA-256 differs)."""

    exit_code = ExitCode.LOCKED


class ReadOnlyError(WriteFailedError):
    """The workbook or its folder cannot be written (permissions, read-only flag, immutable)."""


class DiskFullError(WriteFailedError):
    """No space left (or a file-size limit) while writing the new version."""


class VerifyFailedError(WriteFailedError):
    """The new version was written to a temporary file but failed its check; the original stays."""


# --------------------------------------------------------------------------------------------
# The audit pack (isms_xl/pack).


class PackVerifyError(IsmsXlError):
    """A pack does not match its manifest. ``changed``, ``added``, ``removed``: pack-relative paths."""

    exit_code = ExitCode.PACK_MODIFIED

    def __init__(self, message: str, message_en: str | None = None, *, changed: tuple[str, ...] = (),
                 added: tuple[str, ...] = (), removed: tuple[str, ...] = ()) -> None:
        super().__init__(message, message_en)
        self.changed, self.added, self.removed = changed, added, removed


class RenderError(IsmsXlError):
    """A PDF or PNG of the pack cannot be made: no renderer (LibreOffice, Chromium), no font with
    Japanese glyphs, or the renderer failed."""

    exit_code = ExitCode.RENDER_FAILED
