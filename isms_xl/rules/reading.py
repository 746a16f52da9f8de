"""READ-001 … READ-009: found while reading (isms_xl.reader); registered here so that reports,
suppressions and the rule list know them."""

from __future__ import annotations

from isms_xl.findings import Finding
from isms_xl.rules.registry import CheckContext, rule
from isms_xl.reader.sink import SEVERITY

_TITLES = {
    "READ-001": ("必須列がない", "a required column is missing"),
    "READ-002": ("必須項目が空欄", "a required value is blank"),
    "READ-003": ("値の形式が不正", "a value does not parse as its type"),
    "READ-004": ("IDの重複", "duplicate id within the form"),
    "READ-005": ("データ範囲内の空行・範囲外のデータ", "blank rows inside the data range; data below the table's end"),
    "READ-006": ("エラー値のセル", "a cell holds an Excel error"),
    "READ-007": ("文書管理欄の欠落・不備", "document-control block missing or incomplete; wrong document number"),
    "READ-008": ("承認者が§7.5.2の役割でない", "approver is not the role that §7.5.2 names for this form"),
    "READ-009": ("様式にない列", "a column not in the schema (kept untouched)"),
}


def _register(rule_id: str) -> None:
    def check(ctx: CheckContext) -> list[Finding]:
        out = []
        for form in ctx.forms.values():
            for f in form.findings:
                if f.rule == rule_id:
                    out.append(f if f.workbook == ctx.workbook(form) else _relocate(f, ctx.workbook(form)))
        return out

    ja, en = _TITLES[rule_id]
    rule(rule_id, SEVERITY[rule_id], (), ja, en)(check)


def _relocate(f: Finding, workbook: str) -> Finding:
    from dataclasses import replace

    return replace(f, workbook=workbook)


for _rule_id in _TITLES:
    _register(_rule_id)
