"""safe_replace: a workbook on disk is replaced whole or not at all, never while someone has it open,
never when it changed since it was read, with a backup; and a crash at any moment leaves the old
file or the new one.

Tests run as root here, where chmod does not stop writes: read-only files and folders use
``chattr +i`` (skipped with a reason where the file system has no such flag, and the up-front
checks are then exercised through os.access), a full disk is a small tmpfs mount (or, where
mounting is not allowed, an OSError(ENOSPC) from the writer).
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from isms_xl.errors import (
    ChangedSinceReadError,
    DiskFullError,
    ExitCode,
    FileLockedError,
    PatchRefusedError,
    ReadOnlyError,
    VerifyFailedError,
)
from isms_xl.io import atomic
from isms_xl.io.atomic import BACKUP_DIR, TMP_MARK, find_lock, read_excel_owner, read_libreoffice_lock, safe_replace
from isms_xl.io.patch import CellPatch, patch_in_place


def make_book(path: Path, value: object = 1) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write("A1", value)
    ws.write("B1", "リスク")
    wb.close()
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def writer_of(content: bytes):
    def produce(tmp: Path) -> None:
        tmp.write_bytes(content)
    return produce


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TMP_MARK in p.name)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return make_book(tmp_path / "台帳.xlsx")


@pytest.fixture
def new_content(tmp_path: Path) -> bytes:
    other = tmp_path / "other"
    other.mkdir()
    return make_book(other / "new.xlsx", 2).read_bytes()


def excel_owner_file(name: str, *, word: bool = False) -> bytes:
    """An owner file as Excel (165 bytes) or Word (162 bytes) writes it."""
    ansi = name.encode("cp932", "replace")
    data = bytes([len(name)]) + ansi
    pad_to = 54 if word else 55
    data += (b"\x00" if word else b" ") * (pad_to - len(data))
    data += len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    size = 162 if word else 165
    while len(data) < size:
        data += b"\x00" if word else b" \x00"
    return data[:size]


# --------------------------------------------------------------------------------------------
# Lock files


def test_excel_owner_file_names_the_holder(book, new_content):
    owner = book.with_name("~$" + book.name)
    owner.write_bytes(excel_owner_file("山田 太郎"))
    before = book.read_bytes()
    called = []
    with pytest.raises(FileLockedError) as e:
        safe_replace(book, lambda tmp: called.append(tmp), expected_sha256=sha(book))
    err = e.value
    assert err.exit_code == ExitCode.LOCKED and err.holder == "山田 太郎" and err.application == "Excel"
    assert "山田 太郎 さんが Excel で開いています" in err.message("ja") and str(book) in err.message("ja")
    assert "open in Excel by 山田 太郎" in err.message("en") and "~$" in err.message("en")
    assert "\n" not in err.message("ja") + err.message("en")
    assert not called and book.read_bytes() == before and leftovers(book.parent) == []


@pytest.mark.parametrize("data, holder", [
    (excel_owner_file("Taro Yamada"), "Taro Yamada"),
    (excel_owner_file("山田 太郎", word=True), "山田 太郎"),  # the UTF-16 copy at offset 54
    (bytes([5]) + b"tanak" + b" " * 49, "tanak"),  # only the ANSI part
    (bytes([4]) + "鈴木".encode("cp932") + b" " * 50, "鈴木"),  # ANSI in the Japanese code page
    (b"", ""),  # an empty owner file (seen on network shares)
    (b"\x00\x01\x02", ""),  # garbage
])
def test_excel_owner_file_layouts(data, holder):
    assert read_excel_owner(data) == holder


def test_libreoffice_lock_names_the_holder(book):
    lock = book.with_name(".~lock." + book.name + "#")
    lock.write_text("山田 太郎,yamada,pc01,01.04.2026 10:00,file:///home/yamada/.config/libreoffice/4;", encoding="utf-8")
    with pytest.raises(FileLockedError) as e:
        safe_replace(book, writer_of(b"x"), expected_sha256=None)
    assert e.value.application == "LibreOffice" and e.value.holder == "山田 太郎"
    assert "山田 太郎 さんが LibreOffice で開いています" in e.value.message("ja")
    assert read_libreoffice_lock(b"Yamada\\, Taro,yamada,pc,01.04.2026 10:00,file:///x;") == "Yamada, Taro"
    assert read_libreoffice_lock(b",yamada,pc,01.04.2026 10:00,file:///x;") == "yamada"
    assert find_lock(book.with_name("other.xlsx")) is None


def test_lock_taken_while_writing_is_noticed_before_replacing(book, new_content):
    before = book.read_bytes()

    def produce(tmp: Path) -> None:
        tmp.write_bytes(new_content)
        book.with_name("~$" + book.name).write_bytes(excel_owner_file("佐藤 花子"))  # someone opens it now

    with pytest.raises(FileLockedError, match="佐藤 花子"):
        safe_replace(book, produce, expected_sha256=sha(book))
    assert book.read_bytes() == before and leftovers(book.parent) == []
    assert not (book.parent / BACKUP_DIR).exists() or not list((book.parent / BACKUP_DIR).iterdir())


# --------------------------------------------------------------------------------------------
# Changed since read


def test_changed_since_read_is_refused(book, new_content):
    read_hash = sha(book)
    make_book(book, 42)  # someone saved it after we read it
    theirs = book.read_bytes()
    with pytest.raises(ChangedSinceReadError) as e:
        safe_replace(book, writer_of(new_content), expected_sha256=read_hash)
    assert e.value.exit_code == ExitCode.LOCKED and "変更されました" in e.value.message("ja")
    assert "changed after it was read" in e.value.message("en")
    assert book.read_bytes() == theirs and leftovers(book.parent) == []


def test_change_during_the_write_is_refused(book, new_content):
    def produce(tmp: Path) -> None:
        tmp.write_bytes(new_content)
        make_book(book, 43)  # saved by someone else while we were writing

    with pytest.raises(ChangedSinceReadError):
        safe_replace(book, produce, expected_sha256=sha(book))
    assert openpyxl.load_workbook(book)["S"]["A1"].value == 43 and leftovers(book.parent) == []


def test_deleted_since_read_is_refused(book):
    h = sha(book)
    book.unlink()
    with pytest.raises(ChangedSinceReadError) as e:
        safe_replace(book, writer_of(b"x"), expected_sha256=h)
    assert "deleted or moved" in e.value.message("en") and "削除または移動" in e.value.message("ja")
    assert not book.exists()


# --------------------------------------------------------------------------------------------
# Read-only files and folders


def _chattr(path: Path, flag: str) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_immutable_file_is_refused_up_front(book, new_content):
    if not _chattr(book, "+i"):
        pytest.skip("chattr +i is not available here (see test_read_only_checks_use_os_access)")
    try:
        called = []
        with pytest.raises(ReadOnlyError) as e:
            safe_replace(book, lambda tmp: called.append(tmp), expected_sha256=sha(book))
        assert e.value.exit_code == ExitCode.WRITE_FAILED and "読み取り専用" in e.value.message("ja")
        assert not called and leftovers(book.parent) == []
    finally:
        _chattr(book, "-i")


def test_immutable_folder_is_refused_up_front(tmp_path, new_content):
    folder = tmp_path / "locked"
    folder.mkdir()
    target = make_book(folder / "b.xlsx")
    if not _chattr(folder, "+i"):
        pytest.skip("chattr +i is not available here (see test_read_only_checks_use_os_access)")
    try:
        with pytest.raises(ReadOnlyError) as e:
            safe_replace(target, writer_of(new_content), expected_sha256=sha(target))
        assert "フォルダー" in e.value.message("ja") and "cannot write in the folder" in e.value.message("en")
    finally:
        _chattr(folder, "-i")
    assert leftovers(folder) == []


def test_file_without_write_permission_is_read_only_even_for_root(book, new_content):
    before = book.read_bytes()
    book.chmod(0o444)
    try:
        with pytest.raises(ReadOnlyError):
            safe_replace(book, writer_of(new_content), expected_sha256=sha(book))
    finally:
        book.chmod(0o644)
    assert book.read_bytes() == before


def test_read_only_checks_use_os_access(book, new_content, monkeypatch):
    """For a normal user os.access is what says no; simulate it."""
    real = os.access
    monkeypatch.setattr(atomic.os, "access", lambda p, mode: False if Path(p) == book else real(p, mode))
    with pytest.raises(ReadOnlyError) as e:
        safe_replace(book, writer_of(new_content), expected_sha256=sha(book))
    assert "read-only" in e.value.message("en")
    monkeypatch.setattr(atomic.os, "access", lambda p, mode: False if Path(p) == book.parent else real(p, mode))
    with pytest.raises(ReadOnlyError) as e:
        safe_replace(book, writer_of(new_content), expected_sha256=sha(book))
    assert "folder" in e.value.message("en")


# --------------------------------------------------------------------------------------------
# Disk full, verify failures, interrupts


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); see test_disk_full_simulated")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_on_a_small_tmpfs(small_disk, tmp_path):
    target = make_book(small_disk / "b.xlsx")
    before = target.read_bytes()
    big = os.urandom(512 * 1024)  # does not fit

    with pytest.raises(DiskFullError) as e:
        safe_replace(target, writer_of(big), expected_sha256=sha(target))
    assert e.value.exit_code == ExitCode.WRITE_FAILED and "ディスクの空き" in e.value.message("ja")
    assert "not enough disk space" in e.value.message("en") and str(target) in e.value.message("en")
    assert target.read_bytes() == before and leftovers(small_disk) == []
    # the space is free again: a write that fits goes through
    fits = make_book(tmp_path / "fits.xlsx", 5).read_bytes()
    safe_replace(target, writer_of(fits), expected_sha256=sha(target), backups=0)
    assert target.read_bytes() == fits


def test_disk_full_simulated(book):
    before = book.read_bytes()

    def produce(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(DiskFullError):
        safe_replace(book, produce, expected_sha256=sha(book))
    assert book.read_bytes() == before and leftovers(book.parent) == []


def test_disk_full_while_making_the_backup(book, new_content, monkeypatch):
    before = book.read_bytes()

    def no_space(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.shutil, "copy2", no_space)
    with pytest.raises(DiskFullError):
        safe_replace(book, writer_of(new_content), expected_sha256=sha(book))
    assert book.read_bytes() == before and leftovers(book.parent) == []


def test_verify_failure_leaves_the_original(book, new_content):
    before = book.read_bytes()

    def verify(tmp: Path) -> None:
        assert tmp.read_bytes() == new_content and tmp.parent == book.parent
        raise ValueError("B1 should be 'リスク'")

    with pytest.raises(VerifyFailedError) as e:
        safe_replace(book, writer_of(new_content), expected_sha256=sha(book), verify=verify)
    assert e.value.exit_code == ExitCode.WRITE_FAILED and "リスク" in e.value.message("en")
    assert "元のファイルはそのままです" in e.value.message("ja")
    assert book.read_bytes() == before and leftovers(book.parent) == []
    assert not (book.parent / BACKUP_DIR).exists() or not list((book.parent / BACKUP_DIR).iterdir())


def test_keyboard_interrupt_leaves_the_original(book, new_content):
    before = book.read_bytes()

    def produce(tmp: Path) -> None:
        tmp.write_bytes(new_content[:100])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        safe_replace(book, produce, expected_sha256=sha(book))
    assert book.read_bytes() == before and leftovers(book.parent) == []


def test_refusal_from_the_writer_passes_through(book):
    with pytest.raises(PatchRefusedError):
        patch_in_place(book, [CellPatch("S", 0, 0, float("nan"))])
    assert leftovers(book.parent) == []


# --------------------------------------------------------------------------------------------
# Success: backups, permissions


def test_backups_rotate_and_keep_the_previous_versions(book, tmp_path):
    versions = [book.read_bytes()]
    backups = []
    for i in range(5):
        content = make_book(tmp_path / f"v{i}.xlsx", 100 + i).read_bytes()
        backups.append(safe_replace(book, writer_of(content), expected_sha256=sha(book), backups=3))
        versions.append(content)
        time.sleep(0.002)
    assert book.read_bytes() == versions[-1]
    folder = book.parent / BACKUP_DIR
    kept = sorted(folder.iterdir())
    assert [p.name for p in kept] == sorted(p.name for p in backups[-3:])
    assert [p.read_bytes() for p in kept] == versions[-4:-1]  # the three versions before the last
    for p in kept:
        assert p.name.startswith("台帳.") and p.name.endswith("Z.xlsx")
    assert leftovers(book.parent) == [] and leftovers(folder) == []
    assert safe_replace(book, writer_of(versions[0]), expected_sha256=sha(book), backups=0) is None
    assert len(list(folder.iterdir())) == 0  # backups=0 keeps none


def test_backup_keeps_the_xlsm_suffix_and_the_mode_is_kept(tmp_path):
    target = tmp_path / "macro.xlsm"
    target.write_bytes(make_book(tmp_path / "m.xlsx").read_bytes())
    target.chmod(0o640)
    backup = safe_replace(target, writer_of(b"new"), expected_sha256=None)
    assert backup is not None and backup.suffix == ".xlsm" and backup.parent.name == BACKUP_DIR
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_has_no_backup(tmp_path):
    target = tmp_path / "new.xlsx"
    assert safe_replace(target, writer_of(b"abc"), expected_sha256=None) is None
    assert target.read_bytes() == b"abc"


def test_patch_in_place_end_to_end(book):
    report, backup = patch_in_place(book, [CellPatch("S", 0, 0, 99, fill="FFC7CE"), CellPatch("S", 2, 0, "新しい行")],
                                    backups=2)
    assert backup is not None and backup.exists() and report.cells_changed == 2
    ws = openpyxl.load_workbook(book)["S"]
    assert ws["A1"].value == 99 and ws["A3"].value == "新しい行" and ws["A1"].fill.fgColor.rgb == "FFFFC7CE"
    assert openpyxl.load_workbook(backup)["S"]["A1"].value == 1


# --------------------------------------------------------------------------------------------
# Crash safety: SIGKILL at random moments


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from isms_xl.io import atomic
    from isms_xl.io.patch import CellPatch, patch_in_place

    pause = float(sys.argv[2])

    def hook(stage):
        print(stage, flush=True)
        time.sleep(pause)

    atomic.STAGE_HOOK = hook
    patch_in_place(Path(sys.argv[1]), [CellPatch("S", 0, 0, 2, fill="C6EFCE"), CellPatch("S", 3, 1, "新")])
    print("finished", flush=True)
""")


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_old_or_new(tmp_path):
    rng = random.Random(20260401)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "b.xlsx"
    old = make_book(tmp_path / "old.xlsx").read_bytes()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    # the new version, and how long a run takes from its first stage to its end
    target.write_bytes(old)
    proc = subprocess.Popen([sys.executable, str(script), str(target), "0.03"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
    t0 = time.monotonic()
    out, err = proc.communicate()
    span = time.monotonic() - t0
    assert proc.returncode == 0 and out.split()[-1] == "finished", err
    new = target.read_bytes()
    assert new != old and openpyxl.load_workbook(target)["S"]["A1"].value == 2
    outcomes = {"old": 0, "new": 0}
    stages_killed: dict[str, int] = {}
    for run in range(40):
        target.write_bytes(old)
        shutil.rmtree(folder / BACKUP_DIR, ignore_errors=True)
        proc = subprocess.Popen([sys.executable, str(script), str(target), "0.03"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=env, text=True)
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()  # "start": imports are done
        assert first == "start", first
        time.sleep(rng.uniform(0, span * 1.1))
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read().split()
        proc.wait()
        last = ([first] + rest)[-1]
        stages_killed[last] = stages_killed.get(last, 0) + 1
        data = target.read_bytes()
        assert data in (old, new), f"run {run}: broken file after a kill at stage {last!r}"
        outcomes["old" if data == old else "new"] += 1
        wb = openpyxl.load_workbook(target)
        assert wb["S"]["A1"].value in (1, 2)
        with zipfile.ZipFile(target) as z:
            assert z.testzip() is None
        for backup in (folder / BACKUP_DIR).glob("*.xlsx") if (folder / BACKUP_DIR).exists() else []:
            assert backup.read_bytes() == old  # a backup is whole or absent
        for stale in folder.iterdir():
            if TMP_MARK in stale.name:
                stale.unlink()  # what a kill leaves behind: a temp file, never the target
    assert outcomes["old"] > 0 and outcomes["new"] > 0, (outcomes, stages_killed)
    assert len(stages_killed) >= 4, stages_killed  # the kills landed at several stages
