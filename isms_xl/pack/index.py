"""The pack's index page, in Japanese (index.html) and English (index.en.html): what is in the
pack with links, the open findings, the SoA and risk figures, what changed since the last audit,
and the document control of every form (document number, version, dates, author, approver —
§7.5.2 of the manual names who approves each form, shown beside who did).

jinja2 with autoescaping: every value from a workbook is escaped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2

from isms_xl.pack.changes import FIELD_TEXT, KIND_TEXT, Changes
from isms_xl.pack.copies import CopiedWorkbook
from isms_xl.pack.risk_summary import RiskSummary
from isms_xl.pack.soa_summary import SoaSummary
from isms_xl.reader.model import Form

__all__ = ["INDEX_NAMES", "TEXT", "IndexInput", "href", "render_index"]

INDEX_NAMES = {"ja": "index.html", "en": "index.en.html"}
APPROVER_EN = {"社長": "President", "ISMS管理責任者": "ISMS manager"}

TEXT = {
    "ja": {
        "title": "ISMS 監査パック", "as_of": "基準日", "created_at": "作成日時", "source": "元のフォルダー",
        "tool": "作成ツール", "since": "比較した前回のパック",
        "intro": "内部監査・審査のための記録一式です。各ファイルの SHA-256 は manifest.json と SHA256SUMS にあり、"
                 "「isms-xl pack verify」で改ざんや欠落がないことを確認できます。",
        "contents": "収録物", "document": "資料", "files": "ファイル", "findings": "整合性チェックの指摘（未解決）",
        "open_report": "整合性チェック報告書を開く", "left_out": "収録しなかったブック", "soa": "適用宣言書（SoA）",
        "risks": "リスク登録簿", "changes": "前回の監査からの変更", "no_changes": "変更はありません。",
        "change_kind": "変更", "form": "様式", "name": "名称", "before": "変更前", "after": "変更後",
        "forms": "様式と文書管理（§7.5.2）",
        "forms_note": "各様式の文書番号・版数・承認。「承認者（§7.5.2）」はマニュアルが定める承認者です。"
                      "「再計算」は監査パックの写しで直した計算セルの数です（元のブックは変更していません）。",
        "file": "ファイル", "doc_number": "文書番号", "version": "版数", "established": "制定日", "revised": "改訂日",
        "author": "作成者", "approver": "承認者", "approved_on": "承認日", "required_approver": "承認者（§7.5.2）",
        "recomputed": "再計算",
        "footer": "isms_xl が作成。ブックは元のフォルダーの写しで、計算セルと色分けを再計算しています。",
        "sev": {"error": "エラー", "warning": "警告", "info": "情報"},
    },
    "en": {
        "title": "ISMS audit pack", "as_of": "As of", "created_at": "Created", "source": "Source folder",
        "tool": "Made with", "since": "Compared with the previous pack",
        "intro": "The records for the internal audit or certification audit. The SHA-256 of every file is in "
                 "manifest.json and SHA256SUMS; 'isms-xl pack verify' proves nothing was changed, added or removed.",
        "contents": "Contents", "document": "Document", "files": "Files", "findings": "Open findings of the consistency check",
        "open_report": "open the consistency report", "left_out": "Workbooks not included",
        "soa": "Statement of Applicability", "risks": "Risk register", "changes": "Changes since the last audit",
        "no_changes": "No changes.", "change_kind": "Change", "form": "Form", "name": "Name", "before": "Before",
        "after": "After", "forms": "Forms and document control (§7.5.2)",
        "forms_note": "Document number, version and approval of each form. 'Required approver' is the approver the "
                      "manual's §7.5.2 names. 'Recomputed' counts the computed cells corrected in the pack's copy "
                      "(the original workbooks are not changed).",
        "file": "File", "doc_number": "Document No.", "version": "Version", "established": "Established",
        "revised": "Revised", "author": "Author", "approver": "Approver", "approved_on": "Approved on",
        "required_approver": "Required approver (§7.5.2)", "recomputed": "Recomputed",
        "footer": "Made by isms_xl. The workbooks are copies of the source folder's, with computed cells and band "
                  "colours recomputed.",
        "sev": {"error": "Error", "warning": "Warning", "info": "Info"},
    },
}


def href(path: str) -> str:
    """A relative link to a pack file (Japanese names, spaces, '#' kept as file names)."""
    return "/".join(quote(part) for part in path.split("/"))


@dataclass
class IndexInput:
    as_of: dt.date
    created_at: str
    version: str
    source: str
    documents: list[dict[str, Any]]  # key, label ja/en, note ja/en, files [(pack path)]
    copies: list[CopiedWorkbook]
    forms: dict[str, Form]  # as read from the pack's copies, by form id
    forms_by_path: dict[str, list[Form]]
    findings: dict[str, int]
    left_out: list[tuple[str, str, str]]
    soa: SoaSummary
    risks: RiskSummary
    maps: list[tuple[str, str, str, int]]  # pack path, label ja, label en, width
    check_page: dict[str, str]  # lang -> pack path of the check report
    changes: Changes | None = None
    since: str | None = None


def _day(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return "" if value is None else str(value)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _context(inp: IndexInput, lang: str) -> dict[str, Any]:
    t = TEXT[lang]
    ja = lang == "ja"
    other = "en" if ja else "ja"
    forms_rows = []
    for copy in inp.copies:
        for form in inp.forms_by_path.get(copy.rel, []):
            doc, spec = form.doc, form.spec
            required = spec.approver.value
            approver = str(doc.approver or "")
            forms_rows.append({
                "form_id": spec.form_id, "name": spec.ja if ja else spec.en, "file": copy.rel,
                "href": href("workbooks/" + copy.rel), "doc_number": doc.doc_number or "—", "version": doc.version or "—",
                "established_on": _day(doc.established_on), "revised_on": _day(doc.revised_on),
                "author": doc.author or "", "approver": approver or "—",
                # READ-008 is the reader's own judgement (role or the name of its holder).
                "approver_mismatch": any(f.rule == "READ-008" for f in form.findings),
                "approved_on": _day(doc.approved_on),
                "required_approver": required if ja else APPROVER_EN.get(required, required),
                "recomputed": (f"{len(copy.changes)} セル" if ja else f"{len(copy.changes)} cells") if copy.recomputed
                else (copy.note_ja if ja else copy.note_en),
            })
    forms_rows.sort(key=lambda r: (r["form_id"] != "A-02", r["form_id"], r["file"]))
    documents = [{"key": d["key"], "label": d["label"][lang], "note": d["note"][lang],
                  "files": [{"name": p.rsplit("/", 1)[-1], "href": href(p)} for p in d["files"]]}
                 for d in inp.documents]
    counts = inp.soa.counts()
    statuses = inp.soa.status_counts()
    if ja:
        soa_text = (f"管理策 {counts['controls']} 件: 適用 {counts['applicable']}、除外 {counts['excluded']}"
                    + (f"、未記入 {counts['undecided']}" if counts["undecided"] else "")
                    + f"。リスク対応で選択された管理策 {counts['with_risks']} 件。実施状況（適用のみ）: "
                    + "、".join(f"{k or '未記入'} {v}" for k, v in sorted(statuses.items())) + "。")
        if inp.soa.not_in_soa:
            soa_text += f" B-02/B-03 が選択しているが SoA にない管理策: {', '.join(inp.soa.not_in_soa)}。"
    else:
        soa_text = (f"{counts['controls']} controls: {counts['applicable']} applicable, {counts['excluded']} excluded"
                    + (f", {counts['undecided']} undecided" if counts["undecided"] else "")
                    + f". {counts['with_risks']} controls selected by risk treatment. Implementation status "
                    + "(applicable only): " + ", ".join(f"{k or 'blank'} {v}" for k, v in sorted(statuses.items())) + ".")
        if inp.soa.not_in_soa:
            soa_text += f" Selected by B-02/B-03 but missing from the SoA: {', '.join(inp.soa.not_in_soa)}."
    r = inp.risks
    progress = r.progress.counts if r.progress else {}
    if ja:
        risk_text = (f"リスク {r.risks} 件、うちリスク値 {r.treat_from:g} 以上 {len(r.high)} 件。対応計画 "
                     f"{len(r.plans)} 件（" + "、".join(f"{k} {v}" for k, v in progress.items())
                     + f"）、期限超過 {len(r.overdue)} 件。")
    else:
        from isms_xl.report.charts import STATUS_EN

        risk_text = (f"{r.risks} risks, {len(r.high)} valued {r.treat_from:g} and above. {len(r.plans)} "
                     "treatment plans (" + ", ".join(f"{STATUS_EN.get(k, k)} {v}" for k, v in progress.items())
                     + f"), {len(r.overdue)} overdue.")
    changes = None
    if inp.changes is not None:
        counts_c = inp.changes.counts()
        summary = [f"{KIND_TEXT[k][0 if ja else 1]} {n}" for k, n in counts_c.items() if n]
        since = inp.changes.previous_as_of or "—"
        changes = {
            "text": (f"前回のパック（基準日 {since}）との比較: " + ("、".join(summary) or "変更なし")) if ja
            else (f"Compared with the previous pack (as of {since}): " + (", ".join(summary) or "no changes")),
            "rows": [{"kind": c.kind, "kind_label": KIND_TEXT[c.kind][0 if ja else 1]
                      + (f"（{FIELD_TEXT[c.field][0]}）" if ja and c.kind == "risk_changed" else
                         f" ({FIELD_TEXT[c.field][1]})" if c.kind == "risk_changed" else ""),
                      "form": c.form, "id": c.id, "name": c.name, "old": _show(c.old), "new": _show(c.new)}
                     for c in inp.changes.items],
        }
    return {
        "lang": lang, "t": t,
        "other_lang": {"lang": other, "href": INDEX_NAMES[other], "label": "English" if ja else "日本語"},
        "pack": {"as_of": inp.as_of.isoformat(), "created_at": inp.created_at, "version": inp.version,
                 "source": inp.source, "since": inp.since},
        "documents": documents,
        "findings": [{"key": k, "label": t["sev"][k], "count": inp.findings.get(k, 0)} for k in ("error", "warning", "info")],
        "check_href": href(inp.check_page.get(lang) or next(iter(inp.check_page.values()))),
        "left_out": [{"path": p, "reason": ja_ if ja else en} for p, ja_, en in inp.left_out],
        "soa": {"text": soa_text},
        "risks": {"text": risk_text, "maps": [{"href": href(p), "label": lj if ja else le, "width": w}
                                              for p, lj, le, w in inp.maps]},
        "changes": changes,
        "forms": forms_rows,
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("isms_xl.pack", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render_index(inp: IndexInput, lang: str) -> str:
    return _environment().get_template("index.html.j2").render(_context(inp, lang))

