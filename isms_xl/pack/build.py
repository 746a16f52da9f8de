"""Build the audit pack: clean copies of the workbooks, the SoA and risk summaries, the consistency
report, the changes since the previous pack, the index pages, the manifest and checksums.

Everything is built in a staging folder beside OUT and renamed into place (or zipped into a
temporary file and renamed) only when all of it was made: OUT is either absent, the previous pack,
or the complete new one. The source folder is only read.

Layout of a pack::

    index.html, index.en.html            what is in it, document control of every form (§7.5.2)
    workbooks/<as in the folder>         recomputed copies, isms_xl.toml and suppressions
    soa/soa_summary.xlsx, .pdf           SoA with decision, reasons, status, risks and plans
    risk/risk_summary.xlsx, .pdf         heat maps with native charts, high risks, plans, overdue
    risk/heatmap_inherent.png, heatmap_residual.png
    check/check_report.html, .en.html, .pdf, findings.json
    changes/changes.json                 with --since
    manifest.json, SHA256SUMS
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_xl import __version__
from isms_xl.check import CheckRun, check_folder, find_workbooks
from isms_xl.config import CONFIG_NAME, load_config
from isms_xl.errors import (
    InputPathError,
    IsmsXlError,
    OutputExistsError,
    PackVerifyError,
    WriteFailedError,
)
from isms_xl.pack.changes import Changes, compare_forms
from isms_xl.pack.copies import CopiedWorkbook, copy_workbooks
from isms_xl.pack.fonts import find_cjk_font
from isms_xl.pack.heatmap_png import GEOMETRY, heatmap_png
from isms_xl.pack.index import INDEX_NAMES, IndexInput, render_index
from isms_xl.pack.manifest import (
    FORMAT,
    MANIFEST,
    SUMS,
    read_manifest,
    verify_pack,
    write_manifest,
)
from isms_xl.pack.pdf import check_renderers, html_to_pdf, xlsx_to_pdf
from isms_xl.pack.risk_summary import RiskSummary, risk_summary
from isms_xl.pack.risk_xlsx import write_risk_xlsx
from isms_xl.pack.sheets import doc_subtitle
from isms_xl.pack.soa_summary import SoaSummary, soa_summary
from isms_xl.pack.soa_xlsx import write_soa_xlsx
from isms_xl.reader import read_workbook
from isms_xl.reader.model import Form
from isms_xl.suppress import SUPPRESSIONS_NAME

__all__ = ["PATHS", "PackResult", "build_pack"]

FORMAT_VERSION = 1
PATHS = {
    "workbooks": "workbooks",
    "soa_xlsx": "soa/soa_summary.xlsx",
    "soa_pdf": "soa/soa_summary.pdf",
    "risk_xlsx": "risk/risk_summary.xlsx",
    "risk_pdf": "risk/risk_summary.pdf",
    "heat_inherent": "risk/heatmap_inherent.png",
    "heat_residual": "risk/heatmap_residual.png",
    "check_html": {"ja": "check/check_report.html", "en": "check/check_report.en.html"},
    "check_pdf": "check/check_report.pdf",
    "findings_json": "check/findings.json",
    "changes_json": "changes/changes.json",
}
CONFIG_FILES = (CONFIG_NAME, SUPPRESSIONS_NAME)  # copied so the pack's check judges as the folder's did


@dataclass
class PackResult:
    out: Path
    as_of: dt.date
    manifest: dict[str, Any]
    run: CheckRun
    copies: list[CopiedWorkbook]
    soa: SoaSummary
    risks: RiskSummary
    changes: Changes | None = None
    left_out: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.manifest["files"]) + 2  # + manifest.json and SHA256SUMS

    @property
    def index(self) -> Path:
        return self.out / INDEX_NAMES["ja"] if self.out.is_dir() else self.out


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def _check_paths(folder: Path, out: Path, force: bool) -> None:
    if not folder.is_dir():
        raise InputPathError(f"{folder}: フォルダーがありません", f"{folder}: no such folder", reason="not_found",
                             path=str(folder))
    src, dst = folder.resolve(), out.resolve()
    if _inside(dst, src) or _inside(src, dst):
        # A pack inside the folder would be read as a second copy of every form by the next
        # check; a folder inside OUT would be deleted by --force.
        raise InputPathError(f"{out}: 出力先は元のフォルダー {folder} の外にしてください",
                             f"{out}: the pack must be outside the folder {folder}", reason="out_inside", path=str(out))
    if not out.exists() and not out.is_symlink():
        return
    if not force:
        raise OutputExistsError(f"{out}: すでにあります（上書きするには --force）", f"{out}: already exists (use --force to replace it)")
    manifest = read_manifest(out) if (out.is_dir() or zipfile.is_zipfile(out)) else None
    empty_dir = out.is_dir() and not any(out.iterdir())
    if not empty_dir and (manifest is None or manifest.get("format") != FORMAT):
        raise OutputExistsError(f"{out}: 監査パックではないため置き換えません（別の出力先を指定してください）",
                                f"{out}: not an audit pack, so it is not replaced (choose another OUT)")


def _read_pack_forms(pack: Path, work: Path) -> tuple[dict[str, Form], str | None]:
    """The forms in a previous pack's workbooks/ (a folder or a zip) and its as-of date."""
    manifest = read_manifest(pack) or {}
    root = pack
    if pack.is_file():
        root = work / "previous"
        with zipfile.ZipFile(pack) as zf:
            for info in zf.infolist():
                name = info.filename
                if name.startswith(PATHS["workbooks"] + "/") and not info.is_dir() and ".." not in name.split("/"):
                    target = root / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(info))
    books = root / PATHS["workbooks"]
    config = load_config(books)
    forms: dict[str, Form] = {}
    for path in find_workbooks(books):
        try:
            for form in read_workbook(path, config, styles=False):
                forms.setdefault(form.form_id, form)
        except IsmsXlError:
            continue
    return forms, manifest.get("as_of")


