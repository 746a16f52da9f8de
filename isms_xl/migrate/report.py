"""The migration report as rows (one per 2022 control, one per changed reference) and as text.

Pure module: no Excel library is imported here; ``write`` turns the rows into a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from isms_xl.controls import short_id
from isms_xl.migrate.soa import MERGED, NEW, ONE_TO_ONE, SPLIT, UNDECIDED, SoaMigration

KIND_LABELS = {
    NEW: ("新規", "new in 2022"),
    ONE_TO_ONE: ("1対1", "one-to-one"),
    MERGED: ("統合", "merged"),
    SPLIT: ("分割", "split"),
}

# (key, Japanese header, English header, width)
CONTROL_COLUMNS = (
    ("control_id", "管理策番号(2022)", "Control (2022)", 11),
    ("control_name", "管理策", "Control name", 34),
    ("kind", "対応", "Correspondence", 9),
    ("sources", "移行元(2013)", "Sources (2013)", 22),
    ("source_decisions", "移行元の適用", "Source decisions", 26),
    ("applicable", "適用(移行後)", "Applicable (migrated)", 10),
    ("status", "実施状況(移行後)", "Status (migrated)", 10),
    ("action", "要対応", "Action", 8),
    ("flags", "確認事項", "What to check", 60),
)
REF_COLUMNS = (
    ("workbook", "ブック", "Workbook", 36),
    ("form", "様式", "Form", 7),
    ("cell", "セル", "Cell", 16),
    ("record", "レコード", "Record", 12),
    ("old", "変更前", "Before", 24),
    ("new", "変更後", "After", 24),
    ("note", "確認事項", "What to check", 50),
)


@dataclass
class RefRow:
    workbook: str
    form: str
    sheet: str
    cell: str
    record: str
    old: str
    new: str
    note_ja: str = ""
    note_en: str = ""


@dataclass
class MigrationReport:
    source: str
    target: str
    migration: SoaMigration
    refs: list[RefRow] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # migrated copies written (paths as shown)

    def control_rows(self, lang: str = "ja") -> list[dict[str, str]]:
        ja = lang == "ja"
        rows = []
        for c in self.migration.controls:
            found = {r.control_id: r for r in c.found}
            decisions = ", ".join(f"{s}={(found[s].values.get('applicable') or '-') if s in found else ('なし' if ja else 'none')}"
                                  for s in c.sources)
            rows.append({
                "control_id": short_id(c.control_id),
                "control_name": c.title_ja if ja else c.title_en,
                "kind": KIND_LABELS[c.kind][0 if ja else 1],
                "sources": ", ".join(c.sources),
                "source_decisions": decisions,
                "applicable": c.values.get("applicable") or "",
                "status": c.values.get("status") or "",
                "action": ("要判断" if ja else "decide") if c.needs_decision else (("要確認" if ja else "review") if c.flags else ""),
                "flags": "\n".join(f.message(lang) for f in c.flags),
            })
        return rows

    def counts(self) -> dict[str, int]:
        controls = self.migration.controls
        return {
            "controls": len(controls),
            "applicable": sum(c.values.get("applicable") == "○" for c in controls),
            "excluded": sum(c.values.get("applicable") == "×" for c in controls),
            "undecided": sum(c.values.get("applicable") == UNDECIDED for c in controls),
            "decide": sum(c.needs_decision for c in controls),
            "review": sum(bool(c.flags) and not c.needs_decision for c in controls),
            "refs": len(self.refs),
        }

    def text(self, lang: str = "ja") -> str:
        ja = lang == "ja"
        n = self.counts()
        m = self.migration
        out = [
            ("適用宣言書の移行（ISO/IEC 27001:2013 → 2022）" if ja else "SoA migration (ISO/IEC 27001:2013 → 2022)"),
            ("移行元: " if ja else "From: ") + self.source,
            ("移行先: " if ja else "To: ") + self.target,
            (f"管理策 {n['controls']} 件: 適用 {n['applicable']}、除外 {n['excluded']}、要判断 {n['undecided']}；"
             f"判断が必要 {n['decide']} 件、確認推奨 {n['review']} 件" if ja else
             f"{n['controls']} controls: {n['applicable']} applicable, {n['excluded']} excluded, {n['undecided']} undecided; "
             f"{n['decide']} need a decision, {n['review']} to review"),
        ]
        if m.missing:
            out.append(("旧適用宣言書にない2013年版の管理策: " if ja else "2013 controls without a row in the old SoA: ")
                       + ", ".join(m.missing))
        for r in m.unknown:
            out.append(("2013年版の管理策ではない行（無視）: " if ja else "Row naming no 2013 control (ignored): ")
                       + f"{r.control_id or '-'}" + (f" ({r.row}行目)" if ja and r.row else f" (row {r.row})" if r.row else ""))
        for r in m.duplicates:
            out.append(("重複行（最初の行を使用）: " if ja else "Repeated row (the first one is used): ")
                       + r.control_id + (f" ({r.row}行目)" if ja and r.row else f" (row {r.row})" if r.row else ""))
        out.append("")
        header = [h[1] if ja else h[2] for h in CONTROL_COLUMNS]
        out.append("\t".join(header))
        for row in self.control_rows(lang):
            out.append("\t".join(row[k].replace("\n", " / ") for k, *_ in CONTROL_COLUMNS))
        if self.refs or self.copies:
            out += ["", "管理策参照の移行（B-02 / B-03 など）" if ja else "Control references migrated (B-02 / B-03 …)"]
            for path in self.copies:
                out.append(("移行したコピー: " if ja else "Migrated copy: ") + path)
            for r in self.refs:
                note = r.note_ja if ja else r.note_en
                out.append(f"{r.workbook} '{r.sheet}'!{r.cell} {r.record}: {r.old} → {r.new}" + (f"  ({note})" if note else ""))
        return "\n".join(out) + "\n"
