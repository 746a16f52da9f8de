"""Replace a workbook on disk so that a crash at any moment leaves the old file or the new one.

``safe_replace(target, produce, expected_sha256=..., backups=3, verify=...)``:

1. refuses when someone has the workbook open: Excel's owner file ``~$<name>`` or
   LibreOffice's ``.~lock.<name>#`` beside it (the message names the holder);
2. refuses when the file is not the one that was read (its SHA-256 differs), and read-only
   files and folders, before anything is written;
3. has ``produce(tmp)`` write the new version to ``.<name>.isms-xl-tmp-<random><suffix>`` in
   the same folder (the suffix last, as readers go by it), flushes and fsyncs it, and runs
   ``verify(tmp)``;
4. copies the current version to ``<folder>/.isms_xl_backup/<stem>.<UTC time><suffix>``
   (keeping the newest ``backups``; 0 keeps none), checks the locks and the hash once more,
   then ``os.replace``-s the temporary file onto the target and fsyncs the folder.

Any failure (disk full, a verify failure, KeyboardInterrupt, ...) removes the temporary file and
leaves the original untouched. Errors have one-line ja/en messages naming the file:
FileLockedError / ChangedSinceReadError (exit LOCKED), ReadOnlyError / DiskFullError /
VerifyFailedError / WriteFailedError (exit WRITE_FAILED).

``os.replace`` is atomic on POSIX file systems and on NTFS; on network shares it is as atomic as
the server makes it.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from isms_xl.errors import (
    ChangedSinceReadError,
    DiskFullError,
    FileLockedError,
    IsmsXlError,
    ReadOnlyError,
    VerifyFailedError,
    WriteFailedError,
)

__all__ = ["LockInfo", "find_lock", "read_excel_owner", "read_libreoffice_lock", "safe_replace", "sha256_of",
           "write_report", "BACKUP_DIR", "TMP_MARK"]

BACKUP_DIR = ".isms_xl_backup"
TMP_MARK = ".isms-xl-tmp-"

#: Test hook: called with the name of each stage ("start", "produced", "synced", "verified",
#: "backed_up", "replaced", "done"). Tests use it to pause or kill the writer mid-way.
STAGE_HOOK: Callable[[str], None] | None = None


def _stage(name: str) -> None:
    if STAGE_HOOK is not None:
        STAGE_HOOK(name)


def _shown(path: Path) -> str:
    text = str(path)
    return "".join(repr(ch)[1:-1] if ord(ch) < 32 or ch in "\u2028\u2029\x85\x7f" else ch for ch in text)


# --------------------------------------------------------------------------------------------
# Lock files

@dataclass(frozen=True)
class LockInfo:
    application: str  # "Excel" | "LibreOffice"
    holder: str  # user name ("" when unreadable)
    lock_path: Path


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plausible(name: str) -> bool:
    return bool(name.strip()) and not _CONTROL.search(name)


def read_excel_owner(data: bytes) -> str:
    """The user name in an Excel owner file (``~$book.xlsx``), "" when it cannot be read.

    Layout (165 bytes for Excel and PowerPoint, 162 for Word): byte 0 is the name's length,
    then the name in the Windows ANSI code page, padded with spaces (Excel) or zeros (Word);
    at offset 55 (Word: 54) the length again as a 2-byte word, then the name in UTF-16LE.
    The UTF-16 copy is preferred: the ANSI one cannot hold every name.
    """
    for off in (55, 54):
        if len(data) >= off + 2:
            n = data[off] | (data[off + 1] << 8)
            if 0 < n <= 255 and len(data) >= off + 2 + 2 * n:
                try:
                    name = data[off + 2:off + 2 + 2 * n].decode("utf-16-le")
                except UnicodeDecodeError:
                    continue
                if _plausible(name):
                    return name.strip()
    if data:
        n = data[0]
        candidates = [data[1:1 + n], data[1:55].rstrip(b" \x00")]
        for raw in candidates:
            for enc in ("utf-8", "cp932"):
                try:
                    name = raw.decode(enc)
                except UnicodeDecodeError:
                    continue
                if _plausible(name):
                    return name.strip()
    return ""


def read_libreoffice_lock(data: bytes) -> str:
    """The user name in a LibreOffice lock file (``.~lock.book.xlsx#``), "" when unreadable.

    The file is one line, "office user name,system user,host,time,profile URL;", with "\\"
    escaping "," ";" and "\\" inside a field.
    """
    text = data.decode("utf-8", "replace")
    fields: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i + 1])
            i += 2
            continue
        if ch in ",;":
            fields.append("".join(cur))
            cur = []
            if ch == ";":
                break
        else:
            cur.append(ch)
        i += 1
    else:
        fields.append("".join(cur))
    for name in fields[:2]:  # the office user name, else the system user name
        if _plausible(name):
            return name.strip()
    return ""


def find_lock(target: Path) -> LockInfo | None:
    """The lock Excel or LibreOffice keeps beside ``target`` while it is open, if any."""
    target = Path(target)
    excel = target.with_name("~$" + target.name)
    office = target.with_name(".~lock." + target.name + "#")
    for path, app, reader in ((excel, "Excel", read_excel_owner), (office, "LibreOffice", read_libreoffice_lock)):
        try:
            with open(path, "rb") as fh:
                data = fh.read(4096)
        except FileNotFoundError:
            continue
        except OSError:
            data = b""
            if not os.path.lexists(path):
                continue
        return LockInfo(app, reader(data), path)
    return None


def _locked_error(target: Path, lock: LockInfo) -> FileLockedError:
    who_ja = f"{lock.holder} さん" if lock.holder else "他の人"
    who_en = lock.holder or "someone"
    shown = _shown(target)
    return FileLockedError(
        f"{shown}: {who_ja}が {lock.application} で開いています。閉じてからやり直してください"
        f"（誰も開いていないなら {lock.lock_path.name} を削除してください）",
        f"{shown}: open in {lock.application} by {who_en}; close it and try again "
        f"(if nobody has it open, delete {lock.lock_path.name})",
        holder=lock.holder, application=lock.application, lock_path=str(lock.lock_path))


# --------------------------------------------------------------------------------------------
# Checks

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_writable(target: Path, exists: bool) -> None:
    folder = target.parent
    shown = _shown(target)
    if exists:
        st = os.stat(target)
        # Root passes os.access on a file nobody may write; a file without any write bit was
        # made read-only on purpose (Windows' read-only attribute maps to this on shares).
        if not os.access(target, os.W_OK) or not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise ReadOnlyError(f"{shown}: 読み取り専用のファイルです。書き込めるようにしてからやり直してください",
                                f"{shown}: the file is read-only; make it writable and try again")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReadOnlyError(f"{shown}: フォルダー {_shown(folder)} に書き込めません（読み取り専用か権限がありません）",
                            f"{shown}: cannot write in the folder {_shown(folder)} (read-only or no permission)")


def _check_unchanged(target: Path, expected: str | None, current: str | None) -> None:
    """``current``: the file's hash now (None: it does not exist)."""
    shown = _shown(target)
    if expected is None:
        return
    if current is None:
        raise ChangedSinceReadError(f"{shown}: 読み込んだ後にファイルが削除または移動されました",
                                    f"{shown}: the file was deleted or moved after it was read")
    if current != expected.lower():
        raise ChangedSinceReadError(
            f"{shown}: 読み込んだ後にファイルが変更されました（誰かが保存しました）。もう一度読み込んでからやり直してください",
            f"{shown}: the file changed after it was read (someone saved it); read it again and retry")


def _translate(err: OSError, target: Path, doing_ja: str, doing_en: str) -> WriteFailedError:
    shown = _shown(target)
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFullError(f"{shown}: ディスクの空きが足りないため{doing_ja}できませんでした（元のファイルはそのままです）",
                             f"{shown}: not enough disk space to {doing_en} (the original file is unchanged)")
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyError(f"{shown}: 権限がないため{doing_ja}できませんでした（元のファイルはそのままです）",
                             f"{shown}: no permission to {doing_en} (the original file is unchanged)")
    reason = err.strerror or str(err)
    return WriteFailedError(f"{shown}: {doing_ja}できませんでした（{reason}）。元のファイルはそのままです",
                            f"{shown}: could not {doing_en} ({reason}); the original file is unchanged")


# --------------------------------------------------------------------------------------------
# Writing

def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return  # directories cannot be opened for fsync; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares) refuse fsync on a directory
    finally:
        os.close(fd)


def _backup_name(target: Path) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return f"{target.stem}.{now:%Y%m%dT%H%M%S.%f}Z{target.suffix}"


def _backup_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(re.escape(target.stem) + r"\.\d{8}T\d{6}(?:\.\d{1,6})?Z" + re.escape(target.suffix) + "$")


def _make_backup(target: Path) -> Path:
    folder = target.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    dest = folder / _backup_name(target)
    n = 1
    while dest.exists():
        dest = folder / f"{dest.stem}-{n}{target.suffix}"
        n += 1
    partial = folder / f".{dest.name}{TMP_MARK}{secrets.token_hex(4)}"
    try:
        shutil.copy2(target, partial)
        _fsync_file(partial)
        os.replace(partial, dest)
    except BaseException:
        _remove_quietly(partial)
        raise
    _fsync_dir(folder)
    return dest


def _rotate_backups(target: Path, keep: int) -> None:
    folder = target.parent / BACKUP_DIR
    pattern = _backup_pattern(target)
    try:
        names = sorted(n for n in os.listdir(folder) if pattern.match(n))
    except OSError:
        return
    for name in names[:-keep] if keep > 0 else names:
        _remove_quietly(folder / name)


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _copy_mode(target: Path, tmp: Path) -> None:
    try:
        st = os.stat(target)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and hasattr(os, "geteuid") and os.geteuid() == 0:
            os.chown(tmp, st.st_uid, st.st_gid)
    except OSError:
        pass  # best effort: the content is what matters


def safe_replace(target: Path, produce: Callable[[Path], None], *, expected_sha256: str | None,
                 backups: int = 3, verify: Callable[[Path], None] | None = None) -> Path | None:
    """Write a new version of ``target`` through ``produce(tmp_path)``; see the module doc.

    Returns the backup of the previous version (None when ``backups`` is 0 or ``target`` did
    not exist). ``expected_sha256``: the hash of the file as it was read (None: do not check;
    the target may then also be new).
    """
    # Through a symbolic link, write the workbook it points to (and look for its lock files
    # there): os.replace onto the link would turn the link into a file of its own.
    target = Path(os.path.realpath(target))
    if backups < 0:
        raise ValueError("backups must be 0 or more")
    _stage("start")
    lock = find_lock(target)
    if lock is not None:
        raise _locked_error(target, lock)
    exists = target.exists()
    if exists and not target.is_file():
        raise WriteFailedError(f"{_shown(target)}: 通常のファイルではありません", f"{_shown(target)}: not a regular file")
    current_hash = sha256_of(target) if exists else None
    _check_unchanged(target, expected_sha256, current_hash)
    _check_writable(target, exists)

    # The suffix stays last: readers (openpyxl, LibreOffice) go by it.
    tmp = target.with_name(f".{target.name}{TMP_MARK}{secrets.token_hex(6)}{target.suffix}")
    backup: Path | None = None
    replaced = False
    try:
        try:
            produce(tmp)
            _stage("produced")
            if not tmp.is_file():
                raise WriteFailedError(f"{_shown(target)}: 新しい内容が作られませんでした",
                                       f"{_shown(target)}: no new content was produced")
            _fsync_file(tmp)
            if exists:
                _copy_mode(target, tmp)
            _stage("synced")
        except OSError as err:
            raise _translate(err, target, "書き込み", "write the new version") from err
        if verify is not None:
            try:
                verify(tmp)
            except Exception as err:  # noqa: BLE001 - any failure of the check means "do not replace"
                detail_ja = err.message_ja if isinstance(err, IsmsXlError) else f"{type(err).__name__}: {err}"
                detail_en = err.message_en if isinstance(err, IsmsXlError) else f"{type(err).__name__}: {err}"
                raise VerifyFailedError(
                    f"{_shown(target)}: 書き込んだ内容の確認に失敗したため置き換えませんでした（元のファイルはそのままです）: {detail_ja}",
                    f"{_shown(target)}: the new version failed its check and was not used "
                    f"(the original file is unchanged): {detail_en}") from err
        _stage("verified")
        # Someone may have opened or saved the workbook while we worked.
        lock = find_lock(target)
        if lock is not None:
            raise _locked_error(target, lock)
        if exists:
            _check_unchanged(target, current_hash, sha256_of(target) if target.exists() else None)
        try:
            if exists and backups > 0:
                backup = _make_backup(target)
            _stage("backed_up")
            os.replace(tmp, target)
            replaced = True
        except OSError as err:
            raise _translate(err, target, "置き換え", "replace the file") from err
        _stage("replaced")
        _fsync_dir(target.parent)
    except BaseException:
        if not replaced:
            _remove_quietly(tmp)
            if backup is not None:
                _remove_quietly(backup)
                backup = None
        raise
    if exists:
        _rotate_backups(target, backups)
    _stage("done")
    return backup


def write_report(target: Path, produce: Callable[[Path], None]) -> Path:
    """A file this tool makes whole each time (a report): its folder made, then written as
    ``safe_replace`` writes, without a backup. A folder that cannot be made, a report left open
    in Excel, no permission or a full disk are one-line errors naming it; yesterday's report
    stays whole until today's is."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _translate(err, target, "フォルダーの作成", "make its folder") from err
    safe_replace(target, produce, expected_sha256=None, backups=0)
    return target
