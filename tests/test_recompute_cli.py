"""``isms-xl recompute`` as a user runs it (a subprocess): --dry-run, a real run with and without a
backup, a folder argument, and every refusal — Excel's and LibreOffice's lock files, a change made
by someone else while recompute works, a read-only file or folder, a full disk — each one line
naming the file, with the exit code of isms_xl/errors.py, the original bytes untouched and no
temporary file left behind.

Tests run as root here, where a missing write bit does not stop a write: read-only files and
folders also use ``chattr +i`` (skipped with a reason where it is not available), and a full disk
is a small tmpfs mount (skipped with a reason where mounting is not permitted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from isms_xl.errors import ExitCode

AS_OF = dt.date(2026, 11, 26)
B02 = "ISMS-B-02_リスクアセスメント結果表.xlsx"
B05 = "ISMS-B-05_事業継続リスクアセスメント.xlsx"
B10 = "ISMS-B-10_管理策測定評価表.xlsx"
A02 = "ISMS-A-02_適用宣言書.xlsx"
HOLDER = "山田 太郎"

#: The demo's pending changes, as --dry-run lists them (Japanese messages, the default).
DRY_RUN_LINES = [
    f"{A02} '適用宣言書'!D38 reason_risk: ○ → （空）",
    f"{B02} 'リスクアセスメント結果表'!K32 evaluation: 塗り C6EFCE",
    f"{B05} '事業継続リスクアセスメント'!E12 bc_risk: 数式を復元",
    f"{B10} '管理策測定評価表'!G11 achieved: 未達 → 達成",
]


# --------------------------------------------------------------------------------------------
# Helpers


def run_cli(*args: str, cwd: Path | None = None, script: str | None = None) -> subprocess.CompletedProcess:
    """``python -m isms_xl ARGS`` (or a small script that installs a hook and then runs the CLI)."""
    argv = [sys.executable, "-m", "isms_xl", *args] if script is None else [sys.executable, "-c", script, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones and the backup folder included) -> its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def excel_owner_file(name: str) -> bytes:
    """An owner file as Excel writes it (165 bytes): the name's length, the name in the ANSI code
    page (cp932 here) padded with spaces, at offset 55 the length again as a word, then the name
    in UTF-16LE, padded with space/NUL pairs."""
    data = bytes([len(name)]) + name.encode("cp932")
    data += b" " * (55 - len(data))
    data += len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    while len(data) < 165:
        data += b" \x00"
    return data[:165]


def assert_refused(done: subprocess.CompletedProcess, code: ExitCode, target: Path, *phrases: str) -> None:
    assert done.returncode == int(code), (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr  # one line, no traceback
    assert lines[0].startswith("isms-xl: ") and str(target) in lines[0], lines[0]
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])


def no_leftovers(folder: Path) -> list[str]:
    """Temporary files (ours, or a partial backup) anywhere under ``folder``."""
    return [str(p) for p in folder.rglob("*") if ".isms-xl-tmp-" in p.name]


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo") / "demo"
    generate_demo(folder, as_of=AS_OF)
    return folder


@pytest.fixture
def demo(demo_source, tmp_path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(demo_source, folder)
    return folder


@pytest.fixture
def book(demo_source, tmp_path) -> Path:
    """B-10 alone in a folder (it needs no other form): one pending change, G11 未達 → 達成."""
    folder = tmp_path / "共有フォルダ"
    folder.mkdir()
    target = folder / B10
    shutil.copy2(demo_source / B10, target)
    return target


# --------------------------------------------------------------------------------------------
# --dry-run, a real run, backups, folders


def test_dry_run_lists_the_changes_exits_1_and_writes_nothing(demo):
    before = snapshot(demo)
    done = run_cli("recompute", "--dry-run", str(demo))
    assert done.returncode == int(ExitCode.FINDINGS), done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert [line for line in lines if "!" in line] == DRY_RUN_LINES
    summaries = [line for line in lines if "!" not in line]
    assert len(summaries) == 28  # every workbook of the folder, each once
    assert f"{B10}: 変更予定 1 セル（書き込みはしていません）" in summaries
    assert sum(s.endswith("変更予定 0 セル（書き込みはしていません）") for s in summaries) == 24
    assert snapshot(demo) == before
    assert sorted(p.name for p in demo.iterdir()) == sorted(before)  # no backup folder, no temp file


def test_dry_run_in_english_on_one_file(book):
    before = snapshot(book.parent)
    done = run_cli("--lang", "en", "recompute", "--dry-run", str(book))
    assert done.returncode == int(ExitCode.FINDINGS)
    assert done.stdout.splitlines() == [f"{B10} '管理策測定評価表'!G11 achieved: 未達 → 達成",
                                        f"{B10}: 1 cells would change (nothing written)"]
    assert snapshot(book.parent) == before


def test_folder_argument_recomputes_every_workbook_and_keeps_backups(demo):
    before = snapshot(demo)
    originals = {name: (demo / name).read_bytes() for name in (A02, B02, B05, B10)}
    done = run_cli("recompute", str(demo))
    assert done.returncode == int(ExitCode.OK), done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line for line in lines if "!" in line] == DRY_RUN_LINES
    updated = sorted(line.split(":")[0] for line in lines if "1 セルを更新しました（バックアップ: " in line)
    assert updated == [A02, B02, B05, B10]
    assert sum(line.endswith(": 変更はありません") for line in lines) == 24

    after = snapshot(demo)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {A02, B02, B05, B10}
    backups = sorted((demo / ".isms_xl_backup").iterdir())
    assert len(backups) == 4 and set(after) - set(before) == {f".isms_xl_backup/{p.name}" for p in backups}
    for backup in backups:  # each is the previous version, named after its workbook
        (name,) = [n for n in originals if backup.name.startswith(Path(n).stem + ".")]
        assert backup.read_bytes() == originals[name] and backup.suffix == ".xlsx"
    assert no_leftovers(demo) == []

    # done: a second dry run has nothing to do (the backups are not taken for workbooks)
    again = run_cli("recompute", "--dry-run", str(demo))
    assert again.returncode == int(ExitCode.OK), again.stdout
    assert len(again.stdout.splitlines()) == 28 and "!" not in again.stdout
    assert snapshot(demo) == after


def test_no_backup_keeps_none(book):
    original = book.read_bytes()
    book.chmod(0o640)
    done = run_cli("--lang", "en", "recompute", "--no-backup", str(book))
    assert done.returncode == int(ExitCode.OK), done.stderr
    assert done.stdout.splitlines()[-1] == f"{B10}: 1 cells updated"
    assert book.read_bytes() != original
    assert sorted(p.name for p in book.parent.iterdir()) == [B10]
    assert book.stat().st_mode & 0o777 == 0o640  # the new version keeps the file's permissions


# --------------------------------------------------------------------------------------------
# Refusals: someone has the workbook open, or saved it meanwhile


def test_excel_owner_file_refuses_naming_the_holder(book):
    owner = book.with_name("~$" + book.name)
    owner.write_bytes(excel_owner_file(HOLDER))
    before = snapshot(book.parent)
    done = run_cli("recompute", str(book))
    assert_refused(done, ExitCode.LOCKED, book, f"{HOLDER} さんが Excel で開いています", owner.name)
    assert snapshot(book.parent) == before and no_leftovers(book.parent) == []
    en = run_cli("--lang", "en", "recompute", str(book))
    assert_refused(en, ExitCode.LOCKED, book, f"open in Excel by {HOLDER}")


def test_excel_owner_file_in_a_folder_is_a_lock_not_a_workbook(book):
    """The folder form skips ``~$`` files as workbooks but still honours them as locks."""
    book.with_name("~$" + book.name).write_bytes(excel_owner_file(HOLDER))
    before = snapshot(book.parent)
    done = run_cli("recompute", str(book.parent))
    assert_refused(done, ExitCode.LOCKED, book, f"{HOLDER} さんが Excel で開いています")
    assert snapshot(book.parent) == before


def test_libreoffice_lock_refuses_naming_the_holder(book):
    lock = book.with_name(".~lock." + book.name + "#")
    lock.write_text(f"{HOLDER},yamada,pc-sales01,26.11.2026 09:15,file:///home/yamada/.config/libreoffice/4;",
                    encoding="utf-8")
    before = snapshot(book.parent)
    done = run_cli("recompute", str(book))
    assert_refused(done, ExitCode.LOCKED, book, f"{HOLDER} さんが LibreOffice で開いています", lock.name)
    assert snapshot(book.parent) == before and no_leftovers(book.parent) == []


def test_locked_workbook_in_a_folder_run_is_reported_truthfully(demo):
    """A lock on one workbook of the folder: exit LOCKED naming it, that workbook untouched, and
    stdout says "updated" for exactly the workbooks whose bytes changed."""
    locked = demo / B05
    lock = locked.with_name(".~lock." + locked.name + "#")
    lock.write_text(f"{HOLDER},yamada,pc-sales01,26.11.2026 09:15,file:///x;", encoding="utf-8")
    before = snapshot(demo)
    done = run_cli("recompute", str(demo))
    assert_refused(done, ExitCode.LOCKED, locked, f"{HOLDER} さんが LibreOffice で開いています")
    after = snapshot(demo)
    assert after[B05] == before[B05] and no_leftovers(demo) == []
    updated = {line.split(":")[0] for line in done.stdout.splitlines() if "セルを更新しました" in line}
    assert updated == {k for k in before if before[k] != after[k]}
    assert B05 not in updated


def test_locked_workbook_does_not_stop_the_rest_of_the_folder(demo):
    lock = demo / (".~lock." + B05 + "#")
    lock.write_text(f"{HOLDER},yamada,pc-sales01,26.11.2026 09:15,file:///x;", encoding="utf-8")
    before = snapshot(demo)
    done = run_cli("recompute", str(demo))
    assert done.returncode == int(ExitCode.LOCKED)
    after = snapshot(demo)
    assert {k for k in before if before[k] != after[k]} == {A02, B02, B10}


def test_symlinked_workbook_is_written_through_or_refused(book):
    real = book
    link = book.parent.parent / "link.xlsx"
    link.symlink_to(real)
    original = real.read_bytes()
    done = run_cli("recompute", "--no-backup", str(link))
    assert link.is_symlink() and link.resolve() == real.resolve()
    if done.returncode == int(ExitCode.OK):
        assert real.read_bytes() != original
    else:
        assert done.returncode == int(ExitCode.WRITE_FAILED) and real.read_bytes() == original


#: Runs the CLI with a hook at one stage of the safe replacement (isms_xl.io.atomic.STAGE_HOOK)
#: that does what another person would do at that moment: save the workbook, or open it.
HOOKED = textwrap.dedent("""
    import sys
    from pathlib import Path
    from isms_xl.io import atomic
    from isms_xl.cli.main import cli

    stage, action, target = sys.argv[1], sys.argv[2], Path(sys.argv[3])

    def hook(name):
        if name != stage:
            return
        if action == "save":
            target.write_bytes(target.read_bytes() + b"saved by someone else")
        else:
            target.with_name(".~lock." + target.name + "#").write_text("佐藤 花子,sato,pc02,x,y;", encoding="utf-8")

    atomic.STAGE_HOOK = hook
    cli(["recompute", str(target)], prog_name="isms-xl")
