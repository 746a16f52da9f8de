"""B-24 是正処置に関する報告書 — corrective action report (manual §10.1 and its corrective-action flow chart)."""

from isms_xl.forms._columns import date, enum, ident, long_text, person, text
from isms_xl.schema import Approver, FormSpec, Layout

INTERNAL_AUDIT, EXTERNAL_AUDIT, MANAGEMENT_REVIEW, INCIDENT, PROCESS = (
    "内部監査", "外部審査", "マネジメントレビュー", "セキュリティインシデント", "プロセス内")
ORIGINS = (INTERNAL_AUDIT, EXTERNAL_AUDIT, MANAGEMENT_REVIEW, INCIDENT, PROCESS)
EFFECTIVE, INEFFECTIVE = "有効", "無効"
NOT_STARTED, IN_PROGRESS, DONE = "未着手", "実施中", "完了"

SPEC = FormSpec(
    form_id="B-24",
    ja="是正処置に関する報告書",
    en="Corrective action report",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="§10.1",
    columns=(
        ident("corrective_id", "是正ID", "Corrective action ID",
              synonyms=("是正処置ID", "是正番号", "是正処置番号", "報告書番号", "Corrective action No"), width=14),
        enum("origin", "発生源", "Origin", ORIGINS,
             synonyms=("発生元", "不適合の発生源", "発見元", "区分", "Source"),
             aliases=((INTERNAL_AUDIT, ("監査", "内部監査指摘", "internal audit")),
                      (EXTERNAL_AUDIT, ("審査", "認証審査", "外部監査", "審査機関", "external audit")),
                      (MANAGEMENT_REVIEW, ("MR", "マネジメント・レビュー", "management review")),
                      (INCIDENT, ("インシデント", "セキュリティ事件・事故", "事件・事故", "事故", "incident")),
                      (PROCESS, ("プロセス内で発生した不適合", "業務プロセス", "日常業務", "process"))),
             width=16),
        # Text, not ids→FORM: by origin these are B-23 finding ids, B-12 incident ids or a B-25
        # review number (or an external auditor's finding number), so no single form resolves them.
        text("source_ids", "関連ID", "Related IDs",
             synonyms=("関連番号", "指摘ID", "インシデントID", "関連報告書番号", "Source IDs"),
             rule="B-23 finding, B-12 incident or B-25 review id(s) per the origin", width=20),
        long_text("nonconformity", "不適合の内容", "Nonconformity",
                  synonyms=("不適合内容", "不適合", "指摘内容", "問題点", "Description"), width=60),
        long_text("cause", "原因分析", "Root cause analysis", synonyms=("原因", "根本原因", "発生原因", "Root cause"), width=60),
        long_text("correction", "修正", "Correction", synonyms=("応急処置", "修正処置", "暫定処置", "Immediate correction"), width=60),
        long_text("action", "是正処置", "Corrective action",
                  synonyms=("是正処置内容", "是正内容", "再発防止策", "恒久対策", "Action"), width=60),
        person("responsible", "担当責任者", "Responsible", synonyms=("担当者", "責任者", "実施責任者", "Owner"), width=16),
        date("due_on", "期限", "Due", synonyms=("完了期限", "実施期限", "完了予定日", "Due date"), width=14),
        date("done_on", "実施日", "Done on", synonyms=("完了日", "実施完了日", "是正完了日", "Completed on"), width=14),
        date("dept_head_reviewed_on", "部門長確認日", "Department head reviewed on",
             synonyms=("部門長確認", "部門長レビュー日", "部門長承認日", "Reviewed by department head"), width=14),
        enum("effectiveness", "有効性確認", "Effectiveness", (EFFECTIVE, INEFFECTIVE),
             synonyms=("有効性", "有効性評価", "有効性の確認", "効果確認", "Effectiveness check"),
             aliases=((EFFECTIVE, ("有効である", "○", "〇", "OK", "effective")), (INEFFECTIVE, ("無効である", "有効でない", "×", "NG", "ineffective"))),
             width=10),
        date("effectiveness_checked_on", "有効性確認日", "Effectiveness checked on",
             synonyms=("有効性確認年月日", "効果確認日", "有効性評価日", "Effectiveness date"), width=14),
        person("accepted_by", "受理者", "Accepted by", synonyms=("受理", "受理者名", "承認者", "Acceptor"),
               rule="社長 for セキュリティインシデント, ISMS管理責任者 otherwise (the corrective-action flow chart)", width=16),
        enum("status", "状況", "Status", (NOT_STARTED, IN_PROGRESS, DONE),
             synonyms=("進捗", "進捗状況", "ステータス", "Progress"),
             aliases=((NOT_STARTED, ("未実施", "not started", "open")), (IN_PROGRESS, ("対応中", "進行中", "in progress")),
                      (DONE, ("完了済", "済", "done", "completed", "closed"))),
             width=10),
    ),
)