def _render_check(run: CheckRun, stage: Path, lang: str) -> Path:
    # The report links to the pack's own copies (../workbooks/…) and names the folder as the
    # pack does ("workbooks"), not the staging folder it was built in: relative paths on both
    # sides give relative links (report_context resolves both against the same directory).
    from isms_xl.report.html_report import render_html

    shown = dataclasses.replace(run, folder=Path(PATHS["workbooks"]))
    target = stage / PATHS["check_html"][lang]
    render_html(shown, lang=lang, out_path=target, report_dir=Path(PATHS["check_html"][lang]).parent)
    return target


def _umask_mode(mode: int) -> int:
    # mkdtemp/mkstemp create private (0700/0600) entries; the pack is meant to be shared like
    # any file the user saves, so it gets the permissions the user's umask gives.
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def _zip_folder(stage: Path, target: Path, as_of: dt.date) -> None:
    # Sorted names, one fixed timestamp (the as-of date) and fixed attributes: the same files
    # give the same zip bytes.
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes(), compresslevel=6)


def _put(new: Path, out: Path, *, aside: bool) -> None:
    """Rename ``new`` to ``out``. ``aside``: first move what is at ``out`` into a hidden folder
    beside it, and delete that once ``new`` is in place."""
    if not aside:
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.isms-xl-old-", dir=out.parent))
    os.replace(out, old / "pack")
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


def _place(stage: Path, out: Path, as_of: dt.date, as_zip: bool, work: Path) -> None:
    try:
        if as_zip:
            tmp = work / "pack.zip"
            _zip_folder(stage, tmp, as_of)
            fd, staged = tempfile.mkstemp(prefix=f".{out.name}.isms-xl-tmp-", dir=out.parent)
            os.close(fd)
            shutil.move(str(tmp), staged)
            os.chmod(staged, _umask_mode(0o666))
            _put(Path(staged), out, aside=out.is_dir())  # a file is replaced by the rename itself
            return
        _put(stage, out, aside=out.exists() or out.is_symlink())  # a rename cannot replace these
    except OSError as err:
        raise WriteFailedError(f"{out}: 監査パックを置けませんでした（{err.strerror or err}）",
                               f"{out}: could not put the audit pack in place ({err.strerror or err})") from None