""")


@pytest.mark.parametrize("stage", ["start", "verified"])
def test_change_by_someone_else_since_read_is_refused(book, stage):
    """"start": saved between recompute's read and the write; "verified": saved while the new
    version was being written (the temporary file exists and must go)."""
    done = run_cli(stage, "save", str(book), script=HOOKED)
    assert_refused(done, ExitCode.LOCKED, book, "読み込んだ後にファイルが変更されました")
    saved = book.read_bytes()
    assert saved.endswith(b"saved by someone else")  # their version is what stays
    assert sorted(p.name for p in book.parent.iterdir()) == [B10] and no_leftovers(book.parent) == []


def test_opened_while_writing_is_refused(book):
    before = book.read_bytes()
    done = run_cli("verified", "open", str(book), script=HOOKED)
    assert_refused(done, ExitCode.LOCKED, book, "佐藤 花子 さんが LibreOffice で開いています")
    assert book.read_bytes() == before and no_leftovers(book.parent) == []
    assert sorted(p.name for p in book.parent.iterdir()) == sorted([B10, ".~lock." + B10 + "#"])


# --------------------------------------------------------------------------------------------
# Refusals: read-only, disk full


def _chattr(path: Path, flag: str) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_file_without_write_permission_is_refused(book):
    before = snapshot(book.parent)
    book.chmod(0o444)
    try:
        done = run_cli("recompute", str(book))
    finally:
        book.chmod(0o644)
    assert_refused(done, ExitCode.WRITE_FAILED, book, "読み取り専用のファイルです")
    assert snapshot(book.parent) == before and no_leftovers(book.parent) == []


def test_immutable_file_is_refused(book):
    before = snapshot(book.parent)
    if not _chattr(book, "+i"):
        pytest.skip("chattr +i is not available here (not root, or the file system has no such flag)")
    try:
        done = run_cli("--lang", "en", "recompute", str(book))
    finally:
        _chattr(book, "-i")
    assert_refused(done, ExitCode.WRITE_FAILED, book, "the file is read-only")
    assert snapshot(book.parent) == before and no_leftovers(book.parent) == []


def test_immutable_folder_is_refused(book):
    before = snapshot(book.parent)
    if not _chattr(book.parent, "+i"):
        pytest.skip("chattr +i is not available here (not root, or the file system has no such flag)")
    try:
        done = run_cli("recompute", str(book))
    finally:
        _chattr(book.parent, "-i")
    assert_refused(done, ExitCode.WRITE_FAILED, book, f"フォルダー {book.parent} に書き込めません")
    assert snapshot(book.parent) == before and no_leftovers(book.parent) == []


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill_disk(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` so that exactly ``leave`` bytes stay free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    assert free >= leave
    with open(folder / "filler.bin", "wb") as fh:
        fh.write(b"\0" * (free - leave))
    st = os.statvfs(folder)
    assert st.f_bavail * st.f_frsize == leave


def _pages(size: int, page: int) -> int:
    return -(-size // page) * page


def test_full_disk_is_refused(book, small_disk):
    target = small_disk / book.name
    shutil.copy2(book, target)
    _fill_disk(small_disk, 0)
    before = snapshot(small_disk)
    done = run_cli("recompute", str(target))
    assert_refused(done, ExitCode.WRITE_FAILED, target, "ディスクの空きが足りない", "元のファイルはそのままです")
    assert snapshot(small_disk) == before and no_leftovers(small_disk) == []


def test_no_room_for_the_backup_is_refused_and_no_backup_then_writes(book, small_disk, tmp_path):
    """Room for the new version but not for the backup as well: refused, nothing changed;
    --no-backup then fits."""
    recomputed = tmp_path / "probe" / book.name  # the size of the new version, exactly
    recomputed.parent.mkdir()
    shutil.copy2(book, recomputed)
    assert run_cli("recompute", "--no-backup", str(recomputed)).returncode == 0
    target = small_disk / book.name
    shutil.copy2(book, target)
    page = os.statvfs(small_disk).f_frsize
    room = _pages(recomputed.stat().st_size, page)
    _fill_disk(small_disk, room)
    before = snapshot(small_disk)

    done = run_cli("recompute", str(target))
    assert_refused(done, ExitCode.WRITE_FAILED, target, "ディスクの空きが足りない", "元のファイルはそのままです")
    assert snapshot(small_disk) == before and no_leftovers(small_disk) == []

    done = run_cli("recompute", "--no-backup", str(target))
    assert done.returncode == int(ExitCode.OK), done.stderr
    assert target.read_bytes() == recomputed.read_bytes()
    assert no_leftovers(small_disk) == []
