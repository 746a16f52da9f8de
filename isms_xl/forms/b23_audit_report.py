"""B-23 内部監査報告書 — internal audit report (manual §9.2)."""

from isms_xl.forms._columns import col, date, dept, enum, ids, long_text, person, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Kind, Layout

MAJOR, MINOR, OBSERVATION, RECOMMENDATION = "重大な不適合", "軽微な不適合", "観察事項", "推奨事項"
NONCONFORMITIES = (MAJOR, MINOR)
REQUIRED, NOT_REQUIRED = "要", "不要"

SPEC = FormSpec(
    form_id="B-23",
    ja="内部監査報告書",
    en="Internal audit report",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="§9.2",
    columns=(
        # One report per audit: the record id is the B-20 audit id itself, so it is a required
        # single reference rather than an id of its own.
        ids("audit_id", "監査ID", "Audit ID", ref="B-20", single=True, required=True,
            synonyms=("監査番号", "監査No", "監査計画ID", "報告書番号", "Audit No"), width=14),
        date("reported_on", "報告日", "Reported on", synonyms=("報告年月日", "作成日", "提出日", "Report date"), width=14),
        person("lead", "監査責任者", "Lead auditor", synonyms=("内部監査責任者", "主任監査員", "報告者", "Audit lead"), width=16),
        long_text("summary", "総評", "Summary", synonyms=("監査総評", "総括", "所感", "監査結果概要", "Overall assessment"), width=60),
    ),
    tables=(
        EmbeddedTable(
            "findings", "指摘事項", "Findings",
            columns=(
                # An id (B-24 関連ID names it), but not required: the card prints blank rows.
                col("finding_id", "指摘ID", "Finding ID", Kind.ID, synonyms=("指摘番号", "指摘No", "No", "Finding No"), width=10),
                dept("department", "対象部門", "Department", synonyms=("被監査部門", "部門", "監査対象部門", "Auditee department"), width=12),
                enum("category", "区分", "Category", (MAJOR, MINOR, OBSERVATION, RECOMMENDATION),
                     synonyms=("指摘区分", "種別", "分類", "判定", "Grade"),
                     aliases=((MAJOR, ("重大", "重大不適合", "major", "major nonconformity")),
                              (MINOR, ("軽微", "軽微不適合", "minor", "minor nonconformity")),
                              (OBSERVATION, ("観察", "改善の機会", "OFI", "observation")),
                              (RECOMMENDATION, ("推奨", "提言", "改善提案", "recommendation"))),
                     width=12),
                long_text("description", "内容", "Finding", synonyms=("指摘内容", "指摘事項", "所見", "Description"), width=36),
                text("basis", "根拠(箇条・管理策)", "Basis (clause or control)",
                     synonyms=("根拠", "箇条・管理策", "要求事項", "該当箇条", "Clause"), width=14),
                ids("checklist_item_ids", "チェックリスト項目ID", "Checklist items", ref="B-22",
                    synonyms=("チェックリスト項目", "項目ID", "チェックリストID", "Checklist item IDs"), width=14),
                enum("action_required", "是正処置要否", "Corrective action required", (REQUIRED, NOT_REQUIRED),
                     synonyms=("是正要否", "是正処置の要否", "是正の要否", "Action required"),
                     aliases=((REQUIRED, ("必要", "有", "○", "〇", "yes", "y")), (NOT_REQUIRED, ("不必要", "無", "×", "-", "no", "n"))),
                     rule="要 for 重大な不適合 and 軽微な不適合", width=8),
                ids("corrective_id", "是正ID", "Corrective action ID", ref="B-24",
                    synonyms=("是正処置ID", "是正番号", "是正処置番号", "Corrective action"), rule="required when 要", width=12),
            ),
            rows=10,
        ),
    ),
)
