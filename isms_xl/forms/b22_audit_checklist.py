"""B-22 内部監査チェックリスト — internal audit checklist (manual §9.2)."""

from isms_xl.forms._columns import dept, enum, ident, ids, long_text, text
from isms_xl.schema import Approver, FormSpec, Layout

CONFORMING, MAJOR, MINOR, OBSERVATION, NOT_APPLICABLE = "適合", "重大な不適合", "軽微な不適合", "観察事項", "該当なし"
NONCONFORMITIES = (MAJOR, MINOR)

SPEC = FormSpec(
    form_id="B-22",
    ja="内部監査チェックリスト",
    en="Internal audit checklist",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§9.2",
    columns=(
        ident("item_id", "項目ID", "Item ID", synonyms=("項目番号", "チェック項目ID", "項番", "No", "Item No"), width=9),
        ids("audit_id", "監査ID", "Audit ID", ref="B-20", single=True,
            synonyms=("監査番号", "監査No", "監査計画ID", "Audit No"), width=10),
        dept("department", "対象部門", "Department audited", synonyms=("被監査部門", "監査対象部門", "部門", "Auditee department"), width=11),
        # A clause (6.1.2) or Annex A controls, so text: the reader must not reject a clause.
        text("reference", "要求事項・管理策", "Requirement or control",
             synonyms=("要求事項", "箇条", "管理策", "規格要求事項", "根拠", "Clause"), rule="a clause like 6.1.2, or control ids", width=12),
        long_text("question", "確認内容", "Question", synonyms=("チェック項目", "確認事項", "質問", "監査項目", "Checkpoint"), width=32),
        text("method", "確認方法", "Method", synonyms=("監査方法", "確認手段", "手法", "How checked"), width=14),
        long_text("evidence", "確認した証拠", "Evidence", synonyms=("証拠", "客観的証拠", "確認記録", "監査証拠", "Objective evidence"), width=26),
        enum("verdict", "判定", "Verdict", (CONFORMING, MAJOR, MINOR, OBSERVATION, NOT_APPLICABLE),
             synonyms=("評価", "判定結果", "結果", "監査結果", "Result"),
             aliases=((CONFORMING, ("○", "〇", "適", "OK", "conforming", "conformity")),
                      (MAJOR, ("重大", "重大不適合", "major", "major nonconformity")),
                      (MINOR, ("軽微", "軽微不適合", "minor", "minor nonconformity")),
                      (OBSERVATION, ("観察", "改善の機会", "OFI", "observation")),
                      (NOT_APPLICABLE, ("該当無し", "対象外", "-", "N/A", "NA"))),
             width=12),
        long_text("finding", "所見", "Finding", synonyms=("指摘事項", "コメント", "監査所見", "備考", "Notes"), width=26),
    ),
)
