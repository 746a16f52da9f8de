"""The SoA summary workbook: one row per control (decision, reasons, status, risks, plans) and a
traceability sheet (one row per control × risk and control × plan) the auditor can filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from isms_xl.forms.a02_soa import APPLICABLE, EXCLUDED
from isms_xl.method import Method
from isms_xl.pack.sheets import doc_subtitle, new_workbook, write_table
from isms_xl.pack.soa_summary import SoaSummary
from isms_xl.reader.model import Form

__all__ = ["SHEETS", "SOA_COLUMNS", "TRACE_COLUMNS", "write_soa_xlsx"]

SOA_COLUMNS = (
    ("control_id", "管理策番号", "Control", 10),
    ("control_name", "管理策", "Control name", 34),
    ("applicable", "適用", "Applicable", 6),
    ("reasons", "採用理由", "Reasons for selection", 18),
    ("exclusion_reason", "除外理由", "Justification for exclusion", 24),
    ("status", "実施状況", "Implementation status", 9),
    ("risks", "関連リスク（B-02）", "Risks (B-02)", 22),
    ("plans", "対応計画（B-03）", "Treatment plans (B-03)", 24),
    ("documents", "関連文書", "Related documents", 18),
    ("row", "A-02 の行", "A-02 row", 7),
)
TRACE_COLUMNS = (
    ("control_id", "管理策番号", "Control", 10),
    ("control_name", "管理策", "Control name", 30),
    ("kind", "種別", "Kind", 8),
    ("id", "ID", "ID", 10),
    ("what", "内容", "Description", 44),
    ("value", "リスク値", "Risk value", 8),
    ("state", "リスク対応・状況", "Treatment / status", 12),
)
SHEETS = {"ja": ("適用宣言書サマリー", "対応関係", "SoAにない管理策"),
          "en": ("SoA summary", "Traceability", "Not in the SoA")}
TITLE = {"ja": "適用宣言書（ISMS-A-02）サマリー", "en": "Statement of Applicability (ISMS-A-02) summary"}


def _decision(value: str | None, lang: str) -> str:
    if lang == "ja":
        return value or ""
    return {APPLICABLE: "Yes", EXCLUDED: "No"}.get(value or "", value or "")


def write_soa_xlsx(path: Path, summary: SoaSummary, forms: Mapping[str, Form], method: Method, *, as_of: dt.date,
                   lang: str, version: str) -> Path:
    wb, fmts = new_workbook(path, title=TITLE[lang], as_of=as_of, version=version)
    names = SHEETS[lang]
    status = summary.plan_status
    rows = []
    for r in summary.rows:
        rows.append([r.control_id, r.control_name, _decision(r.applicable, lang), "、".join(r.reason_labels(lang))
                     if lang == "ja" else "; ".join(r.reason_labels(lang)), r.exclusion_reason, r.status or "",
                     ", ".join(r.risks), ", ".join(f"{p}（{status.get(p) or '—'}）" if lang == "ja"
                                                   else f"{p} ({status.get(p) or '—'})" for p in r.plans),
                     r.documents, r.row])
    write_table(wb.add_worksheet(names[0]), fmts, title=TITLE[lang], subtitle=doc_subtitle(forms, ("A-02", "B-02", "B-03"), as_of, lang),
                columns=SOA_COLUMNS, rows=rows, lang=lang)

    risks = forms["B-02"].by_id() if "B-02" in forms else {}
    plans = forms["B-03"].by_id() if "B-03" in forms else {}
    trace, fills = [], []
    for r in summary.rows:
        for rid in r.risks:
            v = risks[rid].values if rid in risks else {}
            value = v.get("risk_value")
            trace.append([r.control_id, r.control_name, "リスク" if lang == "ja" else "Risk", rid,
                          f"{v.get('threat') or ''} / {v.get('vulnerability') or ''}".strip(" /"),
                          value, v.get("treatment") or ""])
            band = method.band(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            fills.append([None] * 5 + [(band.fill, band.font) if band else None, None])
        for pid in r.plans:
            v = plans[pid].values if pid in plans else {}
            trace.append([r.control_id, r.control_name, "計画" if lang == "ja" else "Plan", pid,
                          v.get("measure") or "", None, v.get("status") or ""])
            fills.append([None] * 7)
    trace_title = "管理策 → リスク・対応計画" if lang == "ja" else "Control → risks and treatment plans"
    write_table(wb.add_worksheet(names[1]), fmts, title=trace_title, subtitle=doc_subtitle(forms, ("A-02", "B-02", "B-03"), as_of, lang),
                columns=TRACE_COLUMNS, rows=trace, lang=lang, fills=fills)
    if summary.not_in_soa:
        cols = (("control_id", "管理策番号", "Control", 12), ("risks", "選択しているリスク", "Selected by risks", 50))
        write_table(wb.add_worksheet(names[2]), fmts,
                    title="B-02/B-03 が選択しているが SoA にない管理策" if lang == "ja"
                    else "Controls selected by B-02/B-03 but missing from the SoA",
                    subtitle=doc_subtitle(forms, ("A-02", "B-02", "B-03"), as_of, lang), columns=cols,
                    rows=[[cid, ", ".join(rs)] for cid, rs in summary.not_in_soa.items()], lang=lang)
    wb.close()
    return path
