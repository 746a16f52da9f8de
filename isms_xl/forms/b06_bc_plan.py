"""B-06 事業継続計画書 — business continuity plan (manual: Annex A 5.29, 5.30)."""

from isms_xl.forms._columns import date, ident, ids, integer, long_text, number, person, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Layout

SPEC = FormSpec(
    form_id="B-06",
    ja="事業継続計画書",
    en="Business continuity plan",
    layout=Layout.CARD,
    approver=Approver.PRESIDENT,
    clause="Annex A 5.29, 5.30",
    columns=(
        ident("plan_id", "計画ID", "Plan ID", synonyms=("BCP ID", "計画番号", "計画No", "事業継続計画ID", "Plan No"), width=12),
        ids("process_ids", "対象業務", "Processes covered", ref="B-05",
            synonyms=("対象業務ID", "業務ID", "対象プロセス", "Processes", "Process IDs"), width=24),
        long_text("trigger", "発動基準", "Invocation criteria",
                  synonyms=("発動条件", "発動の基準", "BCP発動基準", "Trigger", "Activation criteria"), width=40),
        person("owner", "責任者", "Plan owner", synonyms=("計画責任者", "BCP責任者", "統括責任者", "Owner", "Responsible"), width=16),
        long_text("alternative", "代替手段", "Alternative arrangements",
                  synonyms=("代替策", "代替方法", "代替手順", "Workaround", "Fallback"), width=40),
        number("rto_hours", "目標復旧時間", "RTO (hours)", minimum=0,
               synonyms=("目標復旧時間(時間)", "RTO", "RTO(h)", "Recovery time objective"), rule="hours", width=10),
        date("updated_on", "最終更新日", "Last updated", synonyms=("更新日", "最終見直し日", "改訂日", "Updated on"), width=12),
    ),
    tables=(
        EmbeddedTable(
            "recovery_steps", "復旧手順", "Recovery steps",
            columns=(
                integer("step_no", "手順No", "Step", minimum=1, synonyms=("No", "手順番号", "順番", "項番", "Step No"), width=6),
                long_text("description", "内容", "Action", synonyms=("手順", "手順内容", "実施内容", "作業内容", "Description"), width=40),
                person("assignee", "担当", "Assigned to", synonyms=("担当者", "実施者", "責任者", "Owner"), width=14),
                # Free text, not hours: steps are timed as people write them (発動後30分以内, 当日中).
                text("target_time", "目標時間", "Target time", synonyms=("目標", "所要時間", "完了目標", "期限", "Target"), width=12),
            ),
            rows=10,
        ),
        EmbeddedTable(
            "contacts", "緊急連絡先", "Emergency contacts",
            columns=(
                text("role", "役割", "Role", synonyms=("区分", "立場", "連絡先区分", "Function"), width=14),
                text("name", "氏名・組織名", "Name or organisation",
                     synonyms=("氏名", "連絡先", "名称", "組織名", "Name", "Contact"), width=20),
                text("phone", "電話番号", "Phone", synonyms=("電話", "TEL", "携帯電話", "連絡先電話番号", "Telephone"), width=16),
                text("email", "メールアドレス", "Email", synonyms=("メール", "E-mail", "Eメール", "Mail"), width=24),
            ),
            rows=8,
        ),
    ),
)
