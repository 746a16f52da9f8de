"""A-02 適用宣言書 — Statement of Applicability (manual §6.1.9)."""

from isms_xl.forms._columns import controls, enum, ids, long_text, notes, text
from isms_xl.schema import Approver, FormSpec, Layout

APPLICABLE, EXCLUDED = "○", "×"
MARK = "○"

SPEC = FormSpec(
    form_id="A-02",
    ja="適用宣言書",
    en="Statement of Applicability",
    layout=Layout.TABLE,
    approver=Approver.PRESIDENT,
    drafter="ISMS管理責任者",
    clause="§6.1.3 d), §6.1.9",
    columns=(
        controls("control_id", "管理策番号", "Control", required=True, single=True,
                 synonyms=("管理策No", "管理策ID", "番号", "Control ID", "Control No", "Ref"),
                 rule="every catalog control exactly once", width=11),
        text("control_name", "管理策", "Control name",
             synonyms=("管理策名", "管理策の名称", "Control Title", "Title"), width=34),
        enum("applicable", "適用", "Applicable", (APPLICABLE, EXCLUDED), required=True,
             synonyms=("適用可否", "適用有無", "Applicability", "Applied"),
             aliases=((APPLICABLE, ("〇", "◯", "適用", "yes", "y", "true", "applicable")),
                      (EXCLUDED, ("✕", "x", "除外", "no", "n", "false", "excluded", "not applicable"))),
             rule="○ 適用 / × 除外", width=7),
        enum("reason_risk", "採用理由:リスク対応", "Reason: risk treatment", (MARK,),
             derived_from=("B-02", "B-03"), synonyms=("リスク対応", "リスクアセスメント", "Risk treatment"),
             aliases=((MARK, ("〇", "◯", "yes", "y")),),
             rule="○ when a B-02/B-03 row selects the control", width=9),
        enum("reason_legal", "採用理由:法令", "Reason: legal", (MARK,),
             synonyms=("法令", "法的要求事項", "Legal", "Legal requirement"),
             aliases=((MARK, ("〇", "◯", "yes", "y")),), width=9),
        enum("reason_contract", "採用理由:契約", "Reason: contract", (MARK,),
             synonyms=("契約", "契約上の要求事項", "Contract", "Contractual"),
             aliases=((MARK, ("〇", "◯", "yes", "y")),), width=9),
        text("reason_other", "採用理由:その他", "Reason: other",
             synonyms=("その他", "その他の理由", "Other", "Business requirement"), width=16),
        long_text("exclusion_reason", "除外理由", "Justification for exclusion",
                  synonyms=("除外の理由", "適用除外理由", "Exclusion reason", "Justification"),
                  rule="required when excluded", width=24),
        enum("status", "実施状況", "Implementation status", ("実施済", "実施中", "未実施"),
             synonyms=("導入状況", "実施状態", "Status", "Implementation"),
             aliases=(("実施済", ("実施済み", "済", "implemented", "done")),
                      ("実施中", ("導入中", "in progress", "partially implemented")),
                      ("未実施", ("未", "not implemented", "planned"))),
             rule="required when applicable", width=10),
        text("documents", "関連文書", "Related documents",
             synonyms=("参照文書", "関連規程", "Documents", "Reference"), width=20),
        ids("related_risks", "関連リスクID", "Related risks", ref="B-02",
            derived_from=("B-02", "B-03"), synonyms=("リスクID", "Related risk IDs"), width=18),
        notes(width=20),
    ),
)