def build_pack(folder: Path | str, out: Path | str, *, as_of: dt.date | None = None, since: Path | str | None = None,
               zip: bool = False, lang: str = "ja", force: bool = False,
               progress: Callable[[str], None] | None = None) -> PackResult:
    """Build the audit pack of ``folder`` at ``out`` (a folder, or a zip file with ``zip``).

    ``as_of``: the date the check and the overdue plans are judged by (default today). ``since``:
    a previous pack (folder or zip); it must pass ``verify_pack``, and the changes since it are
    listed. ``lang``: the language of the summaries and the check report's PDF (the index and the
    check report's HTML come in both). Raises OutputExistsError when ``out`` exists (``force``
    replaces an earlier pack, never anything else), RenderError when no PDF renderer or CJK font
    is installed, PackVerifyError when ``since`` fails its check.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"unknown language {lang!r}; choose ja or en")
    folder, out = Path(folder), Path(out)
    as_of = as_of.date() if isinstance(as_of, dt.datetime) else (as_of or dt.date.today())
    step = progress or (lambda _name: None)
    _check_paths(folder, out, force)
    check_renderers()
    find_cjk_font()
    since_path = Path(since) if since is not None else None
    if since_path is not None:
        # Changes are only as trustworthy as the baseline: a previous pack must be intact.
        try:
            checked = verify_pack(since_path)
            if not checked.ok:
                raise checked.error()
        except PackVerifyError as err:
            err.message_ja = f"--since: {err.message_ja}"
            err.message_en = f"--since: {err.message_en}"
            raise
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.isms-xl-tmp-", dir=out.parent))
    os.chmod(stage, _umask_mode(0o777))
    work = Path(tempfile.mkdtemp(prefix="isms_xl-pack-"))
    try:
        step("copies")
        config = load_config(folder)
        books = stage / PATHS["workbooks"]
        books.mkdir()
        copies, left_out = copy_workbooks(folder, books, config)
        for name in CONFIG_FILES:
            if (folder / name).is_file():
                shutil.copyfile(folder / name, books / name)

        step("check")
        run = check_folder(books, today=as_of)
        forms = run.forms
        forms_by_path: dict[str, list[Form]] = {}
        for form in forms.values():
            forms_by_path.setdefault(form.path.relative_to(books).as_posix(), []).append(form)
        created_at = run.checked_at.isoformat().replace("+00:00", "Z")
        for lang_ in ("ja", "en"):
            _render_check(run, stage, lang_)
        shown = dataclasses.replace(run, folder=Path(PATHS["workbooks"]))
        from isms_xl.report.json_report import render_json

        (stage / PATHS["findings_json"]).write_text(render_json(shown) + "\n", encoding="utf-8")

        step("soa")
        method = run.config.method
        soa = soa_summary(forms)
        (stage / "soa").mkdir()
        write_soa_xlsx(stage / PATHS["soa_xlsx"], soa, forms, method, as_of=as_of, lang=lang, version=__version__)

        step("risk")
        risks = risk_summary(forms, method, as_of)
        (stage / "risk").mkdir()
        ja = lang == "ja"
        maps = []
        for key, heat, label_ja, label_en in (
                ("heat_inherent", risks.inherent, "固有リスク（対応前）のヒートマップ", "Inherent risk heat map (before treatment)"),
                ("heat_residual", risks.residual, "残留リスク（対応後）のヒートマップ", "Residual risk heat map (after treatment)")):
            if heat is None:
                continue
            (stage / PATHS[key]).write_bytes(heatmap_png(heat, method, title=label_ja if ja else label_en, lang=lang))
            maps.append((PATHS[key], label_ja, label_en, GEOMETRY.width // 2))
        write_risk_xlsx(stage / PATHS["risk_xlsx"], risks, method, as_of=as_of, lang=lang, version=__version__,
                        subtitle=doc_subtitle(forms, ("B-02", "B-03"), as_of, lang))

        step("pdf")
        # LibreOffice and Chromium are separate processes that mostly wait on their own start-up:
        # run side by side they take the time of the slower one.
        with ThreadPoolExecutor(max_workers=3) as pool:
            jobs = [pool.submit(xlsx_to_pdf, stage / PATHS["soa_xlsx"], stage / PATHS["soa_pdf"]),
                    pool.submit(xlsx_to_pdf, stage / PATHS["risk_xlsx"], stage / PATHS["risk_pdf"]),
                    pool.submit(html_to_pdf, stage / PATHS["check_html"][lang], stage / PATHS["check_pdf"])]
            for job in jobs:
                job.result()

        changes = None
        since_label = None
        if since_path is not None:
            step("changes")
            previous, previous_as_of = _read_pack_forms(since_path, work)
            changes = compare_forms(previous, forms, previous_as_of)
            (stage / "changes").mkdir()
            (stage / PATHS["changes_json"]).write_text(
                json.dumps(changes.to_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            since_label = f"{since_path.name}（{previous_as_of}）" if ja else f"{since_path.name} (as of {previous_as_of})"

        step("index")
        documents = _documents(copies, since_path is not None, stage)
        inp = IndexInput(as_of, created_at, __version__, folder.resolve().name, documents, copies, forms, forms_by_path,
                         run.summary(), left_out, soa, risks, maps, PATHS["check_html"], changes, since_label)
        for lang_ in ("ja", "en"):
            (stage / INDEX_NAMES[lang_]).write_text(render_index(inp, lang_), encoding="utf-8")

        step("manifest")
        manifest = write_manifest(stage, {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "tool": {"name": "isms-xl", "version": __version__},
            "as_of": as_of.isoformat(), "created_at": created_at, "lang": lang,
            "source": folder.resolve().name,
            "since": None if since_path is None else {"pack": since_path.name, "as_of": changes.previous_as_of if changes else None},
            "findings": run.summary(),
            "workbooks": [{"path": f"{PATHS['workbooks']}/{c.rel}", "forms": list(c.form_ids),
                           "source_sha256": c.source_sha256, "recomputed": c.recomputed,
                           "cells_corrected": len(c.changes), "note": c.note_en or None} for c in copies],
            "forms": [{"form": f.form_id, "workbook": f"{PATHS['workbooks']}/{f.path.relative_to(books).as_posix()}",
                       "doc_number": _plain(f.doc.doc_number), "version": _plain(f.doc.version),
                       "established_on": _plain(f.doc.established_on), "revised_on": _plain(f.doc.revised_on),
                       "author": _plain(f.doc.author), "approver": _plain(f.doc.approver),
                       "approved_on": _plain(f.doc.approved_on), "required_approver": f.spec.approver.value}
                      for f in sorted(forms.values(), key=lambda f: f.form_id)],
            "left_out": [{"path": p, "reason": en} for p, _ja, en in left_out],
        })
        step("place")
        _place(stage, out, as_of, zip, work)
        return PackResult(out, as_of, manifest, run, copies, soa, risks, changes, left_out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return None if value in (None, "") else str(value)


def _documents(copies: list[CopiedWorkbook], with_changes: bool, stage: Path) -> list[dict[str, Any]]:
    """The index's table of contents: only files that were made (no heat maps without B-02); the
    manifest and SHA256SUMS are written after the index, over it."""
    docs = _all_documents(copies, with_changes)
    for doc in docs:
        doc["files"] = [f for f in doc["files"] if f in (MANIFEST, SUMS) or (stage / f).is_file()]
    return [d for d in docs if d["files"]]


def _all_documents(copies: list[CopiedWorkbook], with_changes: bool) -> list[dict[str, Any]]:
    n = len(copies)
    docs = [
        {"key": "soa", "label": {"ja": "適用宣言書（SoA）サマリー", "en": "Statement of Applicability summary"},
         "note": {"ja": "管理策ごとの適用・採用理由・実施状況と、選択しているリスク・対応計画（トレーサビリティ）",
                  "en": "Decision, reasons and status of every control, with the risks and plans that select it"},
         "files": [PATHS["soa_xlsx"], PATHS["soa_pdf"]]},
        {"key": "risk", "label": {"ja": "リスク登録簿サマリー", "en": "Risk register summary"},
         "note": {"ja": "ヒートマップ（固有・残留）、リスク値 10 以上のリスクと対応、状況別の対応計画、期限超過",
                  "en": "Heat maps (inherent, residual), risks of 10 and above with treatment, plans by status, overdue plans"},
         "files": [PATHS["risk_xlsx"], PATHS["risk_pdf"], PATHS["heat_inherent"], PATHS["heat_residual"]]},
        {"key": "check", "label": {"ja": "整合性チェック報告書", "en": "Consistency report"},
         "note": {"ja": "パックのブックに対する全ルールの検査結果（未解決の指摘）",
                  "en": "Every rule run on the pack's workbooks: the open findings"},
         "files": [PATHS["check_html"]["ja"], PATHS["check_html"]["en"], PATHS["check_pdf"], PATHS["findings_json"]]},
    ]
    if with_changes:
        docs.append({"key": "changes", "label": {"ja": "前回の監査からの変更", "en": "Changes since the last audit"},
                     "note": {"ja": "資産の追加・廃棄、リスク値の変更、完了した計画、SoA の判断の変更（この索引にも一覧）",
                              "en": "Assets added/retired, risk values changed, plans closed, SoA decisions changed (listed below too)"},
                     "files": [PATHS["changes_json"]]})
    docs.append({"key": "workbooks", "label": {"ja": f"様式のブック（{n} 冊）", "en": f"Form workbooks ({n})"},
                 "note": {"ja": "再計算済みの写し（一覧は下の「様式と文書管理」）",
                          "en": "Recomputed copies (listed under 'Forms and document control' below)"},
                 "files": [PATHS["workbooks"] + "/" + c.rel for c in copies]})
    docs.append({"key": "manifest", "label": {"ja": "マニフェストとチェックサム", "en": "Manifest and checksums"},
                 "note": {"ja": "全ファイルの SHA-256（isms-xl pack verify / sha256sum -c SHA256SUMS で確認）",
                          "en": "SHA-256 of every file (check with isms-xl pack verify or sha256sum -c SHA256SUMS)"},
                 "files": [MANIFEST, SUMS]})
    return docs
