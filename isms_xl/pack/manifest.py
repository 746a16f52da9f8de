"""The pack's manifest and checksums, and the check of a pack against them.

``manifest.json`` lists every file of the pack but itself and ``SHA256SUMS`` (path, size,
SHA-256), with the tool version, the as-of date and what the pack holds; ``SHA256SUMS`` lists every
file including ``manifest.json``, in the format of ``sha256sum`` (so ``sha256sum -c SHA256SUMS``
checks a pack without this tool). ``verify_pack`` names every file that was changed, added or
removed, in a folder or in a zip.

A changed byte anywhere is found: in a listed file by its hash; in ``manifest.json`` by its hash in
SHA256SUMS; in ``SHA256SUMS`` because it no longer says what the manifest says. (Someone who
rewrites a file and both lists consistently is not caught: that needs a signature, which is the
auditor's copy of SHA256SUMS or of its hash.)
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_xl.errors import PackVerifyError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "SUMS",
    "PackCheck",
    "file_entries",
    "parse_sums",
    "read_manifest",
    "render_sums",
    "verify_pack",
    "write_manifest",
]

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = "isms-xl-audit-pack"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _walk(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            yield path.relative_to(root).as_posix()


def file_entries(root: Path, exclude: tuple[str, ...] = (MANIFEST, SUMS)) -> list[dict[str, Any]]:
    out = []
    for rel in _walk(root):
        if rel in exclude:
            continue
        digest, size = _sha256_file(root / rel)
        out.append({"path": rel, "size": size, "sha256": digest})
    return out


def _escape(path: str) -> tuple[str, str]:
    # GNU sha256sum: a name with a backslash or newline is escaped and the line starts with "\".
    if "\\" in path or "\n" in path or "\r" in path:
        return "\\", path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return "", path


def render_sums(entries: dict[str, str]) -> bytes:
    lines = []
    for path in sorted(entries):
        prefix, name = _escape(path)
        lines.append(f"{prefix}{entries[path]}  {name}\n")
    return "".join(lines).encode("utf-8")


def parse_sums(data: bytes) -> dict[str, str] | None:
    """path -> hash, or None when the text is not a SHA256SUMS file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line:
            continue
        escaped = line.startswith("\\")
        if escaped:
            line = line[1:]
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            return None
        if escaped:
            name = name.replace("\\\\", "\0").replace("\\n", "\n").replace("\\r", "\r").replace("\0", "\\")
        out[name] = digest
    return out


def write_manifest(root: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Hash every file under ``root``, write manifest.json (``manifest`` + the files) and SHA256SUMS."""
    manifest = dict(manifest, files=file_entries(root))
    data = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (root / MANIFEST).write_bytes(data)
    sums = {f["path"]: f["sha256"] for f in manifest["files"]}
    sums[MANIFEST] = _sha256(data)
    (root / SUMS).write_bytes(render_sums(sums))
    return manifest


# --- reading a pack (folder or zip) ------------------------------------------------------------------


class _Source:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None
        if self.zip is not None:
            self.names = sorted(i.filename for i in self.zip.infolist() if not i.is_dir())
        else:
            self.names = list(_walk(path))

    def read(self, name: str) -> bytes | None:
        if name not in self.names:
            return None
        if self.zip is not None:
            return self.zip.read(name)
        return (self.path / name).read_bytes()

    def digest(self, name: str) -> str:
        if self.zip is not None:
            h = hashlib.sha256()
            with self.zip.open(name) as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            return h.hexdigest()
        return _sha256_file(self.path / name)[0]

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


@dataclass
class PackCheck:
    path: Path
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    checked: int = 0
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed)

    def error(self) -> PackVerifyError:
        parts_ja, parts_en = [], []
        for names, ja, en in ((self.changed, "変更", "changed"), (self.added, "追加", "added"), (self.removed, "削除", "removed")):
            if names:
                parts_ja.append(f"{ja}: {', '.join(names)}")
                parts_en.append(f"{en}: {', '.join(names)}")
        return PackVerifyError(f"{self.path}: 監査パックがマニフェストと一致しません（{'; '.join(parts_ja)}）",
                               f"{self.path}: the audit pack does not match its manifest ({'; '.join(parts_en)})",
                               changed=tuple(self.changed), added=tuple(self.added), removed=tuple(self.removed))


def read_manifest(path: Path) -> dict[str, Any] | None:
    source = _Source(Path(path))
    try:
        data = source.read(MANIFEST)
        return json.loads(data) if data is not None else None
    except (ValueError, UnicodeDecodeError):
        return None
    finally:
        source.close()


def verify_pack(path: Path | str) -> PackCheck:
    """Check the pack at ``path`` (a folder or a zip) against its manifest and SHA256SUMS."""
    path = Path(path)
    if not path.exists():
        raise PackVerifyError(f"{path}: 監査パックが見つかりません", f"{path}: no such audit pack")
    try:
        source = _Source(path)
    except zipfile.BadZipFile:
        raise PackVerifyError(f"{path}: 監査パック（フォルダーまたは zip）ではありません",
                              f"{path}: not an audit pack (a folder or a zip)") from None
    out = PackCheck(path)
    try:
        manifest_data, sums_data = source.read(MANIFEST), source.read(SUMS)
        if manifest_data is None and sums_data is None:
            raise PackVerifyError(f"{path}: {MANIFEST} も {SUMS} もありません（監査パックではありません）",
                                  f"{path}: neither {MANIFEST} nor {SUMS} found (not an audit pack)")
        manifest = None
        if manifest_data is not None:
            try:
                manifest = json.loads(manifest_data)
                if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
                    manifest = None
            except (ValueError, UnicodeDecodeError):
                manifest = None
        sums = parse_sums(sums_data) if sums_data is not None else None
        from_manifest = ({str(f.get("path")): str(f.get("sha256")) for f in manifest["files"] if isinstance(f, dict)}
                         if manifest is not None else None)
        from_sums = {k: v for k, v in sums.items() if k != MANIFEST} if sums is not None else None
        changed: list[str] = []
        if from_manifest is not None and from_sums is not None and MANIFEST not in sums:
            listed = from_manifest  # a pack's SHA256SUMS always vouches for manifest.json
            changed.append(SUMS)
        elif from_manifest is not None and from_sums is not None:
            vouched = sums.get(MANIFEST) == _sha256(manifest_data)
            if vouched:
                listed = from_manifest
                if from_sums != from_manifest:
                    changed.append(SUMS)
            elif from_sums == from_manifest:
                # The lists agree but SHA256SUMS's hash of manifest.json does not: either the
                # manifest (outside its file list) or that one line changed; both are named.
                listed = from_manifest
                changed += [MANIFEST, SUMS]
            else:
                listed = from_sums  # SHA256SUMS agrees with itself; the manifest's list was edited
                changed.append(MANIFEST)
        elif from_sums is not None:
            listed = from_sums
            if manifest_data is not None:
                changed.append(MANIFEST)  # unreadable
        else:
            listed = from_manifest or {}
            if sums_data is not None:
                changed.append(SUMS)  # unreadable
            if manifest_data is not None and manifest is None:
                changed.append(MANIFEST)
        out.manifest = manifest if MANIFEST not in changed else None
        expected = set(listed) | {MANIFEST, SUMS}
        present = set(source.names)
        out.removed = sorted(expected - present)
        out.added = sorted(present - expected)
        out.checked = len(set(listed) & present) + len({MANIFEST, SUMS} & present)
        for name in sorted(set(listed) & present):
            if source.digest(name) != listed[name]:
                changed.append(name)
        out.changed = sorted(set(changed))
        return out
    finally:
        source.close()
