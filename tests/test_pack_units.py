"""The audit pack's parts that need no LibreOffice or browser: the checksum file format, the
check of a pack against its manifest, and a copy that the patch writer refuses."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from isms_xl.config import load_config
from isms_xl.errors import PatchRefusedError
from isms_xl.pack import verify_pack
from isms_xl.pack.copies import copy_workbooks
from isms_xl.pack.manifest import (
    MANIFEST,
    SUMS,
    parse_sums,
    render_sums,
    write_manifest,
)


def test_sums_escape_names_as_sha256sum_does():
    entries = {"a\\b.txt": "0" * 64, "new\nline": "1" * 64, "普通.xlsx": "2" * 64}
    text = render_sums(entries)
    assert b"\\" + b"0" * 64 + b"  a\\\\b.txt\n" in text
    assert "2" * 64 + "  普通.xlsx\n" in text.decode("utf-8")
    assert parse_sums(text) == entries
    assert parse_sums(b"not a sums file\n") is None


def _mini_pack(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / "sub" / "b 日本.txt").write_text("b")
    write_manifest(root, {"format": "isms-xl-audit-pack", "as_of": "2026-11-26"})
    return root


def test_a_manifest_written_then_verified_is_ok_and_every_change_is_named(tmp_path):
    pack = _mini_pack(tmp_path / "p")
    assert verify_pack(pack).ok and verify_pack(pack).checked == 4
    (pack / "sub" / "b 日本.txt").write_text("B")
    (pack / "c.txt").write_text("c")
    (pack / "a.txt").unlink()
    check = verify_pack(pack)
    assert (check.changed, check.added, check.removed) == (["sub/b 日本.txt"], ["c.txt"], ["a.txt"])
    assert "sub/b 日本.txt" in check.error().message("en")


def test_a_rewritten_manifest_is_caught_by_the_sums_and_the_sums_by_the_manifest(tmp_path):
    pack = _mini_pack(tmp_path / "p")
    text = (pack / MANIFEST).read_text(encoding="utf-8")
    (pack / MANIFEST).write_text(text.replace('"a.txt"', '"z.txt"'), encoding="utf-8")
    assert verify_pack(pack).changed == [MANIFEST]  # its list disagrees with SHA256SUMS
    (pack / MANIFEST).write_text(text.replace("2026-11-26", "2026-11-27"), encoding="utf-8")
    # Outside the list nothing tells the manifest's change from a change of its hash in
    # SHA256SUMS: both are named (and the pack fails either way).
    assert verify_pack(pack).changed == sorted([MANIFEST, SUMS])
    _mini_pack(tmp_path / "q")
    sums = (tmp_path / "q" / SUMS).read_bytes()
    (tmp_path / "q" / SUMS).write_bytes(sums.replace(b"a.txt", b"z.txt"))
    assert verify_pack(tmp_path / "q").changed == [SUMS]


def test_a_workbook_the_writer_refuses_is_copied_as_it_is_and_says_why(tmp_path, monkeypatch):
    from isms_xl.demo import generate_demo
    from isms_xl.io import patch

    folder = tmp_path / "src"
    generate_demo(folder, as_of=dt.date(2026, 11, 26))

    def refuse(src, dst, patches, **kwargs):
        raise PatchRefusedError("配列数式があります", "an array formula is in the way", reason="array_formula")

    monkeypatch.setattr(patch, "patch_workbook", refuse)
    copies, left_out = copy_workbooks(folder, tmp_path / "copies", load_config(folder))
    assert left_out == []
    refused = [c for c in copies if not c.recomputed]
    assert refused, "the demo has workbooks with cells to correct"
    for c in refused:
        assert (tmp_path / "copies" / c.rel).read_bytes() == (folder / c.rel).read_bytes()
        assert c.changes == [] and "array formula" in c.note_en and "配列数式" in c.note_ja
    assert all((tmp_path / "copies" / c.rel).exists() for c in copies)
    shutil.rmtree(tmp_path / "copies")


def test_every_single_byte_change_in_the_lists_names_it_and_nothing_else(tmp_path):
    pack = _mini_pack(tmp_path / "p")
    for name in (MANIFEST, SUMS):
        data = (pack / name).read_bytes()
        for i in range(0, len(data), 7):
            (pack / name).write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
            check = verify_pack(pack)
            # A flip in SHA256SUMS's hash of the manifest, or in the manifest outside its file
            # list, cannot be told apart: both lists are named then; anything else names one.
            assert name in check.changed and set(check.changed) <= {MANIFEST, SUMS}, (name, i, check.changed)
            assert (check.added, check.removed) == ([], []), (name, i)
        (pack / name).write_bytes(data)
    assert verify_pack(pack).ok
