"""B-03 リスク対応計画書 — risk treatment plan (manual §6.1.7, §6.1.10)."""

from isms_xl.forms._columns import controls, date, enum, ident, ids, integer, long_text, money, notes, person, text
from isms_xl.schema import Approver, FormSpec, Layout

NOT_STARTED, IN_PROGRESS, DONE, CANCELLED = "未着手", "実施中", "完了", "中止"

SPEC = FormSpec(
    form_id="B-03",
    ja="リスク対応計画書",
    en="Risk treatment plan",
    layout=Layout.TABLE,
    approver=Approver.PRESIDENT,
    clause="§6.1.7",
    columns=(
        ident("plan_id", "計画ID", "Plan ID", synonyms=("対応計画ID", "計画番号", "計画No", "Plan No"), width=10),
        ids("risk_ids", "対象リスクID", "Risk IDs", ref="B-02", required=True,
            synonyms=("リスクID", "対象リスク", "関連リスクID", "Risks"), width=14),
        long_text("measure", "具体的な対策", "Measure", required=True,
                  synonyms=("対策", "対策内容", "実施内容", "Action", "Treatment measure"), width=30),
        controls("controls", "管理策", "Controls", synonyms=("管理策番号", "関連管理策", "Annex A controls"), width=14),
        person("responsible", "実施責任者", "Responsible", required=True, synonyms=("責任者", "担当者", "担当", "Owner"), width=12),
        text("staffing", "必要な要員", "Staffing", synonyms=("要員", "必要要員", "Resources"), width=14),
        money("cost", "コスト(円)", "Cost (JPY)", synonyms=("コスト", "費用", "費用(円)", "予算", "Cost", "Budget"), width=11),
        integer("priority", "優先順位", "Priority", minimum=1, synonyms=("優先度", "Priority rank"), width=7),
        date("start_on", "開始予定日", "Planned start", synonyms=("開始日", "着手予定日", "Start", "Start date"), width=11),
        date("due_on", "完了予定日", "Due", required=True, synonyms=("期限", "完了期限", "Due date", "Target date"),
             rule="required; ≥ start", width=11),
        enum("status", "状況", "Status", (NOT_STARTED, IN_PROGRESS, DONE, CANCELLED), required=True,
             synonyms=("進捗", "進捗状況", "ステータス", "Progress"),
             aliases=((NOT_STARTED, ("未実施", "not started", "open")), (IN_PROGRESS, ("対応中", "進行中", "in progress")),
                      (DONE, ("完了済", "済", "done", "completed", "closed")), (CANCELLED, ("取消", "cancelled", "canceled"))),
             width=8),
        date("completed_on", "完了日", "Completed on", synonyms=("完了実績日", "実施完了日", "Completion date"),
             rule="required iff 完了", width=11),
        person("approved_by", "承認者(リスク所有者)", "Approved by (risk owner)", required=True,
               synonyms=("承認者", "リスク所有者", "Approver", "Risk owner"), width=12),
        date("approved_on", "承認日", "Approved on", required=True, synonyms=("承認年月日", "Approval date"), width=11),
        notes(width=20),
    ),
)
